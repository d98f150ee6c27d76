package broadcast

import (
	"errors"
	"testing"
)

func TestHexText(t *testing.T) {
	for in, ok := range map[string]bool{"0xab cd\n": true, "ABCD": true, "0Xab": true, "": false, "0x": false, "abc": false, "zz": false} {
		if _, got := HexText([]byte(in)); got != ok {
			t.Errorf("HexText(%q) = %v", in, got)
		}
	}
	b, _ := HexText([]byte(" 0x01\n02 "))
	if len(b) != 2 || b[0] != 1 || b[1] != 2 {
		t.Fatalf("%x", b)
	}
}

func TestAdvise(t *testing.T) {
	hints := []Hint{{Markers: []string{"replacement"}, Advice: "replace"}, {Markers: []string{"fee"}, Advice: "fee"}}
	for msg, want := range map[string]string{"Rejecting REPLACEMENT: insufficient fee": "replace", "min relay fee not met": "fee", "boom": NoHint} {
		if got := Advise(hints, msg); got != want {
			t.Errorf("Advise(%q) = %q, want %q", msg, got, want)
		}
	}
	sentinel := errors.New("not a tx")
	if err := error(&ReadError{Msg: "x is not a tx", Kind: sentinel}); !errors.Is(err, sentinel) || err.Error() != "x is not a tx" {
		t.Fatal("ReadError")
	}
}
