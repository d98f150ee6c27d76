package testnodes

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/rpcclient"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// coinbaseMaturity is how many blocks a coinbase output waits before it can
// be spent (Bitcoin consensus, regtest included).
const coinbaseMaturity = 100

// Btcd is a btcd regtest node with a test-side miner key that funds addresses.
type Btcd struct {
	RPC        string // host:port of the JSON-RPC server (plain HTTP)
	User, Pass string
	Client     *rpcclient.Client
	Net        *chaincfg.Params
	DataDir    string

	mu         sync.Mutex
	proc       *process
	key        *btcec.PrivateKey
	script     []byte // the miner's P2PKH script
	change     []coin // confirmed non-coinbase outputs of the miner key
	nextHeight int64  // lowest block height whose coinbase is still unspent
}

type coin struct {
	op    wire.OutPoint
	value int64
}

// URL is the node's RPC address as an http:// URL.
func (b *Btcd) URL() string { return "http://" + b.RPC }

// StartBtcd starts btcd in regtest with --txindex and --addrindex on free
// loopback ports in a temporary data directory, and waits until its RPC
// server answers. The node is stopped when the test ends.
func StartBtcd(t testing.TB) *Btcd {
	t.Helper()
	bin := binary(t, "btcd")
	dir := t.TempDir()
	seed := sha256.Sum256([]byte("coldtss testnodes btcd miner"))
	key, _ := btcec.PrivKeyFromBytes(seed[:])
	net := &chaincfg.RegressionNetParams
	addr, err := btcutil.NewAddressPubKeyHash(btcutil.Hash160(key.PubKey().SerializeCompressed()), net)
	if err != nil {
		t.Fatal(err)
	}
	script, err := txscript.PayToAddrScript(addr)
	if err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "btcd.conf")
	if err := os.WriteFile(conf, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	b := &Btcd{
		RPC:  fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		User: "coldtss", Pass: "regtest",
		Net: net, DataDir: dir, key: key, script: script, nextHeight: 1,
	}
	b.proc = start(t, "btcd", bin, dir, []string{"HOME=" + dir},
		"--configfile="+conf, "--regtest", "--notls",
		"--rpclisten="+b.RPC, fmt.Sprintf("--listen=127.0.0.1:%d", freePort(t)),
		"--rpcuser="+b.User, "--rpcpass="+b.Pass,
		"--txindex", "--addrindex", "--nodnsseed",
		"--miningaddr="+addr.EncodeAddress(),
		"--datadir="+filepath.Join(dir, "data"), "--logdir="+filepath.Join(dir, "logs"))
	b.Client, err = rpcclient.New(&rpcclient.ConnConfig{
		Host: b.RPC, User: b.User, Pass: b.Pass, HTTPPostMode: true, DisableTLS: true,
	}, nil)
	if err != nil {
		t.Fatalf("btcd rpc client: %v", err)
	}
	t.Cleanup(b.Client.Shutdown)
	b.proc.waitReady(t, func() error { _, err := b.Client.GetBlockCount(); return err })
	return b
}

// Mine mines n blocks paying the miner key and returns their hashes.
func (b *Btcd) Mine(t testing.TB, n int) []*chainhash.Hash {
	t.Helper()
	hashes, err := b.Client.Generate(uint32(n))
	if err != nil {
		t.Fatalf("btcd: generate %d: %v", n, err)
	}
	return hashes
}

// Fund pays each address (regtest encoding) its amount in satoshis in one
// transaction from the miner key, signed with btcd's txscript, and mines it
// into a block. It mines the blocks needed for mature coinbases first, and
// can be called any number of times.
func (b *Btcd) Fund(t testing.TB, payments map[string]int64) *chainhash.Hash {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(payments) == 0 {
		t.Fatal("testnodes: Fund needs at least one payment")
	}
	addrs := make([]string, 0, len(payments))
	for a := range payments {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	tx := wire.NewMsgTx(wire.TxVersion)
	var total int64
	for _, a := range addrs {
		addr, err := btcutil.DecodeAddress(a, b.Net)
		if err != nil || !addr.IsForNet(b.Net) {
			t.Fatalf("testnodes: Fund: %q is not a regtest address: %v", a, err)
		}
		pk, err := txscript.PayToAddrScript(addr)
		if err != nil {
			t.Fatalf("testnodes: Fund: %s: %v", a, err)
		}
		tx.AddTxOut(wire.NewTxOut(payments[a], pk))
		total += payments[a]
	}

	// Gather coins: earlier change first, then matured coinbases, mining
	// more blocks when those run out.
	var ins []coin
	var have int64
	fee := func() int64 { return 2 * int64(10+148*len(ins)+34*(len(tx.TxOut)+1)) }
	for have < total+fee() {
		if len(b.change) > 0 {
			c := b.change[0]
			b.change = b.change[1:]
			ins, have = append(ins, c), have+c.value
			continue
		}
		tip, err := b.Client.GetBlockCount()
		if err != nil {
			t.Fatalf("btcd: getblockcount: %v", err)
		}
		if need := b.nextHeight + coinbaseMaturity - tip; need > 0 {
			b.Mine(t, int(need))
		}
		c := b.coinbase(t, b.nextHeight)
		b.nextHeight++
		ins, have = append(ins, c), have+c.value
	}
	if ch := have - total - fee(); ch >= 546 {
		tx.AddTxOut(wire.NewTxOut(ch, b.script))
	}
	for _, c := range ins {
		tx.AddTxIn(wire.NewTxIn(&c.op, nil, nil))
	}
	for i := range tx.TxIn {
		sig, err := txscript.SignatureScript(tx, i, b.script, txscript.SigHashAll, b.key, true)
		if err != nil {
			t.Fatalf("testnodes: Fund: sign input %d: %v", i, err)
		}
		tx.TxIn[i].SignatureScript = sig
	}
	txid, err := b.Client.SendRawTransaction(tx, true)
	if err != nil {
		t.Fatalf("btcd: sendrawtransaction (funding): %v", err)
	}
	b.Mine(t, 1)
	if last := len(tx.TxOut) - 1; len(tx.TxOut) > len(addrs) {
		b.change = append(b.change, coin{*wire.NewOutPoint(txid, uint32(last)), tx.TxOut[last].Value})
	}
	return txid
}

// coinbase returns the miner's output of the coinbase at a height.
func (b *Btcd) coinbase(t testing.TB, height int64) coin {
	t.Helper()
	h, err := b.Client.GetBlockHash(height)
	if err != nil {
		t.Fatalf("btcd: getblockhash %d: %v", height, err)
	}
	blk, err := b.Client.GetBlock(h)
	if err != nil {
		t.Fatalf("btcd: getblock %d: %v", height, err)
	}
	cb := blk.Transactions[0]
	for i, o := range cb.TxOut {
		if string(o.PkScript) == string(b.script) {
			return coin{*wire.NewOutPoint(ptr(cb.TxHash()), uint32(i)), o.Value}
		}
	}
	t.Fatalf("testnodes: the coinbase at height %d does not pay the miner key (was the block mined by someone else?)", height)
	return coin{}
}

func ptr[T any](v T) *T { return &v }
