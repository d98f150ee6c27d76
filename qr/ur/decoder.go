package ur

import (
	"bytes"
	"crypto/subtle"
	"fmt"
	"hash/crc32"
)

// Decoder reassembles a UR from its parts, scanned in any order, pure
// fragments and fountain-mixed parts alike. A part that is damaged, of
// another message, of the wrong type, or that contradicts what was received
// is refused with an error and leaves the decoder as it was, so scanning can
// go on; only Reset starts over.
type Decoder struct {
	expect string

	typ     string
	started bool // the message's numbers are known
	seqLen  int
	msgLen  int
	fragLen int
	sum     uint32
	chooser fragmentChooser

	frags     [][]byte // recovered fragments, nil where still unknown
	recovered int
	mixed     map[int]*mixedPart // unresolved mixed parts by id
	byFrag    map[int][]int      // unknown fragment -> ids of mixed parts holding it
	bySeq     map[uint32]int     // seqNum -> id of the stored mixed part
	nextID    int
	entries   int // fragment indexes held in byFrag for the mixed parts
	queue     []simplePart

	seen, used int

	done   bool
	result []byte
	err    error
}

// maxMixedEntries bounds the fragment indexes held for unresolved mixed
// parts (8 bytes each), whatever their number and degree.
const maxMixedEntries = 1 << 22

type mixedPart struct {
	seqNum  uint32
	unknown int // fragments still mixed in
	xorIdx  int // XOR of their indexes: the last one once unknown is 1
	data    []byte
}

type simplePart struct {
	index int
	data  []byte
}

// DecoderOption configures a Decoder.
type DecoderOption func(*Decoder)

// ExpectType makes the decoder refuse URs of any other type. It panics if
// typ is not a valid UR type.
func ExpectType(typ string) DecoderOption {
	mustType(typ)
	return func(d *Decoder) { d.expect = typ }
}

// NewDecoder returns an empty decoder.
func NewDecoder(opts ...DecoderOption) *Decoder {
	d := &Decoder{}
	for _, o := range opts {
		o(d)
	}
	return d
}

// Reset forgets every part received, keeping the options.
func (d *Decoder) Reset() { *d = Decoder{expect: d.expect} }

// Progress is how far a decoder has got.
type Progress struct {
	Type      string  // UR type, once a part was accepted
	Fragments int     // fragments of the message (0 until a multipart part was accepted)
	Recovered int     // fragments recovered so far
	Fraction  float64 // Recovered/Fragments, 1 when done
	PartsSeen int     // every string given to Receive
	PartsUsed int     // parts that brought something new
}

// Progress reports how far decoding has got.
func (d *Decoder) Progress() Progress {
	p := Progress{Type: d.typ, Fragments: d.seqLen, Recovered: d.recovered, PartsSeen: d.seen, PartsUsed: d.used}
	switch {
	case d.done && d.err == nil:
		p.Fraction = 1
	case d.seqLen > 0:
		p.Fraction = float64(d.recovered) / float64(d.seqLen)
	}
	return p
}

// Done reports whether decoding has finished: Result then returns the
// message, or the error that ended it.
func (d *Decoder) Done() bool { return d.done }

// Result returns the UR type and CBOR message once Done, checked against the
// message's CRC-32. Before that it returns an error wrapping ErrIncomplete.
func (d *Decoder) Result() (typ string, cbor []byte, err error) {
	switch {
	case !d.done:
		return "", nil, fmt.Errorf("%w: %d of %d fragments recovered; keep scanning", ErrIncomplete, d.recovered, d.seqLen)
	case d.err != nil:
		return "", nil, d.err
	}
	return d.typ, d.result, nil
}

// Receive takes one scanned part: a single-part UR or one part of a
// multipart UR, in upper or lower case. It returns nil if the part is
// valid and of this message (also when it brings nothing new, or decoding
// is already done), and otherwise an error saying what is wrong with it;
// the decoder's state is then unchanged.
func (d *Decoder) Receive(s string) error {
	d.seen++
	p, err := parse(s)
	if err != nil {
		return err
	}
	if d.expect != "" && p.typ != d.expect {
		return fmt.Errorf("%w: %s is not of the expected type ur:%s; scan the right QR code", ErrWrongType, p.name(), d.expect)
	}
	if d.typ != "" && p.typ != d.typ {
		return fmt.Errorf("%w: %s is of type ur:%s, not ur:%s; keep scanning the QR code you started with, or Reset to start over",
			ErrOtherMessage, p.name(), p.typ, d.typ)
	}
	if d.started || d.done {
		if p.messageLen != d.msgLen || p.checksum != d.sum {
			return fmt.Errorf("%w: %s is of a %d-byte message with checksum %08x, not the %d-byte one with checksum %08x being decoded; keep scanning the QR code you started with, or Reset to start over",
				ErrOtherMessage, p.name(), p.messageLen, p.checksum, d.msgLen, d.sum)
		}
		if d.started && !p.single && (p.seqLen != d.seqLen || len(p.data) != d.fragLen) {
			return fmt.Errorf("%w: %s splits this message into %d fragments of %d bytes, not the %d of %d being decoded (it was encoded anew); keep scanning the QR code you started with, or Reset to start over",
				ErrOtherMessage, p.name(), p.seqLen, len(p.data), d.seqLen, d.fragLen)
		}
	}
	if d.done {
		return nil
	}
	if p.single {
		// A single-part UR is the whole message; once parts are in, it
		// passed the check above, so it is the same message.
		d.typ, d.result, d.done = p.typ, p.data, true
		d.msgLen, d.sum = p.messageLen, p.checksum
		d.used++
		return nil
	}
	if !d.started {
		d.start(p)
	}
	idx := d.chooser.choose(p.seqNum)
	if len(idx) == 1 {
		i := idx[0]
		if d.frags[i] != nil {
			if !bytes.Equal(d.frags[i], p.data) {
				return fmt.Errorf("%w: %s carries fragment %d, which differs from the one already recovered; one of them is corrupt: keep scanning, and Reset if decoding then fails",
					ErrConflict, p.name(), i+1)
			}
			return nil
		}
		d.typ = p.typ
		d.used++
		d.queue = append(d.queue, simplePart{i, p.data})
		d.process()
		return nil
	}
	if _, dup := d.bySeq[p.seqNum]; dup {
		return nil
	}
	// Take out the fragments already known, on a copy: a contradiction must not touch the state.
	data := append([]byte(nil), p.data...)
	m := &mixedPart{seqNum: p.seqNum, data: data}
	var unknown []int
	for _, i := range idx {
		if f := d.frags[i]; f != nil {
			subtle.XORBytes(data, data, f)
		} else {
			unknown = append(unknown, i)
			m.unknown++
			m.xorIdx ^= i
		}
	}
	switch {
	case m.unknown == 0:
		for _, c := range data {
			if c != 0 {
				return fmt.Errorf("%w: %s mixes fragments already recovered but does not match them; one of them is corrupt: keep scanning, and Reset if decoding then fails",
					ErrConflict, p.name())
			}
		}
		return nil
	case m.unknown == 1:
		d.typ = p.typ
		d.used++
		d.queue = append(d.queue, simplePart{m.xorIdx, data})
		d.process()
		return nil
	}
	d.typ = p.typ
	if len(d.mixed) >= 4*d.seqLen+64 || d.entries+len(unknown) > maxMixedEntries {
		// Enough unresolved parts are held to finish; keep memory bounded.
		return nil
	}
	d.entries += len(unknown)
	d.used++
	id := d.nextID
	d.nextID++
	d.mixed[id] = m
	d.bySeq[p.seqNum] = id
	for _, i := range unknown {
		d.byFrag[i] = append(d.byFrag[i], id)
	}
	return nil
}

func (d *Decoder) start(p *parsed) {
	d.started = true
	d.typ = p.typ
	d.seqLen, d.msgLen, d.fragLen, d.sum = p.seqLen, p.messageLen, len(p.data), p.checksum
	d.chooser = fragmentChooser{seqLen: p.seqLen, checksum: p.checksum}
	d.frags = make([][]byte, p.seqLen)
	d.mixed = map[int]*mixedPart{}
	d.byFrag = map[int][]int{}
	d.bySeq = map[uint32]int{}
}

// process peels: each newly recovered fragment is XORed out of the mixed
// parts holding it, and a mixed part left with one fragment yields it.
func (d *Decoder) process() {
	for len(d.queue) > 0 && !d.done {
		s := d.queue[0]
		d.queue = d.queue[1:]
		if d.frags[s.index] != nil {
			continue // recovered meanwhile by another path
		}
		d.frags[s.index] = s.data
		d.recovered++
		if d.recovered == d.seqLen {
			d.finish()
			return
		}
		for _, id := range d.byFrag[s.index] {
			m := d.mixed[id]
			if m == nil {
				continue
			}
			subtle.XORBytes(m.data, m.data, s.data)
			m.unknown--
			m.xorIdx ^= s.index
			d.entries--
			if m.unknown == 1 {
				d.entries--
				delete(d.mixed, id)
				delete(d.bySeq, m.seqNum)
				d.queue = append(d.queue, simplePart{m.xorIdx, m.data})
			}
		}
		delete(d.byFrag, s.index)
	}
}

func (d *Decoder) finish() {
	msg := make([]byte, 0, d.seqLen*d.fragLen)
	for _, f := range d.frags {
		msg = append(msg, f...)
	}
	msg = msg[:d.msgLen]
	d.done = true
	d.queue, d.mixed, d.byFrag, d.bySeq = nil, nil, nil, nil
	if crc32.ChecksumIEEE(msg) != d.sum {
		d.err = fmt.Errorf("%w: all %d fragments of the ur:%s message were recovered but do not match its checksum %08x: a part was corrupt; Reset and scan again",
			ErrChecksum, d.seqLen, d.typ, d.sum)
		d.frags = nil
		return
	}
	d.result = msg
	d.frags = nil
}
