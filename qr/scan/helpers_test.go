package scan

import (
	"image"
	"math/rand/v2"
	"testing"

	"github.com/coldtss/coldtss/qr/ur"
	qrcode "github.com/skip2/go-qrcode"
)

// urParts returns n successive parts of a UR of random bytes, each about
// size characters long (upper case, as the display shows them).
func urParts(t testing.TB, size, n int, seed uint64) []string {
	t.Helper()
	frag := max((size-40)/2, 10)
	r := rand.New(rand.NewPCG(seed, 1))
	data := make([]byte, frag*8)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	cbor := append([]byte{0x59, byte(len(data) >> 8), byte(len(data))}, data...)
	e := ur.NewEncoder("bytes", cbor, frag)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = e.NextPart()
	}
	return parts
}

// qrScreen renders text as a screen shows a QR code: black modules on
// white with the quiet zone, each module px pixels (0: about 800 pixels
// across in all).
func qrScreen(t testing.TB, text string, level qrcode.RecoveryLevel, px int) *image.Gray {
	t.Helper()
	q, err := qrcode.New(text, level)
	if err != nil {
		t.Fatal(err)
	}
	bm := q.Bitmap()
	n := len(bm)
	if px == 0 {
		px = max(2, 800/n)
	}
	img := image.NewGray(image.Rect(0, 0, n*px, n*px))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for my, row := range bm {
		for mx, on := range row {
			if !on {
				continue
			}
			for y := my * px; y < (my+1)*px; y++ {
				line := img.Pix[y*img.Stride:]
				for x := mx * px; x < (mx+1)*px; x++ {
					line[x] = 0
				}
			}
		}
	}
	return img
}
