package backup_test

// The age command-line tool (Debian package age, installed by
// scripts/install-test-deps.sh) opens backups without coldtss, and what it
// prints is the document of docs/formats.md, "Backup file", field by field.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/coldtss/coldtss/backup"
)

// requireTool returns the path of a command-line tool, or skips the test
// (fails it when COLDTSS_REQUIRE_INTEROP=1, as `make test` sets).
func requireTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("COLDTSS_REQUIRE_INTEROP") == "1" {
			t.Fatalf("%s is not installed and COLDTSS_REQUIRE_INTEROP=1: run scripts/install-test-deps.sh (Debian package %s)", name, pkg)
		}
		t.Skipf("%s not installed (Debian package %s); run `make test-deps`", name, pkg)
	}
	return p
}

// ageDecryptWithPassphrase runs `age -d` on a pseudo-terminal (age reads a
// passphrase only from the terminal), through util-linux `script`, and
// types the passphrase once age asks for it.
func ageDecryptWithPassphrase(t *testing.T, file, pass string) []byte {
	t.Helper()
	ageBin := requireTool(t, "age", "age")
	script := requireTool(t, "script", "bsdutils")
	out := filepath.Join(t.TempDir(), "plain.json")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, script, "-q", "-e", "-c", shq(ageBin)+" -d -o "+shq(out)+" "+shq(file), "/dev/null")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	var seen []byte
	for !bytes.Contains(bytes.ToLower(seen), []byte("passphrase")) {
		b, err := r.ReadByte()
		if err != nil {
			t.Fatalf("age never asked for the passphrase: %q %s", seen, stderr.String())
		}
		seen = append(seen, b)
	}
	time.Sleep(200 * time.Millisecond) // let age turn the echo off
	io.WriteString(stdin, pass+"\n")
	rest, _ := io.ReadAll(r)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("age -d %s: %v\n%s%s", file, err, rest, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// shq quotes a word for sh.
func shq(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func ageDecryptWithIdentity(t *testing.T, file, identityFile string) []byte {
	t.Helper()
	ageBin := requireTool(t, "age", "age")
	var so, se bytes.Buffer
	cmd := exec.Command(ageBin, "-d", "-i", identityFile, file)
	cmd.Stdout, cmd.Stderr = &so, &se
	if err := cmd.Run(); err != nil {
		t.Fatalf("age -d -i %s %s: %v\n%s", identityFile, file, err, se.String())
	}
	return so.Bytes()
}

// documentedFields reads the field table of the "Backup file" section of
// docs/formats.md: the names in its first column.
func documentedFields(t *testing.T) []string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "docs", "formats.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(doc), "## Backup file (`coldtss-backup/1`)")
	if !ok {
		t.Fatal(`docs/formats.md has no section "Backup file (coldtss-backup/1)"`)
	}
	if i := strings.Index(sec, "\n## "); i >= 0 {
		sec = sec[:i]
	}
	var fields []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|").FindAllStringSubmatch(sec, -1) {
		fields = append(fields, m[1])
	}
	if len(fields) == 0 {
		t.Fatal("the Backup file section lists no fields")
	}
	return fields
}

// checkDocumented checks a plaintext printed by age against the documented
// format and against what coldtss reads from the same backup.
func checkDocumented(t *testing.T, plain []byte, want *backup.Contents) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(plain, &m); err != nil {
		t.Fatalf("age's output is not JSON: %v", err)
	}
	var got []string
	for k := range m {
		got = append(got, k)
	}
	doc := documentedFields(t)
	sort.Strings(got)
	sort.Strings(doc)
	if strings.Join(got, ",") != strings.Join(doc, ",") {
		t.Fatalf("the plaintext has the fields %v, docs/formats.md documents %v", got, doc)
	}
	str := func(k string) string {
		var s string
		if err := json.Unmarshal(m[k], &s); err != nil {
			t.Fatalf("%s is not a string: %s", k, m[k])
		}
		return s
	}
	hex16 := regexp.MustCompile(`^[0-9a-f]{16}$`)
	var epoch int
	if err := json.Unmarshal(m["epoch"], &epoch); err != nil || epoch < 1 {
		t.Fatalf("epoch %s", m["epoch"])
	}
	if _, err := time.Parse(time.RFC3339, str("created")); err != nil {
		t.Fatalf("created: %v", err)
	}
	var key, share, identity map[string]json.RawMessage
	for k, v := range map[string]*map[string]json.RawMessage{"key": &key, "share": &share, "identity": &identity} {
		if err := json.Unmarshal(m[k], v); err != nil {
			t.Fatalf("%s is not an object: %v", k, err)
		}
	}
	for _, f := range []string{"Xi", "ShareID", "Ks", "BigXj"} {
		if _, ok := share[f]; !ok {
			t.Fatalf("share has no %s", f)
		}
	}
	sf := func(obj map[string]json.RawMessage, k string) string {
		var s string
		json.Unmarshal(obj[k], &s)
		return s
	}
	seed, _ := hex.DecodeString(sf(identity, "sign_seed"))
	switch {
	case str("format") != "coldtss-backup/1":
		t.Fatalf("format %q", str("format"))
	case !hex16.MatchString(str("key_id")) || str("key_id") != want.KeyID || sf(key, "id") != want.KeyID:
		t.Fatalf("key_id %q", str("key_id"))
	case !hex16.MatchString(str("committee")) || str("committee") != want.Committee:
		t.Fatalf("committee %q", str("committee"))
	case str("station") != want.Station || sf(key, "station") != want.Station || sf(identity, "name") != want.Station:
		t.Fatalf("station %q", str("station"))
	case epoch != want.Epoch:
		t.Fatalf("epoch %d", epoch)
	case sf(key, "format") != "coldtss-key/1" || sf(identity, "format") != "coldtss-identity/1" || len(seed) != 32:
		t.Fatalf("key or identity of the wrong form: %s %s", sf(key, "format"), sf(identity, "format"))
	}
	var compact bytes.Buffer
	json.Compact(&compact, m["share"])
	var wantShare bytes.Buffer
	json.Compact(&wantShare, want.Share)
	if !bytes.Equal(compact.Bytes(), wantShare.Bytes()) {
		t.Fatal("the share age prints is not the share coldtss reads")
	}
}

func TestAgeToolOpensBackups(t *testing.T) {
	requireTool(t, "age", "age")
	t.Run("passphrase (golden, ed25519)", func(t *testing.T) {
		dir := filepath.Join(goldenDir, "ed25519")
		cs := openGolden(t, "ed25519")
		checkDocumented(t, ageDecryptWithPassphrase(t, filepath.Join(dir, "alice.backup.age"), goldenPassphrase), cs[0])
	})
	t.Run("x25519 (golden, secp256k1)", func(t *testing.T) {
		dir := filepath.Join(goldenDir, "secp256k1")
		ids, _ := os.ReadFile(filepath.Join(dir, "bob.agekey.txt"))
		id, err := backup.ParseIdentities(ids)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join(dir, "bob.backup.age"))
		c, err := backup.Open(b, "", id...)
		if err != nil {
			t.Fatal(err)
		}
		checkDocumented(t, ageDecryptWithIdentity(t, filepath.Join(dir, "bob.backup.age"), filepath.Join(dir, "bob.agekey.txt")), c)
	})
	t.Run("x25519 (made now)", func(t *testing.T) {
		bob := edKey25519(t)[1]
		x, _ := age.GenerateX25519Identity()
		dir := t.TempDir()
		c := bob.contents()
		data := mustCreate(t, c, backup.CreateOptions{Recipients: []age.Recipient{x.Recipient()}})
		file, keyFile := filepath.Join(dir, "bob.backup.age"), filepath.Join(dir, "key.txt")
		os.WriteFile(file, data, 0o600)
		os.WriteFile(keyFile, []byte(x.String()+"\n"), 0o600)
		checkDocumented(t, ageDecryptWithIdentity(t, file, keyFile), c)
	})
}

// FuzzOpen feeds Open arbitrary plaintexts, encrypted as anyone who knows
// a recipient could (an age file is no proof of who wrote it): Open must
// return an error or contents that agree with their record, and Verify on
// what opens must not panic.
func FuzzOpen(f *testing.F) {
	x, err := age.ParseX25519Identity("AGE-SECRET-KEY-1NED6NSV0RAKQL4ZPVYQT9ATGRARD7CQJ0AS8YVJV9SKWN2DEKRYSK5ZYDW")
	if err != nil {
		f.Fatal(err)
	}
	dir := filepath.Join(goldenDir, "ed25519")
	golden, _ := os.ReadFile(filepath.Join(dir, "bob.backup.age"))
	ids, _ := os.ReadFile(filepath.Join(dir, "bob.agekey.txt"))
	if id, err := backup.ParseIdentities(ids); err == nil {
		if c, err := backup.Open(golden, "", id...); err == nil {
			pt, _ := json.Marshal(c)
			f.Add(pt)
		}
	}
	for _, pt := range []string{`{"format":"coldtss-backup/1"}`, `{"format":"coldtss-backup/9"}`, `[]`,
		`{"format":"coldtss-backup/1","key":{"station_cards":[null]},"share":{"BigXj":[{}]}}`} {
		f.Add([]byte(pt))
	}
	f.Fuzz(func(t *testing.T, pt []byte) {
		data, err := backup.EncryptTo(pt, x.Recipient())
		if err != nil {
			t.Fatal(err)
		}
		c, err := backup.Open(data, "", x)
		if err != nil {
			return
		}
		if c.Format != backup.Format || c.KeyID != c.Key.ID || c.Epoch != c.Key.Epoch || c.Station != c.Key.Station {
			t.Fatalf("Open took a backup whose fields disagree with its record: %+v", c)
		}
		_ = c.Verify()
	})
}
