package bytewords

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

func TestPublishedVectors(t *testing.T) {
	b, err := os.ReadFile("../../testdata/bytewords.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Vectors []struct{ Bytes, Standard, URI, Minimal string }
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	for _, v := range f.Vectors {
		in, _ := hex.DecodeString(v.Bytes)
		for style, want := range map[Style]string{Standard: v.Standard, URI: v.URI, Minimal: v.Minimal} {
			if got := Encode(style, in); got != want {
				t.Errorf("style %d: got %q want %q", style, got, want)
			}
			out, err := Decode(style, want)
			if err != nil || !bytes.Equal(out, in) {
				t.Errorf("style %d: decode %q = %x, %v", style, want, out, err)
			}
		}
	}
}

func TestWordListIsBytewords(t *testing.T) {
	seen := map[string]bool{}
	ends := map[string]bool{}
	for i := 0; i < 256; i++ {
		w := Word(byte(i))
		if len(w) != 4 || seen[w] || ends[w[:1]+w[3:]] {
			t.Fatalf("word %d %q is not a unique four-letter byteword", i, w)
		}
		seen[w], ends[w[:1]+w[3:]] = true, true
	}
}

func TestDecodeErrors(t *testing.T) {
	if _, err := Decode(Standard, "able acid also lava zoom jade need echo tax"); err == nil {
		t.Fatal("a misspelt word decoded")
	}
	if _, err := Decode(Standard, "able acid also lava zoom jade need echo able"); !errors.Is(err, ErrChecksum) {
		t.Fatalf("a wrong checksum word: %v", err)
	}
	if _, err := Decode(Minimal, "aeadaolazmjendeot"); err == nil {
		t.Fatal("odd-length minimal decoded")
	}
}
