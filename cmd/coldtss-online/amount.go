package main

import (
	"fmt"
	"math/big"

	"github.com/btcsuite/btcd/btcutil"

	"github.com/coldtss/coldtss/chains/amount"
)

// parseBTC reads an amount in BTC ("0.015") as satoshis.
func parseBTC(s string) (int64, error) {
	n, err := amount.Parse(s, "amount", "BTC", 8)
	if err != nil {
		return 0, err
	}
	if !n.IsInt64() || n.Int64() > btcutil.MaxSatoshi {
		return 0, fmt.Errorf("amount %q BTC overflows: it is more than the 21 million BTC that can exist; check the amount", s)
	}
	return n.Int64(), nil
}

func formatETH(wei *big.Int) string  { return amount.Format(wei, 18) + " ETH" }
func formatGwei(wei *big.Int) string { return amount.Format(wei, 9) + " gwei" }
func formatBTC(sat int64) string {
	return fmt.Sprintf("%s BTC", amount.Format(big.NewInt(sat), 8))
}
