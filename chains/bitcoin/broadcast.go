package bitcoin

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcjson"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// BroadcastNode is what Broadcast and Confirmations ask of a Bitcoin node
// (btcd or bitcoind): the JSON-RPC calls they make, one method each. As
// with Node, its errors reach the user as they are, and when the node
// refused a call the error must wrap the node's *btcjson.RPCError:
// Broadcast reads its message to say what to do.
type BroadcastNode interface {
	// SendRawTransaction is sendrawtransaction: txHex is the signed
	// transaction in hex.
	SendRawTransaction(txHex string) error
	// GetTxOut is gettxout, as in Node.
	GetTxOut(txid *chainhash.Hash, vout uint32, mempool bool) (*btcjson.GetTxOutResult, error)
	// GetRawTransactionConfirmations is the confirmations getrawtransaction
	// txid 1 reports (0 in the mempool); an error when the node cannot
	// find the transaction (bitcoind without -txindex, once it is mined).
	GetRawTransactionConfirmations(txid *chainhash.Hash) (int64, error)
	// GetBlockCount is getblockcount: the height of the chain tip.
	GetBlockCount() (int64, error)
	// GetBlockHash is getblockhash, as in Node.
	GetBlockHash(height int64) (string, error)
}

// Broadcast sends a signed transaction to node. When the node refuses it,
// the error gives the node's message and what to do about it; other
// failures are the node's errors as they are.
func Broadcast(node BroadcastNode, tx *wire.MsgTx) error {
	var buf bytes.Buffer
	if err := tx.Serialize(&buf); err != nil {
		return fmt.Errorf("cannot serialise the transaction: %v", err)
	}
	if err := node.SendRawTransaction(hex.EncodeToString(buf.Bytes())); err != nil {
		var re *btcjson.RPCError
		if errors.As(err, &re) {
			return fmt.Errorf("the node refused the transaction: %s; %s", re.Message, refusalHint(re.Message))
		}
		return err
	}
	return nil
}

// Confirmation is how far a sent transaction is confirmed, as a node sees
// it.
type Confirmation struct {
	Confirmations int64 // 0: in the mempool, or the node cannot tell yet
	Done          bool  // it has the confirmations asked for; the block is set

	BlockHeight int64  // of the block holding it
	BlockHash   string // as the node writes it
}

// Confirmations asks node how far tx is confirmed: with gettxout on any of
// its unspent outputs (no -txindex needed), else with getrawtransaction.
// Once it has want confirmations, Done is set and the block holding it is
// looked up.
func Confirmations(node BroadcastNode, tx *wire.MsgTx, want int64) (*Confirmation, error) {
	conf, err := confirmations(node, tx)
	if err != nil || conf < want {
		return &Confirmation{Confirmations: conf}, err
	}
	tip, err := node.GetBlockCount()
	if err != nil {
		return nil, err
	}
	c := &Confirmation{Confirmations: conf, Done: true, BlockHeight: tip - conf + 1}
	if c.BlockHash, err = node.GetBlockHash(c.BlockHeight); err != nil {
		return nil, err
	}
	return c, nil
}

// confirmations of a sent transaction: from gettxout on any unspent output,
// else from getrawtransaction; 0 when neither can tell (every output spent
// and no transaction index).
func confirmations(node BroadcastNode, tx *wire.MsgTx) (int64, error) {
	h := tx.TxHash()
	for i := range tx.TxOut {
		out, err := node.GetTxOut(&h, uint32(i), true)
		if err != nil {
			return 0, err
		}
		if out != nil {
			return out.Confirmations, nil
		}
	}
	conf, err := node.GetRawTransactionConfirmations(&h)
	if err != nil {
		return 0, nil
	}
	return conf, nil
}
