package testnodes

import (
	"context"
	"math/big"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/ethereum/go-ethereum/common"
)

// TestBtcdFund funds a P2WPKH and a P2PKH address three times, 60 BTC each
// time (more than one coinbase), so later calls spend change and freshly
// matured coinbases; the node's address index and UTXO set must agree.
func TestBtcdFund(t *testing.T) {
	t.Parallel()
	b := StartBtcd(t)
	priv, err := btcec.NewPrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	h := btcutil.Hash160(priv.PubKey().SerializeCompressed())
	wpkh, _ := btcutil.NewAddressWitnessPubKeyHash(h, b.Net)
	pkh, _ := btcutil.NewAddressPubKeyHash(h, b.Net)
	for round := 1; round <= 3; round++ {
		pays := map[string]int64{wpkh.EncodeAddress(): 60e8, pkh.EncodeAddress(): 12345}
		txid := b.Fund(t, pays)
		tx, err := b.Client.GetRawTransactionVerbose(txid)
		if err != nil {
			t.Fatal(err)
		}
		if tx.Confirmations != 1 {
			t.Fatalf("round %d: funding tx has %d confirmations, want 1", round, tx.Confirmations)
		}
		found := 0
		for _, o := range tx.Vout {
			want, ok := pays[o.ScriptPubKey.Address]
			if !ok {
				continue
			}
			found++
			amt, _ := btcutil.NewAmount(o.Value)
			if int64(amt) != want {
				t.Fatalf("round %d: %s got %v, want %d sat", round, o.ScriptPubKey.Address, amt, want)
			}
			utxo, err := b.Client.GetTxOut(txid, o.N, false)
			if err != nil || utxo == nil {
				t.Fatalf("round %d: output %d not in the UTXO set: %v", round, o.N, err)
			}
		}
		if found != 2 {
			t.Fatalf("round %d: %d of 2 payments in the funding tx", round, found)
		}
		res, err := b.Client.SearchRawTransactionsVerbose(wpkh, 0, 100, true, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != round {
			t.Fatalf("round %d: the address index has %d transactions for the address, want %d", round, len(res), round)
		}
	}
}

// TestGethFund sends wei from the dev account and reads the balance back.
func TestGethFund(t *testing.T) {
	t.Parallel()
	g := StartGeth(t)
	if g.ChainID.Int64() != 1337 {
		t.Fatalf("chain id %v, want 1337", g.ChainID)
	}
	to := common.HexToAddress("0x00000000000000000000000000000000c01d7550")
	wei := big.NewInt(1234567890123)
	g.Fund(t, to, wei)
	bal, err := g.Client.BalanceAt(context.Background(), to, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bal.Cmp(wei) != 0 {
		t.Fatalf("balance %v, want %v", bal, wei)
	}
}
