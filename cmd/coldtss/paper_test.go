package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/backup/paper"
)

// paper-restore --text writes the exact bytes typed back, 0600, and names
// the line of a typing mistake. (The commands run in-process until
// `coldtss backup` lists them.)
func TestPaperRestoreText(t *testing.T) {
	data := append([]byte("age-encryption.org/v1\n"), bytes.Repeat([]byte{7, 1, 9}, 100)...)
	dir := t.TempDir()
	typed := filepath.Join(dir, "typed.txt")
	lines := paper.TextLines(data)
	os.WriteFile(typed, []byte(strings.Join(lines, "\n")), 0o600)
	app := &cli.App{Commands: []*cli.Command{paperRestoreCommand()}}
	out := filepath.Join(dir, "backup.age")
	if err := app.Run([]string{"coldtss", "paper-restore", "--text", typed, "--out", out}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	st, _ := os.Stat(out)
	if !bytes.Equal(got, data) || st.Mode().Perm() != 0o600 {
		t.Fatalf("restored %d bytes, mode %v; want the %d bytes typed, 0600", len(got), st.Mode().Perm(), len(data))
	}
	lines[4] = strings.Replace(lines[4], lines[4][6:7], "Q", 1)
	if lines[4] == paper.TextLines(data)[4] {
		lines[4] = strings.Replace(lines[4], lines[4][6:7], "R", 1)
	}
	os.WriteFile(typed, []byte(strings.Join(lines, "\n")), 0o600)
	err := app.Run([]string{"coldtss", "paper-restore", "--text", typed, "--out", filepath.Join(dir, "other.age")})
	if err == nil || !strings.Contains(err.Error(), "line 5 (sheet line 004)") {
		t.Fatalf("a typo on line 5: %v", err)
	}
}
