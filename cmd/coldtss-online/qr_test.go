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
	// The same PSBT as an animated GIF, scanned back from the picture.
	gif := filepath.Join(dir, "signed.gif")
	if r := run(t, "show", in, "--as", "gif", "--fragment-len", "60", "--out", gif); r.code != 0 || !strings.Contains(r.stderr, "wrote ur:crypto-psbt (psbt) as gif") {
		t.Fatalf("show --as gif: %s", r.stderr)
	}
	out := filepath.Join(dir, "gif.psbt")
	if r := run(t, "scan", "--from", gif, "--out", out); r.code != 0 || !strings.Contains(r.stderr, "fragments (100%)") {
		t.Fatalf("scan of the GIF: %s", r.stderr)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, psbt) {
		t.Fatal("the PSBT came back different from the GIF")
	}
	// A signing request is for the stations: refused on the online side,
	// a warning naming the line, then one line saying nothing was read.
	card := filepath.Join(dir, "request.txt")
	os.WriteFile(card, []byte(ur.Encode("eth-sign-request", []byte{0xa0})+"\n"), 0o644)
	out = filepath.Join(dir, "x")
	r := run(t, "scan", "--from", card, "--out", out)
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if r.code != 1 || len(lines) != 2 || !strings.Contains(lines[0], "warning: "+card+" line 1: QR part 1: is ur:eth-sign-request, which is not read here") ||
		!strings.HasPrefix(lines[1], "coldtss-online: ") || !strings.Contains(lines[1], "no QR code of a file was read") {
		t.Fatalf("scan of a foreign part: %d %q", r.code, r.stderr)
	}
	if _, err := os.Lstat(out); err == nil {
		t.Fatal("a refused scan wrote its file")
	}
	if r := run(t, "scan", "--from", card, "--stdin", "--out", out); r.code != 2 || !strings.Contains(r.stderr, "give one of --from") {
		t.Fatalf("two sources: %d %q", r.code, r.stderr)
	}
}
