package bbqr

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

type vectors struct {
	SizeEstimates struct {
		Rows []struct {
			Version, Modules, Chars, HexPayload, Split2, Split5, Split10, Split20 int
		}
	} `json:"size_estimates"`
	Compression struct {
		Rows []struct {
			File          string
			Before, After int
		}
	}
	ExampleHeaders struct {
		Headers   []string
		HexDigits []int
		FileType  string
		Bytes     int
	} `json:"example_headers"`
	RealScan struct {
		File, FileType, Encoding string
		Parts, Length            int
		SHA256                   string
		Contains                 []string
	} `json:"real_scan"`
}

func loadVectors(t *testing.T) *vectors {
	t.Helper()
	b, err := os.ReadFile("../../testdata/bbqr/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return &v
}

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// TestVectorSizeEstimates checks the spec's table: characters per QR
// version, and how many hex bytes 1, 2, 5, 10 and 20 QR codes of a version
// carry: exactly that many fit in that many parts, one more byte does not.
func TestVectorSizeEstimates(t *testing.T) {
	rows := loadVectors(t).SizeEstimates.Rows
	if len(rows) != 20 {
		t.Fatalf("%d rows", len(rows))
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for _, r := range rows {
		if QRChars(r.Version) != r.Chars || 17+4*r.Version != r.Modules {
			t.Errorf("version %d: %d chars, want %d", r.Version, QRChars(r.Version), r.Chars)
		}
		for n, bytesN := range map[int]int{1: r.HexPayload, 2: r.Split2, 5: r.Split5, 10: r.Split10, 20: r.Split20} {
			opts := SplitOptions{Encoding: Hex, MinVersion: r.Version, MaxVersion: r.Version}
			s, err := Split(randBytes(rng, bytesN), PSBT, opts)
			if err != nil || len(s.Parts) != n || s.Version != r.Version {
				t.Errorf("version %d: %d bytes in %d parts, want %d (%v)", r.Version, bytesN, len(s.Parts), n, err)
				continue
			}
			for _, p := range s.Parts {
				if len(p) > r.Chars {
					t.Errorf("version %d: a part of %d characters", r.Version, len(p))
				}
			}
			if s, _ := Split(randBytes(rng, bytesN+1), PSBT, opts); len(s.Parts) != n+1 {
				t.Errorf("version %d: %d bytes in %d parts, want %d", r.Version, bytesN+1, len(s.Parts), n+1)
			}
		}
	}
}

func TestVectorExampleHeaders(t *testing.T) {
	v := loadVectors(t).ExampleHeaders
	data := randBytes(rand.New(rand.NewPCG(2, 2)), v.Bytes)
	text := strings.ToUpper(hex.EncodeToString(data))
	var parts []string
	off := 0
	for i, h := range v.Headers {
		parts = append(parts, h+text[off:off+v.HexDigits[i]])
		off += v.HexDigits[i]
	}
	if off != len(text) {
		t.Fatal("the example does not add up")
	}
	ft, got, err := Join([]string{parts[2], parts[0], parts[1]})
	if err != nil || ft != PSBT || string(rune(ft)) != v.FileType || !bytes.Equal(got, data) {
		t.Fatalf("%c %v", ft, err)
	}
}

func TestVectorRealScan(t *testing.T) {
	v := loadVectors(t).RealScan
	b, err := os.ReadFile("../../testdata/bbqr/" + v.File)
	if err != nil {
		t.Fatal(err)
	}
	d := NewDecoder()
	var raw []byte
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := d.Receive(line); err != nil {
			t.Fatal(err)
		}
	}
	ft, got, err := d.Result()
	if err != nil || string(rune(ft)) != v.FileType || d.Progress().Parts != v.Parts || string(rune(d.Progress().Encoding)) != v.Encoding {
		t.Fatalf("%c %v %+v", ft, err, d.Progress())
	}
	sum := sha256.Sum256(got)
	if len(got) != v.Length || hex.EncodeToString(sum[:]) != v.SHA256 {
		t.Errorf("%d bytes, sha256 %x", len(got), sum)
	}
	for _, s := range v.Contains {
		if !bytes.Contains(got, []byte(s)) {
			t.Errorf("no %q", s)
		}
	}
	// A Coldcard's stream respects the 1 KiB window too (and checks the strict decoder).
	for _, p := range d.body {
		dec, _ := b32.DecodeString(p)
		raw = append(raw, dec...)
	}
	out, maxDist, err := inflateStrict(raw)
	if err != nil || !bytes.Equal(out, got) || maxDist > window {
		t.Errorf("strict inflate of the Coldcard's stream: %v, distance %d", err, maxDist)
	}
}

// TestVectorCompression round-trips the spec's sample files in Z, and
// checks that our compression is within 10% of the reference's zlib.
func TestVectorCompression(t *testing.T) {
	rows := loadVectors(t).Compression.Rows
	n := 0
	for _, r := range rows {
		data, err := os.ReadFile("../../testdata/bbqr/samples/" + r.File)
		if os.IsNotExist(err) {
			continue
		}
		n++
		if err != nil || len(data) != r.Before {
			t.Fatalf("%s: %d bytes, %v", r.File, len(data), err)
		}
		s, err := Split(data, PSBT, SplitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		z := deflate10(data)
		if s.Encoding != Zlib || len(z) > r.After*110/100 {
			t.Errorf("%s: %d -> %d bytes (%s), the reference's zlib makes %d", r.File, len(data), len(z), s.Encoding, r.After)
		}
		t.Logf("%s: %d -> %d bytes, reference %d", r.File, len(data), len(z), r.After)
		ft, got, err := Join(s.Parts)
		if err != nil || ft != PSBT || !bytes.Equal(got, data) {
			t.Fatalf("%s: %v", r.File, err)
		}
	}
	if n < 9 {
		t.Fatalf("only %d sample files", n)
	}
}

func TestSplitJoin(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, size := range []int{1, 10, 100, 2000, 10000, 50000} {
		for _, low := range []bool{false, true} {
			data := randBytes(rng, size)
			if low {
				data = bytes.Repeat([]byte("A"), size)
			}
			for _, enc := range []Encoding{0, Hex, Base32, Zlib} {
				for _, maxV := range []int{11, 29, 40} {
					s, err := Split(data, Transaction, SplitOptions{Encoding: enc, MaxVersion: maxV})
					if err != nil {
						t.Fatal(err)
					}
					want := or(enc, Zlib)
					if s.Encoding != want && !(want == Zlib && s.Encoding == Base32 && (!low || size < 100)) {
						t.Errorf("size %d %s: encoding %s", size, want, s.Encoding)
					}
					for _, p := range s.Parts {
						if len(p) > QRChars(s.Version) || strings.Trim(p, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ$%*+-./:") != "" {
							t.Fatalf("part does not fit a version %d QR code in alphanumeric mode: %.40s", s.Version, p)
						}
					}
					rng.Shuffle(len(s.Parts), func(i, j int) { s.Parts[i], s.Parts[j] = s.Parts[j], s.Parts[i] })
					ft, got, err := Join(s.Parts)
					if err != nil || ft != Transaction || !bytes.Equal(got, data) {
						t.Fatalf("size %d %s v%d: %v", size, enc, maxV, err)
					}
				}
			}
		}
	}
}

func TestSplitOptions(t *testing.T) {
	data := randBytes(rand.New(rand.NewPCG(4, 4)), 10000)
	for i := 2; i < 10; i++ {
		s, err := Split(data, Transaction, SplitOptions{Encoding: Base32, MinSplit: i})
		if err != nil || len(s.Parts) < i {
			t.Fatalf("min split %d: %d parts, %v", i, len(s.Parts), err)
		}
	}
	for _, o := range []SplitOptions{
		{Encoding: 'Q'},
		{MinVersion: 30, MaxVersion: 20},
		{MaxVersion: 41},
		{MaxSplit: 1296},
		{MinSplit: 5, MaxSplit: 4},
		{MaxSplit: 1, MaxVersion: 10}, // does not fit
	} {
		if _, err := Split(data, Transaction, o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
	if _, err := Split(nil, Transaction, SplitOptions{}); err == nil {
		t.Error("empty data split")
	}
	if _, err := Split(data, 'p', SplitOptions{}); err == nil {
		t.Error("file type p accepted")
	}
	// A single part is its whole file.
	s, _ := Split([]byte("hello"), Text, SplitOptions{Encoding: Hex})
	if len(s.Parts) != 1 || s.Parts[0] != "B$HU0100"+"68656C6C6F" {
		t.Errorf("%v", s.Parts)
	}
}

func oneLine(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || len(msg) < 20 {
		t.Errorf("error is not one helpful line: %q", msg)
	}
}

func TestBadParts(t *testing.T) {
	cases := map[string]error{
		"":                        ErrNotBBQr,
		"hello":                   ErrNotBBQr,
		"ur:bytes/aeadaolazmjend": ErrNotBBQr,
		"B$":                      ErrMalformed,
		"B$HP0100":                ErrMalformed, // no data
		"B$QP0100AB":              ErrMalformed, // encoding
		"B$H10100AB":              ErrMalformed, // file type
		"B$HP0000AB":              ErrMalformed, // zero parts
		"B$HP0101AB":              ErrMalformed, // index out of range
		"B$HP0!00AB":              ErrMalformed,
		"B$HP0100ABC":             ErrMalformed, // odd hex
		"B$HP0100XY":              ErrMalformed,
		"B$2P0100A":               ErrMalformed, // not whole bytes
		"B$2P0100ABC":             ErrMalformed,
		"B$2P0100AB1":             ErrMalformed, // not base32
		"B$ZP0100" + strings.Repeat("A", maxPartLen): ErrMalformed,
	}
	for s, want := range cases {
		d := NewDecoder()
		err := d.Receive(s)
		if !errors.Is(err, want) {
			t.Errorf("%q: %v, want %v", s, err, want)
			continue
		}
		oneLine(t, err)
		if p := d.Progress(); p.Parts != 0 || p.PartsUsed != 0 || p.PartsSeen != 1 {
			t.Errorf("%q changed the decoder: %+v", s, p)
		}
	}
}

func TestMixedFiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	a, _ := Split(randBytes(rng, 3000), PSBT, SplitOptions{Encoding: Hex, MaxVersion: 20})
	b, _ := Split(randBytes(rng, 3000), PSBT, SplitOptions{Encoding: Hex, MaxVersion: 20})    // same header
	c, _ := Split(randBytes(rng, 3000), PSBT, SplitOptions{Encoding: Base32, MaxVersion: 20}) // other encoding
	e, _ := Split(randBytes(rng, 3000), Transaction, SplitOptions{Encoding: Hex, MaxVersion: 20})
	f, _ := Split(randBytes(rng, 2990), PSBT, SplitOptions{Encoding: Hex, MaxVersion: 20})
	if a.Parts[0][:6] != b.Parts[0][:6] || a.Parts[0][:6] != f.Parts[0][:6] {
		t.Fatal("test files do not share a header")
	}
	d := NewDecoder()
	if err := d.Receive(a.Parts[0]); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{c.Parts[1], e.Parts[1]} {
		err := d.Receive(s)
		if !errors.Is(err, ErrOtherFile) || !strings.HasPrefix(err.Error(), "part of another file: ") {
			t.Fatalf("%v", err)
		}
		oneLine(t, err)
	}
	// Same header, same index, other content.
	if err := d.Receive(b.Parts[0]); !errors.Is(err, ErrConflict) {
		t.Fatal(err)
	}
	// Same header, a last part longer than the others could be.
	last := f.Parts[len(f.Parts)-1]
	long := last[:8] + strings.Repeat("AB", len(a.Parts[0])/2)
	if err := d.Receive(long); !errors.Is(err, ErrOtherFile) {
		t.Fatal(err)
	}
	if p := d.Progress(); p.Received != 1 || p.PartsUsed != 1 {
		t.Fatalf("%+v", p)
	}
	for _, s := range a.Parts {
		if err := d.Receive(s); err != nil {
			t.Fatal(err)
		}
	}
	if _, got, err := d.Result(); err != nil || got == nil {
		t.Fatal(err)
	}
	if err := d.Receive(a.Parts[1]); err != nil {
		t.Error("a repeat after done:", err)
	}
	if err := d.Receive(c.Parts[0]); !errors.Is(err, ErrOtherFile) {
		t.Error(err)
	}
	// A non-last part shorter than a last part seen first.
	d = NewDecoder()
	if err := d.Receive(a.Parts[len(a.Parts)-1]); err != nil {
		t.Fatal(err)
	}
	short := a.Parts[0][:8] + "AB"
	if err := d.Receive(short); !errors.Is(err, ErrOtherFile) {
		t.Fatal(err)
	}
}

func TestCorruptZlib(t *testing.T) {
	// Whole parts whose data does not inflate: done, with a clear error.
	d := NewDecoder()
	if err := d.Receive("B$ZU0100" + b32.EncodeToString([]byte{0xff, 0xff, 0xff, 0xff, 0xff})); err != nil {
		t.Fatal(err)
	}
	_, _, err := d.Result()
	if !d.Done() || !errors.Is(err, ErrCorrupt) {
		t.Fatal(err)
	}
	oneLine(t, err)
	// A bomb: more than MaxFileLen zeros compress into a few parts (any
	// window decodes, so plain compress/flate makes it).
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(make([]byte, MaxFileLen+1))
	w.Close()
	z := buf.Bytes()
	parts := []string{}
	text := b32.EncodeToString(z)
	for off := 0; off < len(text); off += 4000 {
		parts = append(parts, text[off:min(off+4000, len(text))])
	}
	if len(parts) > MaxParts {
		t.Skip("bomb too big for a series")
	}
	d = NewDecoder()
	for i, p := range parts {
		if err := d.Receive(fmt.Sprintf("B$ZB%s%s%s", base36(len(parts)), base36(i), p)); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := d.Result(); !errors.Is(err, ErrTooLarge) {
		t.Fatal(err)
	}
}

func TestProgressAndCase(t *testing.T) {
	data := randBytes(rand.New(rand.NewPCG(6, 6)), 5000)
	s, _ := Split(data, PSBT, SplitOptions{Encoding: Base32, MaxVersion: 15})
	d := NewDecoder()
	if _, _, err := d.Result(); !errors.Is(err, ErrIncomplete) {
		t.Fatal(err)
	}
	_ = d.Receive("junk")
	_ = d.Receive(strings.ToLower(s.Parts[1]) + "\n")
	_ = d.Receive(s.Parts[1])
	p := d.Progress()
	want := Progress{FileType: PSBT, Encoding: Base32, Parts: len(s.Parts), Received: 1, Fraction: 1 / float64(len(s.Parts)), PartsSeen: 3, PartsUsed: 1}
	if p != want {
		t.Fatalf("%+v, want %+v", p, want)
	}
	for _, part := range s.Parts {
		_ = d.Receive(part)
	}
	if !d.Done() || d.Progress().Fraction != 1 {
		t.Fatal("not done")
	}
	d.Reset()
	if d.Progress() != (Progress{}) {
		t.Fatal("Reset")
	}
}

func TestNames(t *testing.T) {
	if Zlib.String() != "zlib" || PSBT.String() != "PSBT" || FileType('Q').String() == "" || Encoding('Q').String() == "" {
		t.Error("names")
	}
	for n := 0; n <= MaxParts; n++ {
		if v, ok := parseBase36(base36(n)); !ok || v != n || len(base36(n)) != 2 {
			t.Fatalf("base36 %d", n)
		}
	}
	if QRChars(0) != 0 || QRChars(41) != 0 {
		t.Error("QRChars out of range")
	}
}
