// Package testpsbt makes, for tests, a Bitcoin regtest PSBT that a key's
// stations (or a recovery) can fully review, sign and finalize without a
// node: it spends two made-up coins of the key, P2WPKH at m/0/3 and P2PKH
// at m/0/8, from one made-up previous transaction, to an outside address
// (0x42 repeated), with change.
package testpsbt

import (
	"bytes"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"github.com/coldtss/coldtss/chains/bitcoin"
)

// Offline returns the serialized PSBT for the key with compressed public
// key pub and BIP-32 chain code cc, and the previous transaction's outputs
// (the coins it spends are outputs 0 and 1).
func Offline(t testing.TB, pub, cc []byte) ([]byte, []*wire.TxOut) {
	t.Helper()
	net := &chaincfg.RegressionNetParams
	acct, err := bitcoin.NewAccount(pub, cc, net, bitcoin.P2WPKH)
	if err != nil {
		t.Fatal(err)
	}
	prev := wire.NewMsgTx(2)
	prev.AddTxIn(wire.NewTxIn(&wire.OutPoint{Index: 7}, nil, nil))
	var utxos []bitcoin.UTXO
	for i, c := range []struct {
		typ   bitcoin.ScriptType
		index uint32
	}{{bitcoin.P2WPKH, 3}, {bitcoin.P2PKH, 8}} {
		child, err := acct.ChildKey([]uint32{0, c.index})
		if err != nil {
			t.Fatal(err)
		}
		script, _, err := bitcoin.ScriptFor(c.typ, child, net)
		if err != nil {
			t.Fatal(err)
		}
		prev.AddTxOut(wire.NewTxOut(int64(i+1)*1_000_000, script))
		utxos = append(utxos, bitcoin.UTXO{Value: int64(i+1) * 1_000_000, PkScript: script, Branch: 0, Index: c.index, Type: c.typ, PrevTx: prev})
	}
	for i := range utxos {
		utxos[i].OutPoint = wire.OutPoint{Hash: prev.TxHash(), Index: uint32(i)}
	}
	to, err := btcutil.NewAddressWitnessPubKeyHash(bytes.Repeat([]byte{0x42}, 20), net)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := bitcoin.BuildPSBT(acct, utxos, []bitcoin.Payment{{Address: to, Amount: 2_500_000}}, 0, 3, true)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := pk.Serialize(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), prev.TxOut
}

// Spend returns an unsigned regtest PSBT spending n P2WPKH coins of the key
// (m/0/0 .. m/0/n-1, 100,000 + i satoshis each, each from a previous
// transaction of its own) to an outside address (0x42 repeated), with
// change; and the coins, for checking the signed transaction. The QR
// ceremony test and make bench sign it with n = 100.
func Spend(t testing.TB, pub, cc []byte, n int) ([]byte, []bitcoin.UTXO) {
	t.Helper()
	net := &chaincfg.RegressionNetParams
	acct, err := bitcoin.NewAccount(pub, cc, net, bitcoin.P2WPKH)
	if err != nil {
		t.Fatal(err)
	}
	var coins []bitcoin.UTXO
	for i := range n {
		child, err := acct.ChildKey([]uint32{0, uint32(i)})
		if err != nil {
			t.Fatal(err)
		}
		script, _, err := bitcoin.ScriptFor(bitcoin.P2WPKH, child, net)
		if err != nil {
			t.Fatal(err)
		}
		prev := wire.NewMsgTx(2)
		prev.AddTxIn(wire.NewTxIn(&wire.OutPoint{Index: uint32(i)}, nil, nil))
		prev.AddTxOut(wire.NewTxOut(100_000+int64(i), script))
		coins = append(coins, bitcoin.UTXO{Value: 100_000 + int64(i), PkScript: script, Branch: 0, Index: uint32(i), Type: bitcoin.P2WPKH,
			PrevTx: prev, OutPoint: wire.OutPoint{Hash: prev.TxHash()}})
	}
	to, err := btcutil.NewAddressWitnessPubKeyHash(bytes.Repeat([]byte{0x42}, 20), net)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := bitcoin.BuildPSBT(acct, coins, []bitcoin.Payment{{Address: to, Amount: int64(n) * 50_000}}, 0, 2, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(pk.Inputs) != n {
		t.Fatalf("the PSBT spends %d coins, want %d", len(pk.Inputs), n)
	}
	var buf bytes.Buffer
	if err := pk.Serialize(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), coins
}
