package main

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/wire"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/coldtss/coldtss/chains/bitcoin"
)

// signedTx is a signed transaction read from a file: exactly one is set.
type signedTx struct {
	btc *wire.MsgTx
	eth *types.Transaction
}

// readSigned decodes a signed transaction: hex (with or without 0x) of a
// Bitcoin or Ethereum transaction, or a finalized PSBT (binary or base64).
// chain ("", "bitcoin", "ethereum") settles ambiguity.
func readSigned(name string, raw []byte, chain string) (*signedTx, error) {
	text := strings.TrimSpace(string(raw))
	if bytes.HasPrefix(raw, []byte("psbt\xff")) || strings.HasPrefix(text, "cHNidP") {
		if chain == "ethereum" {
			return nil, fmt.Errorf("%s is a Bitcoin PSBT but --chain says ethereum: give the Ethereum tx.hex, or --chain bitcoin", name)
		}
		p, err := bitcoin.ParsePSBT(raw)
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
		return &signedTx{btc: tx}, nil
	}
	h := strings.TrimPrefix(strings.TrimPrefix(strings.Join(strings.Fields(text), ""), "0x"), "0X")
	b, err := hex.DecodeString(h)
	if err != nil || len(b) == 0 {
		return nil, fmt.Errorf("%s is neither a signed transaction in hex nor a PSBT: give the tx.hex that coldtss wrote after signing", name)
	}
	var btcTx *wire.MsgTx
	if chain != "ethereum" {
		var tx wire.MsgTx
		r := bytes.NewReader(b)
		if tx.Deserialize(r) == nil && r.Len() == 0 && len(tx.TxIn) > 0 && len(tx.TxOut) > 0 {
			btcTx = &tx
		}
	}
	var ethTx *types.Transaction
	if chain != "bitcoin" {
		var tx types.Transaction
		if tx.UnmarshalBinary(b) == nil {
			ethTx = &tx
		}
	}
	switch {
	case btcTx != nil && ethTx != nil:
		return nil, usageError{Err: fmt.Errorf("%s decodes both as a Bitcoin and as an Ethereum transaction: say which with --chain bitcoin or --chain ethereum", name)}
	case btcTx != nil:
		for i, in := range btcTx.TxIn {
			if len(in.SignatureScript) == 0 && len(in.Witness) == 0 {
				return nil, fmt.Errorf("%s: input %d of the Bitcoin transaction is not signed: finish the signing ceremony first", name, i)
			}
		}
		return &signedTx{btc: btcTx}, nil
	case ethTx != nil:
		if _, r, s := ethTx.RawSignatureValues(); r.Sign() == 0 || s.Sign() == 0 {
			return nil, fmt.Errorf("%s: the Ethereum transaction is not signed: give the tx.hex that coldtss wrote after signing", name)
		}
		return &signedTx{eth: ethTx}, nil
	case chain != "":
		return nil, fmt.Errorf("%s is not a signed %s transaction (it does not decode): give the tx.hex that coldtss wrote after signing", name, chain)
	}
	return nil, fmt.Errorf("%s holds hex that is neither a Bitcoin nor an Ethereum transaction: give the tx.hex that coldtss wrote after signing", name)
}
