package ethereum

import (
	"math/big"
	"strings"
)

// decimalUnits writes v / 10^decimals exactly, without trailing zeros.
func decimalUnits(v *big.Int, decimals int) string {
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

// ether formats wei as "1.5 ETH (1500000000000000000 wei)".
func ether(wei *big.Int, symbol string) string {
	return decimalUnits(wei, 18) + " " + symbol + " (" + wei.String() + " wei)"
}

// gwei formats wei as "20 gwei (20000000000 wei)".
func gwei(wei *big.Int) string {
	return decimalUnits(wei, 9) + " gwei (" + wei.String() + " wei)"
}
