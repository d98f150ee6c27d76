package bitcoin

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
)

// Node is what FindCoins and PreparePSBT ask of a Bitcoin node (btcd or
// bitcoind): the JSON-RPC calls they make, one method each, so the online
// tool passes its node client.
//
// A Node's errors reach the user as they are, so they should say what to
// do. When the node refused a call, the error must wrap the node's
// *btcjson.RPCError: FindCoins reads its code to tell a node without
// scantxoutset or without an address index, and an address never used.
type Node interface {
	// Chain is the chain getblockchaininfo names: "main", "test",
	// "signet", "regtest" (bitcoind, btcd), or "mainnet", "testnet3"...
	Chain() (string, error)
	// ScanTxOutSet is bitcoind's scantxoutset "start" over scans.
	ScanTxOutSet(scans []ScanRange) (*ScanResult, error)
	// SearchRawTransactions is btcd's searchrawtransactions (address
	// index): at most count transactions touching addr, confirmed or in
	// the mempool, after the first skip.
	SearchRawTransactions(addr btcutil.Address, skip, count int) ([]*wire.MsgTx, error)
	// GetTxOut is gettxout: nil for an output that is spent (also by a
	// mempool transaction when mempool is true).
	GetTxOut(txid *chainhash.Hash, vout uint32, mempool bool) (*btcjson.GetTxOutResult, error)
	// GetBlockHash is getblockhash: the hash of the block at height, as
	// the node writes it.
	GetBlockHash(height int64) (string, error)
	// GetRawTransaction is getrawtransaction txid false blockHash: the
	// transaction in hex, found in that block (no -txindex needed).
	GetRawTransaction(txid *chainhash.Hash, blockHash string) (string, error)
}

// ScanRange is one scan object of scantxoutset: a ranged descriptor and the
// indexes of * to scan.
type ScanRange struct {
	Desc  string    `json:"desc"`
	Range [2]uint32 `json:"range"`
}

// ScanResult is bitcoind's answer to scantxoutset start.
type ScanResult struct {
	Success  bool          `json:"success"`
	Height   int64         `json:"height"` // the chain tip the scan saw
	Unspents []ScanUnspent `json:"unspents"`
}

// ScanUnspent is one coin scantxoutset found.
type ScanUnspent struct {
	TxID   string  `json:"txid"`
	Vout   uint32  `json:"vout"`
	Script string  `json:"scriptPubKey"` // hex
	Amount float64 `json:"amount"`       // BTC
	Height int64   `json:"height"`       // of the block holding it
}

// Where FindCoins found the coins, as Coins.Backend names it.
const (
	BackendScanTxOutSet = "bitcoind scantxoutset"
	BackendAddrIndex    = "btcd address index"
)

// MaxGap is the widest gap FindCoins scans past the last used address.
const MaxGap = 10000

// CoinOptions says how FindCoins looks for coins.
type CoinOptions struct {
	Gap     uint32 // unused addresses scanned past the last used one, 1 to MaxGap
	MinConf int64  // coins with fewer confirmations are left out (and counted)
}

// Coins is what a scan of an account's addresses found on a node.
type Coins struct {
	UTXOs       []UTXO // spendable: unspent, with at least MinConf confirmations
	NextChange  uint32 // the change index to use: the first without history (scantxoutset: past the last holding a coin)
	Addresses   int    // addresses with history (scantxoutset: with coins)
	Unconfirmed int    // coins left out for having fewer than MinConf confirmations
	Backend     string // BackendScanTxOutSet or BackendAddrIndex
}

// Total is the value of the spendable coins, in satoshis.
func (c *Coins) Total() int64 {
	var s int64
	for _, u := range c.UTXOs {
		s += u.Value
	}
	return s
}

const noAddrIndex = "the node has no address index: start btcd with --addrindex (and --txindex), or use bitcoind"

// FindCoins looks for the account's unspent outputs on its receive (m/0/*)
// and change (m/1/*) addresses: with bitcoind's scantxoutset when the node
// has it, else with btcd's address index. Coins of p2pkh accounts come with
// their previous transaction, which signers need.
func FindCoins(node Node, acct Account, opts CoinOptions) (*Coins, error) {
	if acct.Net == nil {
		return nil, fmt.Errorf("account has no network: make it with NewAccount or ParseDescriptor")
	}
	if opts.Gap < 1 || opts.Gap > MaxGap {
		return nil, fmt.Errorf("gap %d must be between 1 and %d", opts.Gap, MaxGap)
	}
	found, err := scanUTXOSet(node, acct, opts)
	if err == nil || rpcCode(err) != btcjson.ErrRPCMethodNotFound.Code {
		return found, err
	}
	return scanAddrIndex(node, acct, opts)
}

// rpcCode is the code of the node's refusal wrapped in err, or 0.
func rpcCode(err error) btcjson.RPCErrorCode {
	var re *btcjson.RPCError
	if errors.As(err, &re) {
		return re.Code
	}
	return 0
}

// scanAddrIndex walks each branch's addresses until gap unused ones follow
// the last used one, asking btcd's address index for their transactions and
// gettxout for which outputs are still unspent.
func scanAddrIndex(node Node, acct Account, opts CoinOptions) (*Coins, error) {
	found := &Coins{Backend: BackendAddrIndex}
	nextChangeSet := false
	for _, branch := range []uint32{0, 1} {
		lastUsed := int64(-1)
		for i := uint32(0); int64(i) <= lastUsed+int64(opts.Gap); i++ {
			addr, err := acct.Address(branch, i)
			if err != nil {
				return nil, fmt.Errorf("address m/%d/%d: %v", branch, i, err)
			}
			script, err := acct.Script(branch, i)
			if err != nil {
				return nil, fmt.Errorf("address m/%d/%d: %v", branch, i, err)
			}
			txs, err := history(node, addr)
			if err != nil {
				return nil, err
			}
			if len(txs) == 0 {
				if branch == 1 && !nextChangeSet {
					found.NextChange, nextChangeSet = i, true
				}
				continue
			}
			lastUsed = int64(i)
			found.Addresses++
			for _, tx := range txs {
				for vout, o := range tx.TxOut {
					if !bytes.Equal(o.PkScript, script) {
						continue
					}
					h := tx.TxHash()
					res, err := node.GetTxOut(&h, uint32(vout), true)
					if err != nil {
						return nil, err
					}
					if res == nil || containsUTXO(found.UTXOs, h, uint32(vout)) {
						continue // spent (perhaps by a transaction in the mempool), or listed already
					}
					if res.Confirmations < opts.MinConf {
						found.Unconfirmed++
						continue
					}
					found.UTXOs = append(found.UTXOs, UTXO{
						OutPoint: *wire.NewOutPoint(&h, uint32(vout)), Value: o.Value, PkScript: o.PkScript,
						Branch: branch, Index: i, Type: acct.Type, PrevTx: tx,
					})
				}
			}
		}
	}
	return found, nil
}

func containsUTXO(us []UTXO, h chainhash.Hash, vout uint32) bool {
	for _, u := range us {
		if u.OutPoint.Hash == h && u.OutPoint.Index == vout {
			return true
		}
	}
	return false
}

// history returns every transaction touching addr (confirmed and in the
// mempool), from btcd's searchrawtransactions.
func history(node Node, addr btcutil.Address) ([]*wire.MsgTx, error) {
	const page = 500
	var all []*wire.MsgTx
	for skip := 0; ; skip += page {
		txs, err := node.SearchRawTransactions(addr, skip, page)
		if err != nil {
			switch {
			case rpcCode(err) == btcjson.ErrRPCNoTxInfo:
				return all, nil // "No information available about address": never used
			case rpcCode(err) == btcjson.ErrRPCMethodNotFound.Code,
				strings.Contains(err.Error(), "--addrindex"):
				return nil, errors.New(noAddrIndex)
			}
			return nil, err
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
func scanUTXOSet(node Node, acct Account, opts CoinOptions) (*Coins, error) {
	found := &Coins{Backend: BackendScanTxOutSet}
	for end := max(1000, 2*opts.Gap); ; end *= 2 {
		res, err := node.ScanTxOutSet([]ScanRange{{acct.Descriptor(0), [2]uint32{0, end}}, {acct.Descriptor(1), [2]uint32{0, end}}})
		if err != nil {
			return nil, err
		}
		if !res.Success {
			return nil, fmt.Errorf("the node's scantxoutset did not finish (another scan running?): try again in a minute")
		}
		tip := res.Height
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
		found.UTXOs, found.Unconfirmed, found.NextChange = nil, 0, 0
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
			if d[0] == 1 && d[1]+1 > found.NextChange {
				found.NextChange = d[1] + 1
			}
			if u.Height <= 0 || tip-u.Height+1 < opts.MinConf {
				found.Unconfirmed++
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
			prev, err := confirmedTx(node, h, u.Height)
			if err != nil && acct.Type == P2PKH {
				return nil, err
			}
			found.UTXOs = append(found.UTXOs, UTXO{
				OutPoint: *wire.NewOutPoint(h, u.Vout), Value: int64(amt), PkScript: script,
				Branch: d[0], Index: d[1], Type: acct.Type, PrevTx: prev,
			})
		}
		found.Addresses = len(seenAddr)
		if highest+opts.Gap <= end {
			return found, nil
		}
	}
}

// confirmedTx fetches a confirmed transaction by txid and height (no
// -txindex needed).
func confirmedTx(node Node, h *chainhash.Hash, height int64) (*wire.MsgTx, error) {
	blockHash, err := node.GetBlockHash(height)
	if err != nil {
		return nil, err
	}
	txHex, err := node.GetRawTransaction(h, blockHash)
	if err != nil {
		return nil, fmt.Errorf("cannot fetch previous transaction %s (needed to sign p2pkh coins): %v", h, err)
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
