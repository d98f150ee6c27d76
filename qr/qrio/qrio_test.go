package qrio

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coldtss/coldtss/qr/files"
	"github.com/coldtss/coldtss/qr/ur"
)

// psbt is the largest valid BIP-174 vector (729 bytes, PSBT_GLOBAL_XPUB).
func psbt(t *testing.T) []byte {
	t.Helper()
	var v struct{ Valid []struct{ Case, Hex string } }
	b, err := os.ReadFile("../../chains/bitcoin/testdata/bip174.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	for _, c := range v.Valid {
		if strings.Contains(c.Case, "PSBT_GLOBAL_XPUB") {
			p, _ := hex.DecodeString(c.Hex)
			return p
		}
	}
	t.Fatal("no PSBT_GLOBAL_XPUB vector")
	return nil
}

// console is a Console on buffers.
func console(in string) (Console, *bytes.Buffer, *bytes.Buffer) {
	var out, errs bytes.Buffer
	return Console{In: strings.NewReader(in), Out: &out, Err: &errs}, &out, &errs
}

var readPSBT = files.DecodeOptions{Accept: []files.Kind{files.PSBT}}

// Show writes text, a folder of PNGs, a GIF and a single PNG; Scan reads
// each back to the same bytes, and never writes over a file.
func TestShowThenScan(t *testing.T) {
	data := psbt(t)
	dir := t.TempDir()
	for _, c := range []struct {
		as, out   string
		fragments int
	}{
		{AsText, "parts.txt", 120},
		{AsPNG, "frames", 120},
		{AsGIF, "anim.gif", 120},
		{AsPNG, "one.png", 1000},
	} {
		s, err := files.Encode("x.psbt", data, files.EncodeOptions{MaxFragmentLen: c.fragments})
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, c.out)
		con, _, errs := console("")
		if err := Show(context.Background(), s, ShowOptions{As: c.as, Out: out}, con); err != nil {
			t.Fatalf("show --as %s: %v", c.as, err)
		}
		if !strings.HasPrefix(errs.String(), "wrote ") {
			t.Fatalf("show --as %s said %q", c.as, errs.String())
		}
		if err := Show(context.Background(), s, ShowOptions{As: c.as, Out: out}, con); err == nil || !strings.Contains(err.Error(), "never overwritten") {
			t.Fatalf("show --as %s over %s: %v", c.as, c.out, err)
		}
		got := filepath.Join(dir, c.out+".psbt")
		con, _, errs = console("")
		f, err := Scan(context.Background(), ScanOptions{From: out, Out: got}, readPSBT, con)
		if err != nil {
			t.Fatalf("scan of --as %s: %v\n%s", c.as, err, errs)
		}
		b, _ := os.ReadFile(got)
		if f.Kind != files.PSBT || !bytes.Equal(b, data) {
			t.Fatalf("--as %s: the PSBT came back different", c.as)
		}
		if strings.Contains(errs.String(), "warning") || !strings.Contains(errs.String(), "ur:crypto-psbt: ") {
			t.Fatalf("scan of --as %s said %q", c.as, errs)
		}
		if _, err := Scan(context.Background(), ScanOptions{From: out, Out: got}, readPSBT, con); err == nil || !strings.Contains(err.Error(), "never overwritten") {
			t.Fatalf("scan over %s: %v", got, err)
		}
	}
	if n, _ := os.ReadDir(filepath.Join(dir, "frames")); len(n) != 7 {
		t.Fatalf("the PNG folder holds %d files, want the 7 parts", len(n))
	}
}

// On standard input a foreign or damaged line is a warning naming the
// line and the scan goes on; progress is a line each time a fragment is
// in (a log), or one line redrawn in place (a terminal).
func TestScanWarnsAndGoesOn(t *testing.T) {
	data := psbt(t)
	s, err := files.Encode("x.psbt", data, files.EncodeOptions{MaxFragmentLen: 300})
	if err != nil || len(s.Parts) != 3 {
		t.Fatalf("%v, %d parts", err, len(s.Parts))
	}
	foreign := ur.Encode("crypto-hdkey", []byte{0xa0})
	in := strings.Join([]string{s.Parts[0], "hello", foreign, s.Parts[0], foreign, s.Parts[1], s.Parts[2]}, "\n") + "\n"
	for _, live := range []bool{false, true} {
		out := filepath.Join(t.TempDir(), "x.psbt")
		con, _, errs := console(in)
		con.Live = live
		if _, err := Scan(context.Background(), ScanOptions{Stdin: true, Out: out}, readPSBT, con); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(out)
		if !bytes.Equal(b, data) {
			t.Fatal("the PSBT came back different")
		}
		log := errs.String()
		if n := strings.Count(log, "warning: "); n != 2 {
			t.Fatalf("%d warnings, want 2 (the foreign code once): %q", n, log)
		}
		for _, want := range []string{"warning: stdin line 2: QR part 2: ", "neither a UR", "warning: stdin line 3: QR part 3: is ur:crypto-hdkey, which is not read here", "1 of 3 fragments (33%), 1 code(s) seen, 1 used", "3 of 3 fragments (100%), 7 code(s) seen, 3 used"} {
			if !strings.Contains(log, want) {
				t.Fatalf("live %v: the log does not say %q:\n%s", live, want, log)
			}
		}
		if live != strings.Contains(log, "\r") {
			t.Fatalf("live %v: %q", live, log)
		}
		if !live && strings.Count(log, "fragments (") != 3 {
			t.Fatalf("a log line for each fragment in, not for each code:\n%s", log)
		}
	}
}

// Pictures without a code and files that are not pictures are warnings
// naming them; an input that ends early is one line that says how much
// is missing; nothing is written.
func TestScanIncomplete(t *testing.T) {
	data := psbt(t)
	dir := t.TempDir()
	s, err := files.Encode("x.psbt", data, files.EncodeOptions{MaxFragmentLen: 120})
	if err != nil {
		t.Fatal(err)
	}
	frames := filepath.Join(dir, "frames")
	con, _, _ := console("")
	if err := Show(context.Background(), s, ShowOptions{As: AsPNG, Out: frames}, con); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(frames)
	for _, e := range ents[2:] {
		os.Remove(filepath.Join(frames, e.Name()))
	}
	os.WriteFile(filepath.Join(frames, "junk.png"), []byte("not a picture\n"), 0o644)
	blank := image.NewGray(image.Rect(0, 0, 120, 120))
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	var b bytes.Buffer
	png.Encode(&b, blank)
	os.WriteFile(filepath.Join(frames, "blank.png"), b.Bytes(), 0o644)
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	os.WriteFile(filepath.Join(empty, "blank.png"), b.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "junk.bin"), []byte{1, 0, 2, 0}, 0o644)

	out := filepath.Join(dir, "x.psbt")
	for _, c := range []struct {
		from     string
		warnings []string
		err      []string
	}{
		{frames, []string{"blank.png: no QR code found", "junk.png is not a PNG, JPEG or GIF picture"}, []string{"ended: only 2 of 7 fragments were read", "scan the rest"}},
		{empty, []string{"blank.png: no QR code found"}, []string{"no QR code of a file was read (1 bad frame(s)"}},
		{filepath.Join(dir, "junk.bin"), []string{"junk.bin is not a PNG, JPEG or GIF picture"}, []string{"no QR code of a file was read"}},
		{filepath.Join(dir, "missing"), nil, []string{"cannot read", "missing", "check the path given to --from"}},
	} {
		con, _, errs := console("")
		_, err := Scan(context.Background(), ScanOptions{From: c.from, Out: out}, readPSBT, con)
		if err == nil {
			t.Fatalf("%s: accepted", c.from)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Fatalf("%s: error of several lines: %q", c.from, err)
		}
		for _, w := range c.err {
			if !strings.Contains(err.Error(), w) {
				t.Fatalf("%s: error %q does not say %q", c.from, err, w)
			}
		}
		for _, w := range c.warnings {
			if !strings.Contains(errs.String(), "warning: ") || !strings.Contains(errs.String(), w) {
				t.Fatalf("%s: no warning %q in %q", c.from, w, errs)
			}
		}
		if _, err := os.Lstat(out); err == nil {
			t.Fatalf("%s: wrote %s", c.from, out)
		}
	}
}

func TestOptionsRefused(t *testing.T) {
	for _, c := range []struct {
		o    ShowOptions
		want string
	}{
		{ShowOptions{As: "jpeg"}, `--as "jpeg": use text`},
		{ShowOptions{As: AsGIF}, "--as gif needs --out FILE"},
		{ShowOptions{As: AsTerminal, Out: "x"}, "writes no file"},
		{ShowOptions{Preset: "huge"}, `--preset: QR preset "huge" does not exist`},
	} {
		if _, err := c.o.Check(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%+v: %v, want %q", c.o, err, c.want)
		}
	}
	if p, err := (ShowOptions{}).Check(); err != nil || p.Name != DefaultPreset {
		t.Fatalf("default: %v %v", p, err)
	}
	for _, o := range []ScanOptions{{Out: "x"}, {From: "a", Stdin: true, Out: "x"}, {Camera: "/dev/video0", From: "a", Out: "x"}, {Stdin: true}} {
		if err := o.Check(); err == nil {
			t.Fatalf("%+v accepted", o)
		}
	}
}

// A source error that names no item ends the scan, saying how far it got.
func TestScanFatalSourceError(t *testing.T) {
	data := psbt(t)
	s, _ := files.Encode("x.psbt", data, files.EncodeOptions{MaxFragmentLen: 300})
	in := s.Parts[0] + "\n" + strings.Repeat("A", 9000) + "\n" + s.Parts[1] + "\n" + s.Parts[2] + "\n"
	out := filepath.Join(t.TempDir(), "x.psbt")
	con, _, _ := console(in)
	_, err := Scan(context.Background(), ScanOptions{Stdin: true, Out: out}, readPSBT, con)
	if err == nil || !strings.Contains(err.Error(), "stdin line 2 is longer than") || !strings.Contains(err.Error(), "1 of 3 fragments were read; nothing was written") {
		t.Fatalf("%v", err)
	}
	if _, err := os.Lstat(out); err == nil {
		t.Fatal("wrote the file")
	}
}
