package bitcoin

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcjson"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// fakeNode is a Node holding the coins a test gives it: bitcoind (with
// scantxoutset, without an address index) or btcd (the other way round).
type fakeNode struct {
	t        *testing.T
	acct     Account
	chain    string
	tip      int64
	bitcoind bool

	outs    []*fakeOut
	txs     map[chainhash.Hash]*wire.MsgTx
	heights map[chainhash.Hash]int64 // 0: in the mempool

	// What was asked.
	searched map[string]bool // addresses given to SearchRawTransactions
	scans    []uint32        // end of the range of each scantxoutset
	rawTxs   []chainhash.Hash

	// Failures to give.
	scanErr, searchErr, rawErr error
	scanResult                 func(*ScanResult) // edits what scantxoutset answers
	rawTx                      func(*wire.MsgTx) *wire.MsgTx
}

type fakeOut struct {
	op            wire.OutPoint
	branch, index uint32
	value         int64
	script        []byte
	spent         bool
}

func newFakeNode(t *testing.T, acct Account, bitcoind bool) *fakeNode {
	return &fakeNode{t: t, acct: acct, chain: "regtest", tip: 100, bitcoind: bitcoind,
		txs: map[chainhash.Hash]*wire.MsgTx{}, heights: map[chainhash.Hash]int64{}, searched: map[string]bool{}}
}

// fund pays value to the account's address m/branch/index in a new
// transaction mined at height (0: in the mempool).
func (n *fakeNode) fund(branch, index uint32, value, height int64) *fakeOut {
	n.t.Helper()
	script, err := n.acct.Script(branch, index)
	if err != nil {
		n.t.Fatal(err)
	}
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{1}, uint32(len(n.txs))), []byte{txscript.OP_TRUE}, nil))
	tx.AddTxOut(wire.NewTxOut(value, script))
	h := tx.TxHash()
	n.txs[h], n.heights[h] = tx, height
	o := &fakeOut{op: *wire.NewOutPoint(&h, 0), branch: branch, index: index, value: value, script: script}
	n.outs = append(n.outs, o)
	return o
}

func rpcErr(code btcjson.RPCErrorCode, msg string) error {
	return &btcjson.RPCError{Code: code, Message: msg}
}

var errMethodNotFound = rpcErr(btcjson.ErrRPCMethodNotFound.Code, "Method not found")

// explained is an error as the online tool's node gives it: explained, and
// wrapping the node's refusal.
type explained struct {
	msg string
	err error
}

func (e *explained) Error() string { return e.msg }
func (e *explained) Unwrap() error { return e.err }

func (n *fakeNode) Chain() (string, error) { return n.chain, nil }

func (n *fakeNode) ScanTxOutSet(scans []ScanRange) (*ScanResult, error) {
	if !n.bitcoind {
		return nil, &explained{"the node refused scantxoutset: Method not found (code -32601)", errMethodNotFound}
	}
	if n.scanErr != nil {
		return nil, n.scanErr
	}
	if len(scans) != 2 || scans[0].Desc != n.acct.Descriptor(0) || scans[1].Desc != n.acct.Descriptor(1) || scans[0].Range != scans[1].Range || scans[0].Range[0] != 0 {
		n.t.Fatalf("scantxoutset %+v: want both branches of the descriptor over the same range from 0", scans)
	}
	end := scans[0].Range[1]
	n.scans = append(n.scans, end)
	res := &ScanResult{Success: true, Height: n.tip}
	for _, o := range n.outs {
		if o.spent || o.index > end {
			continue
		}
		res.Unspents = append(res.Unspents, ScanUnspent{TxID: o.op.Hash.String(), Vout: o.op.Index,
			Script: hex.EncodeToString(o.script), Amount: btcutil.Amount(o.value).ToBTC(), Height: n.heights[o.op.Hash]})
	}
	if n.scanResult != nil {
		n.scanResult(res)
	}
	return res, nil
}

func (n *fakeNode) SearchRawTransactions(addr btcutil.Address, skip, count int) ([]*wire.MsgTx, error) {
	if n.bitcoind {
		return nil, errMethodNotFound
	}
	if n.searchErr != nil {
		return nil, n.searchErr
	}
	n.searched[addr.EncodeAddress()] = true
	script, err := txscript.PayToAddrScript(addr)
	if err != nil {
		n.t.Fatal(err)
	}
	var all []*wire.MsgTx
	for _, o := range n.outs {
		if bytes.Equal(o.script, script) {
			all = append(all, n.txs[o.op.Hash])
		}
	}
	if len(all) == 0 {
		return nil, rpcErr(btcjson.ErrRPCNoTxInfo, "No information available about address")
	}
	all = all[min(skip, len(all)):]
	return all[:min(count, len(all))], nil
}

func (n *fakeNode) GetTxOut(txid *chainhash.Hash, vout uint32, mempool bool) (*btcjson.GetTxOutResult, error) {
	if !mempool {
		n.t.Fatal("gettxout without the mempool: coins spent by a pending transaction would be offered")
	}
	for _, o := range n.outs {
		if o.op.Hash == *txid && o.op.Index == vout && !o.spent {
			conf := int64(0)
			if h := n.heights[*txid]; h > 0 {
				conf = n.tip - h + 1
			}
			return &btcjson.GetTxOutResult{Confirmations: conf, Value: btcutil.Amount(o.value).ToBTC()}, nil
		}
	}
	return nil, nil
}

func (n *fakeNode) GetBlockHash(height int64) (string, error) {
	return fmt.Sprintf("block-%d", height), nil
}

func (n *fakeNode) GetRawTransaction(txid *chainhash.Hash, blockHash string) (string, error) {
	n.rawTxs = append(n.rawTxs, *txid)
	if n.rawErr != nil {
		return "", n.rawErr
	}
	tx, ok := n.txs[*txid]
	if !ok || blockHash != fmt.Sprintf("block-%d", n.heights[*txid]) {
		return "", rpcErr(btcjson.ErrRPCInvalidAddressOrKey, "No such transaction found in the provided block")
	}
	if n.rawTx != nil {
		tx = n.rawTx(tx)
	}
	var buf bytes.Buffer
	if err := tx.Serialize(&buf); err != nil {
		n.t.Fatal(err)
	}
	return hex.EncodeToString(buf.Bytes()), nil
}

func (n *fakeNode) address(branch, index uint32) string {
	n.t.Helper()
	a, err := n.acct.Address(branch, index)
	if err != nil {
		n.t.Fatal(err)
	}
	return a.EncodeAddress()
}

// coinsAt lists the derivations of coins, "m/0/3", in order.
func coinsAt(c *Coins) []string {
	var s []string
	for _, u := range c.UTXOs {
		s = append(s, fmt.Sprintf("m/%d/%d", u.Branch, u.Index))
	}
	return s
}

func findCoins(t *testing.T, n *fakeNode, gap uint32, minConf int64) *Coins {
	t.Helper()
	c, err := FindCoins(n, n.acct, CoinOptions{Gap: gap, MinConf: minConf})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestFindCoinsAddrIndex scans btcd's address index: the gap limit stops
// each branch, spent and unconfirmed coins are left out (the unconfirmed
// counted), each coin comes with its previous transaction, and the change
// index is the first change address never used.
func TestFindCoinsAddrIndex(t *testing.T) {
	n := newFakeNode(t, buildVector1(t, &chaincfg.RegressionNetParams, P2WPKH).acct, false)
	r0 := n.fund(0, 0, 1_000_000, 90)
	r3 := n.fund(0, 3, 2_000_000, 100)
	n.fund(0, 7, 4_000_000, 90) // 4 unused addresses after m/0/3: past the gap of 3
	n.fund(1, 0, 500_000, 50).spent = true
	n.fund(1, 1, 300_000, 0) // in the mempool
	n.fund(1, 3, 200_000, 80)

	c := findCoins(t, n, 3, 1)
	if got := strings.Join(coinsAt(c), " "); got != "m/0/0 m/0/3 m/1/3" {
		t.Fatalf("found coins at %s, want m/0/0 m/0/3 m/1/3", got)
	}
	if c.Backend != BackendAddrIndex || c.Total() != 3_200_000 || c.Unconfirmed != 1 || c.Addresses != 5 || c.NextChange != 2 {
		t.Fatalf("found %s %d sat, %d unconfirmed, %d addresses, next change %d; want %s 3200000 sat, 1, 5, 2",
			c.Backend, c.Total(), c.Unconfirmed, c.Addresses, c.NextChange, BackendAddrIndex)
	}
	for i, want := range []*fakeOut{r0, r3} {
		u := c.UTXOs[i]
		if u.OutPoint != want.op || u.Value != want.value || !bytes.Equal(u.PkScript, want.script) || u.Type != P2WPKH || u.PrevTx != n.txs[want.op.Hash] {
			t.Fatalf("coin %d is %+v, want %+v with its previous transaction", i, u, want)
		}
	}
	// The scan stops gap addresses past the last used one on each branch.
	for _, a := range []struct {
		branch, index uint32
		asked         bool
	}{{0, 6, true}, {0, 7, false}, {1, 6, true}, {1, 7, false}} {
		if n.searched[n.address(a.branch, a.index)] != a.asked {
			t.Errorf("m/%d/%d asked %v, want %v", a.branch, a.index, !a.asked, a.asked)
		}
	}

	// A wider gap reaches m/0/7; a stricter --min-conf leaves out m/0/3 too.
	c = findCoins(t, n, 4, 2)
	if got := strings.Join(coinsAt(c), " "); got != "m/0/0 m/0/7 m/1/3" || c.Unconfirmed != 2 {
		t.Fatalf("gap 4, min conf 2: found %s (%d unconfirmed), want m/0/0 m/0/7 m/1/3 (2)", got, c.Unconfirmed)
	}

	// The change index moves past every used change address.
	n.fund(1, 2, 100_000, 0)
	if c = findCoins(t, n, 3, 1); c.NextChange != 4 {
		t.Fatalf("change m/1/0..3 used: next change %d, want 4", c.NextChange)
	}
}

// TestFindCoinsAddrIndexPages reads an address's history past the first
// page of searchrawtransactions.
func TestFindCoinsAddrIndexPages(t *testing.T) {
	n := newFakeNode(t, buildVector1(t, &chaincfg.RegressionNetParams, P2WPKH).acct, false)
	for range 501 {
		n.fund(0, 0, 1000, 90)
	}
	if c := findCoins(t, n, 1, 1); len(c.UTXOs) != 501 || c.Total() != 501_000 {
		t.Fatalf("found %d coins (%d sat), want 501", len(c.UTXOs), c.Total())
	}
}

// TestFindCoinsScanTxOutSet scans with bitcoind's scantxoutset: the range
// widens while coins turn up near its end and stops gap past the highest;
// unconfirmed coins are counted; the change index is past the highest
// change coin; scripts that are not the account's are ignored.
func TestFindCoinsScanTxOutSet(t *testing.T) {
	n := newFakeNode(t, buildVector1(t, &chaincfg.RegressionNetParams, P2WPKH).acct, true)
	n.fund(0, 0, 1_000_000, 100)
	n.fund(0, 990, 2_000_000, 90)
	n.fund(0, 1500, 3_000_000, 90) // found: m/0/990 + 20 is past the first range's end, 1000
	n.fund(0, 2100, 4_000_000, 90) // not found: more than 20 past m/0/1500
	n.fund(1, 4, 500_000, 0)       // in the mempool
	n.fund(1, 2, 700_000, 100)     // 1 confirmation
	n.scanResult = func(r *ScanResult) {
		r.Unspents = append(r.Unspents, ScanUnspent{TxID: strings.Repeat("ab", 32), Script: "0014" + strings.Repeat("00", 20), Amount: 1, Height: 5})
	}

	c := findCoins(t, n, 20, 1)
	if got := strings.Join(coinsAt(c), " "); got != "m/0/0 m/0/990 m/0/1500 m/1/2" {
		t.Fatalf("found coins at %s, want m/0/0 m/0/990 m/0/1500 m/1/2", got)
	}
	if fmt.Sprint(n.scans) != "[1000 2000]" {
		t.Fatalf("scanned ranges ending at %v, want [1000 2000]", n.scans)
	}
	if c.Backend != BackendScanTxOutSet || c.Total() != 6_700_000 || c.Unconfirmed != 1 || c.Addresses != 5 || c.NextChange != 5 {
		t.Fatalf("found %s %d sat, %d unconfirmed, %d addresses, next change %d; want %s 6700000 sat, 1, 5, 5",
			c.Backend, c.Total(), c.Unconfirmed, c.Addresses, c.NextChange, BackendScanTxOutSet)
	}
	for _, u := range c.UTXOs {
		if u.PrevTx == nil || u.PrevTx.TxHash() != u.OutPoint.Hash {
			t.Fatalf("coin %s came without its previous transaction", u.OutPoint)
		}
	}

	// --min-conf 2 leaves out the coin at the tip too.
	n.scans = nil
	if c = findCoins(t, n, 20, 2); len(c.UTXOs) != 2 || c.Unconfirmed != 3 {
		t.Fatalf("min conf 2: %d coins, %d unconfirmed; want 2 and 3", len(c.UTXOs), c.Unconfirmed)
	}
	// A small gap still scans 1000 addresses: scantxoutset's cost hardly
	// depends on the range.
	n.scans = nil
	if c = findCoins(t, n, 1, 1); fmt.Sprint(n.scans) != "[1000]" || strings.Join(coinsAt(c), " ") != "m/0/0 m/0/990 m/1/2" {
		t.Fatalf("gap 1: scanned %v, found %v", n.scans, coinsAt(c))
	}
}

// TestFindCoinsP2PKH checks p2pkh coins come with their previous
// transaction, from either backend, and that scantxoutset's coins cannot go
// without it.
func TestFindCoinsP2PKH(t *testing.T) {
	acct := buildVector1(t, &chaincfg.RegressionNetParams, P2PKH).acct
	for _, bitcoind := range []bool{false, true} {
		n := newFakeNode(t, acct, bitcoind)
		o := n.fund(0, 1, 1_000_000, 42)
		c := findCoins(t, n, 5, 1)
		if len(c.UTXOs) != 1 || c.UTXOs[0].Type != P2PKH || c.UTXOs[0].PrevTx == nil || c.UTXOs[0].PrevTx.TxHash() != o.op.Hash {
			t.Fatalf("bitcoind %v: found %+v, want the p2pkh coin with its previous transaction", bitcoind, c.UTXOs)
		}
		// The coins are good enough to build with.
		dest, _ := btcutil.DecodeAddress("bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", acct.Net)
		if _, err := BuildPSBT(acct, c.UTXOs, []Payment{{dest, 500_000}}, c.NextChange, 2, false); err != nil {
			t.Fatalf("bitcoind %v: BuildPSBT refused the coins found: %v", bitcoind, err)
		}
	}

	n := newFakeNode(t, acct, true)
	o := n.fund(0, 1, 1_000_000, 42)
	findCoins(t, n, 5, 1)
	if len(n.rawTxs) != 1 || n.rawTxs[0] != o.op.Hash {
		t.Fatalf("fetched %v, want the coin's transaction %s", n.rawTxs, o.op.Hash)
	}
	n.rawErr = errors.New("the node refused getrawtransaction: No such transaction (code -5)")
	_, err := FindCoins(n, acct, CoinOptions{Gap: 5, MinConf: 1})
	if want := "cannot fetch previous transaction " + o.op.Hash.String() + " (needed to sign p2pkh coins): the node refused getrawtransaction: No such transaction (code -5)"; err == nil || err.Error() != want {
		t.Fatalf("getrawtransaction failing: %v\nwant %s", err, want)
	}
	n.rawErr = nil
	n.rawTx = func(tx *wire.MsgTx) *wire.MsgTx { tx = tx.Copy(); tx.LockTime++; return tx }
	_, err = FindCoins(n, acct, CoinOptions{Gap: 5, MinConf: 1})
	if want := "the node returned a malformed transaction " + o.op.Hash.String() + ": check --node"; err == nil || err.Error() != want {
		t.Fatalf("another transaction returned: %v\nwant %s", err, want)
	}

	// Segwit coins carry their amount in the PSBT: a node that cannot
	// give the previous transaction is no obstacle.
	n = newFakeNode(t, buildVector1(t, &chaincfg.RegressionNetParams, P2WPKH).acct, true)
	n.fund(0, 1, 1_000_000, 42)
	n.rawErr = errors.New("no")
	if c := findCoins(t, n, 5, 1); len(c.UTXOs) != 1 || c.UTXOs[0].PrevTx != nil {
		t.Fatalf("p2wpkh without previous transaction: %+v", c.UTXOs)
	}
}

// TestFindCoinsBackends checks the choice of backend and each node failure.
func TestFindCoinsBackends(t *testing.T) {
	acct := buildVector1(t, &chaincfg.RegressionNetParams, P2WPKH).acct
	for _, bitcoind := range []bool{false, true} {
		n := newFakeNode(t, acct, bitcoind)
		n.fund(0, 0, 1_000_000, 90)
		c := findCoins(t, n, 20, 1)
		want := map[bool]string{false: BackendAddrIndex, true: BackendScanTxOutSet}[bitcoind]
		if c.Backend != want || len(c.UTXOs) != 1 {
			t.Fatalf("bitcoind %v: %d coins from %s, want 1 from %s", bitcoind, len(c.UTXOs), c.Backend, want)
		}
		if bitcoind && len(n.searched) != 0 {
			t.Fatalf("bitcoind: the address index was asked too")
		}
	}

	const noIndex = "the node has no address index: start btcd with --addrindex (and --txindex), or use bitcoind"
	for _, c := range []struct {
		name string
		set  func(*fakeNode)
		want string
	}{
		{"scantxoutset refused", func(n *fakeNode) {
			n.bitcoind, n.scanErr = true, &explained{"the node refused scantxoutset: Scan already in progress (code -8)", rpcErr(-8, "Scan already in progress")}
		}, "the node refused scantxoutset: Scan already in progress (code -8)"},
		{"scan did not finish", func(n *fakeNode) {
			n.bitcoind, n.scanResult = true, func(r *ScanResult) { r.Success = false }
		}, "the node's scantxoutset did not finish (another scan running?): try again in a minute"},
		{"bad script", func(n *fakeNode) {
			n.bitcoind, n.scanResult = true, func(r *ScanResult) { r.Unspents[0].Script = "zz" }
		}, `the node's scantxoutset returned a bad script "zz": check --node`},
		{"bad txid", func(n *fakeNode) {
			n.bitcoind, n.scanResult = true, func(r *ScanResult) { r.Unspents[0].TxID = "xyz" }
		}, `the node's scantxoutset returned a bad txid "xyz": check --node`},
		{"bad amount", func(n *fakeNode) {
			n.bitcoind, n.scanResult = true, func(r *ScanResult) { r.Unspents[0].Amount = math.Inf(1) }
		}, "the node's scantxoutset returned a bad amount +Inf: check --node"},
		{"no address index", func(n *fakeNode) {
			n.searchErr = rpcErr(btcjson.ErrRPCMisc, "Address index must be enabled (--addrindex)")
		}, noIndex},
		{"neither method", func(n *fakeNode) { n.searchErr = errMethodNotFound }, noIndex},
		{"search fails", func(n *fakeNode) {
			n.searchErr = errors.New("cannot reach the node at http://127.0.0.1:1 (connection refused): check --node and that the node is running")
		}, "cannot reach the node at http://127.0.0.1:1 (connection refused): check --node and that the node is running"},
	} {
		n := newFakeNode(t, acct, false)
		n.fund(0, 0, 1_000_000, 90)
		c.set(n)
		if _, err := FindCoins(n, acct, CoinOptions{Gap: 20, MinConf: 1}); err == nil || err.Error() != c.want {
			t.Errorf("%s: %v\nwant %s", c.name, err, c.want)
		}
	}

	n := newFakeNode(t, acct, false)
	for _, gap := range []uint32{0, MaxGap + 1} {
		if _, err := FindCoins(n, acct, CoinOptions{Gap: gap}); err == nil || !strings.Contains(err.Error(), "must be between 1 and 10000") {
			t.Errorf("gap %d: %v", gap, err)
		}
	}
	if _, err := FindCoins(n, Account{}, CoinOptions{Gap: 1}); err == nil || !strings.Contains(err.Error(), "no network") {
		t.Errorf("account without network: %v", err)
	}
}

// TestPreparePSBT checks the node's network, the unconfirmed coins named
// when funds fall short, and that the PSBT made passes the stations' review
// with change at the next change index.
func TestPreparePSBT(t *testing.T) {
	net := &chaincfg.RegressionNetParams
	acct := buildVector1(t, net, P2WPKH).acct
	dest, _ := btcutil.DecodeAddress("bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", net)
	opts := PSBTOptions{Account: acct, Payments: []Payment{{dest, 1_500_000}}, FeeRate: 2, Coins: CoinOptions{Gap: 20, MinConf: 1}}
	for _, bitcoind := range []bool{false, true} {
		n := newFakeNode(t, acct, bitcoind)
		n.fund(0, 0, 1_000_000, 90)
		n.fund(0, 5, 2_000_000, 90)
		n.fund(1, 0, 300_000, 90).spent = true
		p, err := PreparePSBT(n, opts)
		if err != nil {
			t.Fatalf("bitcoind %v: %v", bitcoind, err)
		}
		rev, err := ReviewPSBT(p.PSBT, acct, Policy{Net: net})
		if err != nil || rev.TxID != p.Review.TxID {
			t.Fatalf("bitcoind %v: the PSBT reviews as %v, %v; want txid %s", bitcoind, rev, err, p.Review.TxID)
		}
		wantChange := map[bool]string{false: "m/1/1", true: "m/1/0"}[bitcoind] // bitcoind cannot see spent history
		change := ""
		for _, o := range rev.Outputs {
			if o.Change {
				change = o.Path
			}
		}
		if len(rev.Inputs) != 1 || rev.Inputs[0].Path != "m/0/5" || change != wantChange || p.Coins.NextChange != uint32(wantChange[4]-'0') {
			t.Fatalf("bitcoind %v: inputs %+v, change %q (next %d); want m/0/5 and %s", bitcoind, rev.Inputs, change, p.Coins.NextChange, wantChange)
		}
		if p.AboveDefaultFeeRate() {
			t.Fatalf("2 sat/vB is above the stations' default")
		}
	}

	n := newFakeNode(t, acct, false)
	n.fund(0, 0, 1_000_000, 90)
	n.fund(0, 1, 2_000_000, 0)
	_, err := PreparePSBT(n, opts)
	if err == nil || !strings.HasPrefix(err.Error(), "insufficient funds: have 0.01000000 BTC in 1 coin(s)") || !strings.HasSuffix(err.Error(), "(1 more coin(s) have fewer than --min-conf 1 confirmations)") {
		t.Fatalf("short of confirmed coins: %v", err)
	}
	opts.Coins.MinConf = 0
	if _, err := PreparePSBT(n, opts); err != nil {
		t.Fatalf("--min-conf 0 spends the mempool coin: %v", err)
	}
	high := opts
	high.FeeRate = DefaultMaxFeeRate + 1
	if p, err := PreparePSBT(n, high); err != nil || !p.AboveDefaultFeeRate() {
		t.Fatalf("fee rate above the stations' default: %v", err)
	}

	for chain, want := range map[string]string{
		"main":     "the node is on mainnet but the descriptor is used on regtest: connect to a regtest node or give the right --network",
		"testnet3": "the node is on testnet but the descriptor is used on regtest",
		"foo":      "the node is on foo but the descriptor is used on regtest",
	} {
		n.chain = chain
		if _, err := PreparePSBT(n, opts); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("node on %q: %v\nwant %s", chain, err, want)
		}
	}
	tn := newFakeNode(t, buildVector1(t, &chaincfg.TestNet3Params, P2WPKH).acct, false)
	tn.chain = "test"
	tn.fund(0, 0, 5_000_000, 90)
	tdest, _ := btcutil.DecodeAddress("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", &chaincfg.TestNet3Params)
	if _, err := PreparePSBT(tn, PSBTOptions{Account: tn.acct, Payments: []Payment{{tdest, 1_000_000}}, FeeRate: 1, Coins: CoinOptions{Gap: 20}}); err != nil {
		t.Fatalf("bitcoind's \"test\" is testnet: %v", err)
	}
}
