package ur

import (
	"bytes"
	"hash/crc32"
	"strings"
	"testing"
)

// FuzzURDecoder feeds arbitrary lines to a Decoder as parts. It must never
// panic, and a result it returns must be the message the parts describe: of
// the length and CRC-32 they all carry.
func FuzzURDecoder(f *testing.F) {
	msg := cborBytes(makeMessage(100, "Wolf"))
	e := NewEncoder("bytes", msg, 20)
	var parts []string
	for range 12 {
		parts = append(parts, e.nextPart())
	}
	f.Add(strings.Join(parts, "\n"))
	f.Add(strings.Join(parts[3:], "\n"))
	f.Add(Encode("bytes", msg))
	f.Add(parts[0] + "\n" + NewEncoder("bytes", cborBytes(makeMessage(100, "Other")), 20).nextPart())
	f.Add("ur:bytes/0-1/aeadaolazmjendeoti\nur:bytes/aeadaolazmjendeoti")
	f.Fuzz(func(t *testing.T, input string) {
		d := NewDecoder()
		lines := strings.Split(input, "\n")
		if len(lines) > 200 {
			lines = lines[:200]
		}
		for _, s := range lines {
			before := d.Progress()
			err := d.Receive(s)
			after := d.Progress()
			if err != nil && (after.Recovered != before.Recovered || after.PartsUsed != before.PartsUsed || after.Type != before.Type) {
				t.Fatalf("a refused part changed the decoder: %v", err)
			}
			if err != nil && strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error of more than one line: %q", err)
			}
		}
		if !d.Done() {
			if _, _, err := d.Result(); err == nil {
				t.Fatal("a result before Done")
			}
			return
		}
		typ, cbor, err := d.Result()
		if err != nil {
			return
		}
		if !ValidType(typ) || len(cbor) == 0 || len(cbor) != d.msgLen || crc32.ChecksumIEEE(cbor) != d.sum {
			t.Fatalf("result %q of %d bytes does not match its parts (%d bytes, crc %08x)", typ, len(cbor), d.msgLen, d.sum)
		}
		// It survives a round trip through the encoder.
		t2, c2, err := Decode(Encode(typ, cbor))
		if err != nil || t2 != typ || !bytes.Equal(c2, cbor) {
			t.Fatal("result does not round-trip", err)
		}
	})
}
