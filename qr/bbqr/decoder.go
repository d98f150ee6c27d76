package bbqr

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Errors, for errors.Is. Each error returned wraps one of them and says
// what is wrong with the part and what to do.
var (
	ErrNotBBQr    = errors.New("not a BBQr part")
	ErrMalformed  = errors.New("malformed BBQr part")
	ErrOtherFile  = errors.New("part of another file")
	ErrConflict   = errors.New("BBQr part contradicts one already received")
	ErrIncomplete = errors.New("BBQr file not complete")
	ErrCorrupt    = errors.New("BBQr file does not decode")
	ErrTooLarge   = errors.New("BBQr file too large")
)

// Decoder joins the parts of one BBQr file, scanned in any order and any
// number of times. A part that is malformed, of another file, or that
// contradicts one already received is refused with an error and leaves the
// decoder as it was; only Reset starts over.
type Decoder struct {
	started bool
	enc     Encoding
	ft      FileType
	total   int
	body    []string // per part index, "" until received
	data    [][]byte
	got     int
	partLen int // characters in every part but the last, once one is seen

	seen, used int

	done   bool
	result []byte
	err    error
}

// NewDecoder returns an empty decoder.
func NewDecoder() *Decoder { return &Decoder{} }

// Reset forgets every part received.
func (d *Decoder) Reset() { *d = Decoder{} }

// Progress is how far a decoder has got.
type Progress struct {
	FileType  FileType // 0 until a part was accepted
	Encoding  Encoding
	Parts     int     // parts in the file (0 until a part was accepted)
	Received  int     // distinct parts received
	Fraction  float64 // Received/Parts
	PartsSeen int     // every string given to Receive
	PartsUsed int     // parts that brought something new
}

// Progress reports how far decoding has got.
func (d *Decoder) Progress() Progress {
	p := Progress{FileType: d.ft, Encoding: d.enc, Parts: d.total, Received: d.got, PartsSeen: d.seen, PartsUsed: d.used}
	if d.total > 0 {
		p.Fraction = float64(d.got) / float64(d.total)
	}
	return p
}

// Done reports whether every part was received: Result then returns the
// file, or the error that ended decoding.
func (d *Decoder) Done() bool { return d.done }

// Result returns the file type and contents once Done.
func (d *Decoder) Result() (FileType, []byte, error) {
	switch {
	case !d.done:
		return 0, nil, fmt.Errorf("%w: %d of %d parts received; keep scanning", ErrIncomplete, d.got, d.total)
	case d.err != nil:
		return 0, nil, d.err
	}
	return d.ft, d.result, nil
}

// header is a parsed part.
type header struct {
	enc          Encoding
	ft           FileType
	total, index int
	body         string
}

func (h *header) name() string {
	return fmt.Sprintf("BBQr part %d of %d (%s %s)", h.index+1, h.total, h.enc, h.ft)
}

func parsePart(s string) (*header, []byte, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if !strings.HasPrefix(s, "B$") {
		return nil, nil, fmt.Errorf("%w: %s does not begin with \"B$\"; scan a BBQr QR code", ErrNotBBQr, quoteShort(s))
	}
	if len(s) <= HeaderLen {
		return nil, nil, fmt.Errorf("%w: %s is too short for a header and data; scan the QR code again", ErrMalformed, quoteShort(s))
	}
	if len(s) > maxPartLen {
		return nil, nil, fmt.Errorf("%w: %d characters, more than any QR code holds (%d); scan the QR code again", ErrMalformed, len(s), maxPartLen)
	}
	h := &header{enc: Encoding(s[2]), ft: FileType(s[3]), body: s[HeaderLen:]}
	if h.enc != Hex && h.enc != Base32 && h.enc != Zlib {
		return nil, nil, fmt.Errorf("%w: %s has encoding %q, not H, 2 or Z; it is not a BBQr file this decoder knows", ErrMalformed, quoteShort(s[:HeaderLen]), s[2])
	}
	if h.ft < 'A' || h.ft > 'Z' {
		return nil, nil, fmt.Errorf("%w: %s has file type %q, not a letter A-Z; scan the QR code again", ErrMalformed, quoteShort(s[:HeaderLen]), s[3])
	}
	total, ok1 := parseBase36(s[4:6])
	index, ok2 := parseBase36(s[6:8])
	if !ok1 || !ok2 || total < 1 || index >= total {
		return nil, nil, fmt.Errorf("%w: %s: the part count and index (two base-36 digits each) must be 1 or more and 0 to count-1; scan the QR code again",
			ErrMalformed, quoteShort(s[:HeaderLen]))
	}
	h.total, h.index = total, index
	var data []byte
	var err error
	if h.enc == Hex {
		data, err = hex.DecodeString(h.body)
	} else {
		switch len(h.body) % 8 {
		case 1, 3, 6: // not a whole number of bytes
			err = errors.New("a base32 length that is not a whole number of bytes")
		default:
			data, err = b32.DecodeString(h.body)
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: its %d data characters are not valid %s (%v); scan the QR code again", ErrMalformed, h.name(), len(h.body), h.enc, err)
	}
	return h, data, nil
}

// Receive takes one scanned part. It returns nil if the part is valid and of
// this file (also when it is a repeat, or decoding is done), and otherwise
// an error saying what is wrong with it; the decoder is then unchanged.
func (d *Decoder) Receive(s string) error {
	d.seen++
	h, data, err := parsePart(s)
	if err != nil {
		return err
	}
	if d.started && (h.enc != d.enc || h.ft != d.ft || h.total != d.total) {
		return fmt.Errorf("%w: %s, but the file being decoded is %s %s in %d parts; keep scanning the QR code you started with, or Reset to start over",
			ErrOtherFile, h.name(), d.enc, d.ft, d.total)
	}
	// Every part but the last has the same length, and the last is no longer.
	last := h.index == h.total-1
	if d.partLen > 0 && (!last && len(h.body) != d.partLen || last && len(h.body) > d.partLen) {
		return fmt.Errorf("%w: %s has %d data characters, but this file's parts have %d (the last at most that); keep scanning the QR code you started with, or Reset to start over",
			ErrOtherFile, h.name(), len(h.body), d.partLen)
	}
	if d.partLen == 0 && d.started && h.total > 1 {
		// Only the last part seen so far: a non-last part must not be shorter.
		if lb := d.body[d.total-1]; lb != "" && !last && len(h.body) < len(lb) {
			return fmt.Errorf("%w: %s has %d data characters, fewer than the last part's %d; keep scanning the QR code you started with, or Reset to start over",
				ErrOtherFile, h.name(), len(h.body), len(lb))
		}
	}
	if d.started {
		if prev := d.body[h.index]; prev != "" {
			if prev != h.body {
				return fmt.Errorf("%w: %s differs from the part %d already scanned; one of them is of another file: Reset and scan again if decoding fails",
					ErrConflict, h.name(), h.index+1)
			}
			return nil
		}
	}
	if d.done {
		return nil
	}
	if !d.started {
		d.started = true
		d.enc, d.ft, d.total = h.enc, h.ft, h.total
		d.body = make([]string, h.total)
		d.data = make([][]byte, h.total)
	}
	if !last {
		d.partLen = len(h.body)
	}
	d.body[h.index], d.data[h.index] = h.body, data
	d.got++
	d.used++
	if d.got == d.total {
		d.finish()
	}
	return nil
}

func (d *Decoder) finish() {
	d.done = true
	var raw []byte
	for _, b := range d.data {
		raw = append(raw, b...)
	}
	d.data = nil
	if d.enc == Zlib {
		out, err := inflate(raw, MaxFileLen)
		switch {
		case errors.Is(err, errTooBig):
			d.err = fmt.Errorf("%w: the %d parts decompress to more than %d bytes; this decoder refuses the file", ErrTooLarge, d.total, MaxFileLen)
			return
		case err != nil:
			d.err = fmt.Errorf("%w: all %d parts were received but their data is %v: a part may be of another file; Reset and scan again", ErrCorrupt, d.total, err)
			return
		}
		raw = out
	}
	d.result = raw
}

// Join decodes a complete set of parts, in any order.
func Join(parts []string) (FileType, []byte, error) {
	d := NewDecoder()
	for _, p := range parts {
		if err := d.Receive(p); err != nil {
			return 0, nil, err
		}
	}
	return d.Result()
}

// quoteShort quotes s for an error message, cut to a readable length.
func quoteShort(s string) string {
	if len(s) > 40 {
		return strconv.Quote(s[:37]) + "..."
	}
	return strconv.Quote(s)
}
