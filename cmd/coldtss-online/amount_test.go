package main

import (
	"math/big"
	"strings"
	"testing"
)

func TestParseBTC(t *testing.T) {
	good := map[string]int64{
		"0": 0, "1": 1e8, "0.00000001": 1, "21000000": 21e14, "1.5": 150_000_000,
		"0.12345678": 12_345_678, " 2.10 ": 210_000_000, ".5": 50_000_000, "3.": 3e8,
	}
	for s, want := range good {
		got, err := parseBTC(s)
		if err != nil || got != want {
			t.Errorf("parseBTC(%q) = %d, %v; want %d", s, got, err, want)
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
		if _, err := parseBTC(s); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseBTC(%q): error %v, want it to say %q", s, err, want)
		}
	}
}

func TestParseETH(t *testing.T) {
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	maxETH := formatUnits(max, 18)
	for s, want := range map[string]*big.Int{
		"1": big.NewInt(1e18), "0.000000000000000001": big.NewInt(1), "1.25": big.NewInt(125e16), maxETH: max,
	} {
		got, err := parseETH(s)
		if err != nil || got.Cmp(want) != 0 {
			t.Errorf("parseETH(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	over := formatUnits(new(big.Int).Add(max, big.NewInt(1)), 18)
	for s, want := range map[string]string{
		over:                    "overflows",
		"0.0000000000000000001": "has 19 decimals; ETH has at most 18",
		"-0.1":                  "is negative",
		"0x10":                  "not a decimal number",
	} {
		if _, err := parseETH(s); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseETH(%q): error %v, want it to say %q", s, err, want)
		}
	}
}
