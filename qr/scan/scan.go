// Package scan reads QR codes: from pictures (a camera's frames, PNG, JPEG
// and GIF files, animated GIFs frame by frame), from the text lines a QR
// reader such as `zbarcam --raw` prints, and from a Linux camera (V4L2).
//
// The decoder is gozxing, a pure Go port of ZXing. Scanner.Scan tries the
// fast path first (ZXing's hybrid binarizer, "try harder") and, when that
// finds nothing, a series of cheap fallbacks in the order that decoded most
// simulated webcam frames per millisecond (see qr/camsim and scan_test.go):
// the global-histogram binarizer, a contrast stretch, a half-size copy
// (averaging away noise), a sharpened copy, an upscaled copy of a small
// picture, a "pure barcode" read for a clean render, a centre crop, and the
// picture inverted (light modules on dark).
//
// Inputs are untrusted: pictures larger than MaxWidth x MaxHeight or
// MaxPixels are refused before they are decoded, files larger than
// MaxFileSize are refused, and a panic inside the decoder on a hostile
// picture is recovered and reported as ErrNoCode. Texts are returned as
// found; pass them through internal/untrusted before showing them.
//
// Sources (Files, Lines, Camera) yield the decoded texts one after another
// with where each came from, for the animated-QR transport.
package scan

import (
	"errors"
	"fmt"
	"image"
	"image/color"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// Limits on untrusted pictures.
const (
	MaxWidth    = 8192
	MaxHeight   = 8192
	MaxPixels   = 40_000_000
	MaxFileSize = 64 << 20 // bytes, of one picture file
)

// Errors, for errors.Is.
var (
	// ErrNoCode: the picture holds no QR code that could be read.
	ErrNoCode = errors.New("no QR code found")
	// ErrTooLarge: the picture or file is beyond the limits above.
	ErrTooLarge = errors.New("picture too large")
)

// Scanner reads the QR code in a picture. It holds no state between calls
// and is safe for concurrent use.
type Scanner struct {
	passes []pass
}

// New returns a scanner with every fallback.
func New() *Scanner { return &Scanner{passes: defaultPasses} }

// Scan returns the text of the QR code in img. When there is none it
// returns an error wrapping ErrNoCode; when img is larger than the limits,
// one wrapping ErrTooLarge.
func (s *Scanner) Scan(img image.Image) (string, error) {
	b := img.Bounds()
	if err := checkSize(b.Dx(), b.Dy()); err != nil {
		return "", err
	}
	g := toGray(img)
	return s.scanGray(g)
}

// checkSize refuses a picture of w x h pixels beyond the limits.
func checkSize(w, h int) error {
	if w > MaxWidth || h > MaxHeight || w*h > MaxPixels {
		return fmt.Errorf("%w: %dx%d pixels, more than the %dx%d or %d million pixels a scan accepts: send a smaller picture", ErrTooLarge, w, h, MaxWidth, MaxHeight, MaxPixels/1_000_000)
	}
	return nil
}

// gray is an 8-bit grey picture, row major, without padding.
type gray struct {
	pix  []uint8
	w, h int
}

func (s *Scanner) scanGray(g gray) (string, error) {
	if g.w < 21 || g.h < 21 {
		return "", fmt.Errorf("%w: the picture is %dx%d pixels, smaller than any QR code", ErrNoCode, g.w, g.h)
	}
	for _, p := range s.passes {
		if text, ok := p.run(g); ok {
			return text, nil
		}
	}
	return "", fmt.Errorf("%w in the %dx%d picture: hold the code steady, fill more of the picture with it, avoid reflections, and check the focus", ErrNoCode, g.w, g.h)
}

// decode runs the QR reader once over g with the binarizer and hints given,
// and recovers from a panic of the decoder on a hostile picture.
func decode(g gray, global, pure bool) (text string, ok bool) {
	defer func() {
		if recover() != nil {
			text, ok = "", false
		}
	}()
	src, err := gozxing.NewPlanarYUVLuminanceSource(g.pix, g.w, g.h, 0, 0, g.w, g.h, false)
	if err != nil {
		return "", false
	}
	var bin gozxing.Binarizer
	if global {
		bin = gozxing.NewGlobalHistgramBinarizer(src)
	} else {
		bin = gozxing.NewHybridBinarizer(src)
	}
	bmp, err := gozxing.NewBinaryBitmap(bin)
	if err != nil {
		return "", false
	}
	hints := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}
	if pure {
		hints = map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_PURE_BARCODE: true}
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		return "", false
	}
	return res.GetText(), true
}

// toGray converts img to grey (ITU-R 601 luma; transparent pixels shown
// over white, as a screen shows them).
func toGray(img image.Image) gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	g := gray{pix: make([]uint8, w*h), w: w, h: h}
	switch m := img.(type) {
	case *image.Gray:
		for y := 0; y < h; y++ {
			off := m.PixOffset(b.Min.X, b.Min.Y+y)
			copy(g.pix[y*w:(y+1)*w], m.Pix[off:off+w])
		}
	case *image.YCbCr:
		for y := 0; y < h; y++ {
			off := m.YOffset(b.Min.X, b.Min.Y+y)
			copy(g.pix[y*w:(y+1)*w], m.Y[off:off+w])
		}
	case *image.Paletted:
		var lut [256]uint8
		for i, c := range m.Palette {
			lut[i] = luma(c)
		}
		for y := 0; y < h; y++ {
			off := m.PixOffset(b.Min.X, b.Min.Y+y)
			row := g.pix[y*w : (y+1)*w]
			for x, p := range m.Pix[off : off+w] {
				row[x] = lut[p]
			}
		}
	case *image.RGBA:
		for y := 0; y < h; y++ {
			off := m.PixOffset(b.Min.X, b.Min.Y+y)
			row := g.pix[y*w : (y+1)*w]
			px := m.Pix[off : off+4*w]
			for x := range row {
				r, gg, bb, a := uint32(px[4*x]), uint32(px[4*x+1]), uint32(px[4*x+2]), uint32(px[4*x+3])
				l := (19595*r + 38470*gg + 7471*bb + 1<<15) >> 16
				row[x] = uint8(min(l+255-a, 255))
			}
		}
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			off := m.PixOffset(b.Min.X, b.Min.Y+y)
			row := g.pix[y*w : (y+1)*w]
			px := m.Pix[off : off+4*w]
			for x := range row {
				r, gg, bb, a := uint32(px[4*x]), uint32(px[4*x+1]), uint32(px[4*x+2]), uint32(px[4*x+3])
				l := (19595*r + 38470*gg + 7471*bb + 1<<15) >> 16
				row[x] = uint8((l*a + 255*(255-a) + 127) / 255)
			}
		}
	default:
		for y := 0; y < h; y++ {
			row := g.pix[y*w : (y+1)*w]
			for x := range row {
				row[x] = luma(img.At(b.Min.X+x, b.Min.Y+y))
			}
		}
	}
	return g
}

// luma is the grey level of c shown over white.
func luma(c color.Color) uint8 {
	r, g, b, a := c.RGBA()
	l := (19595*r + 38470*g + 7471*b + 1<<15) >> 16
	l += 0xffff - a
	return uint8(min(l, 0xffff) >> 8)
}
