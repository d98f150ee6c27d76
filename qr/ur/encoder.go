package ur

import (
	"crypto/subtle"
	"fmt"
	"hash/crc32"
	"strings"

	"github.com/coldtss/coldtss/qr/bytewords"
)

// Encoder produces the parts of a UR for an animated QR code.
type Encoder struct {
	typ       string
	message   []byte
	checksum  uint32
	fragLen   int
	fragments [][]byte
	chooser   fragmentChooser
	seqNum    uint32 // of the last part produced
}

// NewEncoder splits the CBOR message cbor of UR type typ into fragments of
// at most maxFragmentLen bytes (of equal length, as few as possible; the
// reference encoders' rule). If the whole message fits in one fragment,
// every part is the single-part UR. It panics if typ is not a valid type,
// cbor is empty or longer than MaxMessageLen, or maxFragmentLen < 1.
func NewEncoder(typ string, cbor []byte, maxFragmentLen int) *Encoder {
	mustType(typ)
	mustMessage(cbor)
	if maxFragmentLen < 1 {
		panic(fmt.Sprintf("ur: maxFragmentLen must be at least 1, not %d", maxFragmentLen))
	}
	// Stay within MaxSeqLen fragments, which decoders enforce.
	maxFragmentLen = max(maxFragmentLen, (len(cbor)+MaxSeqLen-1)/MaxSeqLen)
	msg := append([]byte(nil), cbor...)
	e := &Encoder{typ: typ, message: msg, checksum: crc32.ChecksumIEEE(msg)}
	e.fragLen = nominalFragmentLen(len(msg), minFragmentLen, maxFragmentLen)
	e.fragments = partition(msg, e.fragLen)
	e.chooser = fragmentChooser{seqLen: len(e.fragments), checksum: e.checksum}
	return e
}

// SeqLen is the number of fragments: the first SeqLen parts carry one
// fragment each and together are the whole message. It is 1 for a
// single-part UR.
func (e *Encoder) SeqLen() int { return len(e.fragments) }

// NextPart returns the next part, in upper case. Parts 1..SeqLen are the
// fragments in order; later parts mix fragments (fountain code), without end.
// A single-part UR is returned again each time.
func (e *Encoder) NextPart() string { return strings.ToUpper(e.nextPart()) }

func (e *Encoder) nextPart() string {
	if len(e.fragments) == 1 {
		return encodeSingle(e.typ, e.message)
	}
	e.seqNum++
	if e.seqNum == 0 { // after 2^32-1 parts; the reference would send part 0, which decoders refuse
		e.seqNum = 1
	}
	p := e.part(e.seqNum)
	return fmt.Sprintf("ur:%s/%d-%d/%s", e.typ, p.seqNum, p.seqLen, bytewords.Encode(bytewords.Minimal, p.cbor()))
}

// part returns fountain part seqNum.
func (e *Encoder) part(seqNum uint32) part {
	idx := e.chooser.choose(seqNum)
	var data []byte
	if len(idx) == 1 {
		data = e.fragments[idx[0]]
	} else {
		data = make([]byte, e.fragLen)
		for _, i := range idx {
			subtle.XORBytes(data, data, e.fragments[i])
		}
	}
	return part{seqNum: seqNum, seqLen: len(e.fragments), messageLen: len(e.message), checksum: e.checksum, data: data}
}
