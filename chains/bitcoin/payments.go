package bitcoin

import (
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"

	"github.com/coldtss/coldtss/chains/amount"
)

// ErrPaymentSyntax is wrapped by ParsePayments' error when a payment is not
// written as ADDRESS=AMOUNT at all (a mistake in the command line, not in
// an address or amount).
var ErrPaymentSyntax = errors.New("a payment is written as ADDRESS=AMOUNT_BTC")

// ParseBTC reads an amount in BTC ("0.015") exactly, as satoshis, and
// refuses more than the 21 million BTC that can exist.
func ParseBTC(s string) (int64, error) {
	n, err := amount.Parse(s, "amount", "BTC", 8)
	if err != nil {
		return 0, err
	}
	if !n.IsInt64() || n.Int64() > btcutil.MaxSatoshi {
		return 0, fmt.Errorf("amount %q BTC overflows: it is more than the 21 million BTC that can exist; check the amount", s)
	}
	return n.Int64(), nil
}

// ParsePayments reads payments written ADDRESS=AMOUNT_BTC, as the online
// tool's --to flags give them, and checks each address is one of net.
func ParsePayments(args []string, net *chaincfg.Params) ([]Payment, error) {
	var pays []Payment
	for i, a := range args {
		addrText, amt, ok := strings.Cut(a, "=")
		if !ok {
			return nil, &syntaxError{fmt.Sprintf("--to %q: write it as ADDRESS=AMOUNT_BTC, like bc1q...=0.015", a)}
		}
		addr, err := btcutil.DecodeAddress(strings.TrimSpace(addrText), net)
		if err != nil {
			return nil, fmt.Errorf("--to number %d: %q is not a valid Bitcoin address (%v): copy it again", i+1, addrText, err)
		}
		if !addr.IsForNet(net) {
			return nil, fmt.Errorf("--to number %d: %s is not a %s address: check the address and --network", i+1, addrText, NetworkName(net))
		}
		sat, err := ParseBTC(amt)
		if err != nil {
			return nil, fmt.Errorf("--to number %d: %v", i+1, err)
		}
		pays = append(pays, Payment{Address: addr, Amount: sat})
	}
	return pays, nil
}

// syntaxError is ParsePayments' error for a payment without "=".
type syntaxError struct{ msg string }

func (e *syntaxError) Error() string { return e.msg }
func (e *syntaxError) Unwrap() error { return ErrPaymentSyntax }
