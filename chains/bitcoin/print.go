package bitcoin

import (
	"fmt"
	"io"
)

// btc writes satoshis as BTC with 8 decimals.
func btc(sat int64) string {
	sign := ""
	if sat < 0 {
		sign, sat = "-", -sat
	}
	return fmt.Sprintf("%s%d.%08d", sign, sat/1e8, sat%1e8)
}

// btcAndSats writes "0.00012345 BTC (12345 sat)".
func btcAndSats(sat int64) string {
	return fmt.Sprintf("%s BTC (%d sat)", btc(sat), sat)
}

// Print writes the review in the terms a custodian checks before signing.
func (r *Review) Print(w io.Writer) {
	fmt.Fprintf(w, "Bitcoin transaction on %s\n", r.Network)
	fmt.Fprintf(w, "  unsigned txid %s\n", r.TxID)
	fmt.Fprintf(w, "Spending %d input(s), %s:\n", len(r.Inputs), btcAndSats(r.InTotal))
	for _, in := range r.Inputs {
		who := "ours (" + in.Path + ")"
		if !in.Ours {
			who = "NOT OURS, left unsigned"
		}
		fmt.Fprintf(w, "  #%d  %s  from %s  %s, %s\n", in.Index, btcAndSats(in.Amount), in.Address, in.Type, who)
		fmt.Fprintf(w, "       coin %s\n", in.Outpoint)
	}
	fmt.Fprintf(w, "Paying %d output(s), %s:\n", len(r.Outputs), btcAndSats(r.OutTotal))
	for _, o := range r.Outputs {
		who := "EXTERNAL"
		if o.Change {
			who = "change (" + o.Path + ")"
		}
		to := o.Address
		if to == "" {
			to = "(no address, " + o.Type + " script)"
		}
		fmt.Fprintf(w, "  #%d  %s  to %s  %s\n", o.Index, btcAndSats(o.Amount), to, who)
	}
	fmt.Fprintf(w, "Fee: %s, %.1f sat/vB for about %d vB\n", btcAndSats(r.Fee), r.FeeRate, r.VSize)
	var external int64
	for _, o := range r.Outputs {
		if !o.Change {
			external += o.Amount
		}
	}
	fmt.Fprintf(w, "To outside addresses: %s (change excluded, fee not included)\n", btcAndSats(external))
	if len(r.Warnings) > 0 {
		fmt.Fprintf(w, "Warnings:\n")
		for _, s := range r.Warnings {
			fmt.Fprintf(w, "  ! %s\n", s)
		}
	}
	fmt.Fprintf(w, "To sign: %d input(s):", len(r.Items))
	for _, it := range r.Items {
		fmt.Fprintf(w, " #%d %s (%s)", it.Input, it.Path, sigHashName(it.SigHash))
	}
	fmt.Fprintln(w)
}
