package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/coldtss/coldtss/chains/bitcoin"
	"github.com/coldtss/coldtss/internal/testnodes"
)

// external is an address of nobody's in these tests (BIP173 example program).
const external = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"

func btcNodeArgs(b *testnodes.Btcd) []string {
	return []string{"--node", b.URL(), "--rpc-user", b.User, "--rpc-pass", b.Pass}
}

func addr(t *testing.T, acct bitcoin.Account, branch, index uint32) string {
	t.Helper()
	a, err := acct.Address(branch, index)
	if err != nil {
		t.Fatal(err)
	}
	return a.EncodeAddress()
}

// broadcastAndMine runs broadcast (waiting for one confirmation) while the
// test mines a block once the transaction reaches the mempool.
func broadcastAndMine(t *testing.T, b *testnodes.Btcd, txHex string, txid chainhash.Hash) broadcastResult {
	t.Helper()
	r := start(t, append([]string{"broadcast", txHex, "--json", "--timeout", "1m"}, btcNodeArgs(b)...)...)
	var mined *chainhash.Hash
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		pool, err := b.Client.GetRawMempool()
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range pool {
			if *h == txid {
				mined = b.Mine(t, 1)[0]
			}
		}
		if mined != nil {
			break
		}
	}
	res := wait(t, r)
	if res.code != 0 {
		t.Fatalf("broadcast: exit %d: %s", res.code, res.stderr)
	}
	if mined == nil {
		t.Fatal("the transaction never reached the mempool")
	}
	if !strings.Contains(res.stderr, "waiting for confirmation: 0 of 1") {
		t.Errorf("broadcast showed no progress line; stderr: %s", res.stderr)
	}
	var out broadcastResult
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatalf("broadcast --json: %v: %s", err, res.stdout)
	}
	if out.TxID != txid.String() || out.Confirmations < 1 || out.BlockHash != mined.String() {
		t.Fatalf("broadcast says %+v; want txid %s confirmed in block %s", out, txid, mined)
	}
	return out
}

// TestBitcoinPrepareSignBroadcast is the whole online path on btcd regtest,
// for each script type: coins at receive indexes 0, 3 and 7 are found from
// the descriptor, spent with change, signed as the stations would, and
// broadcast; the change must land at the next unused change address.
func TestBitcoinPrepareSignBroadcast(t *testing.T) {
	t.Parallel()
	b := testnodes.StartBtcd(t)
	key := newTestKey(t)
	for _, typ := range bitcoin.ScriptTypes {
		t.Run(string(typ), func(t *testing.T) {
			acct := key.account(t, typ)
			funds := map[string]int64{addr(t, acct, 0, 0): 50e6, addr(t, acct, 0, 3): 25e6, addr(t, acct, 0, 7): 12_500_000}
			wantChange, wantInputs := uint32(0), 3
			args := []string{}
			if typ == bitcoin.P2WPKH {
				// A used change address: change must go to the next one,
				// and --spend-all must take this coin too.
				funds[addr(t, acct, 1, 0)] = 10e6
				wantChange, wantInputs = 1, 4
				args = append(args, "--spend-all")
			}
			b.Fund(t, funds)

			dir := t.TempDir()
			psbtFile := dir + "/tx.psbt"
			res := ok(t, append(append([]string{"btc", "prepare", "--descriptor", acct.Descriptor(0), "--network", "regtest",
				"--to", external + "=0.8", "--fee-rate", "4.5", "--out", psbtFile, "--json"}, args...), btcNodeArgs(b)...)...)
			var prep btcPrepareResult
			if err := json.Unmarshal([]byte(res.stdout), &prep); err != nil {
				t.Fatalf("%v: %s", err, res.stdout)
			}
			if len(prep.Inputs) != wantInputs || prep.ChangeIndex != wantChange {
				t.Fatalf("prepare used %d inputs and change index %d, want %d and %d", len(prep.Inputs), prep.ChangeIndex, wantInputs, wantChange)
			}
			if fi, err := os.Stat(psbtFile); err != nil || fi.Mode().Perm() != 0o644 {
				t.Fatalf("PSBT file: %v %v", fi, err)
			}

			final := key.signPSBT(t, acct, psbtFile, dir+"/tx.hex")
			var tx wire.MsgTx
			if err := tx.Deserialize(bytes.NewReader(final)); err != nil {
				t.Fatal(err)
			}
			broadcastAndMine(t, b, dir+"/tx.hex", tx.TxHash())

			// On chain: 0.8 BTC to the external address and the change at m/1/wantChange.
			changeScript, _ := acct.Script(1, wantChange)
			extAddr, _ := btcutil.DecodeAddress(external, acct.Net)
			paid, change := false, false
			txid := tx.TxHash()
			for i, o := range tx.TxOut {
				utxo, err := b.Client.GetTxOut(&txid, uint32(i), false)
				if err != nil || utxo == nil || utxo.Confirmations != 1 {
					t.Fatalf("output %d is not a confirmed unspent output: %+v %v", i, utxo, err)
				}
				switch {
				case bytes.Equal(o.PkScript, changeScript):
					change = true
				case utxo.ScriptPubKey.Address == extAddr.EncodeAddress() && o.Value == 80e6:
					paid = true
				}
			}
			if !paid || !change {
				t.Fatalf("payment found %v, change at m/1/%d found %v", paid, wantChange, change)
			}
			// Spent coins are gone: a second prepare finds only the change.
			res = ok(t, append([]string{"btc", "prepare", "--descriptor", acct.Descriptor(0), "--network", "regtest",
				"--to", external + "=0.001", "--fee-rate", "1", "--out", dir + "/again.psbt", "--json"}, btcNodeArgs(b)...)...)
			var again btcPrepareResult
			if err := json.Unmarshal([]byte(res.stdout), &again); err != nil {
				t.Fatal(err)
			}
			if len(again.Inputs) != 1 || again.Inputs[0].Path != "m/1/"+strconv.Itoa(int(wantChange)) || again.ChangeIndex != wantChange+1 {
				t.Fatalf("after spending, prepare found %+v (change index %d); want only the change coin m/1/%d and next change %d", again.Inputs, again.ChangeIndex, wantChange, wantChange+1)
			}
		})
	}
}

// TestBitcoinRefusals checks each bad input and node rejection gives one
// line that says what is wrong and what to do.
func TestBitcoinRefusals(t *testing.T) {
	t.Parallel()
	b := testnodes.StartBtcd(t)
	key := newTestKey(t)
	acct := key.account(t, bitcoin.P2WPKH)
	b.Fund(t, map[string]int64{addr(t, acct, 0, 2): 1e8})
	node := btcNodeArgs(b)
	dir := t.TempDir()
	prepare := func(extra ...string) []string {
		return append(append([]string{"btc", "prepare", "--descriptor", acct.Descriptor(0), "--network", "regtest", "--fee-rate", "2"}, node...), extra...)
	}

	// Human output names inputs, change and fee.
	res := ok(t, prepare("--to", external+"=0.3", "--out", dir+"/a.psbt")...)
	for _, w := range []string{"Found 1 spendable coin(s), 1 BTC", "ours (m/0/2)", "change (m/1/0)", "EXTERNAL", "sat/vB", "Wrote " + dir + "/a.psbt"} {
		if !strings.Contains(res.stdout, w) {
			t.Errorf("prepare output does not say %q:\n%s", w, res.stdout)
		}
	}
	fails(t, 1, []string{dir + "/a.psbt already exists", "never overwritten"}, prepare("--to", external+"=0.3", "--out", dir+"/a.psbt")...)
	// A second PSBT spending the same coin, for the double spend below.
	ok(t, prepare("--to", external+"=0.4", "--out", dir+"/b.psbt")...)

	fails(t, 1, []string{"insufficient funds", "have 1.00000000 BTC in 1 coin(s)", "need", "lower the amounts"}, prepare("--to", external+"=5", "--out", dir+"/c.psbt")...)
	fails(t, 1, []string{"--to number 1", "has 9 decimals; BTC has at most 8"}, prepare("--to", external+"=0.123456789", "--out", dir+"/c.psbt")...)
	fails(t, 1, []string{"--to number 1", "negative"}, prepare("--to", external+"=-1", "--out", dir+"/c.psbt")...)
	fails(t, 1, []string{"--to number 1", "not a decimal number", "0.015"}, prepare("--to", external+"=1e-3", "--out", dir+"/c.psbt")...)
	fails(t, 1, []string{"overflows", "21 million"}, prepare("--to", external+"=21000001", "--out", dir+"/c.psbt")...)
	fails(t, 1, []string{"--to number 1", "is not a regtest address", "check the address"}, prepare("--to", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4=1", "--out", dir+"/c.psbt")...)
	fails(t, 1, []string{"payment 1", "dust limit"}, prepare("--to", external+"=0.000001", "--out", dir+"/c.psbt")...)
	fails(t, 2, []string{"--to", "ADDRESS=AMOUNT_BTC"}, prepare("--to", external, "--out", dir+"/c.psbt")...)
	fails(t, 2, []string{"--fee-rate is required"}, "btc", "prepare", "--descriptor", acct.Descriptor(0), "--to", external+"=1", "--out", dir+"/c.psbt", "--node", b.URL())
	fails(t, 1, []string{"fee rate", "absurd"}, append(prepare("--to", external+"=0.3", "--out", dir+"/c.psbt"), "--fee-rate", "50000")...)
	fails(t, 1, []string{"the node is on regtest but the descriptor is used on testnet"},
		"btc", "prepare", "--descriptor", acct.Descriptor(0), "--network", "testnet", "--fee-rate", "2", "--to", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx=0.1", "--out", dir+"/c.psbt", "--node", b.URL(), "--rpc-user", b.User, "--rpc-pass", b.Pass)
	fails(t, 1, []string{"refused the RPC user or password", "--rpc-pass"},
		"btc", "prepare", "--descriptor", acct.Descriptor(0), "--network", "regtest", "--fee-rate", "2", "--to", external+"=0.1", "--out", dir+"/c.psbt", "--node", b.URL(), "--rpc-user", b.User, "--rpc-pass", "wrong")
	if _, err := os.Stat(dir + "/c.psbt"); err == nil {
		t.Fatal("a refused prepare wrote its --out file")
	}

	// Broadcast the first, then the same again, then the conflicting one.
	key.signPSBT(t, acct, dir+"/a.psbt", dir+"/a.hex")
	key.signPSBT(t, acct, dir+"/b.psbt", dir+"/b.hex")
	ok(t, append([]string{"broadcast", dir + "/a.hex", "--confirmations", "0"}, node...)...)
	fails(t, 1, []string{"the node refused the transaction:", "already have transaction", "broadcast before"}, append([]string{"broadcast", dir + "/a.hex"}, node...)...)
	// b spends the same coin at the same fee rate: btcd treats it as a
	// BIP125 replacement that does not pay more.
	fails(t, 1, []string{"the node refused the transaction:", "replacement transaction has an insufficient fee", "raise the fee rate"}, append([]string{"broadcast", dir + "/b.hex"}, node...)...)
	b.Mine(t, 1)
	fails(t, 1, []string{"the node refused the transaction:", "already", "broadcast before"}, append([]string{"broadcast", dir + "/a.hex"}, node...)...)
	fails(t, 1, []string{"the node refused the transaction:", "already spent or unknown", "prepare a new transaction"}, append([]string{"broadcast", dir + "/b.hex"}, node...)...)

	// A bad signature: flip a bit of the signature's s value in b's witness.
	// (b's coin is spent, so use a fresh coin.)
	b.Fund(t, map[string]int64{addr(t, acct, 0, 4): 2e6})
	ok(t, prepare("--to", external+"=0.01", "--out", dir+"/d.psbt")...)
	final := key.signPSBT(t, acct, dir+"/d.psbt", dir+"/d.hex")
	var tx wire.MsgTx
	if err := tx.Deserialize(bytes.NewReader(final)); err != nil {
		t.Fatal(err)
	}
	sig := tx.TxIn[0].Witness[0]
	sig[len(sig)-3] ^= 1
	var buf bytes.Buffer
	tx.Serialize(&buf)
	os.WriteFile(dir+"/bad.hex", []byte(hexOf(buf.Bytes())), 0o644)
	fails(t, 1, []string{"the node refused the transaction:", "the signatures do not satisfy the inputs"}, append([]string{"broadcast", dir + "/bad.hex"}, node...)...)

	// The finalized PSBT (signed.psbt) broadcasts as well as tx.hex does.
	res = ok(t, append([]string{"broadcast", dir + "/d.signed.psbt", "--confirmations", "0"}, node...)...)
	if want := "Sent bitcoin transaction " + tx.TxHash().String(); !strings.Contains(res.stdout, want) {
		t.Fatalf("broadcast of the signed PSBT says %q, want %q", res.stdout, want)
	}

	// Files that are not signed transactions.
	os.WriteFile(dir+"/junk.hex", []byte("hello"), 0o644)
	fails(t, 1, []string{"junk.hex is neither a signed transaction in hex nor a PSBT"}, append([]string{"broadcast", dir + "/junk.hex"}, node...)...)
	fails(t, 1, []string{"not fully signed", "finish the signing ceremony"}, append([]string{"broadcast", dir + "/d.psbt"}, node...)...)
	fails(t, 2, []string{"exactly one FILE"}, append([]string{"broadcast"}, node...)...)
	fails(t, 1, []string{"cannot reach the node", "check --node"}, "broadcast", dir+"/d.hex", "--node", "http://127.0.0.1:1", "--rpc-user", "u", "--rpc-pass", "p")
	fails(t, 2, []string{"--rpc-user and --rpc-pass, or --rpc-cookie"}, "broadcast", dir+"/d.hex", "--node", b.URL())
}

func hexOf(b []byte) string { return strings.ToLower(strings.TrimSpace(string(appendHex(nil, b)))) }

func appendHex(dst, b []byte) []byte {
	const digits = "0123456789abcdef"
	for _, c := range b {
		dst = append(dst, digits[c>>4], digits[c&15])
	}
	return dst
}
