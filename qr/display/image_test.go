package display

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	zxdec "github.com/makiuchi-d/gozxing/qrcode/decoder"

	"github.com/coldtss/coldtss/qr/ur"
)

// Every preset: URs of a few sizes render, every pixel is exactly black or
// white, modules are p.Module pixels square with a light quiet zone of 4,
// and gozxing reads back our text and level, and the UR decodes.
func TestImageEveryPreset(t *testing.T) {
	for _, p := range Presets {
		for _, n := range []int{1, 40, p.Fragment + 1, 3*p.Fragment - 5} {
			msg := message(n, uint64(n))
			frames := URFrames("bytes", msg, p, 1)
			var texts []string
			for _, f := range frames {
				img, err := Image(f, p)
				if err != nil {
					t.Fatalf("%s, %d bytes: %v", p.Name, n, err)
				}
				s, _ := Encode(f, p.Level)
				checkImage(t, img.Pix, img.Stride, s, p.Module)
				text, level, err := zxing(img, true)
				if err != nil {
					t.Fatalf("%s, %d bytes: gozxing cannot read version %d: %v", p.Name, n, s.Version, err)
				}
				if text != f {
					t.Fatalf("%s, %d bytes: gozxing read %.60q, want %.60q", p.Name, n, text, f)
				}
				if level != p.Level.String() {
					t.Fatalf("%s: gozxing read level %s, want %v", p.Name, level, p.Level)
				}
				texts = append(texts, text)
			}
			if got := decodeAll(t, "bytes", texts); !bytes.Equal(got, msg) {
				t.Fatalf("%s, %d bytes: UR decoded to other bytes", p.Name, n)
			}
		}
	}
}

// checkImage compares an image with its symbol pixel by pixel.
func checkImage(t *testing.T, pix []byte, stride int, s *Symbol, module int) {
	t.Helper()
	n := s.Size()
	if n != 17+4*s.Version+2*QuietZone || len(pix) != n*module*stride || stride != n*module {
		t.Fatalf("version %d: image of %d pixels (stride %d) for %d modules of %d pixels", s.Version, len(pix), stride, n, module)
	}
	for y := 0; y < n*module; y++ {
		for x := 0; x < n*module; x++ {
			my, mx := y/module, x/module
			dark := s.Modules[my][mx]
			quiet := my < QuietZone || mx < QuietZone || my >= n-QuietZone || mx >= n-QuietZone
			if quiet && dark {
				t.Fatalf("module (%d,%d) of the quiet zone is dark", mx, my)
			}
			if want := map[bool]byte{false: 0, true: 1}[dark]; pix[y*stride+x] != want {
				t.Fatalf("pixel (%d,%d) is palette colour %d, want %d", x, y, pix[y*stride+x], want)
			}
		}
	}
	// The finder pattern's corner is where a QR code's is: dark at the
	// first module inside the quiet zone.
	if !s.Modules[QuietZone][QuietZone] || !s.Modules[QuietZone][n-QuietZone-1] || !s.Modules[n-QuietZone-1][QuietZone] {
		t.Fatal("finder patterns are not at the corners inside the quiet zone")
	}
}

// PNG is a 2-colour paletted PNG of Image, black and white exactly.
func TestPNG(t *testing.T) {
	f := URFrames("bytes", message(500, 1), Default, 1)[0]
	b, err := PNG(f, Default)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Image(f, Default)
	if img.Bounds() != want.Bounds() {
		t.Fatalf("PNG is %v, Image %v", img.Bounds(), want.Bounds())
	}
	for y := 0; y < want.Bounds().Dy(); y++ {
		for x := 0; x < want.Bounds().Dx(); x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			w := uint32(0xffff)
			if want.ColorIndexAt(x, y) == 1 {
				w = 0
			}
			if r != w || g != w || bl != w {
				t.Fatalf("PNG pixel (%d,%d) is %d,%d,%d, want %d", x, y, r, g, bl, w)
			}
		}
	}
}

// UR parts are stored in the alphanumeric mode: the symbol go-qrcode picks
// is too small to hold the part in byte mode, and no larger than the
// smallest that holds it as alphanumeric text (capacities from gozxing's
// own version tables, not go-qrcode's). It also logs the version and size
// of each preset's full-size frame, for docs/qr.md.
func TestAlphanumericMode(t *testing.T) {
	for _, p := range Presets {
		// A message of 20 full fragments, so every part carries p.Fragment bytes.
		e := ur.NewEncoder("crypto-psbt", message(20*p.Fragment, 7), p.Fragment)
		part := e.NextPart()
		s, err := Encode(part, p.Level)
		if err != nil {
			t.Fatal(err)
		}
		n := len(part)
		byteBits := 4 + ccBits(s.Version, 8, 16, 16) + 8*n
		if cap := capacity(t, s.Version, p.Level); byteBits <= cap {
			t.Fatalf("%s: version %d could hold the part in byte mode (%d of %d bits): not a proof of alphanumeric mode", p.Name, s.Version, byteBits, cap)
		}
		minAlnum := 0
		for v := 1; v <= 40; v++ {
			if 4+ccBits(v, 9, 11, 13)+11*(n/2)+6*(n%2) <= capacity(t, v, p.Level) {
				minAlnum = v
				break
			}
		}
		if s.Version > minAlnum {
			t.Fatalf("%s: part of %d characters got version %d, alphanumeric mode needs only %d", p.Name, n, s.Version, minAlnum)
		}
		// Lower case is not alphanumeric: the same part needs a larger symbol.
		if lower, err := Encode(strings.ToLower(part), p.Level); err == nil && lower.Version <= s.Version {
			t.Fatalf("%s: the lower-case part fits version %d too", p.Name, lower.Version)
		}
		t.Logf("%-8s fragment %4d B, level %v: part of %4d characters, version %2d, %3d modules with the quiet zone, image %4d px, terminal %3d columns × %2d lines, %5d B/s",
			p.Name, p.Fragment, p.Level, n, s.Version, s.Size(), s.Size()*p.Module, s.Size(), (s.Size()+1)/2, p.Fragment*p.FPS)
	}
}

// ccBits is the character count field's width for versions 1-9, 10-26, 27-40.
func ccBits(v, a, b, c int) int {
	switch {
	case v <= 9:
		return a
	case v <= 26:
		return b
	}
	return c
}

// capacity is the data bits of a version at a level.
func capacity(t *testing.T, v int, l Level) int {
	t.Helper()
	ver, err := zxdec.Version_GetVersionForNumber(v)
	if err != nil {
		t.Fatal(err)
	}
	ecl, err := zxdec.ErrorCorrectionLevel_ValueOf(l.String())
	if err != nil {
		t.Fatal(err)
	}
	return (ver.GetTotalCodewords() - ver.GetECBlocksForLevel(ecl).GetTotalECCodewords()) * 8
}

// Texts that do not fit, and bad levels, are refused with a way out.
func TestEncodeRefuses(t *testing.T) {
	if _, err := Encode(strings.Repeat("A", 4297), L); err == nil || !strings.Contains(err.Error(), "smaller fragment") {
		t.Fatalf("4297 alphanumeric characters at L: %v", err)
	}
	if _, err := Encode(strings.Repeat("A", 4296), L); err != nil {
		t.Fatalf("4296 alphanumeric characters (version 40-L's capacity): %v", err)
	}
	if _, err := Encode("", L); err == nil {
		t.Fatal("empty text accepted")
	}
	if _, err := Encode("X", Level('X')); err == nil {
		t.Fatal("level X accepted")
	}
	if _, err := Image("X", Preset{Name: "bad", Fragment: 100, Level: L, FPS: 5, Module: 0}); err == nil {
		t.Fatal("module 0 accepted")
	}
}
