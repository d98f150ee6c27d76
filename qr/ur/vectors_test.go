package ur

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/coldtss/coldtss/qr/bytewords"
)

// vectors is testdata/ur/vectors.json: the published test vectors of the
// reference implementations (provenance inside the file).
type vectors struct {
	CRC32 []struct {
		Input, Hex string
	} `json:"crc32"`
	CRC32Hex []struct {
		Data, CRC string
	} `json:"crc32_hex"`
	Bytewords []struct {
		Bytes, Standard, URI, Minimal string
	} `json:"bytewords"`
	BytewordsBad []struct {
		Style, Text string
	} `json:"bytewords_bad"`
	RNG []struct {
		Seed, Output string
		Expected     []uint64
	} `json:"rng"`
	RandomSampler struct {
		Probs            []float64
		Expected, Totals []int
	} `json:"random_sampler"`
	ShuffleRepeated struct {
		Values   []int
		Expected [][]int
	} `json:"shuffle_repeated"`
	ShufflePrefix struct {
		Values   []int
		Expected [][]int
	} `json:"shuffle_prefix"`
	FindFragmentLength []struct {
		MessageLen, Min, Max, Expected int
	} `json:"find_fragment_length"`
	Partition struct {
		Min, Max int
		Expected []string
	} `json:"partition"`
	DegreeNonce struct {
		SeqLen   int
		Expected []int
	} `json:"degree_nonce"`
	DegreeOneRNG struct {
		SeqLen           int
		Expected, Totals []int
	} `json:"degree_one_rng"`
	ChooseFragments struct {
		Min, Max int
		Expected [][]int
	} `json:"choose_fragments"`
	XOR struct {
		Data1, Data2, XOR string
	} `json:"xor"`
	FountainEncoder struct {
		MaxFragmentLen int
		Expected       []string
		ExpectedCBOR   []string `json:"expected_cbor"`
	} `json:"fountain_encoder"`
	PartCBOR struct {
		SeqNum, SeqLen, MessageLen int
		Checksum                   uint32
		Data, CBOR                 string
	} `json:"part_cbor"`
	SinglePartUR struct {
		Type, Expected string
	} `json:"single_part_ur"`
	UREncoder struct {
		Type           string
		MaxFragmentLen int
		Expected       []string
	} `json:"ur_encoder"`
	DecoderRoundtrip struct {
		MaxFragmentLen int
		FirstSeqNum    uint32
	} `json:"decoder_roundtrip"`
	Examples struct {
		SeedCBOR      string `json:"seed_cbor"`
		SeedUR        string `json:"seed_ur"`
		SingleExample string `json:"single_example"`
		MultiExample  string `json:"multi_example"`
	} `json:"bcr_2020_005_examples"`
}

func loadVectors(t *testing.T) *vectors {
	t.Helper()
	b, err := os.ReadFile("../../testdata/ur/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return &v
}

// makeMessage is the reference tests' message: len bytes from Xoshiro256** seeded with seed.
func makeMessage(n int, seed string) []byte { return newXoshiro([]byte(seed)).nextData(n) }

// cborBytes wraps b as a CBOR byte string, the reference tests' "bytes" UR message.
func cborBytes(b []byte) []byte { return append(appendHead(nil, 2, uint64(len(b))), b...) }

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVectorCRC32(t *testing.T) {
	v := loadVectors(t)
	for _, c := range v.CRC32 {
		var got [4]byte
		binary.BigEndian.PutUint32(got[:], crc32.ChecksumIEEE([]byte(c.Input)))
		if hex.EncodeToString(got[:]) != c.Hex {
			t.Errorf("crc32(%q) = %x, want %s", c.Input, got, c.Hex)
		}
	}
	for _, c := range v.CRC32Hex {
		if got := fmt.Sprintf("%08x", crc32.ChecksumIEEE(unhex(t, c.Data))); got != c.CRC {
			t.Errorf("crc32 = %s, want %s", got, c.CRC)
		}
		// That data is makeMessage(1024, "Wolf") of the partition test.
		if !bytes.Equal(unhex(t, c.Data), makeMessage(1024, "Wolf")) {
			t.Error("makeMessage(1024) differs from the published message")
		}
	}
}

func TestVectorBytewords(t *testing.T) {
	v := loadVectors(t)
	if len(v.Bytewords) != 2 || len(v.BytewordsBad) != 5 {
		t.Fatal("vectors missing")
	}
	for _, c := range v.Bytewords {
		in := unhex(t, c.Bytes)
		want := map[bytewords.Style]string{bytewords.Standard: c.Standard, bytewords.Minimal: c.Minimal}
		if c.URI != "" {
			want[bytewords.URI] = c.URI
		}
		for style, w := range want {
			if got := bytewords.Encode(style, in); got != w {
				t.Errorf("style %d: %q, want %q", style, got, w)
			}
			if got, err := bytewords.Decode(style, w); err != nil || !bytes.Equal(got, in) {
				t.Errorf("style %d: decode %q: %x, %v", style, w, got, err)
			}
		}
	}
	styles := map[string]bytewords.Style{"standard": bytewords.Standard, "uri": bytewords.URI, "minimal": bytewords.Minimal}
	for _, c := range v.BytewordsBad {
		if _, err := bytewords.Decode(styles[c.Style], c.Text); err == nil {
			t.Errorf("%q decoded", c.Text)
		}
	}
}

func TestVectorXoshiro(t *testing.T) {
	v := loadVectors(t)
	if len(v.RNG) != 3 {
		t.Fatal("vectors missing")
	}
	for _, c := range v.RNG {
		var rng *xoshiro
		switch c.Seed {
		case "Wolf":
			rng = newXoshiro([]byte("Wolf"))
		default: // crc32("Wolf") serialized big-endian
			var seed [4]byte
			binary.BigEndian.PutUint32(seed[:], crc32.ChecksumIEEE([]byte("Wolf")))
			rng = newXoshiro(seed[:])
		}
		got := make([]uint64, len(c.Expected))
		for i := range got {
			if strings.HasPrefix(c.Output, "nextInt") {
				got[i] = rng.nextInt(1, 10)
			} else {
				got[i] = rng.next() % 100
			}
		}
		if !slices.Equal(got, c.Expected) {
			t.Errorf("seed %s, %s:\n got %v\nwant %v", c.Seed, c.Output, got, c.Expected)
		}
	}
}

func TestVectorRandomSampler(t *testing.T) {
	v := loadVectors(t).RandomSampler
	s := newAliasSampler(v.Probs)
	rng := newXoshiro([]byte("Wolf"))
	got := make([]int, len(v.Expected))
	totals := make([]int, len(v.Probs))
	for i := range got {
		got[i] = s.next(rng.nextDouble)
		totals[got[i]]++
	}
	if len(got) != 500 || !slices.Equal(got, v.Expected) {
		t.Errorf("samples:\n got %v\nwant %v", got, v.Expected)
	}
	if !slices.Equal(totals, v.Totals) {
		t.Errorf("totals %v, want %v", totals, v.Totals)
	}
}

func TestVectorShuffle(t *testing.T) {
	v := loadVectors(t)
	values := v.ShuffleRepeated.Values
	pick := func(idx []int) []int {
		out := make([]int, len(idx))
		for i, j := range idx {
			out[i] = values[j]
		}
		return out
	}
	// One generator, ten whole shuffles (bc-ur C++).
	rng := newXoshiro([]byte("Wolf"))
	for i, want := range v.ShuffleRepeated.Expected {
		if got := pick(shuffledPrefix(len(values), len(values), rng, nil)); !slices.Equal(got, want) {
			t.Errorf("shuffle %d: %v, want %v", i, got, want)
		}
	}
	// A fresh generator, the first count items (BCR-2024-001).
	for i, want := range v.ShufflePrefix.Expected {
		if got := pick(shuffledPrefix(len(values), i+1, newXoshiro([]byte("Wolf")), nil)); !slices.Equal(got, want) {
			t.Errorf("count %d: %v, want %v", i+1, got, want)
		}
	}
	if len(v.ShuffleRepeated.Expected) != 10 || len(v.ShufflePrefix.Expected) != 10 {
		t.Fatal("vectors missing")
	}
}

// TestShuffleLarge checks the Fenwick-tree path of shuffledPrefix against the
// plain list removal the reference does, for counts above 64.
func TestShuffleLarge(t *testing.T) {
	for _, n := range []int{65, 100, 1000} {
		for _, count := range []int{1, 64, 65, n / 2, n} {
			if count > n {
				continue
			}
			seed := []byte("Wolf-" + strconv.Itoa(n) + "-" + strconv.Itoa(count))
			tree := fullTree(n)
			got := shuffledPrefix(n, count, newXoshiro(seed), tree)
			if !slices.Equal(tree, fullTree(n)) {
				t.Fatal("the tree was not put back")
			}
			rng := newXoshiro(seed)
			remaining := make([]int, n)
			for i := range remaining {
				remaining[i] = i
			}
			var want []int
			for len(want) < count {
				j := rng.nextInt(0, uint64(len(remaining)-1))
				want = append(want, remaining[j])
				remaining = slices.Delete(remaining, int(j), int(j)+1)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d count=%d: differs from list removal", n, count)
			}
		}
	}
}

func TestVectorFragmentLength(t *testing.T) {
	v := loadVectors(t)
	for _, c := range v.FindFragmentLength {
		if got := nominalFragmentLen(c.MessageLen, c.Min, c.Max); got != c.Expected {
			t.Errorf("nominalFragmentLen(%d, %d, %d) = %d, want %d", c.MessageLen, c.Min, c.Max, got, c.Expected)
		}
	}
	msg := makeMessage(1024, "Wolf")
	frags := partition(msg, nominalFragmentLen(len(msg), v.Partition.Min, v.Partition.Max))
	if len(frags) != len(v.Partition.Expected) || len(frags) != 11 {
		t.Fatalf("%d fragments, want %d", len(frags), len(v.Partition.Expected))
	}
	var joined []byte
	for i, f := range frags {
		if hex.EncodeToString(f) != v.Partition.Expected[i] {
			t.Errorf("fragment %d: %x, want %s", i, f, v.Partition.Expected[i])
		}
		joined = append(joined, f...)
	}
	if !bytes.Equal(joined[:len(msg)], msg) {
		t.Error("fragments do not join back into the message")
	}
}

func TestVectorDegrees(t *testing.T) {
	v := loadVectors(t)
	s := newDegreeSampler(v.DegreeNonce.SeqLen)
	var got []int
	for nonce := 1; nonce <= len(v.DegreeNonce.Expected); nonce++ {
		rng := newXoshiro([]byte("Wolf-" + strconv.Itoa(nonce)))
		got = append(got, s.next(rng.nextDouble)+1)
	}
	if len(got) != 200 || !slices.Equal(got, v.DegreeNonce.Expected) {
		t.Errorf("degrees by nonce:\n got %v\nwant %v", got, v.DegreeNonce.Expected)
	}

	s = newDegreeSampler(v.DegreeOneRNG.SeqLen)
	rng := newXoshiro([]byte("Wolf"))
	got = got[:0]
	totals := make([]int, v.DegreeOneRNG.SeqLen)
	for range v.DegreeOneRNG.Expected {
		d := s.next(rng.nextDouble) + 1
		got = append(got, d)
		totals[d-1]++
	}
	if len(got) != 1000 || !slices.Equal(got, v.DegreeOneRNG.Expected) {
		t.Errorf("degrees from one generator differ")
	}
	if !slices.Equal(totals, v.DegreeOneRNG.Totals) {
		t.Errorf("degree totals %v, want %v", totals, v.DegreeOneRNG.Totals)
	}
}

func TestVectorChooseFragments(t *testing.T) {
	v := loadVectors(t).ChooseFragments
	msg := makeMessage(1024, "Wolf")
	frags := partition(msg, nominalFragmentLen(len(msg), v.Min, v.Max))
	c := fragmentChooser{seqLen: len(frags), checksum: crc32.ChecksumIEEE(msg)}
	for i, want := range v.Expected {
		got := slices.Sorted(slices.Values(c.choose(uint32(i + 1))))
		if !slices.Equal(got, want) {
			t.Errorf("seqNum %d: %v, want %v", i+1, got, want)
		}
	}
	if len(v.Expected) != 50 {
		t.Fatal("vectors missing")
	}
}

func TestVectorXOR(t *testing.T) {
	v := loadVectors(t).XOR
	rng := newXoshiro([]byte("Wolf"))
	d1, d2 := rng.nextData(10), rng.nextData(10)
	if hex.EncodeToString(d1) != v.Data1 || hex.EncodeToString(d2) != v.Data2 {
		t.Fatalf("data %x %x", d1, d2)
	}
	x := make([]byte, 10)
	for i := range x {
		x[i] = d1[i] ^ d2[i]
	}
	if hex.EncodeToString(x) != v.XOR {
		t.Errorf("xor %x, want %s", x, v.XOR)
	}
}

func TestVectorFountainEncoder(t *testing.T) {
	v := loadVectors(t).FountainEncoder
	e := NewEncoder("bytes", makeMessage(256, "Wolf"), v.MaxFragmentLen)
	if len(v.Expected) != 20 || len(v.ExpectedCBOR) != 20 {
		t.Fatal("vectors missing")
	}
	for i := range v.Expected {
		p := e.part(uint32(i + 1))
		desc := fmt.Sprintf("seqNum:%d, seqLen:%d, messageLen:%d, checksum:%d, data:%x", p.seqNum, p.seqLen, p.messageLen, p.checksum, p.data)
		if desc != v.Expected[i] {
			t.Errorf("part %d:\n got %s\nwant %s", i+1, desc, v.Expected[i])
		}
		if got := hex.EncodeToString(p.cbor()); got != v.ExpectedCBOR[i] {
			t.Errorf("part %d cbor:\n got %s\nwant %s", i+1, got, v.ExpectedCBOR[i])
		}
		back, err := parsePartCBOR(p.cbor())
		if err != nil || back.seqNum != p.seqNum || !bytes.Equal(back.data, p.data) {
			t.Errorf("part %d: cbor does not parse back: %v", i+1, err)
		}
	}
	if e.SeqLen() != 9 {
		t.Errorf("SeqLen %d, want 9", e.SeqLen())
	}
}

func TestVectorPartCBOR(t *testing.T) {
	v := loadVectors(t).PartCBOR
	p := part{seqNum: uint32(v.SeqNum), seqLen: v.SeqLen, messageLen: v.MessageLen, checksum: v.Checksum, data: unhex(t, v.Data)}
	if got := hex.EncodeToString(p.cbor()); got != v.CBOR {
		t.Errorf("cbor %s, want %s", got, v.CBOR)
	}
	back, err := parsePartCBOR(unhex(t, v.CBOR))
	if err != nil || back.seqNum != p.seqNum || back.seqLen != p.seqLen || back.messageLen != p.messageLen || back.checksum != p.checksum || !bytes.Equal(back.data, p.data) {
		t.Errorf("parse: %+v, %v", back, err)
	}
}

func TestVectorSinglePartUR(t *testing.T) {
	v := loadVectors(t).SinglePartUR
	msg := cborBytes(makeMessage(50, "Wolf"))
	if got := encodeSingle(v.Type, msg); got != v.Expected {
		t.Errorf("got  %s\nwant %s", got, v.Expected)
	}
	if got := Encode(v.Type, msg); got != strings.ToUpper(v.Expected) {
		t.Errorf("Encode is not the upper-case vector: %s", got)
	}
	for _, s := range []string{v.Expected, strings.ToUpper(v.Expected)} {
		typ, cbor, err := Decode(s)
		if err != nil || typ != v.Type || !bytes.Equal(cbor, msg) {
			t.Errorf("Decode(%s) = %s %x %v", s, typ, cbor, err)
		}
	}
}

func TestVectorUREncoder(t *testing.T) {
	v := loadVectors(t).UREncoder
	msg := cborBytes(makeMessage(256, "Wolf"))
	e := NewEncoder(v.Type, msg, v.MaxFragmentLen)
	e2 := NewEncoder(v.Type, msg, v.MaxFragmentLen)
	for i, want := range v.Expected {
		if got := e.nextPart(); got != want {
			t.Errorf("part %d:\n got %s\nwant %s", i+1, got, want)
		}
		if got := e2.NextPart(); got != strings.ToUpper(want) {
			t.Errorf("NextPart %d is not the upper-case vector: %s", i+1, got)
		}
	}
	if len(v.Expected) != 20 {
		t.Fatal("vectors missing")
	}
	// The published parts decode, in any order, also with pure parts 1, 3
	// and 8 missing: fountain parts 10-20 make up for them.
	without := slices.Concat(v.Expected[1:2], v.Expected[3:7], v.Expected[8:])
	for _, order := range [][]string{v.Expected, reversed(v.Expected), without, reversed(without)} {
		d := NewDecoder()
		for _, s := range order {
			if err := d.Receive(s); err != nil {
				t.Fatal(err)
			}
			if d.Done() {
				break
			}
		}
		typ, cbor, err := d.Result()
		if err != nil || typ != "bytes" || !bytes.Equal(cbor, msg) {
			t.Errorf("decode: %s %v", typ, err)
		}
	}
}

func reversed(s []string) []string {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

func TestVectorDecoderRoundtrip(t *testing.T) {
	v := loadVectors(t).DecoderRoundtrip
	msg := cborBytes(makeMessage(32767, "Wolf"))
	e := NewEncoder("bytes", msg, v.MaxFragmentLen)
	e.seqNum = v.FirstSeqNum // fountain parts only
	d := NewDecoder()
	for n := 0; !d.Done(); n++ {
		if n > 10*e.SeqLen() {
			t.Fatalf("not done after %d parts: %+v", n, d.Progress())
		}
		if err := d.Receive(e.NextPart()); err != nil {
			t.Fatal(err)
		}
	}
	typ, cbor, err := d.Result()
	if err != nil || typ != "bytes" || !bytes.Equal(cbor, msg) {
		t.Fatalf("%s %v", typ, err)
	}
	t.Logf("%d fragments from %d fountain parts: %+v", e.SeqLen(), d.Progress().PartsSeen, d.Progress())
}

func TestVectorSpecExamples(t *testing.T) {
	v := loadVectors(t).Examples
	if got := encodeSingle("seed", unhex(t, v.SeedCBOR)); got != v.SeedUR {
		t.Errorf("seed: %s, want %s", got, v.SeedUR)
	}
	if _, _, err := Decode(v.SingleExample); err != nil {
		t.Errorf("the spec's single-part example: %v", err)
	}
	p, err := parse(v.MultiExample)
	if err != nil {
		t.Fatalf("the spec's multipart example: %v", err)
	}
	if p.seqNum != 1 || p.seqLen != 3 {
		t.Errorf("the spec's multipart example is %d-%d", p.seqNum, p.seqLen)
	}
}
