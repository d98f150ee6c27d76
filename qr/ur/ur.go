// Package ur implements Uniform Resources (Blockchain Commons BCR-2020-005):
// a CBOR message as "ur:type/bytewords" text, in one part or, for messages
// too long for one QR code, in many parts "ur:type/seqNum-seqLen/bytewords"
// with the multipart fountain code of BCR-2024-001.
//
// The first seqLen parts of a multipart UR each carry one fragment of the
// message; every part after them XORs a pseudo-random set of fragments, so a
// receiver that missed some parts of an animated QR code still converges
// without waiting for the same frames to come round again.
//
// Encoding produces upper case, which QR codes store in their compact
// alphanumeric mode; decoding ignores case.
package ur

import (
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"

	"github.com/coldtss/coldtss/qr/bytewords"
)

const (
	// MaxMessageLen bounds the CBOR message a Decoder accepts (and an
	// Encoder makes), so that a part claiming a huge message cannot make a
	// decoder allocate without bound.
	MaxMessageLen = 16 << 20

	// MaxSeqLen bounds the number of fragments of one message. An Encoder
	// lengthens its fragments if it must to stay within it.
	MaxSeqLen = 1 << 17

	// minFragmentLen is the reference encoders' default shortest fragment.
	minFragmentLen = 10
)

// Errors, for errors.Is. Each error returned wraps one of them and says
// what is wrong with the part and what to do.
var (
	ErrNotUR        = errors.New("not a UR")
	ErrMalformed    = errors.New("malformed UR")
	ErrTooLarge     = errors.New("UR too large")
	ErrOtherMessage = errors.New("part of another message")
	ErrWrongType    = errors.New("wrong UR type")
	ErrConflict     = errors.New("UR part contradicts the parts already received")
	ErrIncomplete   = errors.New("UR not complete")
	ErrChecksum     = errors.New("UR message checksum does not match")
)

// ValidType reports whether typ is a UR type: one or more of a-z, 0-9 and
// "-". (BCR-2020-005 ignores case; this package writes types in lower case.)
func ValidType(typ string) bool {
	if typ == "" {
		return false
	}
	for i := 0; i < len(typ); i++ {
		c := typ[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func mustType(typ string) {
	if !ValidType(typ) {
		panic(fmt.Sprintf("ur: %q is not a UR type (one or more of a-z, 0-9 and -)", typ))
	}
}

func mustMessage(cbor []byte) {
	if len(cbor) == 0 || len(cbor) > MaxMessageLen {
		panic(fmt.Sprintf("ur: a UR message must be 1 to %d bytes of CBOR, not %d", MaxMessageLen, len(cbor)))
	}
}

// Encode returns the single-part UR "UR:TYPE/BYTEWORDS" of cbor, in upper
// case. It panics if typ is not a valid type or cbor is empty or longer
// than MaxMessageLen.
func Encode(typ string, cbor []byte) string {
	return strings.ToUpper(encodeSingle(typ, cbor))
}

func encodeSingle(typ string, cbor []byte) string {
	mustType(typ)
	mustMessage(cbor)
	return "ur:" + typ + "/" + bytewords.Encode(bytewords.Minimal, cbor)
}

// Decode decodes a single-part UR and returns its type and CBOR message.
// For a part of a multipart UR it returns an error: use a Decoder.
func Decode(s string) (typ string, cbor []byte, err error) {
	p, err := parse(s)
	if err != nil {
		return "", nil, err
	}
	if !p.single {
		return "", nil, fmt.Errorf("%w: ur:%s/%d-%d is one part of a multipart UR; feed all the parts to a ur.Decoder",
			ErrIncomplete, p.typ, p.seqNum, p.seqLen)
	}
	return p.typ, p.data, nil
}

// parsed is a syntactically valid UR: a whole message, or one fountain part
// whose numbers are consistent with each other.
type parsed struct {
	typ    string
	single bool
	part
}

func (p *parsed) name() string {
	if p.single {
		return "ur:" + p.typ
	}
	return fmt.Sprintf("ur:%s/%d-%d", p.typ, p.seqNum, p.seqLen)
}

// parse checks everything that can be checked of one UR string alone.
func parse(s string) (*parsed, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if !strings.HasPrefix(s, "ur:") {
		return nil, fmt.Errorf("%w: %s does not begin with \"ur:\"; scan a UR QR code", ErrNotUR, quoteShort(s))
	}
	comps := strings.Split(s[3:], "/")
	typ := comps[0]
	if !ValidType(typ) {
		return nil, fmt.Errorf("%w: type %s must be one or more of a-z, 0-9 and -; scan the QR code again", ErrMalformed, quoteShort(typ))
	}
	if len(s) > 2*(MaxMessageLen+64) {
		return nil, fmt.Errorf("%w: a UR of %d characters is longer than any this decoder accepts (%d-byte messages)", ErrTooLarge, len(s), MaxMessageLen)
	}
	switch len(comps) {
	case 2:
		if comps[1] == "" {
			return nil, fmt.Errorf("%w: ur:%s/ has no body; scan the QR code again", ErrMalformed, typ)
		}
		cbor, err := bytewords.Decode(bytewords.Minimal, comps[1])
		if err != nil {
			return nil, fmt.Errorf("%w: the body of ur:%s is damaged: %w; scan the QR code again", ErrMalformed, typ, err)
		}
		if len(cbor) > MaxMessageLen {
			return nil, fmt.Errorf("%w: ur:%s holds %d bytes, more than the %d this decoder accepts", ErrTooLarge, typ, len(cbor), MaxMessageLen)
		}
		return &parsed{typ: typ, single: true, part: part{messageLen: len(cbor), checksum: crc32.ChecksumIEEE(cbor), data: cbor}}, nil
	case 3:
	case 1:
		return nil, fmt.Errorf("%w: ur:%s has no body; it must be ur:type/body or ur:type/seqNum-seqLen/body; scan the QR code again", ErrMalformed, typ)
	default:
		return nil, fmt.Errorf("%w: ur:%s has %d path components, at most 3 (type/seqNum-seqLen/body); scan the QR code again", ErrMalformed, typ, len(comps))
	}
	seqNum, seqLen, ok := parseSeq(comps[1])
	if !ok {
		return nil, fmt.Errorf("%w: ur:%s sequence %s is not seqNum-seqLen, two numbers from 1 up; scan the QR code again", ErrMalformed, typ, quoteShort(comps[1]))
	}
	seq := fmt.Sprintf("ur:%s/%d-%d", typ, seqNum, seqLen)
	if seqNum == 0 || seqLen == 0 {
		return nil, fmt.Errorf("%w: %s: sequence numbers and lengths start at 1, not 0; the part is malformed, scan another", ErrMalformed, seq)
	}
	body, err := bytewords.Decode(bytewords.Minimal, comps[2])
	if err != nil {
		return nil, fmt.Errorf("%w: the body of %s is damaged: %w; scan the QR code again", ErrMalformed, seq, err)
	}
	pt, err := parsePartCBOR(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v; the part is malformed, scan another", ErrMalformed, seq, err)
	}
	if uint64(pt.seqNum) != seqNum || uint64(pt.seqLen) != seqLen {
		return nil, fmt.Errorf("%w: %s says it is part %d-%d inside; the part is malformed, scan another", ErrMalformed, seq, pt.seqNum, pt.seqLen)
	}
	if pt.seqNum == 0 {
		return nil, fmt.Errorf("%w: %s: sequence numbers start at 1, not 0; the part is malformed, scan another", ErrMalformed, seq)
	}
	switch fragLen := len(pt.data); {
	case pt.messageLen == 0 || fragLen == 0:
		return nil, fmt.Errorf("%w: %s claims an empty message or fragment; the part is malformed, scan another", ErrMalformed, seq)
	case pt.messageLen > MaxMessageLen:
		return nil, fmt.Errorf("%w: %s is part of a %d-byte message, more than the %d this decoder accepts", ErrTooLarge, seq, pt.messageLen, MaxMessageLen)
	case pt.seqLen != (pt.messageLen+fragLen-1)/fragLen:
		return nil, fmt.Errorf("%w: %s: %d fragments of %d bytes cannot hold exactly a %d-byte message; the part is malformed, scan another",
			ErrMalformed, seq, pt.seqLen, fragLen, pt.messageLen)
	case pt.seqLen > MaxSeqLen:
		return nil, fmt.Errorf("%w: %s is part of a message in %d fragments, more than the %d this decoder accepts", ErrTooLarge, seq, pt.seqLen, MaxSeqLen)
	}
	return &parsed{typ: typ, part: pt}, nil
}

// parseSeq parses "seqNum-seqLen": decimal numbers of at most 10 digits.
func parseSeq(s string) (num, n uint64, ok bool) {
	a, b, found := strings.Cut(s, "-")
	if !found {
		return 0, 0, false
	}
	num, ok1 := parseDecimal(a)
	n, ok2 := parseDecimal(b)
	return num, n, ok1 && ok2
}

func parseDecimal(s string) (uint64, bool) {
	if s == "" || len(s) > 10 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(s, 10, 64)
	return v, err == nil
}

// quoteShort quotes s for an error message, cut to a readable length.
func quoteShort(s string) string {
	if len(s) > 40 {
		return strconv.Quote(s[:37]) + "..."
	}
	return strconv.Quote(s)
}

// PartInfo is what one scanned UR says about the message it belongs to,
// read without a decoder: enough to route the part to the decoder of its
// message when several messages are shown on one screen.
type PartInfo struct {
	Type       string
	Single     bool // a whole message in one part
	SeqNum     int
	SeqLen     int
	MessageLen int
	Checksum   uint32
}

// MessageID names the message a part belongs to: two parts with the same
// MessageID are of the same message (type, length and CRC-32 agree).
func (i PartInfo) MessageID() string {
	return fmt.Sprintf("%s/%d/%d/%08x", i.Type, i.SeqLen, i.MessageLen, i.Checksum)
}

// Inspect checks one UR string as parse does and says which message it is
// part of.
func Inspect(s string) (PartInfo, error) {
	p, err := parse(s)
	if err != nil {
		return PartInfo{}, err
	}
	seqLen := p.seqLen
	if p.single {
		seqLen = 1
	}
	return PartInfo{Type: p.typ, Single: p.single, SeqNum: int(p.seqNum), SeqLen: seqLen, MessageLen: p.messageLen, Checksum: p.checksum}, nil
}
