package bbqr

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzBBQr feeds arbitrary lines to a Decoder as parts (it must never
// panic, and a refused part must leave it as it was), and splits the input
// itself as a file, which must join back to the same bytes.
func FuzzBBQr(f *testing.F) {
	s, _ := Split([]byte(strings.Repeat("coldtss bbqr ", 200)), Text, SplitOptions{MaxVersion: 10})
	f.Add(strings.Join(s.Parts, "\n"))
	s, _ = Split([]byte("psbt\xff\x01\x02"), PSBT, SplitOptions{Encoding: Hex})
	f.Add(strings.Join(s.Parts, "\n"))
	f.Add("B$2P0200AAAAAAAA\nB$2P0201AA\nB$2P0201AB")
	f.Add("B$ZU0100AAAA\nB$HP0000\nB$")
	f.Fuzz(func(t *testing.T, input string) {
		d := NewDecoder()
		lines := strings.Split(input, "\n")
		if len(lines) > 300 {
			lines = lines[:300]
		}
		for _, line := range lines {
			before := d.Progress()
			err := d.Receive(line)
			after := d.Progress()
			if err != nil && (after.Received != before.Received || after.PartsUsed != before.PartsUsed || after.Parts != before.Parts) {
				t.Fatalf("a refused part changed the decoder: %v", err)
			}
			if err != nil && strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error of more than one line: %q", err)
			}
		}
		if d.Done() {
			ft, got, err := d.Result()
			if err == nil {
				// The result is what the received parts say, decoded independently.
				var raw []byte
				for i, b := range d.body {
					_, data, perr := parsePart("B$" + string(rune(d.enc)) + string(rune(d.ft)) + base36(d.total) + base36(i) + b)
					if perr != nil {
						t.Fatal(perr)
					}
					raw = append(raw, data...)
				}
				if d.enc == Zlib {
					raw, _ = inflate(raw, MaxFileLen)
				}
				if ft != d.ft || !bytes.Equal(raw, got) {
					t.Fatal("result differs from its parts")
				}
			}
		} else if _, _, err := d.Result(); err == nil {
			t.Fatal("a result before Done")
		}

		if len(input) == 0 || len(input) > 20000 {
			return
		}
		for _, enc := range []Encoding{Hex, Base32, Zlib} {
			s, err := Split([]byte(input), Binary, SplitOptions{Encoding: enc, MinVersion: 1})
			if err != nil {
				t.Fatal(err)
			}
			ft, got, err := Join(s.Parts)
			if err != nil || ft != Binary || !bytes.Equal(got, []byte(input)) {
				t.Fatalf("%s: split/join: %v", enc, err)
			}
		}
	})
}
