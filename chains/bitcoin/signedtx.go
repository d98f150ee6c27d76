package bitcoin

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/wire"
)

// ReadSignedTx's errors for a file that holds no Bitcoin transaction, as
// against one it refuses: ErrNotHex wraps ErrNotTx, so errors.Is(err,
// ErrNotTx) covers both.
var (
	ErrNotTx  = errors.New("not a Bitcoin transaction")
	ErrNotHex = fmt.Errorf("neither hex nor a PSBT: %w", ErrNotTx)
)

// IsPSBT reports whether raw starts as a PSBT does: binary, or base64.
func IsPSBT(raw []byte) bool {
	return bytes.HasPrefix(raw, []byte("psbt\xff")) || strings.HasPrefix(strings.TrimSpace(string(raw)), "cHNidP")
}

// ReadSignedTx reads a signed Bitcoin transaction from a file's contents
// raw: a finalized PSBT (binary or base64), or the transaction in hex (the
// tx.hex coldtss writes; 0x and white space allowed). It refuses a PSBT
// that is not finalized and a transaction with an unsigned input. name
// names the file in errors.
func ReadSignedTx(name string, raw []byte) (*wire.MsgTx, error) {
	if IsPSBT(raw) {
		p, err := ParsePSBT(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		if !p.IsComplete() {
			return nil, fmt.Errorf("%s is a PSBT that is not fully signed and finalized: finish the signing ceremony first (coldtss writes the signed tx.hex)", name)
		}
		tx, err := psbt.Extract(p)
		if err != nil {
			return nil, fmt.Errorf("%s: cannot extract the transaction from the finalized PSBT (%v): sign it again", name, err)
		}
		return tx, nil
	}
	b, ok := hexText(raw)
	if !ok {
		return nil, &readError{fmt.Sprintf("%s is neither a signed transaction in hex nor a PSBT: give the tx.hex that coldtss wrote after signing", name), ErrNotHex}
	}
	var tx wire.MsgTx
	r := bytes.NewReader(b)
	if tx.Deserialize(r) != nil || r.Len() != 0 || len(tx.TxIn) == 0 || len(tx.TxOut) == 0 {
		return nil, &readError{fmt.Sprintf("%s is not a signed bitcoin transaction (it does not decode): give the tx.hex that coldtss wrote after signing", name), ErrNotTx}
	}
	for i, in := range tx.TxIn {
		if len(in.SignatureScript) == 0 && len(in.Witness) == 0 {
			return nil, fmt.Errorf("%s: input %d of the Bitcoin transaction is not signed: finish the signing ceremony first", name, i)
		}
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
