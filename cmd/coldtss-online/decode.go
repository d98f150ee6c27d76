package main

import (
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/wire"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/coldtss/coldtss/chains/bitcoin"
	"github.com/coldtss/coldtss/chains/ethereum"
)

// signedTx is a signed transaction read from a file: exactly one is set.
type signedTx struct {
	btc *wire.MsgTx
	eth *types.Transaction
}

// readSigned reads the signed transaction in FILE with the chain's reader:
// --chain's ("bitcoin", "ethereum"), or, when it is "", the one chain whose
// transaction the file holds.
func readSigned(name string, raw []byte, chain string) (*signedTx, error) {
	psbt := bitcoin.IsPSBT(raw)
	switch {
	case chain == "bitcoin", chain == "" && psbt:
		tx, err := bitcoin.ReadSignedTx(name, raw)
		if err != nil {
			return nil, err
		}
		return &signedTx{btc: tx}, nil
	case psbt:
		return nil, fmt.Errorf("%s is a Bitcoin PSBT but --chain says ethereum: give the Ethereum tx.hex, or --chain bitcoin", name)
	case chain == "ethereum":
		tx, err := ethereum.ReadSignedTx(name, raw)
		if errors.Is(err, ethereum.ErrNotHex) {
			return nil, notHex(name)
		} else if err != nil {
			return nil, err
		}
		return &signedTx{eth: tx}, nil
	}
	btcTx, btcErr := bitcoin.ReadSignedTx(name, raw)
	ethTx, ethErr := ethereum.ReadSignedTx(name, raw)
	isBTC, isETH := !errors.Is(btcErr, bitcoin.ErrNotTx), !errors.Is(ethErr, ethereum.ErrNotTx)
	switch {
	case isBTC && isETH:
		return nil, usageError{Err: fmt.Errorf("%s decodes both as a Bitcoin and as an Ethereum transaction: say which with --chain bitcoin or --chain ethereum", name)}
	case isBTC && btcErr != nil:
		return nil, btcErr
	case isBTC:
		return &signedTx{btc: btcTx}, nil
	case isETH && ethErr != nil:
		return nil, ethErr
	case isETH:
		return &signedTx{eth: ethTx}, nil
	case errors.Is(btcErr, bitcoin.ErrNotHex):
		return nil, notHex(name)
	}
	return nil, fmt.Errorf("%s holds hex that is neither a Bitcoin nor an Ethereum transaction: give the tx.hex that coldtss wrote after signing", name)
}

func notHex(name string) error {
	return fmt.Errorf("%s is neither a signed transaction in hex nor a PSBT: give the tx.hex that coldtss wrote after signing", name)
}
