package ethereum

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/core/types"

	"github.com/coldtss/coldtss/chains/internal/broadcast"
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
	b, ok := broadcast.HexText(raw)
	if !ok {
		return nil, &broadcast.ReadError{Msg: fmt.Sprintf("%s is not a signed transaction in hex: give the tx.hex that coldtss wrote after signing", name), Kind: ErrNotHex}
	}
	var tx types.Transaction
	if tx.UnmarshalBinary(b) != nil {
		return nil, &broadcast.ReadError{Msg: fmt.Sprintf("%s is not a signed ethereum transaction (it does not decode): give the tx.hex that coldtss wrote after signing", name), Kind: ErrNotTx}
	}
	if _, r, s := tx.RawSignatureValues(); r.Sign() == 0 || s.Sign() == 0 {
		return nil, fmt.Errorf("%s: the Ethereum transaction is not signed: give the tx.hex that coldtss wrote after signing", name)
	}
	return &tx, nil
}
