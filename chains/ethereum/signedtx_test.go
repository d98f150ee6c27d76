package ethereum

import (
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// TestReadSignedTx reads signed transactions in hex and refuses each file
// that is not one, saying whether it holds no Ethereum transaction at all
// (ErrNotTx, ErrNotHex) or one that is not signed.
func TestReadSignedTx(t *testing.T) {
	key, err := crypto.HexToECDSA("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
	if err != nil {
		t.Fatal(err)
	}
	to := common.HexToAddress("0x3535353535353535353535353535353535353535")
	chainID := big.NewInt(1)
	legacy := types.NewTx(&types.LegacyTx{Nonce: 9, GasPrice: big.NewInt(20e9), Gas: 21000, To: &to, Value: big.NewInt(1e18)})
	dynamic := types.NewTx(&types.DynamicFeeTx{ChainID: chainID, Nonce: 1, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(30e9), Gas: 21000, To: &to, Value: big.NewInt(5)})
	hexOf := func(tx *types.Transaction) string {
		b, err := tx.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		return hex.EncodeToString(b)
	}
	for _, unsigned := range []*types.Transaction{legacy, dynamic} {
		tx, err := types.SignTx(unsigned, types.LatestSignerForChainID(chainID), key)
		if err != nil {
			t.Fatal(err)
		}
		h := hexOf(tx)
		for _, raw := range []string{h, "0x" + h + "\n", " 0X" + strings.ToUpper(h[:40]) + "\n  " + h[40:]} {
			got, err := ReadSignedTx("f", []byte(raw))
			if err != nil || got.Hash() != tx.Hash() {
				t.Errorf("type %d %.20q: read %v, %v; want %s", tx.Type(), raw, got, err, tx.Hash())
			}
		}
	}

	for _, c := range []struct {
		name          string
		raw           string
		want          string
		notTx, notHex bool
	}{
		{"unsigned legacy", hexOf(legacy), "f: the Ethereum transaction is not signed: give the tx.hex that coldtss wrote after signing", false, false},
		{"unsigned EIP-1559", "0x" + hexOf(dynamic), "f: the Ethereum transaction is not signed", false, false},
		{"text", "hello", "f is not a signed transaction in hex: give the tx.hex that coldtss wrote after signing", true, true},
		{"empty", "0x\n", "f is not a signed transaction in hex", true, true},
		{"PSBT", "cHNidP8BAHECAAAAAQ==", "f is not a signed transaction in hex", true, true},
		{"other hex", "deadbeef", "f is not a signed ethereum transaction (it does not decode): give the tx.hex that coldtss wrote after signing", true, false},
		{"trailing bytes", hexOf(dynamic) + "00", "f is not a signed ethereum transaction (it does not decode)", true, false},
	} {
		tx, err := ReadSignedTx("f", []byte(c.raw))
		if err == nil {
			t.Errorf("%s: read %v", c.name, tx)
			continue
		}
		if !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: %v\nwant %s", c.name, err, c.want)
		}
		if errors.Is(err, ErrNotTx) != c.notTx || errors.Is(err, ErrNotHex) != c.notHex {
			t.Errorf("%s: ErrNotTx %v, ErrNotHex %v; want %v, %v", c.name, errors.Is(err, ErrNotTx), errors.Is(err, ErrNotHex), c.notTx, c.notHex)
		}
	}
}
