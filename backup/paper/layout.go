package paper

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strings"

	"github.com/coldtss/coldtss/qr/display"
	"github.com/coldtss/coldtss/qr/ur"
	"github.com/coldtss/coldtss/qr/urtypes"
)

const (
	dpi    = 300
	dot    = 25.4 / dpi // mm
	ptMM   = 25.4 / 72  // mm per point
	margin = 8.0        // mm, left, right and top
	bottom = 12.0       // mm below the last line (the footer is in it)
	advEm  = 0.6        // advance of a monospace character, in em (Courier, Go Mono)
	gapMM  = 3.0        // between text columns
	qrGap  = 1.0        // between QR codes (their quiet zones part them)
	// URType is the UR type of the sheet's QR codes.
	URType = "bytes"
)

// tier is one density Render may use.
type tier struct {
	level  display.Level
	dots   int     // module size, in 1/300 inch
	textPt float64 // the text form's font size
}

func (t tier) module() float64 { return float64(t.dots) * dot }

// tiers, the most comfortable first. Modules of 6 and 4 dots (0.51 and 0.34
// mm) are whole pixels of a 150 dpi scan; 3 dots needs a scan at 300 dpi or
// a close photo.
var tiers = []tier{
	{display.Q, 6, 7}, {display.Q, 4, 6}, {display.M, 4, 6}, {display.M, 4, 5},
	{display.L, 4, 5}, {display.L, 4, 4.5}, {display.L, 4, 4}, {display.L, 3, 4.5}, {display.L, 3, 4},
}

// item is one thing drawn on a page: text (baseline at y) or a QR symbol
// (top-left corner at x, y).
type item struct {
	x, y   float64
	pt     float64
	bold   bool
	text   string
	sym    *display.Symbol
	code   int // 1 + the index of sym among the sheet's codes
	module float64
}

type sheet struct {
	paper Paper
	w, h  float64
	tier  tier
	codes int
	pages [][]item
}

// layoutSheet tries every tier and returns the first sheet that fits.
func layoutSheet(data []byte, meta Meta, opts Options) (*sheet, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("the backup file is empty: give the file `coldtss backup create` wrote")
	}
	if len(data) > maxBackup {
		return nil, fmt.Errorf("%w: the backup file is %d bytes, more than the %d a sheet takes: give the file `coldtss backup create` wrote", ErrTooLarge, len(data), maxBackup)
	}
	cb, err := urtypes.Bytes(data).Marshal()
	if err != nil {
		return nil, err
	}
	var text []string
	if !opts.NoText {
		text = TextLines(data)
	}
	// Probe each level with the last part (the longest: its sequence
	// numbers are the largest) and draw every part only for the layout
	// chosen: a version 40 symbol takes tens of milliseconds.
	type probe struct {
		enc  *ur.Encoder
		n    int
		size int // modules, quiet zone included
	}
	probes := map[display.Level]probe{}
	for _, t := range tiers {
		pr, ok := probes[t.level]
		if !ok {
			pr.enc = ur.NewEncoder(URType, cb, fragment(t.level))
			pr.n = pr.enc.SeqLen()
			last := ur.NewEncoder(URType, cb, fragment(t.level))
			var part string
			for i := 0; i < pr.n; i++ {
				part = last.NextPart()
			}
			sym, err := display.Encode(part, t.level)
			if err != nil {
				return nil, fmt.Errorf("QR code %d of the sheet: %v", pr.n, err)
			}
			pr.size = sym.Size()
			probes[t.level] = pr
		}
		s := layoutTier(t, opts.Paper, data, meta, pr.n, pr.size, text)
		if len(s.pages) > MaxPages {
			continue
		}
		syms := make([]*display.Symbol, pr.n)
		for i := range syms {
			if syms[i], err = display.Encode(pr.enc.NextPart(), t.level); err != nil {
				return nil, fmt.Errorf("QR code %d of the sheet: %v", i+1, err)
			}
		}
		for _, page := range s.pages {
			for k := range page {
				if page[k].code > 0 {
					page[k].sym = syms[page[k].code-1]
				}
			}
		}
		return s, nil
	}
	hint := "make a compressed backup for paper (coldtss backup create --compress), print the QR codes only with --no-text, or keep the backup as a file"
	if opts.NoText {
		hint = "keep the backup as a file (backup create) and on more than one sheet is not supported"
	}
	return nil, fmt.Errorf("%w: the backup file is %d bytes, more than two %s pages hold at the densest layout: %s", ErrTooLarge, len(data), opts.Paper, hint)
}

// layoutTier lays the sheet out at tier t; it may need more than MaxPages.
func layoutTier(t tier, p Paper, data []byte, meta Meta, codes, modules int, text []string) *sheet {
	s := &sheet{paper: p, tier: t, codes: codes}
	s.w, s.h = p.size()
	width := s.w - 2*margin
	limit := s.h - bottom
	y := margin
	var page []item
	newPage := func() {
		s.pages = append(s.pages, page)
		page, y = nil, margin
	}
	line := func(txt string, pt float64, bold bool) {
		lh := pt * ptMM * 1.25
		if y+lh > limit {
			newPage()
		}
		y += lh
		page = append(page, item{x: margin, y: y - pt*ptMM*0.25, pt: pt, bold: bold, text: txt})
	}
	para := func(txt string, pt float64, bold bool) {
		for _, l := range wrap(txt, charsIn(width, pt)) {
			line(l, pt, bold)
		}
	}
	sum := sha256.Sum256(data)

	// Header.
	para("COLDTSS PAPER BACKUP - key "+ascii(meta.KeyID)+", station "+ascii(meta.Station), 12, true)
	y += 1
	facts := fmt.Sprintf("Key id: %s   Station: %s   Epoch: %d   Committee: %s", ascii(meta.KeyID), ascii(meta.Station), meta.Epoch, ascii(meta.Committee))
	if meta.Label != "" {
		facts += "   Label: " + ascii(meta.Label)
	}
	para(facts, 7.5, false)
	para("Key words: "+ascii(meta.KeyWords), 7.5, false)
	made := "unknown"
	if !meta.Created.IsZero() {
		made = meta.Created.UTC().Format("2006-01-02 15:04 UTC")
	}
	para(fmt.Sprintf("Made: %s   Backup file: %d bytes, SHA-256 %s", made, len(data), hex.EncodeToString(sum[:])), 7.5, false)
	para("This sheet is the station's encrypted backup file (an age file). It opens only with the backup's passphrase or age identity, which are NOT on it. Keep it like the file, never with the passphrase.", 7.5, false)
	y += 2

	// QR codes, in rows.
	para(fmt.Sprintf("QR CODES (%d, error correction %s): photograph or scan them all, in any order, several to a picture.", codes, t.level), 7, true)
	y += 1
	const labelPt = 5.5
	cell := float64(modules) * t.module()
	cols := max(1, int((width+qrGap)/(cell+qrGap)))
	rowH := cell + labelPt*ptMM*1.4
	for i := 0; i < codes; i += cols {
		if y+rowH > limit {
			newPage()
		}
		for j := i; j < min(i+cols, codes); j++ {
			x := margin + float64(j-i)*(cell+qrGap)
			// Codes start on the 1/150 inch grid, so a 150 dpi scan cuts
			// modules of 4 dots into whole pixels.
			qx, qy := snap(x), snap(y)
			page = append(page, item{x: qx, y: qy, code: j + 1, module: t.module()})
			page = append(page, item{x: qx + float64(display.QuietZone)*t.module(), y: qy + cell + labelPt*ptMM, pt: labelPt, text: fmt.Sprintf("QR %d of %d", j+1, codes)})
		}
		y += rowH
	}

	// The text form, in columns.
	if len(text) > 0 {
		y += 2
		para("TEXT FORM, if the QR codes do not scan: type the header line and every numbered line into a file (case and spaces do not matter); each line ends with a checksum, and `coldtss backup paper-restore --text FILE` names the line of a mistake.", 7, true)
		y += 1
		line(text[0], t.textPt, false)
		lines := text[1:]
		colChars := 0
		for _, l := range lines {
			colChars = max(colChars, len(l))
		}
		lh := t.textPt * ptMM * 1.05 // capitals and digits only: no descenders
		colW := float64(colChars) * advEm * t.textPt * ptMM
		tcols := max(1, int((width+gapMM)/(colW+gapMM)))
		for len(lines) > 0 {
			per := int((limit - y) / lh)
			if per < 1 {
				newPage()
				continue
			}
			n := min(len(lines), per*tcols)
			per = (n + tcols - 1) / tcols // balance the last columns
			for k := 0; k < n; k++ {
				c, r := k/per, k%per
				page = append(page, item{x: margin + float64(c)*(colW+gapMM), y: y + float64(r+1)*lh - t.textPt*ptMM*0.2, pt: t.textPt, text: lines[k]})
			}
			lines = lines[n:]
			y += float64(per) * lh
			if len(lines) > 0 {
				newPage()
			}
		}
	}

	// Instructions.
	y += 2
	lines := instructions(meta)
	need := 0.0
	for _, l := range lines {
		need += float64(len(wrap(l, charsIn(width, 6.5)))) * 6.5 * ptMM * 1.25
	}
	if y+need+7*ptMM*1.25 > limit {
		newPage()
	}
	para("TO RESTORE", 7, true)
	for _, l := range lines {
		para(l, 6.5, false)
	}
	s.pages = append(s.pages, page)

	// Footers.
	for i := range s.pages {
		f := fmt.Sprintf("coldtss paper backup - key %s - station %s - epoch %d - page %d of %d", ascii(meta.KeyID), ascii(meta.Station), meta.Epoch, i+1, len(s.pages))
		s.pages[i] = append(s.pages[i], item{x: margin, y: s.h - 6, pt: 6, text: f})
	}
	return s
}

func instructions(meta Meta) []string {
	id := ascii(meta.KeyID)
	if id == "" {
		id = "KEY"
	}
	return []string{
		"1. Photograph or scan every QR code of both pages (a phone photo of each half page, or a flatbed scan at 300 dpi), put the pictures in one folder, and run: coldtss backup paper-restore --from FOLDER --out backup.age",
		"   Or type the text form into a file and run: coldtss backup paper-restore --text typed.txt --out backup.age",
		"2. Check that the SHA-256 it prints is the one above, then: coldtss backup verify backup.age --key " + id + "   and   coldtss backup restore backup.age",
		"3. Without coldtss: backup.age is a standard age file (age-encryption.org). age -d -o backup.json backup.age asks for the passphrase; age -d -i identity.txt -o backup.json backup.age uses an age identity. backup.json is the coldtss-backup/1 document (docs/formats.md): it holds the share, so keep it offline and delete it after use.",
	}
}

// snap rounds mm to the 1/150 inch grid.
func snap(v float64) float64 { return math.Round(v/(2*dot)) * 2 * dot }

// charsIn is how many monospace characters of pt points fit in width mm.
func charsIn(width, pt float64) int { return int(width / (advEm * pt * ptMM)) }

// wrap breaks s into lines of at most n characters, at spaces when it can.
func wrap(s string, n int) []string {
	var out []string
	for len(s) > n {
		cut := strings.LastIndexByte(s[:n+1], ' ')
		if cut <= 0 {
			cut = n
		}
		out = append(out, strings.TrimRight(s[:cut], " "))
		s = strings.TrimLeft(s[cut:], " ")
	}
	return append(out, s)
}

// ascii keeps printable ASCII and replaces the rest with '?': the sheet's
// fonts are Courier (PDF) and Go Mono (PNG), and what is printed is a
// record anybody may have to read aloud.
func ascii(s string) string {
	b := []byte(s)
	out := make([]byte, 0, len(b))
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			r = '?'
		}
		out = append(out, byte(r))
	}
	if len(out) > 200 {
		out = append(out[:197], "..."...)
	}
	return string(out)
}

// fragment is the most bytes of the backup one QR code of level l holds:
// a quarter of what a version 40 symbol takes, so codes are about version
// 20 (in simulated photos of a page, a quarter found 2 to 4 times as many
// codes as whole version 40 symbols).
// Smaller symbols survive a photo's perspective and lens distortion far
// better (ZXing fits one perspective transform per code), for about the
// same bytes per square millimetre of paper.
func fragment(l display.Level) int { return l.MaxFragment() / 4 }
