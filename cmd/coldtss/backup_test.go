package main

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/coldtss/coldtss/backup"
	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/keys"
)

// backupFails runs a coldtss command that must fail with one error line
// saying each of says, and exit status 1.
func backupFails(t *testing.T, what string, args []string, says ...string) {
	t.Helper()
	out, errOut, err := run(t, args...)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("%s: want exit status 1, got %v\n%s%s", what, err, out, errOut)
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "coldtss: ") {
		t.Fatalf("%s: no one-line error: %q", what, errOut)
	}
	for _, s := range says {
		if !strings.Contains(last, s) {
			t.Fatalf("%s: the error %q does not say %q", what, last, s)
		}
	}
}

func writeFile(t *testing.T, p, s string, perm os.FileMode) string {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), perm); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBackupWipeRestoreSign: a 2-of-3 ed25519 key; alice backs up under a
// passphrase and bob to an X25519 recipient; both backups verify; every bad
// backup is refused in one line; alice's laptop is wiped and she restores on
// a fresh home under a new passphrase; the restored alice and bob sign in a
// real ceremony, and crypto/ed25519 accepts the signature. No file written
// holds a secret in clear.
func TestBackupWipeRestoreSign(t *testing.T) {
	dir, stick := workspace(t)
	sts := stations(t, dir, "alice", "bob", "carol")
	alice, bob := sts[0], sts[1]
	key := keygen(t, dir, stick, sts, 2, ceremony.CurveEd25519)
	secrets := stationSecrets(t, sts, key)

	bpass := writeFile(t, filepath.Join(dir, "backup.pass"), "backup passphrase kept apart\n", 0o600)
	offsite, _ := age.GenerateX25519Identity()
	idFile := writeFile(t, filepath.Join(dir, "offsite-key.txt"), offsite.String()+"\n", 0o600)
	aliceB, bobB := filepath.Join(dir, "alice.backup.age"), filepath.Join(dir, "bob.backup.age")

	out := mustRun(t, "backup", "create", "--key", key.ID, "--out", aliceB, "--home", alice.home, "--passphrase-file", alice.pass, "--backup-passphrase-file", bpass)
	if !strings.Contains(out, "encrypted to a passphrase") || !strings.Contains(out, "coldtss backup verify") {
		t.Fatalf("backup create said: %s", out)
	}
	mustRun(t, "backup", "create", "--key", key.ID, "--out", bobB, "--home", bob.home, "--passphrase-file", bob.pass, "--recipient", offsite.Recipient().String())
	for _, f := range []string{aliceB, bobB} {
		if info, err := os.Stat(f); err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v, want 0600", f, info.Mode(), err)
		}
	}
	backupFails(t, "never overwrite", []string{"backup", "create", "--key", key.ID, "--out", aliceB, "--home", alice.home, "--passphrase-file", alice.pass, "--backup-passphrase-file", bpass}, "already exists")

	committee := key.Committee()
	for _, v := range []struct {
		file, station string
		open          []string
		home          *station
	}{
		{aliceB, "alice", []string{"--backup-passphrase-file", bpass}, alice},
		{bobB, "bob", []string{"--identity", idFile}, bob},
	} {
		out := mustRun(t, append([]string{"backup", "verify", v.file, "--key", key.ID, "--home", v.home.home}, v.open...)...)
		want := "backup of key " + key.ID + ", station " + v.station + ", epoch 1, committee " + committee + ": opens and matches\n"
		if out != want {
			t.Fatalf("backup verify said %q, want %q", out, want)
		}
	}

	// Bad backups, each refused in one line.
	wrong := writeFile(t, filepath.Join(dir, "wrong.pass"), "not the backup passphrase\n", 0o600)
	backupFails(t, "wrong passphrase", []string{"backup", "verify", aliceB, "--home", alice.home, "--backup-passphrase-file", wrong}, aliceB, "wrong passphrase")
	data, _ := os.ReadFile(bobB)
	cut := writeFile(t, filepath.Join(dir, "cut.age"), string(data[:len(data)-50]), 0o600)
	backupFails(t, "truncated", []string{"backup", "verify", cut, "--home", bob.home, "--identity", idFile}, "damaged or truncated")
	bad := append([]byte(nil), data...)
	bad[len(bad)-200] ^= 1
	corrupt := writeFile(t, filepath.Join(dir, "corrupt.age"), string(bad), 0o600)
	backupFails(t, "corrupted", []string{"backup", "verify", corrupt, "--home", bob.home, "--identity", idFile}, "damaged or truncated")
	backupFails(t, "a recipients backup without --identity", []string{"backup", "verify", bobB, "--home", bob.home}, "encrypted to age recipients (X25519)", "--identity")
	backupFails(t, "another station's backup", []string{"backup", "verify", aliceB, "--home", bob.home, "--backup-passphrase-file", bpass}, "station alice's backup", "this is station bob")
	golden := filepath.Join("..", "..", "backup", "testdata", "golden", "ed25519")
	backupFails(t, "another key", []string{"backup", "verify", filepath.Join(golden, "alice.backup.age"), "--key", key.ID, "--home", alice.home,
		"--backup-passphrase-file", filepath.Join(golden, "passphrase.txt")}, "not of key "+key.ID)

	// A backup whose share was altered and encrypted again.
	c, err := backup.Open(data, "", offsite)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	json.Unmarshal(c.Share, &m)
	xi, _ := new(big.Int).SetString(string(m["Xi"]), 10)
	m["Xi"] = json.RawMessage(xi.Add(xi, big.NewInt(7)).String())
	c.Share, _ = json.Marshal(m)
	pt, _ := json.Marshal(c)
	sealed, _ := backup.EncryptTo(pt, offsite.Recipient())
	tampered := writeFile(t, filepath.Join(dir, "tampered.age"), string(sealed), 0o600)
	backupFails(t, "tampered share", []string{"backup", "verify", tampered, "--home", bob.home, "--identity", idFile}, "does not match its public point")
	backupFails(t, "tampered share restored", []string{"backup", "restore", tampered, "--home", filepath.Join(dir, "bob2"), "--identity", idFile, "--passphrase-file", bob.pass}, "does not match its public point")
	if _, err := os.Stat(filepath.Join(dir, "bob2")); err == nil {
		t.Fatal("restore of a tampered share wrote a home")
	}

	// The key was reshared since (a copy of bob's home whose record is at
	// epoch 2): the backup of epoch 1 is refused and names the current epoch.
	later := filepath.Join(dir, "bob-later")
	if err := os.CopyFS(later, os.DirFS(bob.home)); err != nil {
		t.Fatal(err)
	}
	rec := key
	rec.Station, rec.Epoch = "bob", 2
	recJSON, _ := json.MarshalIndent(rec, "", "  ")
	writeFile(t, filepath.Join(later, "keys", key.ID, "key.json"), string(recJSON), 0o644)
	backupFails(t, "older epoch", []string{"backup", "verify", bobB, "--home", later, "--identity", idFile}, "at epoch 1, but the key is now at epoch 2", "make a new backup")
	os.RemoveAll(later) // a test copy, not a station's own writing

	// Alice's laptop is lost: wipe, restore on a fresh home, sign with bob.
	if err := os.RemoveAll(alice.home); err != nil {
		t.Fatal(err)
	}
	restored := &station{name: "alice", home: filepath.Join(dir, "alice-new"), pass: writeFile(t, filepath.Join(dir, "alice-new.pass"), "alice's new station passphrase\n", 0o600)}
	out = mustRun(t, "backup", "restore", aliceB, "--home", restored.home, "--backup-passphrase-file", bpass, "--passphrase-file", restored.pass)
	if !strings.Contains(out, "Restored station alice") || !strings.Contains(out, "Restored key "+key.ID) {
		t.Fatalf("restore said: %s", out)
	}
	backupFails(t, "restore into another station's home", []string{"backup", "restore", aliceB, "--home", bob.home, "--backup-passphrase-file", bpass}, "already holds the identity of station bob")
	backupFails(t, "restore the same key again", []string{"backup", "restore", aliceB, "--home", restored.home, "--backup-passphrase-file", bpass}, "already holds key "+key.ID)
	var list []keys.Record
	if err := json.Unmarshal([]byte(mustRun(t, "keys", "list", "--home", restored.home, "--json")), &list); err != nil || len(list) != 1 || list[0].ID != key.ID || list[0].IsPending() {
		t.Fatalf("keys list after restore: %v %+v", err, list)
	}
	if mustRun(t, "id", "show", "--home", restored.home) != mustRun(t, "id", "show", "--card", filepath.Join(dir, "alice.card")) {
		t.Fatal("the restored station does not show alice's identity")
	}

	reqs := digestRequests(2, false)
	plan := makeSignPlan(t, dir, bob, key.ID, []*station{restored, bob}, reqs)
	res := joinAll(t, []*station{restored, bob}, plan, stick, joinOpts{})
	mustSucceed(t, res)
	pub, _ := hex.DecodeString(key.PublicKey)
	for i, s := range signatures(t, res).Signatures {
		msg, _ := hex.DecodeString(reqs[i].Data)
		sig, _ := hex.DecodeString(s.Signature)
		if !ed25519.Verify(pub, msg, sig) {
			t.Fatalf("message %d: crypto/ed25519 rejects the signature of the restored station", i+1)
		}
	}
	if n := scanForSecrets(t, dir, secrets); n < 20 {
		t.Fatalf("only %d files scanned", n)
	}
}

// stationSecrets are the stations' secrets as they could appear on disk:
// each share's x_i (decimal, hex, bytes) and the identity's keys.
func stationSecrets(t *testing.T, sts []*station, key keys.Record) [][]byte {
	t.Helper()
	var out [][]byte
	for _, s := range sts {
		id := s.identity(t)
		out = append(out, shareSecrets(t, stationShare(t, s, key.ID))...)
		seed := id.Sign.Seed()
		out = append(out, seed, []byte(hex.EncodeToString(seed)), id.Seal.Bytes(), []byte(hex.EncodeToString(id.Seal.Bytes())), []byte(id.AgeIdentity().String()))
	}
	return out
}
