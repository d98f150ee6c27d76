package paper

import (
	"bytes"
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"
)

// pdf draws the sheet with fpdf: core fonts only (nothing embedded), each
// run of dark modules of a QR row as one filled rectangle.
func (s *sheet) pdf(created time.Time) ([]byte, error) {
	size := "A4"
	if s.paper == Letter {
		size = "Letter"
	}
	f := fpdf.New("P", "mm", size, "")
	f.SetCompression(true)
	f.SetAutoPageBreak(false, 0)
	f.SetTitle("coldtss paper backup", false)
	f.SetCreator("coldtss", false)
	if created.IsZero() {
		created = time.Unix(0, 0)
	}
	f.SetCreationDate(created)
	f.SetModificationDate(created)
	f.SetFillColor(0, 0, 0)
	for _, page := range s.pages {
		f.AddPage()
		for _, it := range page {
			if it.sym != nil {
				drawSymbolPDF(f, it)
				continue
			}
			style := ""
			if it.bold {
				style = "B"
			}
			f.SetFont("Courier", style, it.pt)
			f.Text(it.x, it.y, it.text)
		}
	}
	var b bytes.Buffer
	if err := f.Output(&b); err != nil {
		return nil, fmt.Errorf("making the PDF: %v", err)
	}
	return b.Bytes(), nil
}

func drawSymbolPDF(f *fpdf.Fpdf, it item) {
	m := it.module
	for r, row := range it.sym.Modules {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			e := c
			for e < len(row) && row[e] {
				e++
			}
			f.Rect(it.x+float64(c)*m, it.y+float64(r)*m, float64(e-c)*m, m, "F")
			c = e
		}
	}
}
