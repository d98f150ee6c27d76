package paper

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

var (
	fontsOnce          sync.Once
	monoFont, monoBold *opentype.Font
	fontsErr           error
)

func loadFonts() error {
	fontsOnce.Do(func() {
		if monoFont, fontsErr = opentype.Parse(gomono.TTF); fontsErr == nil {
			monoBold, fontsErr = opentype.Parse(gomonobold.TTF)
		}
	})
	return fontsErr
}

// px converts mm to pixels at 300 dpi.
func px(mm float64) int { return int(math.Round(mm / dot)) }

// Image draws page i of the sheet at 300 dpi, grey.
func (s *sheet) image(i int) (*image.Gray, error) {
	if err := loadFonts(); err != nil {
		return nil, fmt.Errorf("loading the Go Mono font: %v", err)
	}
	img := image.NewGray(image.Rect(0, 0, px(s.w), px(s.h)))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	faces := map[[2]float64]font.Face{}
	defer func() {
		for _, f := range faces {
			f.Close()
		}
	}()
	for _, it := range s.pages[i] {
		if it.sym != nil {
			d := int(math.Round(it.module / dot))
			x0, y0 := px(it.x), px(it.y)
			for r, row := range it.sym.Modules {
				for c, dark := range row {
					if dark {
						draw.Draw(img, image.Rect(x0+c*d, y0+r*d, x0+(c+1)*d, y0+(r+1)*d), image.Black, image.Point{}, draw.Src)
					}
				}
			}
			continue
		}
		key := [2]float64{it.pt, 0}
		fnt := monoFont
		if it.bold {
			key[1], fnt = 1, monoBold
		}
		face, ok := faces[key]
		if !ok {
			var err error
			face, err = opentype.NewFace(fnt, &opentype.FaceOptions{Size: it.pt, DPI: dpi, Hinting: font.HintingNone})
			if err != nil {
				return nil, fmt.Errorf("loading the Go Mono font at %g pt: %v", it.pt, err)
			}
			faces[key] = face
		}
		d := font.Drawer{Dst: img, Src: image.Black, Face: face, Dot: fixed.P(px(it.x), px(it.y))}
		d.DrawString(it.text)
	}
	return img, nil
}

func (s *sheet) png(i int) ([]byte, error) {
	img, err := s.image(i)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("making the PNG of page %d: %v", i+1, err)
	}
	return b.Bytes(), nil
}
