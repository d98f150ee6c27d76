package ur

import (
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
)

// xoshiro is Xoshiro256** (Blackman and Vigna), seeded as BCR-2024-001
// specifies: the SHA-256 digest of a seed, read as four big-endian uint64s.
// The fountain encoder and decoder must draw exactly the same numbers, so
// every conversion here follows the reference implementation to the bit.
type xoshiro struct{ s [4]uint64 }

func newXoshiro(seed []byte) *xoshiro {
	d := sha256.Sum256(seed)
	var x xoshiro
	for i := range x.s {
		x.s[i] = binary.BigEndian.Uint64(d[i*8:])
	}
	return &x
}

func (x *xoshiro) next() uint64 {
	s := &x.s
	result := bits.RotateLeft64(s[1]*5, 7) * 9
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = bits.RotateLeft64(s[3], 45)
	return result
}

// twoTo64 is float64(math.MaxUint64) + 1, the divisor of the reference.
const twoTo64 = 18446744073709551616.0

// nextDouble is next() / 2^64 in IEEE-754 doubles. Like the reference it can
// round up to exactly 1.0 (for the top 1024 outputs); callers clamp.
func (x *xoshiro) nextDouble() float64 {
	return float64(x.next()) / twoTo64
}

// nextInt returns a number in [low, high], as uint64(nextDouble()*(high-low+1)) + low.
func (x *xoshiro) nextInt(low, high uint64) uint64 {
	n := high - low + 1
	v := uint64(float64(x.nextDouble() * float64(n)))
	if v >= n { // nextDouble rounded to 1.0: the reference leaves this undefined
		v = n - 1
	}
	return v + low
}

func (x *xoshiro) nextByte() byte { return byte(x.nextInt(0, 255)) }

func (x *xoshiro) nextData(n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = x.nextByte()
	}
	return out
}
