package scan

import (
	"bytes"
	"context"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coldtss/coldtss/qr/camsim"
	qrcode "github.com/skip2/go-qrcode"
)

// TestCamsimTypical: UR parts of 200, 800 and 1400 characters, shown on a
// screen and shot by a simulated webcam held by hand, decode at a high
// rate. The frames are seeded, so the rates are the same on every run;
// the bounds are below what the scanner reaches (about 92, 80 and 63%,
// lost frames included) so that a regression fails.
func TestCamsimTypical(t *testing.T) {
	for _, c := range []struct {
		size int
		min  float64
	}{{200, 0.8}, {800, 0.6}, {1400, 0.45}} {
		ours, _, ms := rates(t, camsim.Typical, qrcode.Low, c.size, 12, nil)
		t.Logf("%4d characters: %.0f%% of frames, %.0f ms per Scan", c.size, 100*ours, ms)
		if ours < c.min {
			t.Errorf("%d-character parts: %.0f%% of Typical frames decoded, want at least %.0f%%", c.size, 100*ours, 100*c.min)
		}
	}
}

// TestCamsimHarsh: even far, steep, dim and blurred, some frames decode.
func TestCamsimHarsh(t *testing.T) {
	ours, _, _ := rates(t, camsim.Harsh, qrcode.Low, 200, 12, nil)
	if ours == 0 {
		t.Fatal("no Harsh frame of 200-character parts decoded")
	}
}

// TestNoCode: blank, noise and a picture of stripes give ErrNoCode, quickly.
func TestNoCode(t *testing.T) {
	blank := image.NewGray(image.Rect(0, 0, 1280, 720))
	noise := image.NewGray(image.Rect(0, 0, 1280, 720))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(r.Uint32())
	}
	stripes := image.NewGray(image.Rect(0, 0, 640, 480))
	for i := range stripes.Pix {
		if (i%640)/7%2 == 0 {
			stripes.Pix[i] = 255
		}
	}
	tiny := image.NewGray(image.Rect(0, 0, 5, 5))
	s := New()
	for name, img := range map[string]image.Image{"blank": blank, "noise": noise, "stripes": stripes, "tiny": tiny} {
		start := time.Now()
		_, err := s.Scan(img)
		if !errors.Is(err, ErrNoCode) {
			t.Errorf("%s: %v, want ErrNoCode", name, err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%s took %v to give up", name, d)
		}
	}
}

// huge is a picture whose size alone must be refused.
type huge struct{ image.Rectangle }

func (h huge) ColorModel() color.Model { return color.GrayModel }
func (h huge) Bounds() image.Rectangle { return h.Rectangle }
func (h huge) At(x, y int) color.Color { panic("a refused picture was read") }

func TestTooLarge(t *testing.T) {
	for _, r := range []image.Rectangle{image.Rect(0, 0, 8193, 10), image.Rect(0, 0, 10, 9000), image.Rect(0, 0, 7000, 7000)} {
		if _, err := New().Scan(huge{r}); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%v: %v, want ErrTooLarge", r, err)
		}
	}
	// A PNG that claims 9000x9000 pixels is refused before it is decoded.
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1)))
	p := b.Bytes()
	ihdr := p[8+8 : 8+8+13] // after the signature, length and type
	copy(ihdr[0:], []byte{0, 0, 0x23, 0x28, 0, 0, 0x23, 0x28})
	crc := crc32.ChecksumIEEE(p[12 : 12+4+13])
	copy(p[12+4+13:], []byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)})
	f := filepath.Join(t.TempDir(), "huge.png")
	os.WriteFile(f, p, 0o600)
	_, _, err := Files(f).Next(context.Background())
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "huge.png") {
		t.Fatalf("9000x9000 PNG: %v, want ErrTooLarge naming the file", err)
	}
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestFilesFolder: a folder is its pictures in name order; other files are
// left out; a picture without a code is an error naming it, and reading
// goes on after it.
func TestFilesFolder(t *testing.T) {
	dir := t.TempDir()
	parts := urParts(t, 200, 3, 5)
	cam := camsim.New(camsim.Mild, 3)
	for i, p := range parts {
		img, _ := cam.Shoot(qrScreen(t, p, qrcode.Low, 0))
		writePNG(t, filepath.Join(dir, []string{"0001.png", "0002.png", "0004.png"}[i]), img)
	}
	writePNG(t, filepath.Join(dir, "0003.png"), image.NewGray(image.Rect(0, 0, 300, 200)))
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a picture"), 0o600)
	src := Files(dir)
	defer src.Close()
	var got []string
	for {
		text, where, err := src.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			if !errors.Is(err, ErrNoCode) || filepath.Base(where) != "0003.png" || !strings.Contains(err.Error(), "0003.png") {
				t.Fatalf("%s: %v", where, err)
			}
			got = append(got, "-")
			continue
		}
		got = append(got, text)
	}
	want := []string{parts[0], parts[1], "-", parts[2]}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// TestFilesGIF: an animated GIF yields each frame, including frames that
// only redraw part of the picture over the one before.
func TestFilesGIF(t *testing.T) {
	parts := urParts(t, 200, 3, 6)
	pal := color.Palette{color.White, color.Black, color.Transparent}
	var a gif.GIF
	for i, p := range parts {
		scr := qrScreen(t, p, qrcode.Low, 3)
		b := scr.Bounds()
		m := image.NewPaletted(b, pal)
		for j, v := range scr.Pix {
			if v < 128 {
				m.Pix[j] = 1
			}
		}
		if i == 2 { // only the lower half, the rest transparent over frame 2
			for j := range m.Pix[:len(m.Pix)/2] {
				m.Pix[j] = 2
			}
		}
		a.Image = append(a.Image, m)
		a.Delay = append(a.Delay, 10)
		a.Disposal = append(a.Disposal, gif.DisposalNone)
	}
	// The third frame is transparent over its upper half: what shows there
	// is frame 2, so it reads only if compositing works — make the upper
	// half of frame 3 equal frame 2's by drawing frame 3 fully first.
	full := qrScreen(t, parts[2], qrcode.Low, 3)
	mid := a.Image[1]
	for j := range mid.Pix[:len(mid.Pix)/2] {
		if full.Pix[j] < 128 {
			mid.Pix[j] = 1
		} else {
			mid.Pix[j] = 0
		}
	}
	parts[1] = "" // frame 2 is now half of one code and half of another
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, &a); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "anim.gif")
	os.WriteFile(f, b.Bytes(), 0o600)
	src := Files(f)
	for i, want := range parts {
		text, where, err := src.Next(context.Background())
		if !strings.HasSuffix(where, "anim.gif frame "+string(rune('1'+i))) {
			t.Errorf("frame %d: where = %q", i+1, where)
		}
		if want == "" {
			if !errors.Is(err, ErrNoCode) {
				t.Errorf("frame %d (mixed): %q, %v, want ErrNoCode", i+1, text, err)
			}
			continue
		}
		if err != nil || text != want {
			t.Fatalf("frame %d: %v", i+1, err)
		}
	}
	if _, _, err := src.Next(context.Background()); err != io.EOF {
		t.Fatalf("after the last frame: %v, want io.EOF", err)
	}
	// A damaged GIF is an error, not a panic.
	os.WriteFile(f, b.Bytes()[:len(b.Bytes())/2], 0o600)
	src = Files(f)
	sawErr := false
	for i := 0; i < 5; i++ {
		_, _, err := src.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil && !errors.Is(err, ErrNoCode) {
			sawErr = true
		}
	}
	if !sawErr {
		t.Fatal("a GIF cut in half read without an error")
	}
}

// TestLines reads zbarcam-like output.
func TestLines(t *testing.T) {
	in := "UR:BYTES/1-3/AAA\r\n\nQR-Code:UR:BYTES/2-3/BBB\n   \nUR:BYTES/3-3/CCC"
	src := Lines(strings.NewReader(in), "stdin")
	want := [][2]string{{"UR:BYTES/1-3/AAA", "stdin line 1"}, {"UR:BYTES/2-3/BBB", "stdin line 3"}, {"UR:BYTES/3-3/CCC", "stdin line 5"}}
	for _, w := range want {
		text, where, err := src.Next(context.Background())
		if err != nil || text != w[0] || where != w[1] {
			t.Fatalf("got %q %q %v, want %q %q", text, where, err, w[0], w[1])
		}
	}
	if _, _, err := src.Next(context.Background()); err != io.EOF {
		t.Fatalf("at the end: %v", err)
	}
	long := "UR:A\n" + strings.Repeat("X", MaxLine+1) + "\nUR:B\n"
	src = Lines(strings.NewReader(long), "pipe")
	src.Next(context.Background())
	_, _, err := src.Next(context.Background())
	if err == nil || !strings.Contains(err.Error(), "pipe line 2 is longer than 8192 bytes") {
		t.Fatalf("long line: %v", err)
	}
}

// TestCameraMissing: a device that is not there says what to do.
func TestCameraMissing(t *testing.T) {
	_, err := Camera("/dev/video-coldtss-missing", CameraOptions{})
	if err == nil {
		t.Fatal("opened a camera that does not exist")
	}
	if !strings.Contains(err.Error(), "no camera at /dev/video-coldtss-missing: plug one in or give --camera DEVICE") &&
		!strings.Contains(err.Error(), "not supported") {
		t.Fatalf("error: %v", err)
	}
}

func TestYUYV(t *testing.T) {
	// 4x2 pixels: Y values 10,20,30,40 / 50,60,70,80 with chroma between.
	frame := []byte{10, 128, 20, 128, 30, 0, 40, 255, 50, 1, 60, 2, 70, 3, 80, 4}
	g, ok := yuyvToGray(frame, 4, 2)
	if !ok || string(g.pix) != string([]byte{10, 20, 30, 40, 50, 60, 70, 80}) {
		t.Fatalf("yuyvToGray = %v, %v", g.pix, ok)
	}
	if _, ok := yuyvToGray(frame[:15], 4, 2); ok {
		t.Fatal("a short frame converted")
	}
}

func TestFrameSize(t *testing.T) {
	fixed := [][6]uint32{{640, 640, 0, 480, 480, 0}, {1280, 1280, 0, 720, 720, 0}, {1920, 1920, 0, 1080, 1080, 0}}
	if w, h, _ := frameSize(fixed, 1280, 720); w != 1280 || h != 720 {
		t.Errorf("fixed sizes: %dx%d", w, h)
	}
	if w, h, _ := frameSize(fixed[:1], 1280, 720); w != 640 || h != 480 {
		t.Errorf("only 640x480: %dx%d", w, h)
	}
	step := [][6]uint32{{160, 2592, 16, 120, 1944, 8}}
	if w, h, _ := frameSize(step, 1280, 720); w != 1280 || h != 720 {
		t.Errorf("stepwise: %dx%d", w, h)
	}
	if _, _, ok := frameSize(nil, 1280, 720); ok {
		t.Error("a size chosen from none")
	}
}

// FuzzScan: any picture gives a text or an error, never a panic.
func FuzzScan(f *testing.F) {
	f.Add(uint16(40), []byte{})
	f.Add(uint16(21), bytes.Repeat([]byte{0, 255}, 300))
	qr := qrScreen(f, "UR:BYTES/HDCXDWINVEZM", qrcode.Low, 1)
	f.Add(uint16(qr.Bounds().Dx()), qr.Pix)
	f.Fuzz(func(t *testing.T, w uint16, pix []byte) {
		wd := int(w%300) + 1
		h := min(len(pix)/wd, 300)
		img := image.NewGray(image.Rect(0, 0, wd, h))
		copy(img.Pix, pix)
		if _, err := New().Scan(img); err != nil && !errors.Is(err, ErrNoCode) {
			t.Fatalf("%dx%d picture: %v, want a text or ErrNoCode", wd, h, err)
		}
	})
}
