package bitcoin

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/wire"

	"github.com/coldtss/coldtss/chains/internal/broadcast"
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
	b, ok := broadcast.HexText(raw)
	if !ok {
		return nil, &broadcast.ReadError{Msg: fmt.Sprintf("%s is neither a signed transaction in hex nor a PSBT: give the tx.hex that coldtss wrote after signing", name), Kind: ErrNotHex}
	}
	var tx wire.MsgTx
	r := bytes.NewReader(b)
	if tx.Deserialize(r) != nil || r.Len() != 0 || len(tx.TxIn) == 0 || len(tx.TxOut) == 0 {
		return nil, &broadcast.ReadError{Msg: fmt.Sprintf("%s is not a signed bitcoin transaction (it does not decode): give the tx.hex that coldtss wrote after signing", name), Kind: ErrNotTx}
	}
	for i, in := range tx.TxIn {
		if len(in.SignatureScript) == 0 && len(in.Witness) == 0 {
			return nil, fmt.Errorf("%s: input %d of the Bitcoin transaction is not signed: finish the signing ceremony first", name, i)
		}
	}
	return &tx, nil
}
