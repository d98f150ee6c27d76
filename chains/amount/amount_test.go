package amount

import (
	"math/big"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for s, want := range map[string]string{
		"0.015": "1500000", "1": "100000000", "21000000": "2100000000000000", " 2.5 ": "250000000",
		".5": "50000000", "3.": "300000000", "0.00000001": "1", "0": "0",
	} {
		n, err := Parse(s, "amount", "BTC", 8)
		if err != nil || n.String() != want {
			t.Errorf("Parse(%q) = %v, %v; want %s", s, n, err, want)
		}
	}
	wei, err := Parse("1.000000000000000001", "--value", "ETH", 18)
	if err != nil || wei.String() != "1000000000000000001" {
		t.Errorf("ETH: %v %v", wei, err)
	}
	for s, frag := range map[string]string{
		"-1":          "is negative",
		"1e5":         "not a decimal number",
		"1,5":         "not a decimal number",
		"":            "not a decimal number",
		".":           "not a decimal number",
		"0x10":        "not a decimal number",
		"+1":          "not a decimal number",
		"0.000000001": "has 9 decimals; BTC has at most 8",
		"1.2.3":       "not a decimal number",
	} {
		if _, err := Parse(s, "--max-fee", "BTC", 8); err == nil || !strings.Contains(err.Error(), frag) || !strings.Contains(err.Error(), "--max-fee") {
			t.Errorf("Parse(%q) = %v, want %q", s, err, frag)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		v    int64
		dec  int
		want string
	}{{1500000, 8, "0.015"}, {100000000, 8, "1"}, {1, 8, "0.00000001"}, {0, 8, "0"}, {-250000000, 8, "-2.5"}, {12345, 0, "12345"}} {
		if got := Format(big.NewInt(c.v), c.dec); got != c.want {
			t.Errorf("Format(%d, %d) = %s, want %s", c.v, c.dec, got, c.want)
		}
	}
	// Whatever Parse reads, Format writes back in its shortest form.
	for _, s := range []string{"0.015", "7", "0.1", "123.456789", "0.00000001"} {
		n, _ := Parse(s, "amount", "BTC", 8)
		if Format(n, 8) != s {
			t.Errorf("round trip %s -> %s", s, Format(n, 8))
		}
	}
}
