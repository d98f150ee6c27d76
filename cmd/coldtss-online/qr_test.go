package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coldtss/coldtss/qr/ur"
)

// A PSBT goes out as QR parts and a signed one comes back in, in both
// formats; a part of a kind the online side does not take is refused with
// one line, and nothing is written.
func TestShowAndScan(t *testing.T) {
	var v struct{ Valid []struct{ Case, Hex string } }
	b, _ := os.ReadFile("../../chains/bitcoin/testdata/bip174.json")
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var psbt []byte
	for _, c := range v.Valid {
		if strings.Contains(c.Case, "signed and finalized") {
			psbt, _ = hex.DecodeString(c.Hex)
		}
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "signed.psbt")
	os.WriteFile(in, psbt, 0o644)
	for _, format := range []string{"ur", "bbqr"} {
		parts := filepath.Join(dir, format+".txt")
		if r := run(t, "show", in, "--format", format, "--out", parts); r.code != 0 {
			t.Fatalf("show --format %s: %s", format, r.stderr)
		}
		out := filepath.Join(dir, format+".psbt")
		if r := run(t, "scan", "--from", parts, "--out", out); r.code != 0 {
			t.Fatalf("scan %s: %s", format, r.stderr)
		}
		got, _ := os.ReadFile(out)
		if !bytes.Equal(got, psbt) {
			t.Fatalf("%s: the PSBT came back different", format)
		}
		if r := run(t, "scan", "--from", parts, "--out", out); r.code == 0 || !strings.Contains(r.stderr, "never overwritten") {
			t.Fatalf("scan over an existing file: %d %s", r.code, r.stderr)
		}
	}
	// A signing request is for the stations: refused on the online side.
	card := filepath.Join(dir, "request.txt")
	os.WriteFile(card, []byte(ur.Encode("eth-sign-request", []byte{0xa0})+"\n"), 0o644)
	out := filepath.Join(dir, "x")
	r := run(t, "scan", "--from", card, "--out", out)
	if r.code == 0 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, "QR part 1: is ur:eth-sign-request, which is not read here") {
		t.Fatalf("scan of a foreign part: %d %q", r.code, r.stderr)
	}
	if _, err := os.Lstat(out); err == nil {
		t.Fatal("a refused scan wrote its file")
	}
}
