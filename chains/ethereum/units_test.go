package ethereum

import (
	"math/big"
	"strings"
	"testing"

	"github.com/coldtss/coldtss/chains/amount"
)

func TestParseEther(t *testing.T) {
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	maxETH := amount.Format(max, 18)
	for s, want := range map[string]*big.Int{
		"1": big.NewInt(1e18), "0.000000000000000001": big.NewInt(1), "1.25": big.NewInt(125e16), maxETH: max,
	} {
		got, err := ParseEther(s, "value")
		if err != nil || got.Cmp(want) != 0 {
			t.Errorf("ParseEther(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	over := amount.Format(new(big.Int).Add(max, big.NewInt(1)), 18)
	for s, want := range map[string]string{
		over:                    "overflows",
		"0.0000000000000000001": "has 19 decimals; ETH has at most 18",
		"-0.1":                  "is negative",
		"0x10":                  "not a decimal number",
	} {
		if _, err := ParseEther(s, "value"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseEther(%q): error %v, want it to say %q", s, err, want)
		}
	}
}
