package main

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
)

// parseDecimal reads a non-negative decimal number with at most decimals
// digits after the point, exactly (no floating point), scaled by 10^decimals.
// what names the quantity and unit in errors ("amount", "BTC").
func parseDecimal(s, what, unit string, decimals int) (*big.Int, error) {
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

// parseBTC reads an amount in BTC ("0.015") as satoshis.
func parseBTC(s string) (int64, error) {
	n, err := parseDecimal(s, "amount", "BTC", 8)
	if err != nil {
		return 0, err
	}
	if !n.IsInt64() || n.Int64() > btcutil.MaxSatoshi {
		return 0, fmt.Errorf("amount %q BTC overflows: it is more than the 21 million BTC that can exist; check the amount", s)
	}
	return n.Int64(), nil
}

var maxUint256 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))

// parseETH reads a value in ETH ("1.5") as wei.
func parseETH(s string) (*big.Int, error) {
	n, err := parseDecimal(s, "value", "ETH", 18)
	if err != nil {
		return nil, err
	}
	if n.Cmp(maxUint256) > 0 {
		return nil, fmt.Errorf("value %q ETH overflows: it is 2^256 wei or more; check the value", s)
	}
	return n, nil
}

// formatUnits writes v / 10^decimals exactly, without trailing zeros.
func formatUnits(v *big.Int, decimals int) string {
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

func formatETH(wei *big.Int) string  { return formatUnits(wei, 18) + " ETH" }
func formatGwei(wei *big.Int) string { return formatUnits(wei, 9) + " gwei" }
func formatBTC(sat int64) string {
	return fmt.Sprintf("%s BTC", formatUnits(big.NewInt(sat), 8))
}
