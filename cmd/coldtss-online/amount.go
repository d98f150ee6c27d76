package main

import (
	"fmt"
	"math/big"

	"github.com/coldtss/coldtss/chains/amount"
)

// Amounts as the online tool prints them.
func formatGwei(wei *big.Int) string { return amount.Format(wei, 9) + " gwei" }
func formatBTC(sat int64) string {
	return fmt.Sprintf("%s BTC", amount.Format(big.NewInt(sat), 8))
}
