package ethereum

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

func TestParseAddress(t *testing.T) {
	const sum = "0x00000000000000000000000000000000C01D7550" // EIP-55 of ...c01d7550
	want := common.HexToAddress(sum)
	if want.Hex() != sum {
		t.Fatalf("the test's checksummed address is %s", want.Hex())
	}
	for _, s := range []string{sum, "0x00000000000000000000000000000000c01d7550", "0x00000000000000000000000000000000C01D7550",
		" " + sum + "\n", "0X00000000000000000000000000000000c01d7550"} {
		if a, err := ParseAddress("--to", s); err != nil || a != want {
			t.Errorf("ParseAddress(%q) = %s, %v; want %s", s, a.Hex(), err, want.Hex())
		}
	}
	for _, c := range []struct {
		s, want string
		syntax  bool
	}{
		{"00000000000000000000000000000000c01d7550", `--to "00000000000000000000000000000000c01d7550" is not an Ethereum address (0x and 40 hex digits)`, true},
		{"0x0000000000000000000000000000000c01d7550", `--to "0x0000000000000000000000000000000c01d7550" is not an Ethereum address (0x and 40 hex digits)`, true},
		{"0x00000000000000000000000000000000c01d755g", `--to "0x00000000000000000000000000000000c01d755g" is not an Ethereum address (0x and 40 hex digits)`, true},
		{" vitalik.eth ", `--to "vitalik.eth" is not an Ethereum address (0x and 40 hex digits)`, true},
		{"", `--to "" is not an Ethereum address (0x and 40 hex digits)`, true},
		{"0x00000000000000000000000000000000C01d7550", "--to 0x00000000000000000000000000000000C01d7550 has a wrong EIP-55 checksum (expected " + sum + "): it was mistyped or altered; copy it again", false},
	} {
		_, err := ParseAddress("--to", c.s)
		if err == nil || err.Error() != c.want {
			t.Errorf("ParseAddress(%q): error %v, want %q", c.s, err, c.want)
			continue
		}
		if errors.Is(err, ErrSyntax) != c.syntax {
			t.Errorf("ParseAddress(%q): errors.Is(err, ErrSyntax) = %v, want %v", c.s, !c.syntax, c.syntax)
		}
	}
}

func TestParseChainID(t *testing.T) {
	for s, want := range map[string]int64{"1": 1, "1337": 1337, "11155111": 11155111} {
		if id, err := ParseChainID("--chain-id", s); err != nil || id.Int64() != want {
			t.Errorf("ParseChainID(%q) = %v, %v; want %d", s, id, err, want)
		}
	}
	for _, s := range []string{"0", "-1", "", "0x1", "one", "1.5"} {
		_, err := ParseChainID("--chain-id", s)
		want := `--chain-id "` + s + `" must be a positive decimal number (1 for Ethereum mainnet)`
		if err == nil || err.Error() != want || !errors.Is(err, ErrSyntax) {
			t.Errorf("ParseChainID(%q): error %v, want %q wrapping ErrSyntax", s, err, want)
		}
	}
}

func TestParseCallData(t *testing.T) {
	if b, err := ParseCallData("--data", ""); b != nil || err != nil {
		t.Errorf(`ParseCallData(""): %x, %v; want no data`, b, err)
	}
	for s, want := range map[string][]byte{"0x": {}, "0xcafe": {0xca, 0xfe}, "0XCAFE": {0xca, 0xfe}, "0xa9059cbb": {0xa9, 0x05, 0x9c, 0xbb}} {
		if b, err := ParseCallData("--data", s); err != nil || !bytes.Equal(b, want) {
			t.Errorf("ParseCallData(%q) = %x, %v; want %x", s, b, err, want)
		}
	}
	for _, s := range []string{"cafe", "0xcaf", "0xzz", "zz", "0x 00", "x00"} {
		_, err := ParseCallData("--data", s)
		if err == nil || err.Error() != "--data must be 0x followed by an even number of hex digits" || !errors.Is(err, ErrSyntax) {
			t.Errorf("ParseCallData(%q): error %v", s, err)
		}
	}
}
