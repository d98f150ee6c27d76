package ethereum

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/core/types"
)

// ReadSignedTx's errors for a file that holds no Ethereum transaction, as
// against one it refuses: ErrNotHex wraps ErrNotTx, so errors.Is(err,
// ErrNotTx) covers both.
var (
	ErrNotTx  = errors.New("not an Ethereum transaction")
	ErrNotHex = fmt.Errorf("not hex: %w", ErrNotTx)
)

// ReadSignedTx reads a signed Ethereum transaction from a file's contents
// raw: the transaction in hex (the tx.hex coldtss writes: RLP of a legacy
// transaction or a typed envelope; 0x and white space allowed). It refuses
// a transaction without a signature. name names the file in errors.
func ReadSignedTx(name string, raw []byte) (*types.Transaction, error) {
	b, ok := hexText(raw)
	if !ok {
		return nil, &readError{fmt.Sprintf("%s is not a signed transaction in hex: give the tx.hex that coldtss wrote after signing", name), ErrNotHex}
	}
	var tx types.Transaction
	if tx.UnmarshalBinary(b) != nil {
		return nil, &readError{fmt.Sprintf("%s is not a signed ethereum transaction (it does not decode): give the tx.hex that coldtss wrote after signing", name), ErrNotTx}
	}
	if _, r, s := tx.RawSignatureValues(); r.Sign() == 0 || s.Sign() == 0 {
		return nil, fmt.Errorf("%s: the Ethereum transaction is not signed: give the tx.hex that coldtss wrote after signing", name)
	}
	return &tx, nil
}

// hexText decodes a file of hex digits, with or without 0x, white space
// anywhere; false if that is not what it holds, or it is empty.
func hexText(raw []byte) ([]byte, bool) {
	h := strings.Join(strings.Fields(string(raw)), "")
	h = strings.TrimPrefix(strings.TrimPrefix(h, "0x"), "0X")
	b, err := hex.DecodeString(h)
	return b, err == nil && len(b) > 0
}

// readError is a message that wraps one of the errors above.
type readError struct {
	msg  string
	kind error
}

func (e *readError) Error() string { return e.msg }
func (e *readError) Unwrap() error { return e.kind }
