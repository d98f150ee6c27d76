package display

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/skip2/go-qrcode"
)

// QuietZone is the light border around every symbol, in modules (the QR
// standard's minimum).
const QuietZone = 4

// palette is light (index 0) and dark (index 1).
var palette = color.Palette{color.Gray{Y: 0xff}, color.Gray{Y: 0}}

// Symbol is one QR code: its version and its modules, quiet zone included.
type Symbol struct {
	Version int
	Modules [][]bool // [y][x], true is dark; QuietZone light modules on every side
}

// Size is the width (and height) in modules, quiet zone included.
func (s *Symbol) Size() int { return len(s.Modules) }

// Encode makes the QR code of text at level l. Text made only of upper-case
// letters, digits and " $%*+-./:" (such as a UR part) is stored in the
// alphanumeric mode, 5.5 bits a character, instead of 8.
func Encode(text string, l Level) (*Symbol, error) {
	if !l.valid() {
		return nil, fmt.Errorf("QR error correction level %v is not one of L, M, Q, H; use one of them", l)
	}
	if text == "" {
		return nil, fmt.Errorf("QR code of an empty text: there is nothing to show; give the text to encode")
	}
	q, err := qrcode.New(text, l.recovery())
	if err != nil {
		return nil, fmt.Errorf("QR code of %d characters at level %v: the text does not fit in one QR code (%v); use a smaller fragment size or a lower level", len(text), l, err)
	}
	q.DisableBorder = false
	m := q.Bitmap()
	if want := 17 + 4*q.VersionNumber + 2*QuietZone; len(m) != want {
		return nil, fmt.Errorf("QR code of version %d has %d modules with its border, not %d: go-qrcode changed; check its version in go.mod", q.VersionNumber, len(m), want)
	}
	return &Symbol{Version: q.VersionNumber, Modules: m}, nil
}

// Image draws text as a QR code: black dark modules on white, each
// p.Module pixels square, with the quiet zone.
func Image(text string, p Preset) (*image.Paletted, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	s, err := Encode(text, p.Level)
	if err != nil {
		return nil, err
	}
	return s.Image(p.Module), nil
}

// Image draws the symbol with module pixels per module.
func (s *Symbol) Image(module int) *image.Paletted {
	n := s.Size() * module
	img := image.NewPaletted(image.Rect(0, 0, n, n), palette)
	for y, row := range s.Modules {
		for x, dark := range row {
			if !dark {
				continue
			}
			for dy := 0; dy < module; dy++ {
				off := img.PixOffset(x*module, y*module+dy)
				for dx := 0; dx < module; dx++ {
					img.Pix[off+dx] = 1
				}
			}
		}
	}
	return img
}

// PNG is Image encoded as a PNG file (1 bit per pixel).
func PNG(text string, p Preset) ([]byte, error) {
	img, err := Image(text, p)
	if err != nil {
		return nil, err
	}
	return encodePNG(img)
}

func encodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, img); err != nil {
		return nil, fmt.Errorf("PNG of a QR code: %v; this is a bug, please report it", err)
	}
	return b.Bytes(), nil
}
