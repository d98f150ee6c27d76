package backup_test

import (
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"encoding/json"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"filippo.io/age/plugin"

	"github.com/coldtss/coldtss/backup"
	"github.com/coldtss/coldtss/backup/vault"
)

// fast is the scrypt cost of the passphrase backups these tests make (the
// default, 18, is checked on the golden backups).
const fast = 10

func mustCreate(t *testing.T, c *backup.Contents, opts backup.CreateOptions) []byte {
	t.Helper()
	if opts.Passphrase != "" && opts.WorkFactor == 0 {
		opts.WorkFactor = fast
	}
	b, err := backup.Create(c, opts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantErr checks that err is one line and says each of the given things.
func wantErr(t *testing.T, what string, err error, says ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Fatalf("%s: the error is not one line: %q", what, err)
	}
	for _, s := range says {
		if !strings.Contains(err.Error(), s) {
			t.Fatalf("%s: the error %q does not say %q", what, err, s)
		}
	}
}

// reseal encrypts a backup's contents as they are, without Create's
// checks: what someone altering a backup could write.
func reseal(t *testing.T, c *backup.Contents, to age.Recipient) []byte {
	t.Helper()
	pt, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	b, err := backup.EncryptTo(pt, to)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRoundTripEveryRecipientKind(t *testing.T) {
	alice := edKey25519(t)[0]
	x, _ := age.GenerateX25519Identity()
	x2, _ := age.GenerateX25519Identity()
	pq, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		opts backup.CreateOptions
		pass string
		ids  []age.Identity
		desc string
	}{
		{"passphrase", backup.CreateOptions{Passphrase: "correct horse battery"}, "correct horse battery", nil, "a passphrase"},
		{"x25519, second of two", backup.CreateOptions{Recipients: []age.Recipient{x.Recipient(), x2.Recipient()}}, "", []age.Identity{x2}, "X25519"},
		{"post-quantum hybrid", backup.CreateOptions{Recipients: []age.Recipient{pq.Recipient()}}, "", []age.Identity{pq}, "mlkem768x25519"},
		{"compressed, x25519", backup.CreateOptions{Recipients: []age.Recipient{x.Recipient()}, Compress: true}, "", []age.Identity{x}, "X25519"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := alice.contents()
			data := mustCreate(t, want, tc.opts)
			if !bytes.HasPrefix(data, []byte("age-encryption.org/v1\n")) || !strings.Contains(backup.Describe(data), tc.desc) {
				t.Fatalf("not an age file to %s: %q, %s", tc.desc, data[:40], backup.Describe(data))
			}
			got, err := backup.Open(data, tc.pass, tc.ids...)
			if err != nil {
				t.Fatal(err)
			}
			if err := got.Verify(); err != nil {
				t.Fatal(err)
			}
			a, _ := json.Marshal(want)
			b, _ := json.Marshal(got)
			if !bytes.Equal(a, b) {
				t.Fatalf("contents changed on the way:\n%s\n%s", a, b)
			}
			if err := got.CheckCurrent(alice.record); err != nil {
				t.Fatal(err)
			}
			if tc.opts.Compress {
				// Inside the age file: gzip, as docs/recovery.md's recipe says.
				r, _ := age.Decrypt(bytes.NewReader(data), tc.ids...)
				pt, _ := io.ReadAll(r)
				if len(pt) < 2 || pt[0] != 0x1f || pt[1] != 0x8b {
					t.Fatalf("a compressed backup's plaintext is not gzip: % x", pt[:8])
				}
			}
		})
	}
}

func TestGoldenPassphraseBackupsUseTheDefaultWorkFactor(t *testing.T) {
	for _, curve := range goldenCurves {
		b, err := os.ReadFile(filepath.Join(goldenDir, curve, "alice.backup.age"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("age-encryption.org/v1\n-> scrypt ")) || !bytes.Contains(b[:80], []byte(" 18\n")) || backup.ScryptWorkFactor != 18 {
			t.Fatalf("%s: not a scrypt backup of work factor 18: %q", curve, b[:80])
		}
	}
}

func TestCreateRefusals(t *testing.T) {
	alice := edKey25519(t)[0]
	x, _ := age.GenerateX25519Identity()
	_, err := backup.Create(alice.contents(), backup.CreateOptions{Passphrase: "p", Recipients: []age.Recipient{x.Recipient()}})
	wantErr(t, "passphrase and recipients", err, "alone in a file", "two backups")
	_, err = backup.Create(alice.contents(), backup.CreateOptions{})
	wantErr(t, "nobody to encrypt to", err, "passphrase or at least one age recipient")
	c := alice.contents()
	c.Identity = nil
	_, err = backup.Create(c, backup.CreateOptions{Recipients: []age.Recipient{x.Recipient()}})
	wantErr(t, "no identity", err, "no station identity")
	c = alice.contents()
	c.Share = edKey25519(t)[1].share
	_, err = backup.Create(c, backup.CreateOptions{Recipients: []age.Recipient{x.Recipient()}})
	wantErr(t, "bob's share as alice's", err, "no backup written", "not station alice's")
}

// Plugin recipients go through age's plugin client: the parse path, and a
// clear error when the plugin binary is not installed.
func TestPluginRecipientWithoutThePlugin(t *testing.T) {
	s := plugin.EncodeRecipient("coldtsstest", []byte("a hardware token's public data"))
	r, err := backup.ParseRecipient(s)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := r.(*plugin.Recipient); !ok || p.Name() != "coldtsstest" {
		t.Fatalf("%s parsed as %T", s, r)
	}
	t.Setenv("PATH", t.TempDir())
	_, err = backup.Create(edKey25519(t)[0].contents(), backup.CreateOptions{Recipients: []age.Recipient{r}})
	wantErr(t, "missing plugin", err, "age-plugin-coldtsstest", "not installed", "no backup was written")

	ids, err := backup.ParseIdentities([]byte("# a token\n" + plugin.EncodeIdentity("coldtsstest", []byte("slot 1")) + "\n"))
	if err != nil || len(ids) != 1 {
		t.Fatalf("plugin identity: %v", err)
	}
	x, _ := age.GenerateX25519Identity()
	data := mustCreate(t, edKey25519(t)[0].contents(), backup.CreateOptions{Recipients: []age.Recipient{x.Recipient()}})
	if _, err := backup.Open(data, "", ids...); err == nil {
		t.Fatal("a plugin identity that is not installed opened the backup")
	}
}

func TestParseRecipientsAndIdentities(t *testing.T) {
	x, _ := age.GenerateX25519Identity()
	pq, _ := age.GenerateHybridIdentity()
	rs, err := backup.ParseRecipients([]byte("# offsite holders\n\n" + x.Recipient().String() + "\n  " + pq.Recipient().String() + "  \n"))
	if err != nil || len(rs) != 2 {
		t.Fatalf("recipients file: %d, %v", len(rs), err)
	}
	if _, ok := rs[1].(*age.HybridRecipient); !ok {
		t.Fatalf("age1pq1 parsed as %T", rs[1])
	}
	for in, says := range map[string]string{
		x.String():                          "an age identity (a secret key), not a recipient",
		"ssh-ed25519 AAAA":                  "not an age recipient",
		"age1tag1qqqqqqqq":                  "tagged",
		x.Recipient().String() + "zz":       "not a valid age recipient",
		"age1pq1" + strings.Repeat("q", 20): "not a valid age recipient",
	} {
		_, err := backup.ParseRecipient(in)
		wantErr(t, in, err, says)
		if strings.Contains(err.Error(), x.String()) {
			t.Fatal("an error quotes a secret key")
		}
	}
	_, err = backup.ParseRecipients([]byte("# nothing\n"))
	wantErr(t, "empty recipients file", err, "no recipient")
	_, err = backup.ParseRecipients([]byte(x.Recipient().String() + "\nnonsense\n"))
	wantErr(t, "bad line", err, "line 2")
	ids, err := backup.ParseIdentities([]byte("# created: now\n# public key: " + x.Recipient().String() + "\n" + x.String() + "\n" + pq.String() + "\n"))
	if err != nil || len(ids) != 2 {
		t.Fatalf("identities file: %d, %v", len(ids), err)
	}
	_, err = backup.ParseIdentities([]byte(x.String() + "\n" + x.String()[:30] + "\n"))
	wantErr(t, "damaged identity", err, "line 2")
	if strings.Contains(err.Error(), x.String()[:30]) {
		t.Fatal("the error quotes the secret key's line")
	}
}

// Every way a backup can fail to open, each a one-line error that says what
// to do.
func TestOpenRefusals(t *testing.T) {
	alice := edKey25519(t)[0]
	x, _ := age.GenerateX25519Identity()
	other, _ := age.GenerateX25519Identity()
	byPass := mustCreate(t, alice.contents(), backup.CreateOptions{Passphrase: "right"})
	byKey := mustCreate(t, alice.contents(), backup.CreateOptions{Recipients: []age.Recipient{x.Recipient()}})

	_, err := backup.Open(byPass, "wrong")
	wantErr(t, "wrong passphrase", err, "wrong passphrase", "try again")
	_, err = backup.Open(byKey, "", other)
	wantErr(t, "wrong identity", err, "none of the given identities", "X25519")
	_, err = backup.Open(byKey, "a passphrase")
	wantErr(t, "passphrase for a recipients backup", err, "none of the given identities")
	_, err = backup.Open(byPass, "", x)
	wantErr(t, "identity for a passphrase backup", err, "under a passphrase")
	_, err = backup.Open(byKey, "")
	wantErr(t, "nothing to open with", err, "no passphrase or age identity")

	for name, data := range map[string][]byte{
		"truncated in the payload":    byKey[:len(byKey)-40],
		"cut after the header":        byKey[:bytes.Index(byKey, []byte("\n---"))+60],
		"corrupted in the payload":    flip(byKey, len(byKey)-100),
		"corrupted in the header MAC": flip(byKey, bytes.Index(byKey, []byte("\n---"))+8),
	} {
		_, err := backup.Open(data, "", x)
		wantErr(t, name, err, "damaged or truncated", "another copy")
	}
	_, err = backup.Open(flip(byPass, len(byPass)-100), "right")
	wantErr(t, "corrupted passphrase backup", err, "damaged or truncated")

	_, err = backup.Open([]byte(`{"format":"coldtss-backup/1"}`), "", x)
	wantErr(t, "plain JSON", err, "not an age file")
	_, err = backup.Open(nil, "", x)
	wantErr(t, "empty file", err, "not an age file")
	notBackup, _ := backup.EncryptTo([]byte("my shopping list"), x.Recipient())
	_, err = backup.Open(notBackup, "", x)
	wantErr(t, "another age file", err, "holds no coldtss backup")

	future := alice.contents()
	future.Format = "coldtss-backup/2"
	_, err = backup.Open(reseal(t, future, x.Recipient()), "", x)
	wantErr(t, "a newer format", err, `"coldtss-backup/2"`, "use a newer coldtss")

	extra := bytes.Replace(mustJSON(t, alice.contents()), []byte(`"format"`), []byte(`"surprise": 1, "format"`), 1)
	sealed, _ := backup.EncryptTo(extra, x.Recipient())
	_, err = backup.Open(sealed, "", x)
	wantErr(t, "an unknown field", err, "damaged", "surprise")

	c := alice.contents()
	c.Epoch = 2
	_, err = backup.Open(reseal(t, c, x.Recipient()), "", x)
	wantErr(t, "epoch edited alone", err, "epoch 2 is not its key record's epoch (1)")
	c = alice.contents()
	c.KeyID = "0123456789abcdef"
	_, err = backup.Open(reseal(t, c, x.Recipient()), "", x)
	wantErr(t, "key id edited", err, "key_id")
}

func flip(b []byte, i int) []byte {
	out := append([]byte(nil), b...)
	out[i] ^= 0x20
	return out
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// editShare changes one field of the share's tss-lib JSON.
func editShare(t *testing.T, share []byte, edit func(m map[string]json.RawMessage)) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(share, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	return mustJSON(t, m)
}

// A backup whose share was altered opens (the encryption is fine: whoever
// altered it encrypted it again), but Verify refuses it and says why, and
// restore writes nothing.
func TestTamperedSharesRefused(t *testing.T) {
	sts := edKey25519(t)
	x, _ := age.GenerateX25519Identity()
	open := func(c *backup.Contents) *backup.Contents {
		got, err := backup.Open(reseal(t, c, x.Recipient()), "", x)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	bump := func(raw json.RawMessage) json.RawMessage {
		n, ok := new(big.Int).SetString(string(raw), 10)
		if !ok {
			t.Fatalf("not a number: %s", raw)
		}
		return json.RawMessage(n.Add(n, big.NewInt(1)).String())
	}
	var goldenSecp *backup.Contents
	{
		b, _ := os.ReadFile(filepath.Join(goldenDir, "secp256k1", "bob.backup.age"))
		ids, _ := os.ReadFile(filepath.Join(goldenDir, "secp256k1", "bob.agekey.txt"))
		id, err := backup.ParseIdentities(ids)
		if err != nil {
			t.Fatal(err)
		}
		if goldenSecp, err = backup.Open(b, "", id...); err != nil {
			t.Fatal(err)
		}
	}
	goldenEd := openGolden(t, "ed25519")[1]
	for _, tc := range []struct {
		name string
		base *backup.Contents
		edit func(c *backup.Contents)
		says string
	}{
		{"ed25519 secret share changed", sts[0].contents(), func(c *backup.Contents) {
			c.Share = editShare(t, c.Share, func(m map[string]json.RawMessage) { m["Xi"] = bump(m["Xi"]) })
		}, "does not match its public point"},
		{"secp256k1 secret share changed", goldenSecp, func(c *backup.Contents) {
			c.Share = editShare(t, c.Share, func(m map[string]json.RawMessage) { m["Xi"] = bump(m["Xi"]) })
		}, "does not match its public point"},
		{"public shares swapped", sts[0].contents(), func(c *backup.Contents) {
			c.Share = editShare(t, c.Share, func(m map[string]json.RawMessage) {
				// The two other stations' points change places.
				var xs, ks []json.RawMessage
				json.Unmarshal(m["BigXj"], &xs)
				json.Unmarshal(m["Ks"], &ks)
				var others []int
				for j := range ks {
					if string(ks[j]) != string(m["ShareID"]) {
						others = append(others, j)
					}
				}
				xs[others[0]], xs[others[1]] = xs[others[1]], xs[others[0]]
				m["BigXj"] = mustJSON(t, xs)
			})
		}, "do not add up to the key's public key"},
		{"group key replaced", sts[0].contents(), func(c *backup.Contents) {
			c.Share = editShare(t, c.Share, func(m map[string]json.RawMessage) {
				var xs []json.RawMessage
				json.Unmarshal(m["BigXj"], &xs)
				m["EDDSAPub"] = xs[0]
			})
		}, "belongs to public key"},
		{"bob's share labelled alice's", sts[0].contents(), func(c *backup.Contents) { c.Share = sts[1].share }, "not station alice's"},
		{"share of another key", sts[0].contents(), func(c *backup.Contents) { c.Share = goldenEd.Share }, "the share belongs to public key"},
		{"share of another curve", sts[0].contents(), func(c *backup.Contents) { c.Share = goldenSecp.Share }, "incomplete"},
		{"share cut short", sts[0].contents(), func(c *backup.Contents) {
			c.Share = editShare(t, c.Share, func(m map[string]json.RawMessage) { delete(m, "BigXj") })
		}, "incomplete"},
		{"bob's identity in alice's backup", sts[0].contents(), func(c *backup.Contents) { c.Identity = sts[1].id.MarshalSecret() }, "not station alice's identity card"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := *tc.base
			tc.edit(&c)
			got := open(&c)
			err := got.Verify()
			wantErr(t, tc.name, err, tc.says)
			for _, s := range [][]byte{sts[0].share, goldenSecp.Share} {
				var m map[string]json.RawMessage
				json.Unmarshal(s, &m)
				if strings.Contains(err.Error(), string(m["Xi"])) {
					t.Fatal("the error shows a secret share")
				}
			}
			h := vault.Home{Dir: filepath.Join(t.TempDir(), "home")}
			if _, err := h.Restore(got, "new pass"); err == nil {
				t.Fatal("restore took a tampered share")
			}
			if _, err := os.Stat(h.Dir); err == nil {
				t.Fatal("restore of a tampered share wrote something")
			}
		})
	}
}

// CheckCurrent: a backup is of this station's key as it is now.
func TestCheckCurrentRefusals(t *testing.T) {
	sts := edKey25519(t)
	x, _ := age.GenerateX25519Identity()
	alice := sts[0].contents()

	// The key was reshared since the backup (the station's record is at
	// epoch 2 now): the backup of epoch 1 is refused and names the epoch.
	now := sts[0].record
	now.Epoch = 2
	wantErr(t, "older epoch", alice.CheckCurrent(now), "at epoch 1, but the key is now at epoch 2", "committee "+now.Committee(), "make a new backup")

	// A backup edited to say epoch 2 (its record too, so that it opens),
	// against the station's record of epoch 1.
	c := sts[0].contents()
	c.Epoch, c.Key.Epoch = 2, 2
	c.Committee = c.Key.Committee()
	got, err := backup.Open(reseal(t, c, x.Recipient()), "", x)
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, "newer epoch", got.CheckCurrent(sts[0].record), "at epoch 2, newer than this station's record (epoch 1)")

	other := openGolden(t, "ed25519")[0]
	wantErr(t, "another key", other.CheckCurrent(sts[0].record), "a backup of key "+other.KeyID+", not of key "+sts[0].record.ID)
	wantErr(t, "another station", alice.CheckCurrent(sts[1].record), "station alice's backup", "station bob")

	same := sts[0].record
	same.Threshold = 3 // a committee that differs at the same epoch
	wantErr(t, "another committee", alice.CheckCurrent(same), "for committee "+alice.Committee)
	if err := alice.CheckCurrent(sts[0].record); err != nil {
		t.Fatal(err)
	}
}

// Restore: a fresh home becomes the station; a home of the same station
// only gets the key; a home of another station is refused; nothing secret
// lands on disk in clear.
func TestRestoreHomes(t *testing.T) {
	sts := edKey25519(t)
	dir := t.TempDir()
	h := vault.Home{Dir: filepath.Join(dir, "alice")}
	created, err := h.Restore(sts[0].contents(), "new station passphrase")
	if err != nil || !created {
		t.Fatalf("fresh home: %v %v", created, err)
	}
	_, err = h.Restore(sts[0].contents(), "")
	wantErr(t, "the key again", err, "already holds key "+sts[0].record.ID)
	_, err = h.Restore(sts[1].contents(), "x")
	wantErr(t, "another station's home", err, "already holds the identity of station alice", "not of bob", "new --home")

	if err := os.RemoveAll(filepath.Join(h.Dir, "keys")); err != nil {
		t.Fatal(err)
	}
	created, err = h.Restore(sts[0].contents(), "")
	if err != nil || created {
		t.Fatalf("same station's home: created %v, %v", created, err)
	}
	got, err := h.Share(sts[0].record.ID, sts[0].id.AgeIdentity())
	if err != nil || !bytes.Equal(got, sts[0].share) {
		t.Fatalf("share after restore: %v", err)
	}
	c := sts[0].contents()
	c.Identity = nil
	_, err = vault.Home{Dir: filepath.Join(dir, "none")}.Restore(c, "p")
	wantErr(t, "no identity", err, "holds no station identity")
	scanForSecrets(t, dir, sts[:1])
}

// scanForSecrets looks for the stations' secrets (the share x_i as decimal,
// hex and bytes, the Paillier prime when there is one, the identity's seeds)
// in every file under dir, and checks that encrypted files are 0600.
func scanForSecrets(t *testing.T, dir string, sts []station) {
	t.Helper()
	var needles [][]byte
	for _, s := range sts {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(s.share, &m); err != nil {
			t.Fatal(err)
		}
		n, _ := new(big.Int).SetString(string(m["Xi"]), 10)
		needles = append(needles, m["Xi"], n.Bytes(), []byte(hex.EncodeToString(n.Bytes())))
		if p, ok := m["P"]; ok {
			needles = append(needles, p)
		}
		seed := s.id.Sign.Seed()
		needles = append(needles, seed, []byte(hex.EncodeToString(seed)), s.id.Seal.Bytes(), []byte(hex.EncodeToString(s.id.Seal.Bytes())))
		needles = append(needles, []byte(s.id.AgeIdentity().String()))
	}
	files := 0
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, n := range needles {
			if bytes.Contains(b, n) {
				t.Errorf("%s holds a secret in clear", p)
			}
		}
		if bytes.HasPrefix(b, []byte("age-encryption.org/v1")) && info.Mode().Perm() != 0o600 {
			t.Errorf("%s is encrypted secret material with mode %v, not 0600", p, info.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("no file to scan")
	}
}

// A compressed backup that inflates beyond any real one is refused, not
// read into memory whole.
func TestCompressedBombRefused(t *testing.T) {
	x, _ := age.GenerateX25519Identity()
	var z bytes.Buffer
	w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	w.Write(bytes.Repeat([]byte{' '}, backup.MaxSize+10))
	w.Close()
	var out bytes.Buffer
	aw, _ := age.Encrypt(&out, x.Recipient())
	aw.Write(z.Bytes())
	aw.Close()
	_, err := backup.Open(out.Bytes(), "", x)
	if err == nil || !strings.Contains(err.Error(), "inflate beyond") {
		t.Fatalf("a gzip bomb: %v", err)
	}
}
