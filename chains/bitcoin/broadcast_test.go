package bitcoin

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/btcjson"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// fakeSender is a BroadcastNode: it records what it was sent and counts
// the confirmations of the test's transaction as the test sets them.
type fakeSender struct {
	t    *testing.T
	tx   *wire.MsgTx
	sent []string

	unspent map[uint32]int64 // the transaction's unspent outputs: their confirmations
	rawConf int64            // what getrawtransaction counts
	tip     int64

	// Failures to give (rawErr: getrawtransaction cannot find it).
	sendErr, txOutErr, rawErr, countErr, hashErr error
	calls                                        []string
}

func newFakeSender(t *testing.T) *fakeSender {
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{1}, 0), nil, [][]byte{{0x30}, {0x02}}))
	tx.AddTxOut(wire.NewTxOut(50_000, []byte{0x00, 0x14}))
	tx.AddTxOut(wire.NewTxOut(40_000, []byte{0x00, 0x14}))
	return &fakeSender{t: t, tx: tx, unspent: map[uint32]int64{}, tip: 200}
}

func (n *fakeSender) SendRawTransaction(txHex string) error {
	n.calls = append(n.calls, "sendrawtransaction")
	if n.sendErr != nil {
		return n.sendErr
	}
	n.sent = append(n.sent, txHex)
	return nil
}

func (n *fakeSender) GetTxOut(txid *chainhash.Hash, vout uint32, mempool bool) (*btcjson.GetTxOutResult, error) {
	n.calls = append(n.calls, fmt.Sprintf("gettxout %d", vout))
	if *txid != n.tx.TxHash() || !mempool {
		n.t.Fatalf("gettxout %s %d %v: want the test's transaction, mempool included", txid, vout, mempool)
	}
	if n.txOutErr != nil {
		return nil, n.txOutErr
	}
	conf, ok := n.unspent[vout]
	if !ok {
		return nil, nil
	}
	return &btcjson.GetTxOutResult{Confirmations: conf}, nil
}

func (n *fakeSender) GetRawTransactionConfirmations(txid *chainhash.Hash) (int64, error) {
	n.calls = append(n.calls, "getrawtransaction")
	if *txid != n.tx.TxHash() {
		n.t.Fatalf("getrawtransaction %s: want the test's transaction", txid)
	}
	return n.rawConf, n.rawErr
}

func (n *fakeSender) GetBlockCount() (int64, error) {
	n.calls = append(n.calls, "getblockcount")
	return n.tip, n.countErr
}

func (n *fakeSender) GetBlockHash(height int64) (string, error) {
	n.calls = append(n.calls, "getblockhash")
	return fmt.Sprintf("block-%d", height), n.hashErr
}

func TestBroadcast(t *testing.T) {
	n := newFakeSender(t)
	if err := Broadcast(n, n.tx); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := n.tx.Serialize(&buf); err != nil {
		t.Fatal(err)
	}
	if len(n.sent) != 1 || n.sent[0] != hex.EncodeToString(buf.Bytes()) {
		t.Fatalf("sent %q, want the transaction in hex", n.sent)
	}
}

// TestBroadcastRefusals checks a refusal says what the node said and what
// to do, and other failures are the node's errors as they are.
func TestBroadcastRefusals(t *testing.T) {
	n := newFakeSender(t)
	n.sendErr = &explained{"the node refused sendrawtransaction: already have transaction in mempool abc (code -25)",
		rpcErr(btcjson.ErrRPCVerify, "already have transaction in mempool abc")}
	err := Broadcast(n, n.tx)
	if want := "the node refused the transaction: already have transaction in mempool abc; the node already has this transaction: it was broadcast before, nothing more to send (check its confirmations)"; err == nil || err.Error() != want {
		t.Errorf("refused: %v\nwant %s", err, want)
	}
	n.sendErr = rpcErr(btcjson.ErrRPCVerify, "something new")
	if err := Broadcast(n, n.tx); err == nil || err.Error() != "the node refused the transaction: something new; read the node's message; nothing was broadcast" {
		t.Errorf("refused without a hint: %v", err)
	}
	down := &explained{"cannot reach the node at http://127.0.0.1:1 (connection refused): check --node and that the node is running", errors.New("connection refused")}
	n.sendErr = down
	if err := Broadcast(n, n.tx); err != down {
		t.Errorf("unreachable: %v, want the node's own error", err)
	}
	if len(n.sent) != 0 {
		t.Errorf("sent %q", n.sent)
	}
}

func TestConfirmations(t *testing.T) {
	// In the mempool: output 0 unspent, 0 confirmations.
	n := newFakeSender(t)
	n.unspent[0] = 0
	c, err := Confirmations(n, n.tx, 1)
	if err != nil || *c != (Confirmation{}) {
		t.Fatalf("in the mempool: %+v, %v", c, err)
	}
	// Output 0 spent, output 1 unspent with 2 confirmations: 2 of 3 asks
	// nothing more.
	n = newFakeSender(t)
	n.unspent[1] = 2
	c, err = Confirmations(n, n.tx, 3)
	if err != nil || *c != (Confirmation{Confirmations: 2}) || fmt.Sprint(n.calls) != "[gettxout 0 gettxout 1]" {
		t.Fatalf("2 of 3: %+v, %v, calls %v", c, err, n.calls)
	}
	// 2 of 2: the block is looked up. Tip 200, 2 confirmations: block 199.
	n.calls = nil
	c, err = Confirmations(n, n.tx, 2)
	if want := (Confirmation{Confirmations: 2, Done: true, BlockHeight: 199, BlockHash: "block-199"}); err != nil || *c != want {
		t.Fatalf("2 of 2: %+v, %v; want %+v", c, err, want)
	}
	if fmt.Sprint(n.calls) != "[gettxout 0 gettxout 1 getblockcount getblockhash]" {
		t.Fatalf("calls %v", n.calls)
	}
	// Every output spent: getrawtransaction counts (it has -txindex).
	n = newFakeSender(t)
	n.rawConf = 6
	c, err = Confirmations(n, n.tx, 1)
	if err != nil || c.Confirmations != 6 || !c.Done || c.BlockHeight != 195 {
		t.Fatalf("every output spent: %+v, %v", c, err)
	}
	// ... or cannot find it (no -txindex): cannot tell yet, no error.
	n = newFakeSender(t)
	n.rawConf, n.rawErr = 6, &explained{"the node refused getrawtransaction: No such mempool or blockchain transaction (code -5)", rpcErr(btcjson.ErrRPCNoTxInfo, "No such mempool or blockchain transaction")}
	c, err = Confirmations(n, n.tx, 1)
	if err != nil || *c != (Confirmation{}) {
		t.Fatalf("every output spent, no transaction index: %+v, %v", c, err)
	}
}

// TestConfirmationsNodeErrors checks failed node calls are the node's
// errors as they are.
func TestConfirmationsNodeErrors(t *testing.T) {
	down := errors.New("cannot reach the node")
	for _, set := range []func(*fakeSender){
		func(n *fakeSender) { n.txOutErr = down },
		func(n *fakeSender) { n.countErr = down },
		func(n *fakeSender) { n.hashErr = down },
	} {
		n := newFakeSender(t)
		n.unspent[0] = 1
		set(n)
		if _, err := Confirmations(n, n.tx, 1); err != down {
			t.Errorf("calls %v: error %v, want the node's own", n.calls, err)
		}
	}
}
