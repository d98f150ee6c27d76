package bitcoin

import (
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
)

func TestParseBTC(t *testing.T) {
	good := map[string]int64{
		"0": 0, "1": 1e8, "0.00000001": 1, "21000000": 21e14, "1.5": 150_000_000,
		"0.12345678": 12_345_678, " 2.10 ": 210_000_000, ".5": 50_000_000, "3.": 3e8,
	}
	for s, want := range good {
		got, err := ParseBTC(s)
		if err != nil || got != want {
			t.Errorf("ParseBTC(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	bad := map[string]string{
		"0.123456789":             "has 9 decimals; BTC has at most 8",
		"-1":                      "is negative",
		"21000000.01":             "overflows",
		"1e3":                     "not a decimal number",
		"1,5":                     "not a decimal number",
		"":                        "not a decimal number",
		".":                       "not a decimal number",
		"1.2.3":                   "not a decimal number",
		"+1":                      "not a decimal number",
		"99999999999999999999999": "overflows",
	}
	for s, want := range bad {
		if _, err := ParseBTC(s); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseBTC(%q): error %v, want it to say %q", s, err, want)
		}
	}
}

func TestParsePayments(t *testing.T) {
	net := &chaincfg.RegressionNetParams
	const ours = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
	pays, err := ParsePayments([]string{ours + "=0.015", " " + ours + " =2"}, net)
	if err != nil {
		t.Fatal(err)
	}
	if len(pays) != 2 || pays[0].Address.EncodeAddress() != ours || pays[0].Amount != 1_500_000 || pays[1].Amount != 2e8 {
		t.Fatalf("ParsePayments = %+v", pays)
	}
	if pays, err := ParsePayments(nil, net); err != nil || len(pays) != 0 {
		t.Fatalf("no payments: %v %v", pays, err)
	}

	for _, c := range []struct {
		arg    string
		want   string
		syntax bool
	}{
		{ours, `--to "` + ours + `": write it as ADDRESS=AMOUNT_BTC, like bc1q...=0.015`, true},
		{"bcrt1qnotanaddress=1", `--to number 1: "bcrt1qnotanaddress" is not a valid Bitcoin address`, false},
		{"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4=1", "--to number 1: bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 is not a regtest address: check the address and --network", false},
		{ours + "=0.123456789", "--to number 1: amount \"0.123456789\" has 9 decimals; BTC has at most 8", false},
		{ours + "=-1", "--to number 1: amount \"-1\" is negative", false},
		{ours + "=21000001", "--to number 1: amount \"21000001\" BTC overflows", false},
	} {
		_, err := ParsePayments([]string{c.arg}, net)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("ParsePayments(%q): error %v, want it to start %q", c.arg, err, c.want)
			continue
		}
		if errors.Is(err, ErrPaymentSyntax) != c.syntax {
			t.Errorf("ParsePayments(%q): errors.Is(err, ErrPaymentSyntax) = %v, want %v", c.arg, !c.syntax, c.syntax)
		}
	}
	// The failing payment is named by its place.
	if _, err := ParsePayments([]string{ours + "=1", ours + "=x"}, net); err == nil || !strings.HasPrefix(err.Error(), "--to number 2:") {
		t.Errorf("second payment bad: %v", err)
	}
}
