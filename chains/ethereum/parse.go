package ethereum

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"
)

// ErrSyntax is wrapped by the errors of ParseAddress, ParseChainID and
// ParseCallData when the text is not written as an address, a chain id or
// 0x-hex at all: a mistake in the command line, as against a value that is
// written right but wrong (an address with a bad EIP-55 checksum).
var ErrSyntax = errors.New("not written as expected")

// ParseAddress reads an address the operator gave: 0x (or 0X) and 40 hex
// digits, white space around it ignored. A mixed-case address must carry a
// valid EIP-55 checksum; all one case carries none. what names the input
// in errors ("--to").
func ParseAddress(what, s string) (common.Address, error) {
	s = strings.TrimSpace(s)
	if !common.IsHexAddress(s) || !strings.HasPrefix(strings.ToLower(s), "0x") {
		return common.Address{}, &syntaxError{fmt.Sprintf("%s %q is not an Ethereum address (0x and 40 hex digits)", what, s)}
	}
	a := common.HexToAddress(s)
	if badChecksum(s, a) {
		return common.Address{}, fmt.Errorf("%s %s has a wrong EIP-55 checksum (expected %s): it was mistyped or altered; copy it again", what, s, a.Hex())
	}
	return a, nil
}

// badChecksum reports whether s, a 0x address that reads as a, is mixed
// case but not a's EIP-55 spelling.
func badChecksum(s string, a common.Address) bool {
	body := s[2:]
	return body != strings.ToLower(body) && body != strings.ToUpper(body) && a.Hex() != s
}

// ParseChainID reads a chain id the operator gave: a positive decimal
// number. what names the input in errors ("--chain-id").
func ParseChainID(what, s string) (*big.Int, error) {
	id, ok := new(big.Int).SetString(s, 10)
	if !ok || id.Sign() <= 0 {
		return nil, &syntaxError{fmt.Sprintf("%s %q must be a positive decimal number (1 for Ethereum mainnet)", what, s)}
	}
	return id, nil
}

// ParseCallData reads call data the operator gave: 0x (or 0X) and an even
// number of hex digits. "" is no data (nil). what names the input in
// errors ("--data").
func ParseCallData(what, s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X"))
	if err != nil || !strings.HasPrefix(strings.ToLower(s), "0x") {
		return nil, &syntaxError{fmt.Sprintf("%s must be 0x followed by an even number of hex digits", what)}
	}
	return b, nil
}

// syntaxError is a message that wraps ErrSyntax.
type syntaxError struct{ msg string }

func (e *syntaxError) Error() string { return e.msg }
func (e *syntaxError) Unwrap() error { return ErrSyntax }
