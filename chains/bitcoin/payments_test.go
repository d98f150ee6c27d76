package main

import (
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
