package ur

import (
	"errors"
	"fmt"
)

// part is one fountain-coded part of BCR-2024-001: the CBOR array
// [seqNum, seqLen, messageLen, checksum, data].
type part struct {
	seqNum     uint32
	seqLen     int
	messageLen int
	checksum   uint32
	data       []byte
}

func appendHead(b []byte, major byte, v uint64) []byte {
	m := major << 5
	switch {
	case v < 24:
		return append(b, m|byte(v))
	case v <= 0xff:
		return append(b, m|24, byte(v))
	case v <= 0xffff:
		return append(b, m|25, byte(v>>8), byte(v))
	case v <= 0xffffffff:
		return append(b, m|26, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	default:
		return append(b, m|27, byte(v>>56), byte(v>>48), byte(v>>40), byte(v>>32),
			byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	}
}

func (p part) cbor() []byte {
	b := make([]byte, 0, len(p.data)+24)
	b = appendHead(b, 4, 5)
	b = appendHead(b, 0, uint64(p.seqNum))
	b = appendHead(b, 0, uint64(p.seqLen))
	b = appendHead(b, 0, uint64(p.messageLen))
	b = appendHead(b, 0, uint64(p.checksum))
	b = appendHead(b, 2, uint64(len(p.data)))
	return append(b, p.data...)
}

var errPartCBOR = errors.New("its body is not the CBOR array [seqNum, seqLen, messageLen, checksum, fragment]")

// readHead reads one CBOR data item head with a definite argument.
func readHead(b []byte) (major byte, v uint64, rest []byte, err error) {
	if len(b) == 0 {
		return 0, 0, nil, errPartCBOR
	}
	major, info := b[0]>>5, b[0]&31
	b = b[1:]
	var n int
	switch {
	case info < 24:
		return major, uint64(info), b, nil
	case info == 24:
		n = 1
	case info == 25:
		n = 2
	case info == 26:
		n = 4
	case info == 27:
		n = 8
	default: // reserved, or indefinite length
		return 0, 0, nil, errPartCBOR
	}
	if len(b) < n {
		return 0, 0, nil, errPartCBOR
	}
	for _, c := range b[:n] {
		v = v<<8 | uint64(c)
	}
	return major, v, b[n:], nil
}

// parsePartCBOR decodes a part body. It checks the CBOR shape and the
// ranges of the numbers, not whether they agree with each other.
func parsePartCBOR(b []byte) (part, error) {
	major, n, b, err := readHead(b)
	if err != nil || major != 4 || n != 5 {
		return part{}, errPartCBOR
	}
	var nums [4]uint64
	for i := range nums {
		if major, nums[i], b, err = readHead(b); err != nil || major != 0 {
			return part{}, errPartCBOR
		}
	}
	major, n, b, err = readHead(b)
	if err != nil || major != 2 || n != uint64(len(b)) {
		return part{}, fmt.Errorf("%w (or it has bytes after it)", errPartCBOR)
	}
	if nums[0] > 0xffffffff || nums[3] > 0xffffffff {
		return part{}, errors.New("its seqNum or checksum does not fit in 32 bits")
	}
	if nums[1] > 1<<32 || nums[2] > 1<<32 {
		return part{}, fmt.Errorf("it claims a message of %d parts and %d bytes, far beyond any UR", nums[1], nums[2])
	}
	return part{seqNum: uint32(nums[0]), seqLen: int(nums[1]), messageLen: int(nums[2]), checksum: uint32(nums[3]), data: b}, nil
}
