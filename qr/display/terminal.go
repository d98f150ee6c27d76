package display

import "strings"

// The runes of a terminal drawing: each character cell holds two modules,
// one above the other; a block is drawn in the terminal's foreground colour.
const (
	cellNone  = ' ' // both halves background
	cellUpper = '▀' // upper half foreground
	cellLower = '▄' // lower half foreground
	cellFull  = '█' // both halves foreground
)

// Terminal draws text as a QR code for a terminal with light text on a dark
// background (the Linux console and most terminal emulators): a dark module
// is left as the dark background and a light module is drawn as a block,
// two rows of modules per line (half blocks ▀ ▄ █, and spaces), quiet zone
// included. Lines end with "\n"; the width in columns is the symbol's size
// in modules (Symbol.Size), the number of lines half of it, rounded up. The
// half row below the last row of modules is left dark, so the quiet zone is
// exactly QuietZone modules on every side.
//
// On a terminal with dark text on a light background the code shows with
// its colours reversed, which many scanners (zbar among them) do not read.
func Terminal(text string, p Preset) (string, error) {
	s, err := Encode(text, p.Level)
	if err != nil {
		return "", err
	}
	return s.Terminal(), nil
}

// Terminal draws the symbol as Terminal does.
func (s *Symbol) Terminal() string {
	n := s.Size()
	var b strings.Builder
	b.Grow((n + 1) / 2 * (n*3 + 1))
	for y := 0; y < n; y += 2 {
		for x := 0; x < n; x++ {
			upper := !s.Modules[y][x]              // light: drawn
			lower := y+1 < n && !s.Modules[y+1][x] // past the end: dark
			switch {
			case upper && lower:
				b.WriteRune(cellFull)
			case upper:
				b.WriteRune(cellUpper)
			case lower:
				b.WriteRune(cellLower)
			default:
				b.WriteRune(cellNone)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}
