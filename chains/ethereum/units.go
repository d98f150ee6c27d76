package ethereum

import (
	"fmt"
	"math/big"

	"github.com/coldtss/coldtss/chains/amount"
)

var maxUint256 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))

// ParseEther reads an amount in ETH ("1.5") exactly, as wei, and refuses
// 2^256 wei or more. what names the quantity in errors ("value").
func ParseEther(s, what string) (*big.Int, error) {
	n, err := amount.Parse(s, what, "ETH", 18)
	if err != nil {
		return nil, err
	}
	if n.Cmp(maxUint256) > 0 {
		return nil, fmt.Errorf("%s %q ETH overflows: it is 2^256 wei or more; check the %s", what, s, what)
	}
	return n, nil
}

// FormatETH writes wei as "1.5 ETH", exactly.
func FormatETH(wei *big.Int) string { return amount.Format(wei, 18) + " ETH" }

// ether formats wei as "1.5 ETH (1500000000000000000 wei)".
func ether(wei *big.Int, symbol string) string {
	return amount.Format(wei, 18) + " " + symbol + " (" + wei.String() + " wei)"
}

// gwei formats wei as "20 gwei (20000000000 wei)".
func gwei(wei *big.Int) string {
	return amount.Format(wei, 9) + " gwei (" + wei.String() + " wei)"
}
