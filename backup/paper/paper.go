// Package paper prints a cold backup on paper and reads it back.
//
// A sheet holds one backup file (the age file `coldtss backup create`
// writes) as opaque bytes, so the paper is exactly as safe as the file: it
// still needs the backup's passphrase or age identity. Render lays out, on at
// most two pages of A4 or Letter, a header with the public facts of the
// backup (key id, station, epoch, committee, date, the key's fingerprint
// words, the file's length and SHA-256), the file as UR "bytes" QR codes
// (qr/ur, qr/urtypes.Bytes, drawn from qr/display symbols), the same bytes
// as a text form a person can type back (base32 lines, each with its line
// number and a checksum, see TextLines), and short restore instructions.
// It returns the sheet as a PDF (go-pdf/fpdf, the core Courier font) and as
// one 300 dpi PNG per page drawn with the same layout (Go Mono, whose
// advance is Courier's).
//
// The layout is chosen from a list of densities, the most comfortable first
// (error correction Q, 0.51 mm modules, 7 pt text) down to the densest
// (level L, 0.25 mm modules, 4 pt text); Render uses the first that fits on
// two pages and fails with ErrTooLarge when none does. A secp256k1 share
// (about 20 kB with its Paillier keys) needs the densest layouts; see
// docs/recovery.md, "Paper backups".
//
// Reading back: Reader takes pictures (photos, scans, pdftoppm pages) with
// any number of codes each, in any order, until the UR is complete;
// ReadPictures does that for files and folders. ReadText reads the typed
// text form and names the line that holds a typing mistake. Both return the
// backup file's bytes exactly; opening it is package backup's job.
package paper

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Paper is a sheet size.
type Paper int

// The paper sizes a sheet is laid out for.
const (
	A4 Paper = iota
	Letter
)

func (p Paper) String() string {
	if p == Letter {
		return "letter"
	}
	return "a4"
}

// ParsePaper reads a paper size: "a4" or "letter" (any case).
func ParsePaper(s string) (Paper, error) {
	switch strings.ToLower(s) {
	case "a4":
		return A4, nil
	case "letter":
		return Letter, nil
	}
	return 0, fmt.Errorf("paper size %q is not a4 or letter: use --paper a4 or --paper letter", s)
}

// size is the paper's width and height in mm.
func (p Paper) size() (w, h float64) {
	if p == Letter {
		return 215.9, 279.4
	}
	return 210, 297
}

// Meta is what a sheet prints about the backup it holds: public facts only.
type Meta struct {
	KeyID     string
	Label     string // the key's label, if any
	Station   string
	Epoch     int
	Committee string
	KeyWords  string // the key's fingerprint words (keys.Record.Words)
	Created   time.Time
}

// Options choose how a sheet is laid out.
type Options struct {
	Paper Paper
	// NoText leaves the text form out, for a backup too large to print
	// with it: the sheet then holds the QR codes only.
	NoText bool
}

// ErrTooLarge: the backup does not fit on two pages at any density.
var ErrTooLarge = errors.New("backup too large for a two-page sheet")

// maxBackup bounds what Render and the readers accept, in bytes.
const maxBackup = 1 << 20

// MaxPages is the most pages a sheet has.
const MaxPages = 2

// Render lays out the sheet of backupFile and returns it as a PDF and as
// one PNG per page (300 dpi).
func Render(backupFile []byte, meta Meta, opts Options) (pdf []byte, pngs [][]byte, err error) {
	s, err := layoutSheet(backupFile, meta, opts)
	if err != nil {
		return nil, nil, err
	}
	if pdf, err = s.pdf(meta.Created); err != nil {
		return nil, nil, err
	}
	for i := range s.pages {
		b, err := s.png(i)
		if err != nil {
			return nil, nil, err
		}
		pngs = append(pngs, b)
	}
	return pdf, pngs, nil
}

// Density says how dense a sheet is laid out: its QR codes' error
// correction and module size and its text form's font size.
type Density struct {
	Level    byte    // QR error correction: 'L', 'M', 'Q' or 'H'
	ModuleMM float64 // size of a QR module on paper, mm
	TextPt   float64 // size of the text form's characters, points
	Codes    int     // number of QR codes
	Pages    int
}

// Layout returns the density Render chooses for backupFile, without
// drawing the sheet.
func Layout(backupFile []byte, meta Meta, opts Options) (Density, error) {
	s, err := layoutSheet(backupFile, meta, opts)
	if err != nil {
		return Density{}, err
	}
	return Density{Level: byte(s.tier.level), ModuleMM: s.tier.module(), TextPt: s.tier.textPt, Codes: s.codes, Pages: len(s.pages)}, nil
}
