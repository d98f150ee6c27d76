package files

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/coldtss/coldtss/internal/untrusted"
	"github.com/coldtss/coldtss/qr/bbqr"
	"github.com/coldtss/coldtss/qr/ur"
	"github.com/coldtss/coldtss/qr/urtypes"
)

// DecodeOptions says what a side reads and how to make files of it.
type DecodeOptions struct {
	// Accept is the kinds of file this side reads; a QR code of any other
	// kind is refused at its first part. Empty accepts every kind.
	Accept []Kind

	// Key is the key an eth-sign-request must be for; without it an
	// eth-sign-request is refused.
	Key *Key
	// ChainID (decimal) for an eth-sign-request that carries none.
	ChainID string
}

// File is a decoded file.
type File struct {
	Kind Kind
	Data []byte
	From string // what it came as: "ur:eth-sign-request", "BBQr P (PSBT)"
}

// What each UR type and BBQr file type turns into; ur:coldtss-file and
// BBQr J say their kind inside.
var urKinds = map[string][]Kind{
	urtypes.TypePSBT:           {PSBT},
	urtypes.TypePSBTv2:         {PSBT},
	urtypes.TypeEthSignRequest: {EthRequest},
	urtypes.TypeEthSignature:   {Signature},
	TypeFile:                   allKinds,
}

var bbqrKinds = map[bbqr.FileType][]Kind{
	bbqr.PSBT:        {PSBT},
	bbqr.Transaction: {Tx},
	bbqr.JSON:        {Card, Plan, EthRequest},
	bbqr.Text:        {Signature},
}

// Decoder takes the scanned parts of one file, in any order and any number
// of times. A part that is refused leaves the decoder as it was.
type Decoder struct {
	opts   DecodeOptions
	ur     *ur.Decoder
	bb     *bbqr.Decoder
	parts  int
	result *File
	err    error
}

// NewDecoder returns a decoder for one file.
func NewDecoder(opts DecodeOptions) *Decoder { return &Decoder{opts: opts} }

func (d *Decoder) accepts(kinds []Kind) bool {
	if len(d.opts.Accept) == 0 {
		return true
	}
	for _, k := range kinds {
		for _, a := range d.opts.Accept {
			if k == a {
				return true
			}
		}
	}
	return false
}

func (d *Decoder) expected() string {
	var names []string
	for t, ks := range urKinds {
		if d.accepts(ks) {
			names = append(names, "ur:"+t)
		}
	}
	for t, ks := range bbqrKinds {
		if d.accepts(ks) {
			names = append(names, fmt.Sprintf("BBQr %c", rune(t)))
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// Receive takes one scanned part (white space around it is ignored). The
// error names the part by its number among those received and says what
// to do.
func (d *Decoder) Receive(part string) error {
	d.parts++
	err := d.receive(strings.TrimSpace(part))
	if err != nil {
		return fmt.Errorf("QR part %d: %s", d.parts, untrusted.Text(err.Error()))
	}
	return nil
}

func (d *Decoder) receive(s string) error {
	up := strings.ToUpper(s)
	isUR, isBBQr := strings.HasPrefix(up, "UR:"), strings.HasPrefix(up, "B$")
	switch {
	case !isUR && !isBBQr:
		return fmt.Errorf("%.30q is neither a UR (ur:...) nor a BBQr part (B$...): scan the QR code coldtss or the wallet shows", s)
	case isUR && d.bb != nil, isBBQr && d.ur != nil:
		return fmt.Errorf("is a %s part, but %s parts were scanned before: two messages are mixed; scan one QR code at a time", map[bool]string{true: "UR", false: "BBQr"}[isUR], map[bool]string{true: "BBQr", false: "UR"}[isUR])
	}
	if isUR {
		info, err := ur.Inspect(s)
		if err != nil {
			return err
		}
		ks, ok := urKinds[info.Type]
		if !ok || !d.accepts(ks) {
			return fmt.Errorf("is ur:%s, which is not read here (expected %s): %w; scan the right QR code", info.Type, d.expected(), ur.ErrWrongType)
		}
		if d.ur == nil {
			d.ur = ur.NewDecoder()
		}
		if err := d.ur.Receive(s); err != nil {
			return err
		}
		if d.ur.Done() {
			d.finishUR()
		}
		return nil
	}
	if len(s) >= bbqr.HeaderLen {
		ft := bbqr.FileType(up[3])
		if ks, ok := bbqrKinds[ft]; !ok || !d.accepts(ks) {
			return fmt.Errorf("is a BBQr %s file, which is not read here (expected %s); scan the right QR code", ft, d.expected())
		}
	}
	if d.bb == nil {
		d.bb = bbqr.NewDecoder()
	}
	if err := d.bb.Receive(s); err != nil {
		return err
	}
	if d.bb.Done() {
		d.finishBBQr()
	}
	return nil
}

// Done reports whether every part is in: Result then returns the file or
// the error that ended decoding.
func (d *Decoder) Done() bool {
	return (d.ur != nil && d.ur.Done()) || (d.bb != nil && d.bb.Done())
}

// Progress is how far a Decoder has got.
type Progress struct {
	Type  string // what the codes are: "ur:crypto-psbt", "BBQr P (PSBT)"; "" until a part was taken
	Got   int    // fragments (UR) or parts (BBQr) in
	Total int    // of how many; 0 until known
	Unit  string // "fragments" or "parts"
	Seen  int    // codes given to Receive, refused ones too
	Used  int    // codes that brought something new
}

// String is a progress line: "ur:crypto-psbt: 4 of 6 fragments (66%), 9
// codes seen, 5 used".
func (p Progress) String() string {
	if p.Type == "" || p.Total == 0 {
		return fmt.Sprintf("waiting for a QR code of a file: %d code(s) seen", p.Seen)
	}
	return fmt.Sprintf("%s: %d of %d %s (%d%%), %d code(s) seen, %d used", p.Type, p.Got, p.Total, p.Unit, 100*p.Got/p.Total, p.Seen, p.Used)
}

// Progress reports how many fragments (UR) or parts (BBQr) are in, of
// how many, and how many codes were seen and used.
func (d *Decoder) Progress() Progress {
	p := Progress{Seen: d.parts}
	switch {
	case d.ur != nil:
		u := d.ur.Progress()
		p.Unit, p.Got, p.Total, p.Used = "fragments", u.Recovered, u.Fragments, u.PartsUsed
		if u.Type != "" {
			p.Type = "ur:" + u.Type
		}
		if d.ur.Done() && u.Fragments == 0 {
			p.Got, p.Total = 1, 1
		}
	case d.bb != nil:
		b := d.bb.Progress()
		p.Unit, p.Got, p.Total, p.Used = "parts", b.Received, b.Parts, b.PartsUsed
		if b.FileType != 0 {
			p.Type = fmt.Sprintf("BBQr %c (%s)", rune(b.FileType), b.FileType)
		}
	}
	return p
}

// Result returns the file once Done.
func (d *Decoder) Result() (*File, error) {
	if !d.Done() {
		p := d.Progress()
		if p.Total == 0 {
			return nil, fmt.Errorf("no QR part was read: scan the QR code again")
		}
		return nil, fmt.Errorf("only %d of %d %s were read: the scan is incomplete (truncated); scan the rest", p.Got, p.Total, p.Unit)
	}
	if d.err != nil {
		return nil, d.err
	}
	return d.result, nil
}

func (d *Decoder) fail(from string, err error) {
	d.err = fmt.Errorf("%s: %s", from, untrusted.Text(err.Error()))
}

func (d *Decoder) finishUR() {
	typ, body, err := d.ur.Result()
	from := "ur:" + typ
	if err != nil {
		d.fail(from, err)
		return
	}
	f := &File{From: from}
	switch typ {
	case urtypes.TypePSBT, urtypes.TypePSBTv2:
		var p urtypes.PSBT
		if err = p.Unmarshal(body); err == nil {
			f.Kind, f.Data = PSBT, p
		}
	case urtypes.TypeEthSignRequest:
		var r urtypes.EthSignRequest
		if err = r.Unmarshal(body); err != nil {
			break
		}
		if d.opts.Key == nil {
			err = errors.New("an eth-sign-request is read for one key: give the key (--key)")
			break
		}
		req, e := FromEthSignRequest(r, *d.opts.Key, d.opts.ChainID)
		if err = e; err == nil {
			f.Kind, f.Data = EthRequest, req.Marshal()
		}
	case urtypes.TypeEthSignature:
		var s urtypes.EthSignature
		if err = s.Unmarshal(body); err != nil {
			break
		}
		if s.Signature[64] != 27 && s.Signature[64] != 28 {
			err = fmt.Errorf("the signature's v is %d: only message signatures (v 27 or 28) are written as signature.hex; a transaction comes back as tx.hex (BBQr T)", s.Signature[64])
			break
		}
		f.Kind, f.Data = Signature, []byte("0x"+hex.EncodeToString(s.Signature)+"\n")
	case TypeFile:
		var k Kind
		var data []byte
		if k, data, err = unmarshalEnvelope(body); err != nil {
			break
		}
		if !d.accepts([]Kind{k}) {
			err = fmt.Errorf("holds a %s, which is not read here: scan the right QR code", k)
			break
		}
		if err = check(k, data); err == nil {
			f.Kind, f.Data = k, data
		}
	}
	if err != nil {
		d.fail(from, err)
		return
	}
	d.result = f
}

func (d *Decoder) finishBBQr() {
	ft, body, err := d.bb.Result()
	from := fmt.Sprintf("BBQr %c (%s)", rune(ft), ft)
	if err != nil {
		d.fail(from, err)
		return
	}
	f := &File{From: from}
	switch ft {
	case bbqr.PSBT:
		f.Kind, f.Data = PSBT, body
	case bbqr.Transaction:
		f.Kind, f.Data = Tx, []byte(hex.EncodeToString(body)+"\n")
	case bbqr.Text:
		f.Kind, f.Data = Signature, append(body, '\n')
	case bbqr.JSON:
		f.Data = body
		f.Kind, err = Detect("the file", body)
		if err == nil && !d.accepts([]Kind{f.Kind}) {
			err = fmt.Errorf("holds a %s, which is not read here: scan the right QR code", f.Kind)
		}
	}
	if err == nil {
		err = check(f.Kind, f.Data)
	}
	if err != nil {
		d.fail(from, err)
		return
	}
	d.result = f
}

// ReadLines decodes a file from text with one part a line (as `zbarcam
// --raw` prints them, or a file of UR text). Blank lines are skipped;
// reading stops as soon as the file is complete. Any refused part ends
// decoding with its error.
func ReadLines(r io.Reader, opts DecodeOptions) (*File, error) {
	d := NewDecoder(opts)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if err := d.Receive(line); err != nil {
			return nil, err
		}
		if d.Done() {
			return d.Result()
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the QR parts: %v", err)
	}
	return d.Result()
}
