package bbqr

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// inflateStrict is an independent RFC 1951 decoder (after Mark Adler's
// puff) that also reports the longest back-reference distance, which for
// BBQr must not exceed the 1 KiB window a hardware wallet allocates.
func inflateStrict(in []byte) (out []byte, maxDist int, err error) {
	r := &bitReader{in: in}
	defer func() {
		if e := recover(); e != nil {
			err = fmt.Errorf("bad deflate stream: %v", e)
		}
	}()
	for {
		final := r.bits(1)
		switch r.bits(2) {
		case 0:
			if r.bit != 0 { // to a byte boundary
				r.bit, r.pos = 0, r.pos+1
			}
			n := int(r.in[r.pos]) | int(r.in[r.pos+1])<<8
			if nn := int(r.in[r.pos+2]) | int(r.in[r.pos+3])<<8; n != ^nn&0xffff {
				return nil, 0, errors.New("stored block length check")
			}
			r.pos += 4
			out = append(out, r.in[r.pos:r.pos+n]...)
			r.pos += n
		case 1:
			var l [288]int
			for i := range l {
				switch {
				case i < 144:
					l[i] = 8
				case i < 256:
					l[i] = 9
				case i < 280:
					l[i] = 7
				default:
					l[i] = 8
				}
			}
			var dl [30]int
			for i := range dl {
				dl[i] = 5
			}
			if out, maxDist, err = r.codes(out, maxDist, newHuff(l[:]), newHuff(dl[:])); err != nil {
				return nil, 0, err
			}
		case 2:
			nlen, ndist, ncode := r.bits(5)+257, r.bits(5)+1, r.bits(4)+4
			order := [19]int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
			var cl [19]int
			for i := 0; i < ncode; i++ {
				cl[order[i]] = r.bits(3)
			}
			h := newHuff(cl[:])
			lens := make([]int, 0, nlen+ndist)
			for len(lens) < nlen+ndist {
				sym := r.decode(h)
				switch {
				case sym < 16:
					lens = append(lens, sym)
				case sym == 16:
					if len(lens) == 0 {
						return nil, 0, errors.New("repeat with no length")
					}
					for n := 3 + r.bits(2); n > 0; n-- {
						lens = append(lens, lens[len(lens)-1])
					}
				default:
					n := 0
					if sym == 17 {
						n = 3 + r.bits(3)
					} else {
						n = 11 + r.bits(7)
					}
					for ; n > 0; n-- {
						lens = append(lens, 0)
					}
				}
			}
			if out, maxDist, err = r.codes(out, maxDist, newHuff(lens[:nlen]), newHuff(lens[nlen:nlen+ndist])); err != nil {
				return nil, 0, err
			}
		default:
			return nil, 0, errors.New("block type 3")
		}
		if final == 1 {
			return out, maxDist, nil
		}
	}
}

type bitReader struct {
	in       []byte
	pos, bit int
}

func (r *bitReader) bits(n int) int {
	v := 0
	for i := 0; i < n; i++ {
		v |= int(r.in[r.pos]>>r.bit&1) << i
		if r.bit++; r.bit == 8 {
			r.bit, r.pos = 0, r.pos+1
		}
	}
	return v
}

type huff struct {
	count  [16]int
	symbol []int
}

func newHuff(lengths []int) *huff {
	h := &huff{symbol: make([]int, 0, len(lengths))}
	for _, l := range lengths {
		h.count[l]++
	}
	h.count[0] = 0
	for l := 1; l < 16; l++ {
		for s, sl := range lengths {
			if sl == l {
				h.symbol = append(h.symbol, s)
			}
		}
	}
	return h
}

func (r *bitReader) decode(h *huff) int {
	code, first, index := 0, 0, 0
	for l := 1; l < 16; l++ {
		code |= r.bits(1)
		count := h.count[l]
		if code-count < first {
			return h.symbol[index+(code-first)]
		}
		index += count
		first = (first + count) << 1
		code <<= 1
	}
	panic("bad code")
}

var (
	lenBase  = [29]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lenExtra = [29]int{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase = [30]int{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
)

func (r *bitReader) codes(out []byte, maxDist int, lit, dist *huff) ([]byte, int, error) {
	for {
		sym := r.decode(lit)
		switch {
		case sym < 256:
			out = append(out, byte(sym))
		case sym == 256:
			return out, maxDist, nil
		default:
			sym -= 257
			if sym >= 29 {
				return nil, 0, errors.New("bad length symbol")
			}
			n := lenBase[sym] + r.bits(lenExtra[sym])
			ds := r.decode(dist)
			if ds >= 30 {
				return nil, 0, errors.New("bad distance symbol")
			}
			d := distBase[ds] + r.bits(max(0, ds/2-1))
			if d > len(out) {
				return nil, 0, errors.New("distance before the start")
			}
			maxDist = max(maxDist, d)
			for ; n > 0; n-- {
				out = append(out, out[len(out)-d])
			}
		}
	}
}

// testInputs are data that tempt a compressor into long back-references.
func testInputs(t *testing.T) map[string][]byte {
	rng := rand.New(rand.NewPCG(7, 8))
	in := map[string][]byte{}
	block := make([]byte, 1500)
	for i := range block {
		block[i] = byte(rng.Uint32())
	}
	in["1500-byte block repeated"] = bytes.Repeat(block, 12)
	in["1024-byte block repeated"] = bytes.Repeat(block[:1024], 12)
	in["1025-byte block repeated"] = bytes.Repeat(block[:1025], 12)
	in["one byte"] = []byte{42}
	in["zeros"] = make([]byte, 70000)
	text := make([]byte, 0, 50000)
	for len(text) < 50000 {
		text = append(text, []string{"alpha ", "beta ", "gamma ", "delta\n", "psbt "}[rng.IntN(5)]...)
	}
	in["words"] = text
	files, _ := filepath.Glob("../../testdata/bbqr/samples/*.*")
	for _, f := range files {
		if filepath.Ext(f) == ".md" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		in[filepath.Base(f)] = b
	}
	return in
}

func TestDeflateWindow(t *testing.T) {
	for name, data := range testInputs(t) {
		z := deflate10(data)
		out, maxDist, err := inflateStrict(z)
		if err != nil || !bytes.Equal(out, data) {
			t.Fatalf("%s: strict inflate: %v", name, err)
		}
		if maxDist > window {
			t.Errorf("%s: a back-reference reaches %d bytes back, beyond the %d-byte window", name, maxDist, window)
		}
		if got, err := inflate(z, len(data)); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%s: compress/flate inflate: %v", name, err)
		}
	}
	// The checker itself: plain compress/flate does reach further back.
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(testInputs(t)["1500-byte block repeated"])
	w.Close()
	if _, maxDist, err := inflateStrict(buf.Bytes()); err != nil || maxDist <= window {
		t.Fatalf("the distance check sees nothing: %d, %v", maxDist, err)
	}
}

func TestInflateLimit(t *testing.T) {
	z := deflate10(make([]byte, 5000))
	if _, err := inflate(z, 4999); !errors.Is(err, errTooBig) {
		t.Fatal(err)
	}
	if _, err := inflate([]byte{0xff, 0xff, 0xff}, 100); err == nil {
		t.Fatal("garbage inflated")
	}
}
