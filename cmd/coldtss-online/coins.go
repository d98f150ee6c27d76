package main

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcjson"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/coldtss/coldtss/chains/bitcoin"
)

// coins is what a scan of the descriptor found on the node.
type coins struct {
	utxos       []bitcoin.UTXO
	nextChange  uint32 // first change index without history
	addresses   int    // addresses with history (or, for scantxoutset, with coins)
	unconfirmed int    // coins left out for having too few confirmations
	backend     string
}

func (c *coins) total() int64 {
	var s int64
	for _, u := range c.utxos {
		s += u.Value
	}
	return s
}

const noAddrIndex = "the node has no address index: start btcd with --addrindex (and --txindex), or use bitcoind"

// findCoins looks for the account's unspent outputs: with bitcoind's
// scantxoutset when the node has it, else with btcd's address index.
func (n *btcNode) findCoins(acct bitcoin.Account, gap uint32, minConf int64) (*coins, error) {
	found, err := n.scanUTXOSet(acct, gap, minConf)
	if err == nil {
		return found, nil
	}
	if rpcCode(err) != btcjson.ErrRPCMethodNotFound.Code {
		return nil, n.explain("scantxoutset", err)
	}
	return n.scanAddrIndex(acct, gap, minConf)
}

// scanAddrIndex walks each branch's addresses until gap unused ones follow
// the last used one, asking btcd's address index for their transactions and
// gettxout for which outputs are still unspent.
func (n *btcNode) scanAddrIndex(acct bitcoin.Account, gap uint32, minConf int64) (*coins, error) {
	found := &coins{backend: "btcd address index"}
	nextChangeSet := false
	for _, branch := range []uint32{0, 1} {
		lastUsed := int64(-1)
		for i := uint32(0); int64(i) <= lastUsed+int64(gap); i++ {
			addr, err := acct.Address(branch, i)
			if err != nil {
				return nil, fmt.Errorf("address m/%d/%d: %v", branch, i, err)
			}
			script, err := acct.Script(branch, i)
			if err != nil {
				return nil, fmt.Errorf("address m/%d/%d: %v", branch, i, err)
			}
			txs, err := n.history(addr)
			if err != nil {
				return nil, err
			}
			if len(txs) == 0 {
				if branch == 1 && !nextChangeSet {
					found.nextChange, nextChangeSet = i, true
				}
				continue
			}
			lastUsed = int64(i)
			found.addresses++
			for _, tx := range txs {
				for vout, o := range tx.TxOut {
					if !bytes.Equal(o.PkScript, script) {
						continue
					}
					h := tx.TxHash()
					res, err := n.c.GetTxOut(&h, uint32(vout), true)
					if err != nil {
						return nil, n.explain("gettxout", err)
					}
					if res == nil || containsUTXO(found.utxos, h, uint32(vout)) {
						continue // spent (perhaps by a transaction in the mempool), or listed already
					}
					if res.Confirmations < minConf {
						found.unconfirmed++
						continue
					}
					found.utxos = append(found.utxos, bitcoin.UTXO{
						OutPoint: *wire.NewOutPoint(&h, uint32(vout)), Value: o.Value, PkScript: o.PkScript,
						Branch: branch, Index: i, Type: acct.Type, PrevTx: tx,
					})
				}
			}
		}
	}
	return found, nil
}

func containsUTXO(us []bitcoin.UTXO, h chainhash.Hash, vout uint32) bool {
	for _, u := range us {
		if u.OutPoint.Hash == h && u.OutPoint.Index == vout {
			return true
		}
	}
	return false
}

// history returns every transaction touching addr (confirmed and in the
// mempool), from btcd's searchrawtransactions.
func (n *btcNode) history(addr btcutil.Address) ([]*wire.MsgTx, error) {
	const page = 500
	var all []*wire.MsgTx
	for skip := 0; ; skip += page {
		txs, err := n.c.SearchRawTransactions(addr, skip, page, false, nil)
		if err != nil {
			switch {
			case rpcCode(err) == btcjson.ErrRPCNoTxInfo:
				return all, nil // "No information available about address": never used
			case rpcCode(err) == btcjson.ErrRPCMethodNotFound.Code,
				strings.Contains(err.Error(), "--addrindex"):
				return nil, errors.New(noAddrIndex)
			}
			return nil, n.explain("searchrawtransactions", err)
		}
		all = append(all, txs...)
		if len(txs) < page {
			return all, nil
		}
	}
}

// scanUTXOSet uses bitcoind's scantxoutset over both branches, widening the
// range while coins turn up near its end. bitcoind keeps no address
// history, so the next change index is one past the highest change index
// holding a coin.
func (n *btcNode) scanUTXOSet(acct bitcoin.Account, gap uint32, minConf int64) (*coins, error) {
	found := &coins{backend: "bitcoind scantxoutset"}
	var tip int64
	for end := max(1000, 2*gap); ; end *= 2 {
		type scanObject struct {
			Desc  string    `json:"desc"`
			Range [2]uint32 `json:"range"`
		}
		objs := []scanObject{{acct.Descriptor(0), [2]uint32{0, end}}, {acct.Descriptor(1), [2]uint32{0, end}}}
		var res struct {
			Success  bool  `json:"success"`
			Height   int64 `json:"height"`
			Unspents []struct {
				TxID   string  `json:"txid"`
				Vout   uint32  `json:"vout"`
				Script string  `json:"scriptPubKey"`
				Amount float64 `json:"amount"`
				Height int64   `json:"height"`
			} `json:"unspents"`
		}
		if err := n.call(&res, "scantxoutset", "start", objs); err != nil {
			return nil, err
		}
		if !res.Success {
			return nil, fmt.Errorf("the node's scantxoutset did not finish (another scan running?): try again in a minute")
		}
		tip = res.Height
		// Map scripts back to their derivation.
		where := map[string][2]uint32{}
		for _, branch := range []uint32{0, 1} {
			for i := uint32(0); i <= end; i++ {
				s, err := acct.Script(branch, i)
				if err != nil {
					return nil, fmt.Errorf("address m/%d/%d: %v", branch, i, err)
				}
				where[string(s)] = [2]uint32{branch, i}
			}
		}
		found.utxos, found.unconfirmed, found.nextChange = nil, 0, 0
		highest := uint32(0)
		seenAddr := map[[2]uint32]bool{}
		for _, u := range res.Unspents {
			script, err := hex.DecodeString(u.Script)
			if err != nil {
				return nil, fmt.Errorf("the node's scantxoutset returned a bad script %q: check --node", u.Script)
			}
			d, ok := where[string(script)]
			if !ok {
				continue
			}
			seenAddr[d] = true
			highest = max(highest, d[1])
			if d[0] == 1 && d[1]+1 > found.nextChange {
				found.nextChange = d[1] + 1
			}
			if u.Height <= 0 || tip-u.Height+1 < minConf {
				found.unconfirmed++
				continue
			}
			h, err := chainhash.NewHashFromStr(u.TxID)
			if err != nil {
				return nil, fmt.Errorf("the node's scantxoutset returned a bad txid %q: check --node", u.TxID)
			}
			amt, err := btcutil.NewAmount(u.Amount)
			if err != nil {
				return nil, fmt.Errorf("the node's scantxoutset returned a bad amount %v: check --node", u.Amount)
			}
			prev, err := n.rawTx(h, u.Height)
			if err != nil && acct.Type == bitcoin.P2PKH {
				return nil, err
			}
			found.utxos = append(found.utxos, bitcoin.UTXO{
				OutPoint: *wire.NewOutPoint(h, u.Vout), Value: int64(amt), PkScript: script,
				Branch: d[0], Index: d[1], Type: acct.Type, PrevTx: prev,
			})
		}
		found.addresses = len(seenAddr)
		if highest+gap <= end {
			return found, nil
		}
	}
}

// rawTx fetches a confirmed transaction by txid and height (no -txindex needed).
func (n *btcNode) rawTx(h *chainhash.Hash, height int64) (*wire.MsgTx, error) {
	var blockHash string
	if err := n.call(&blockHash, "getblockhash", height); err != nil {
		return nil, n.explain("getblockhash", err)
	}
	var txHex string
	if err := n.call(&txHex, "getrawtransaction", h.String(), false, blockHash); err != nil {
		return nil, fmt.Errorf("cannot fetch previous transaction %s (needed to sign p2pkh coins): %v", h, n.explain("getrawtransaction", err))
	}
	b, err := hex.DecodeString(txHex)
	if err != nil {
		return nil, fmt.Errorf("the node returned a malformed transaction %s: check --node", h)
	}
	var tx wire.MsgTx
	if err := tx.Deserialize(bytes.NewReader(b)); err != nil || tx.TxHash() != *h {
		return nil, fmt.Errorf("the node returned a malformed transaction %s: check --node", h)
	}
	return &tx, nil
}
