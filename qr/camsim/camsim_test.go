package camsim

import (
	"bytes"
	"crypto/sha256"
	"image"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"

	qrcode "github.com/skip2/go-qrcode"
)

// qrScreen renders text as a QR code the way a screen shows it: black
// modules of px pixels on white, with the quiet zone.
func qrScreen(t testing.TB, text string, px int) *image.Gray {
	q, err := qrcode.New(text, qrcode.Low)
	if err != nil {
		t.Fatal(err)
	}
	bm := q.Bitmap()
	n := len(bm)
	img := image.NewGray(image.Rect(0, 0, n*px, n*px))
	for y := range img.Pix {
		img.Pix[y] = 255
	}
	for my, row := range bm {
		for mx, on := range row {
			if !on {
				continue
			}
			for y := my * px; y < (my+1)*px; y++ {
				for x := mx * px; x < (mx+1)*px; x++ {
					img.Pix[y*img.Stride+x] = 0
				}
			}
		}
	}
	return img
}

func TestExample(t *testing.T) {
	out := os.Getenv("CAMSIM_EXAMPLE")
	if out == "" {
		t.Skip("set CAMSIM_EXAMPLE=file.png to write an example picture")
	}
	scr := qrScreen(t, strings.Repeat("UR:BYTES/12-34/", 90), 6)
	for i, o := range []Options{Mild, Typical, Harsh} {
		c := New(o, 7)
		img, _ := c.Shoot(scr)
		var b bytes.Buffer
		png.Encode(&b, img)
		os.WriteFile(strings.TrimSuffix(out, ".png")+string(rune('0'+i))+".png", b.Bytes(), 0o644)
	}
	c := New(Typical, 1)
	start := time.Now()
	for i := 0; i < 50; i++ {
		c.Shoot(scr)
	}
	t.Logf("%.1f ms per Shoot", float64(time.Since(start).Microseconds())/50/1000)
}

func BenchmarkShoot(b *testing.B) {
	scr := qrScreen(b, strings.Repeat("UR:BYTES/12-34/", 90), 6)
	c := New(Typical, 1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Shoot(scr)
	}
}

// TestDeterministic: the same seed and screens give the same pictures, byte
// for byte; another seed gives others.
func TestDeterministic(t *testing.T) {
	scr := qrScreen(t, "UR:BYTES/HDCXDWINVEZM", 8)
	sum := func(seed int64) [32]byte {
		c := New(Harsh, seed)
		h := sha256.New()
		for i := 0; i < 3; i++ {
			img, _ := c.Shoot(scr)
			if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 720 {
				t.Fatalf("picture is %v, want 1280x720", b)
			}
			h.Write(img.Pix)
		}
		return [32]byte(h.Sum(nil))
	}
	if sum(3) != sum(3) {
		t.Fatal("two cameras with the same seed shot different pictures")
	}
	if sum(3) == sum(4) {
		t.Fatal("two seeds shot the same pictures")
	}
}

// TestScene: with no tilt, blur or noise, the screen lands centred at the
// size asked for, black modules dark and the quiet zone light, the bezel
// dark around it and the room in between.
func TestScene(t *testing.T) {
	scr := image.NewGray(image.Rect(0, 0, 400, 400))
	for i := range scr.Pix {
		scr.Pix[i] = 255
	}
	for y := 150; y < 250; y++ { // a black square in the middle
		for x := 150; x < 250; x++ {
			scr.Pix[y*400+x] = 0
		}
	}
	img, dropped := New(Options{MinFill: 0.5}, 1).Shoot(scr)
	if dropped {
		t.Fatal("dropped a frame with Drop 0")
	}
	at := func(x, y int) uint8 { return img.Pix[y*img.Stride+x] }
	// screen: 360 pixels high, centred: x 460..820, y 180..540
	for _, c := range []struct {
		x, y   int
		lo, hi uint8
		what   string
	}{
		{640, 360, 0, 10, "black square"},
		{480, 200, 245, 255, "white quiet zone"},
		{800, 520, 245, 255, "white quiet zone"},
		{640, 170, 0, 20, "bezel above"},
		{100, 360, 40, 220, "room"},
	} {
		if v := at(c.x, c.y); v < c.lo || v > c.hi {
			t.Errorf("%s at (%d,%d) is %d, want %d..%d", c.what, c.x, c.y, v, c.lo, c.hi)
		}
	}
}

// TestDrop: frames are lost at about the rate asked for.
func TestDrop(t *testing.T) {
	scr := qrScreen(t, "UR:BYTES/HDCXDWINVEZM", 4)
	c := New(Options{Drop: 0.3, Width: 320, Height: 180}, 9)
	n := 0
	for i := 0; i < 400; i++ {
		if _, d := c.Shoot(scr); d {
			n++
		}
	}
	if n < 90 || n > 150 {
		t.Fatalf("%d of 400 frames dropped, want about 120", n)
	}
}

// TestSpeed keeps Shoot within the budget of tests that shoot thousands of
// frames (generously: the machine may be busy).
func TestSpeed(t *testing.T) {
	scr := qrScreen(t, strings.Repeat("UR:BYTES/12-34/", 90), 6)
	c := New(Typical, 1)
	start := time.Now()
	for i := 0; i < 10; i++ {
		c.Shoot(scr)
	}
	per := time.Since(start) / 10
	t.Logf("%v per 1280x720 Typical frame", per)
	if per > 100*time.Millisecond {
		t.Fatalf("Shoot takes %v per frame, want well under 100ms", per)
	}
}
