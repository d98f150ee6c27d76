package ur

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/coldtss/coldtss/qr/bytewords"
)

// rawPart writes p as a part string, whatever its numbers say.
func rawPart(typ string, p part) string {
	return fmt.Sprintf("ur:%s/%d-%d/%s", typ, p.seqNum, p.seqLen, bytewords.Encode(bytewords.Minimal, p.cbor()))
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

func TestRoundTripSizes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 9, 10, 11, 100, 1000, 4096, 50000} {
		for _, maxFrag := range []int{1, 10, 30, 200, 1000} {
			if n/maxFrag > 1000 {
				continue // thousands of fragments: slow, and covered by the interop test
			}
			msg := make([]byte, n)
			for i := range msg {
				msg[i] = byte(rng.Uint32())
			}
			e := NewEncoder("coldtss-test", msg, maxFrag)
			d := NewDecoder(ExpectType("coldtss-test"))
			// Drop a third of the parts at random: fountain parts make up for them.
			for sent := 0; !d.Done(); sent++ {
				if sent > 20*e.SeqLen()+20 {
					t.Fatalf("n=%d max=%d: not done after %d parts: %+v", n, maxFrag, sent, d.Progress())
				}
				s := e.NextPart()
				if s != strings.ToUpper(s) {
					t.Fatal("part not upper case")
				}
				if e.SeqLen() > 1 && rng.IntN(3) == 0 {
					continue
				}
				if rng.IntN(2) == 0 {
					s = strings.ToLower(s)
				}
				if err := d.Receive(s); err != nil {
					t.Fatalf("n=%d max=%d: %v", n, maxFrag, err)
				}
			}
			typ, got, err := d.Result()
			if err != nil || typ != "coldtss-test" || !bytes.Equal(got, msg) {
				t.Fatalf("n=%d max=%d: %s %v", n, maxFrag, typ, err)
			}
			if p := d.Progress(); p.Fraction != 1 || p.Type != typ || p.PartsUsed > p.PartsSeen {
				t.Errorf("progress when done: %+v", p)
			}
		}
	}
}

func TestSinglePartEncoder(t *testing.T) {
	e := NewEncoder("bytes", []byte{0x41, 0x61}, 100)
	if e.SeqLen() != 1 {
		t.Fatalf("SeqLen %d", e.SeqLen())
	}
	a, b := e.NextPart(), e.NextPart()
	if a != b || a != Encode("bytes", []byte{0x41, 0x61}) || strings.Contains(a, "-") {
		t.Errorf("single part %q %q", a, b)
	}
}

func TestEncoderBoundsSeqLen(t *testing.T) {
	e := NewEncoder("bytes", make([]byte, MaxSeqLen*3), 1)
	if e.SeqLen() > MaxSeqLen {
		t.Errorf("SeqLen %d > %d", e.SeqLen(), MaxSeqLen)
	}
	d := NewDecoder()
	if err := d.Receive(e.NextPart()); err != nil {
		t.Error(err)
	}
}

func TestEncodePanics(t *testing.T) {
	for name, f := range map[string]func(){
		"bad type":     func() { Encode("By tes", []byte{1}) },
		"empty":        func() { Encode("bytes", nil) },
		"too large":    func() { NewEncoder("bytes", make([]byte, MaxMessageLen+1), 100) },
		"max frag 0":   func() { NewEncoder("bytes", []byte{1}, 0) },
		"expect badly": func() { ExpectType("UR:x") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestGarbage(t *testing.T) {
	good := NewEncoder("bytes", cborBytes(makeMessage(256, "Wolf")), 30).nextPart()
	cases := map[string]error{
		"":                                    ErrNotUR,
		"hello":                               ErrNotUR,
		"B$HP0100AB":                          ErrNotUR,
		"ur:":                                 ErrMalformed,
		"ur:bytes":                            ErrMalformed,
		"ur:bytes/":                           ErrMalformed,
		"ur:by_tes/aeadaolazmjendeoti":        ErrMalformed,
		"ur:bytes/aeadaolazmjendeo":           ErrMalformed, // checksum
		"ur:bytes/aeadaolazmjendeot":          ErrMalformed, // odd
		"ur:bytes/aeadaolazmjendeoxx":         ErrMalformed, // not a word
		"ur:bytes/1-9/x/y":                    ErrMalformed,
		"ur:bytes/1/" + good[13:]:             ErrMalformed,
		"ur:bytes/a-9/" + good[13:]:           ErrMalformed,
		"ur:bytes/-1-9/" + good[13:]:          ErrMalformed,
		"ur:bytes/1-9-/" + good[13:]:          ErrMalformed,
		"ur:bytes/2-9/" + good[13:]:           ErrMalformed, // header says 2, body says 1
		"ur:bytes/1-8/" + good[13:]:           ErrMalformed,
		"ur:bytes/0-9/" + good[13:]:           ErrMalformed,
		"ur:bytes/1-0/" + good[13:]:           ErrMalformed,
		"ur:bytes/99999999999-9/" + good[13:]: ErrMalformed,
		good[:len(good)-2]:                    ErrMalformed, // truncated by one word
		good[:len(good)/2]:                    ErrMalformed, // truncated in half
		good[:len(good)/2+1]:                  ErrMalformed, // odd length
		good + "ae":                           ErrMalformed,
	}
	for s, want := range cases {
		d := NewDecoder()
		err := d.Receive(s)
		if !errors.Is(err, want) {
			t.Errorf("%q: %v, want %v", s, err, want)
			continue
		}
		oneLine(t, err)
		if p := d.Progress(); p.PartsSeen != 1 || p.PartsUsed != 0 || p.Type != "" || d.Done() {
			t.Errorf("%q changed the decoder: %+v", s, p)
		}
		if _, _, err := Decode(s); err == nil {
			t.Errorf("Decode(%q) passed", s)
		}
	}
	// A good part still decodes after all that garbage.
	d := NewDecoder()
	for s := range cases {
		_ = d.Receive(s)
	}
	if err := d.Receive(good); err != nil || d.Progress().Recovered != 1 {
		t.Fatal(err, d.Progress())
	}
}

func TestBadChecksumPart(t *testing.T) {
	good := NewEncoder("bytes", cborBytes(makeMessage(256, "Wolf")), 30).nextPart()
	// Change one byteword of the body for another valid one: only the CRC catches it.
	i := strings.LastIndex(good, "/") + 21
	w := good[i : i+2]
	repl := "ae"
	if w == repl {
		repl = "ad"
	}
	bad := good[:i] + repl + good[i+2:]
	err := NewDecoder().Receive(bad)
	if !errors.Is(err, ErrMalformed) || !errors.Is(err, bytewords.ErrChecksum) {
		t.Fatalf("%v", err)
	}
	oneLine(t, err)
}

func TestDecodeMultipartIsIncomplete(t *testing.T) {
	s := NewEncoder("bytes", make([]byte, 100), 30).NextPart()
	if _, _, err := Decode(s); !errors.Is(err, ErrIncomplete) {
		t.Fatal(err)
	}
	if _, _, err := NewDecoder().Result(); !errors.Is(err, ErrIncomplete) {
		t.Fatal(err)
	}
}

func TestTwoMessagesMixed(t *testing.T) {
	a := NewEncoder("bytes", cborBytes(makeMessage(300, "A")), 40)
	b := NewEncoder("bytes", cborBytes(makeMessage(300, "B")), 40) // same lengths, other checksum
	c := NewEncoder("bytes", cborBytes(makeMessage(300, "A")), 20) // same message, split anew
	o := NewEncoder("crypto-psbt", cborBytes(makeMessage(300, "A")), 40)
	single := Encode("bytes", cborBytes(makeMessage(30, "C")))
	d := NewDecoder()
	if err := d.Receive(a.NextPart()); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{b.NextPart(), b.NextPart(), c.NextPart(), o.NextPart(), single} {
		before := d.Progress()
		err := d.Receive(s)
		if !errors.Is(err, ErrOtherMessage) || !strings.HasPrefix(err.Error(), "part of another message: ") {
			t.Fatalf("%s: %v", s, err)
		}
		oneLine(t, err)
		after := d.Progress()
		if after.Recovered != before.Recovered || after.PartsUsed != before.PartsUsed {
			t.Fatal("a foreign part changed the decoder")
		}
	}
	for !d.Done() {
		if err := d.Receive(a.NextPart()); err != nil {
			t.Fatal(err)
		}
		_ = d.Receive(b.NextPart())
	}
	if _, got, err := d.Result(); err != nil || !bytes.Equal(got, cborBytes(makeMessage(300, "A"))) {
		t.Fatal("wrong result", err)
	}
	// After done: the same message is welcome, another is not.
	if err := d.Receive(a.NextPart()); err != nil {
		t.Error(err)
	}
	if err := d.Receive(b.NextPart()); !errors.Is(err, ErrOtherMessage) {
		t.Error(err)
	}
}

func TestSingleAmongParts(t *testing.T) {
	msg := cborBytes(makeMessage(300, "A"))
	e := NewEncoder("bytes", msg, 40)
	d := NewDecoder()
	if err := d.Receive(e.NextPart()); err != nil {
		t.Fatal(err)
	}
	// The whole message as a single part finishes it.
	if err := d.Receive(Encode("bytes", msg)); err != nil || !d.Done() {
		t.Fatal(err)
	}
	if _, got, err := d.Result(); err != nil || !bytes.Equal(got, msg) {
		t.Fatal(err)
	}
	// Single first, then a part of the same message: fine; of another: refused.
	d = NewDecoder()
	if err := d.Receive(Encode("bytes", msg)); err != nil {
		t.Fatal(err)
	}
	if err := d.Receive(e.NextPart()); err != nil {
		t.Error(err)
	}
	if err := d.Receive(Encode("bytes", []byte{1})); !errors.Is(err, ErrOtherMessage) {
		t.Error(err)
	}
}

func TestExpectType(t *testing.T) {
	d := NewDecoder(ExpectType("crypto-psbt"))
	for _, s := range []string{Encode("bytes", []byte{1}), NewEncoder("crypto-psbtx", make([]byte, 100), 20).NextPart()} {
		err := d.Receive(s)
		if !errors.Is(err, ErrWrongType) {
			t.Fatalf("%v", err)
		}
		oneLine(t, err)
	}
	if err := d.Receive(Encode("crypto-psbt", []byte{1})); err != nil || !d.Done() {
		t.Fatal(err)
	}
	d.Reset()
	if d.Done() || d.Progress().PartsSeen != 0 {
		t.Fatal("Reset did not reset")
	}
	if err := d.Receive(Encode("bytes", []byte{1})); !errors.Is(err, ErrWrongType) {
		t.Fatal("Reset lost the expected type")
	}
}

func TestAbsurdNumbers(t *testing.T) {
	data := make([]byte, 10)
	cases := []struct {
		p    part
		want error
	}{
		{part{seqNum: 1, seqLen: 1 << 20, messageLen: 10 << 20, checksum: 1, data: data}, ErrTooLarge},
		{part{seqNum: 1, seqLen: 3, messageLen: MaxMessageLen + 1, checksum: 1, data: make([]byte, MaxMessageLen/2+1)}, ErrTooLarge},
		{part{seqNum: 1, seqLen: 1 << 40, messageLen: 1 << 40, checksum: 1, data: data}, ErrMalformed},
		{part{seqNum: 1, seqLen: 1000000, messageLen: 100, checksum: 1, data: data}, ErrMalformed},
		{part{seqNum: 1, seqLen: 2, messageLen: 100, checksum: 1, data: data}, ErrMalformed},
		{part{seqNum: 1, seqLen: 2, messageLen: 0, checksum: 1, data: data}, ErrMalformed},
		{part{seqNum: 1, seqLen: 2, messageLen: 20, checksum: 1, data: nil}, ErrMalformed},
		{part{seqNum: 0, seqLen: 10, messageLen: 100, checksum: 1, data: data}, ErrMalformed},
	}
	for _, c := range cases {
		s := rawPart("bytes", c.p)
		if len(s) > 200 {
			s = s[:200] // the big ones: only their header matters; truncated, they fail anyway
		}
		d := NewDecoder()
		err := d.Receive(rawPart("bytes", c.p))
		if !errors.Is(err, c.want) {
			t.Errorf("%+v: %v, want %v", c.p.seqLen, err, c.want)
			continue
		}
		oneLine(t, err)
		if d.Progress().Fragments != 0 {
			t.Error("an absurd part set the message's numbers")
		}
	}
	// Huge numbers that do not fit CBOR's ranges for the fields.
	b := appendHead(nil, 4, 5)
	b = appendHead(b, 0, 1<<40)
	b = appendHead(b, 0, 1)
	b = appendHead(b, 0, 1)
	b = appendHead(b, 0, 1)
	b = appendHead(b, 2, 1)
	b = append(b, 0)
	if err := NewDecoder().Receive("ur:bytes/1-1/" + bytewords.Encode(bytewords.Minimal, b)); !errors.Is(err, ErrMalformed) {
		t.Error(err)
	}
	// Not the CBOR shape: a map, an indefinite array, trailing bytes.
	for _, h := range []string{"a0", "9f01010101410aff", "850101010141aa00", "8401010141aa", "8501010101", "85010101014a"} {
		b, _ := hexDecode(h)
		err := NewDecoder().Receive("ur:bytes/1-1/" + bytewords.Encode(bytewords.Minimal, b))
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", h, err)
		}
	}
}

func hexDecode(s string) ([]byte, error) {
	var b []byte
	_, err := fmt.Sscanf(s, "%x", &b)
	return b, err
}

func TestConflictingParts(t *testing.T) {
	msg := cborBytes(makeMessage(256, "Wolf"))
	e := NewEncoder("bytes", msg, 30)
	p1 := e.part(1)
	forged := p1
	forged.data = bytes.Clone(p1.data)
	forged.data[0] ^= 1
	d := NewDecoder()
	if err := d.Receive(rawPart("bytes", p1)); err != nil {
		t.Fatal(err)
	}
	err := d.Receive(rawPart("bytes", forged))
	if !errors.Is(err, ErrConflict) {
		t.Fatal(err)
	}
	oneLine(t, err)
	// A fountain part mixing only known fragments that does not match them.
	for n := uint32(10); n < 100; n++ {
		idx := e.chooser.choose(n)
		if len(idx) < 2 {
			continue
		}
		dd := NewDecoder()
		for _, i := range idx {
			if err := dd.Receive(rawPart("bytes", e.part(uint32(i+1)))); err != nil {
				t.Fatal(err)
			}
		}
		p := e.part(n)
		if err := dd.Receive(rawPart("bytes", p)); err != nil {
			t.Fatal("a matching fountain part refused:", err)
		}
		p.data = bytes.Clone(p.data)
		p.data[3] ^= 0x80
		before := dd.Progress()
		err := dd.Receive(rawPart("bytes", p))
		if !errors.Is(err, ErrConflict) {
			t.Fatal(err)
		}
		oneLine(t, err)
		if after := dd.Progress(); after.Recovered != before.Recovered || after.PartsUsed != before.PartsUsed {
			t.Fatal("a contradicting part changed the decoder")
		}
		break
	}
	// The decoder goes on and decodes the real message.
	for !d.Done() {
		if err := d.Receive(e.NextPart()); err != nil && !errors.Is(err, ErrConflict) {
			t.Fatal(err)
		}
	}
	if _, got, err := d.Result(); err != nil || !bytes.Equal(got, msg) {
		t.Fatal(err)
	}
}

func TestMixedConflict(t *testing.T) {
	msg := cborBytes(makeMessage(256, "Wolf"))
	e := NewEncoder("bytes", msg, 30)
	d := NewDecoder()
	for i := uint32(1); i <= 9; i++ {
		if i == 5 {
			continue
		}
		if err := d.Receive(rawPart("bytes", e.part(i))); err != nil {
			t.Fatal(err)
		}
	}
	// Find a fountain part not mixing fragment 4 (index of part 5).
	for n := uint32(10); ; n++ {
		idx := e.chooser.choose(n)
		has4 := false
		for _, i := range idx {
			has4 = has4 || i == 4
		}
		if has4 || len(idx) < 2 {
			continue
		}
		p := e.part(n)
		p.data = bytes.Clone(p.data)
		p.data[0] ^= 0xff
		before := d.Progress()
		err := d.Receive(rawPart("bytes", p))
		if !errors.Is(err, ErrConflict) {
			t.Fatalf("part %d: %v", n, err)
		}
		oneLine(t, err)
		if d.Progress().Recovered != before.Recovered {
			t.Fatal("state changed")
		}
		break
	}
	if err := d.Receive(rawPart("bytes", e.part(5))); err != nil || !d.Done() {
		t.Fatal(err)
	}
	if _, got, err := d.Result(); err != nil || !bytes.Equal(got, msg) {
		t.Fatal(err)
	}
}

func TestWrongMessageChecksum(t *testing.T) {
	msg := cborBytes(makeMessage(100, "Wolf"))
	frags := partition(msg, 20)
	d := NewDecoder()
	for i, f := range frags {
		p := part{seqNum: uint32(i + 1), seqLen: len(frags), messageLen: len(msg), checksum: crc32.ChecksumIEEE(msg) + 1, data: f}
		if err := d.Receive(rawPart("bytes", p)); err != nil {
			t.Fatal(err)
		}
	}
	if !d.Done() {
		t.Fatal("not done")
	}
	_, got, err := d.Result()
	if !errors.Is(err, ErrChecksum) || got != nil {
		t.Fatal(err)
	}
	oneLine(t, err)
	if _, _, err := d.Result(); !errors.Is(err, ErrChecksum) {
		t.Error("the failure is not kept")
	}
}

func TestProgress(t *testing.T) {
	e := NewEncoder("bytes", cborBytes(makeMessage(256, "Wolf")), 30)
	d := NewDecoder()
	if p := d.Progress(); p != (Progress{}) {
		t.Fatalf("%+v", p)
	}
	_ = d.Receive("garbage")
	s1 := e.NextPart()
	_ = d.Receive(s1)
	_ = d.Receive(s1) // duplicate
	p := d.Progress()
	want := Progress{Type: "bytes", Fragments: 9, Recovered: 1, Fraction: 1.0 / 9, PartsSeen: 3, PartsUsed: 1}
	if p != want {
		t.Fatalf("%+v, want %+v", p, want)
	}
}

// TestMixedBudget: high-degree fountain parts of a message of many
// fragments are held only up to the budget, and the accounting returns to
// zero as they resolve.
func TestMixedBudget(t *testing.T) {
	msg := cborBytes(makeMessage(20000, "Wolf"))
	e := NewEncoder("bytes", msg, 10) // about 2000 fragments
	e.seqNum = uint32(e.SeqLen())     // fountain parts only
	d := NewDecoder()
	for !d.Done() {
		if err := d.Receive(e.NextPart()); err != nil {
			t.Fatal(err)
		}
		sum := 0
		for _, m := range d.mixed {
			sum += m.unknown
		}
		if sum != d.entries || d.entries > maxMixedEntries || len(d.mixed) > 4*d.seqLen+64 {
			t.Fatalf("entries %d, counted %d, %d mixed parts", d.entries, sum, len(d.mixed))
		}
	}
	if _, got, err := d.Result(); err != nil || !bytes.Equal(got, msg) {
		t.Fatal(err)
	}
}
