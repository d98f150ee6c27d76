// Package amount reads and writes decimal amounts of a coin exactly, as
// integers of its smallest unit (satoshi, wei): never through floating point.
package amount

import (
	"fmt"
	"math/big"
	"strings"
)

// Parse reads a non-negative decimal number with at most decimals digits
// after the point, scaled by 10^decimals. what names the quantity and unit
// names the coin in errors ("amount", "BTC").
func Parse(s, what, unit string, decimals int) (*big.Int, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "-") {
		return nil, fmt.Errorf("%s %q is negative: give a positive number of %s", what, s, unit)
	}
	whole, frac, _ := strings.Cut(t, ".")
	digits := func(x string) bool { return strings.Trim(x, "0123456789") == "" }
	if whole+frac == "" || !digits(whole) || !digits(frac) {
		return nil, fmt.Errorf("%s %q is not a decimal number of %s: write it like 0.015 (a point for decimals, no sign, exponent or separators)", what, s, unit)
	}
	if len(frac) > decimals {
		return nil, fmt.Errorf("%s %q has %d decimals; %s has at most %d", what, s, len(frac), unit, decimals)
	}
	n, ok := new(big.Int).SetString(whole+frac+strings.Repeat("0", decimals-len(frac)), 10)
	if !ok {
		return nil, fmt.Errorf("%s %q is not a decimal number of %s: write it like 0.015", what, s, unit)
	}
	return n, nil
}

// Format writes v / 10^decimals exactly, without trailing zeros.
func Format(v *big.Int, decimals int) string {
	s := new(big.Int).Abs(v).String()
	if len(s) <= decimals {
		s = strings.Repeat("0", decimals-len(s)+1) + s
	}
	whole, frac := s[:len(s)-decimals], strings.TrimRight(s[len(s)-decimals:], "0")
	if v.Sign() < 0 {
		whole = "-" + whole
	}
	if frac == "" {
		return whole
	}
	return whole + "." + frac
}
