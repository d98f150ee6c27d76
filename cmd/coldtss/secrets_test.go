package main

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/coldtss/coldtss/backup"
	"github.com/coldtss/coldtss/backup/vault"
)

// stationShare is station s's current share of key id, decrypted with its
// identity.
func stationShare(t *testing.T, s *station, id string) []byte {
	t.Helper()
	share, err := (vault.Home{Dir: s.home}).Share(id, s.identity(t).AgeIdentity())
	if err != nil {
		t.Fatal(err)
	}
	return share
}

// shareSecrets are the forms a share's secret x_i could take on disk:
// decimal (as tss-lib writes it), big-endian bytes and hex.
func shareSecrets(t *testing.T, share []byte) [][]byte {
	t.Helper()
	xi := jsonNumberField(t, share, "Xi")
	n, ok := new(bigInt).SetString(xi, 10)
	if !ok {
		t.Fatalf("share Xi %q", xi)
	}
	return [][]byte{[]byte(xi), n.Bytes(), []byte(hex.EncodeToString(n.Bytes()))}
}

var ageFile = regexp.MustCompile(`^age-encryption\.org/v1\n`)

// scanForSecrets fails if any file under dir (stick, station homes, plans,
// transcripts, backups) holds one of the secrets in clear, or if an
// encrypted file (an age file, or one named .age) is not 0600. It returns
// how many files it read.
func scanForSecrets(t *testing.T, dir string, secrets [][]byte) int {
	t.Helper()
	n := 0
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		for _, s := range secrets {
			if bytes.Contains(b, s) {
				t.Errorf("%s holds a secret in clear", p)
			}
		}
		if (ageFile.Match(b) || strings.HasSuffix(p, ".age")) && info.Mode().Perm() != 0o600 {
			t.Errorf("%s is encrypted secret material with mode %v, not 0600", p, info.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPassphraseFile: the station and backup passphrase files give their
// first line (without CR); an empty first line, a missing file or one too
// large to be a passphrase file is refused naming the flag and the file.
func TestPassphraseFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct{ content, want string }{
		{"correct horse\n", "correct horse"},
		{"correct horse\r\nsecond line\n", "correct horse"},
		{"no newline", "no newline"},
	} {
		got, err := passphraseFile("--passphrase-file", write("p.txt", []byte(c.content)))
		if err != nil || got != c.want {
			t.Fatalf("%q: got %q, %v; want %q", c.content, got, err, c.want)
		}
	}
	for _, c := range []struct {
		path string
		frag string
	}{
		{write("empty.txt", []byte("\r\nsecond line\n")), "is empty"},
		{filepath.Join(dir, "missing.txt"), "cannot read"},
		{write("big.txt", bytes.Repeat([]byte("a"), backup.MaxSize+1)), "larger than"},
	} {
		_, err := passphraseFile("--backup-passphrase-file", c.path)
		if err == nil || !strings.Contains(err.Error(), c.frag) || !strings.Contains(err.Error(), "--backup-passphrase-file "+c.path) {
			t.Fatalf("%s: error %v, want one naming --backup-passphrase-file and the file, saying %q", c.path, err, c.frag)
		}
	}
}
