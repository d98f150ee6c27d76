package backup_test

// Golden backups: made ONCE by TestWriteGoldenBackups and committed in
// testdata/golden/. TestGoldenBackupsRestoreAndSign must keep restoring them
// and signing with them in every later version of coldtss: a change that
// breaks it breaks every backup people have in their safes. Never
// regenerate them to make that test pass; write a reader for the old form.

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/coldtss/coldtss/backup"
	"github.com/coldtss/coldtss/backup/vault"
	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/keys"
)

const goldenDir = "testdata/golden"

// goldenPassphrase opens alice's golden backups (it is in the README too).
const goldenPassphrase = "golden backup passphrase: public, for tests only"

var goldenCurves = []string{ceremony.CurveEd25519, ceremony.CurveSecp256k1}

// TestWriteGoldenBackups makes the golden backups. It runs only with
// COLDTSS_WRITE_GOLDEN_BACKUPS=1 and refuses to replace existing ones:
//
//	COLDTSS_WRITE_GOLDEN_BACKUPS=1 go test ./backup -run TestWriteGoldenBackups
//
// For each curve, a 2-of-3 key of alice, bob and carol: alice's backup under
// goldenPassphrase, bob's to an X25519 recipient, carol's to a post-quantum
// hybrid recipient, with the identity files and the key record.
func TestWriteGoldenBackups(t *testing.T) {
	if os.Getenv("COLDTSS_WRITE_GOLDEN_BACKUPS") != "1" {
		t.Skip("writes the golden backups only with COLDTSS_WRITE_GOLDEN_BACKUPS=1")
	}
	for _, curve := range goldenCurves {
		dir := filepath.Join(goldenDir, curve)
		if _, err := os.Stat(dir); err == nil {
			t.Fatalf("%s exists: golden backups are never regenerated (see the comment at the top of golden_test.go)", dir)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		sts := keygen(t, curve)
		x, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		pq, err := age.GenerateHybridIdentity()
		if err != nil {
			t.Fatal(err)
		}
		write := func(name string, b []byte) {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for i, opts := range []backup.CreateOptions{
			{Passphrase: goldenPassphrase},
			{Recipients: []age.Recipient{x.Recipient()}},
			{Recipients: []age.Recipient{pq.Recipient()}},
		} {
			data, err := backup.Create(sts[i].contents(), opts)
			if err != nil {
				t.Fatal(err)
			}
			write(sts[i].id.Name+".backup.age", data)
		}
		write("passphrase.txt", []byte(goldenPassphrase+"\n"))
		write("bob.agekey.txt", []byte("# public test key: opens bob.backup.age only\n"+x.String()+"\n"))
		write("carol.agekey.txt", []byte("# public test key: opens carol.backup.age only\n"+pq.String()+"\n"))
		rec, _ := json.MarshalIndent(sts[0].record, "", "  ")
		write("key.json", append(rec, '\n'))
	}
}

// openGolden opens the golden backups of one curve: alice's with the
// passphrase, bob's and carol's with their identity files.
func openGolden(t *testing.T, curve string) []*backup.Contents {
	t.Helper()
	dir := filepath.Join(goldenDir, curve)
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("golden backup missing: %v (they are committed; never regenerate them)", err)
		}
		return b
	}
	ids := func(name string) []age.Identity {
		got, err := backup.ParseIdentities(read(name))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	var out []*backup.Contents
	for _, o := range []struct {
		file string
		pass string
		ids  []age.Identity
	}{
		{"alice.backup.age", strings.TrimSpace(string(read("passphrase.txt"))), nil},
		{"bob.backup.age", "", ids("bob.agekey.txt")},
		{"carol.backup.age", "", ids("carol.agekey.txt")},
	} {
		c, err := backup.Open(read(o.file), o.pass, o.ids...)
		if err != nil {
			t.Fatalf("%s/%s: %v", curve, o.file, err)
		}
		if err := c.Verify(); err != nil {
			t.Fatalf("%s/%s: %v", curve, o.file, err)
		}
		out = append(out, c)
	}
	var rec keys.Record
	if err := json.Unmarshal(read("key.json"), &rec); err != nil {
		t.Fatal(err)
	}
	if err := out[0].CheckCurrent(rec); err != nil {
		t.Fatalf("%s: alice's golden backup against the golden key.json: %v", curve, err)
	}
	return out
}

// TestGoldenBackupsRestoreAndSign restores alice (passphrase) and bob
// (X25519) of each golden key into fresh station homes, reads the stations
// back from those homes as `join` does, and signs with them in a real
// 2-station ceremony. Carol's (post-quantum) backup opens and verifies.
func TestGoldenBackupsRestoreAndSign(t *testing.T) {
	for _, curve := range goldenCurves {
		t.Run(curve, func(t *testing.T) {
			cs := openGolden(t, curve)
			var signers []station
			for _, c := range cs[:2] {
				h := vault.Home{Dir: filepath.Join(t.TempDir(), c.Station)}
				pass := "new station passphrase of " + c.Station
				if created, err := h.Restore(c, pass); err != nil || !created {
					t.Fatalf("restore %s: created %v, %v", c.Station, created, err)
				}
				enc, err := h.ReadIdentity()
				if err != nil {
					t.Fatal(err)
				}
				pt, err := backup.DecryptWithPassphrase(enc, pass)
				if err != nil {
					t.Fatalf("the restored identity does not open with the new passphrase: %v", err)
				}
				id, err := ceremony.UnmarshalIdentity(pt)
				if err != nil {
					t.Fatal(err)
				}
				rec, err := h.Key(c.KeyID)
				if err != nil {
					t.Fatal(err)
				}
				share, err := h.Share(c.KeyID, id.AgeIdentity())
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(share, c.Share) || rec.Committee() != c.Committee || rec.IsPending() {
					t.Fatalf("%s: the restored home does not hold the backup's share and active record", c.Station)
				}
				signers = append(signers, station{id: id, record: rec, share: share})
			}
			sign(t, signers)
		})
	}
}
