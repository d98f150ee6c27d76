package main

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/coldtss/coldtss/chains/ethereum"
	"github.com/coldtss/coldtss/internal/testnodes"
)

// recipient is an address nobody controls in these tests.
var recipient = common.HexToAddress("0x00000000000000000000000000000000c01d7550")

// signRequest does what the stations do with a request file: review it
// against the threshold key, sign the digest (here with the test key's
// child at the request's path) and finish the transaction.
func (k testKey) signRequest(t *testing.T, reqFile, out string) {
	t.Helper()
	b, err := os.ReadFile(reqFile)
	if err != nil {
		t.Fatal(err)
	}
	req, err := ethereum.ParseRequest(b)
	if err != nil {
		t.Fatalf("the stations cannot read the request: %v", err)
	}
	rev, err := ethereum.ReviewRequest(req, k.pub33, k.chain, ethereum.Policy{ChainID: big.NewInt(1337)})
	if err != nil {
		t.Fatalf("the stations' review refuses the request: %v", err)
	}
	path, err := parsePathForTest(req.Path)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := crypto.Sign(rev.Digest, ethKey(t, k.priv(t, path)))
	if err != nil {
		t.Fatal(err)
	}
	raw, _, err := ethereum.Finish(req, sig)
	if err != nil {
		t.Fatalf("finish: %v", err)
	}
	if err := os.WriteFile(out, []byte("0x"+hex.EncodeToString(raw)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestEthereumPrepareSignBroadcast is the whole online path on geth --dev,
// for an EIP-1559 and a legacy EIP-155 transaction.
func TestEthereumPrepareSignBroadcast(t *testing.T) {
	t.Parallel()
	g := testnodes.StartGeth(t)
	key := newTestKey(t)
	child, err := ethereum.DeriveKey(key.pub33, key.chain, "m/0/0")
	if err != nil {
		t.Fatal(err)
	}
	from, err := ethereum.AddressOf(child)
	if err != nil {
		t.Fatal(err)
	}
	if want := crypto.PubkeyToAddress(ethKey(t, key.priv(t, []uint32{0, 0})).PublicKey); want != from {
		t.Fatalf("ethereum.AddressOf gives %s, go-ethereum %s", from, want)
	}
	g.Fund(t, from, new(big.Int).Mul(big.NewInt(10), big.NewInt(1e18)))
	node := []string{"--node", g.URL}

	for _, legacy := range []bool{false, true} {
		name := map[bool]string{false: "eip1559", true: "legacy"}[legacy]
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"eth", "prepare", "--from", from.Hex(), "--path", "m/0/0", "--to", recipient.Hex(),
				"--value", "1.25", "--chain-id", "1337", "--out", dir + "/req.json", "--json"}, node...)
			if legacy {
				args = append(args, "--legacy")
			}
			res := ok(t, args...)
			var prep ethPrepareResult
			if err := json.Unmarshal([]byte(res.stdout), &prep); err != nil {
				t.Fatalf("%v: %s", err, res.stdout)
			}
			if prep.Gas != 21000 || prep.ValueWei != "1250000000000000000" || prep.ChainID != "1337" {
				t.Fatalf("prepare: %+v", prep)
			}
			before, _ := g.Client.BalanceAt(context.Background(), recipient, nil)
			key.signRequest(t, dir+"/req.json", dir+"/tx.hex")
			res = ok(t, append([]string{"broadcast", dir + "/tx.hex", "--json"}, node...)...)
			var out broadcastResult
			if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
				t.Fatalf("%v: %s", err, res.stdout)
			}
			if out.Chain != "ethereum" || out.Status == nil || *out.Status != 1 || out.From != from.Hex() || out.Confirmations < 1 || out.GasUsed != 21000 {
				t.Fatalf("broadcast: %+v", out)
			}
			receipt, err := g.Client.TransactionReceipt(context.Background(), common.HexToHash(out.TxID))
			if err != nil || receipt.Status != 1 || receipt.BlockHash.Hex() != out.BlockHash {
				t.Fatalf("the node's receipt %+v (%v) does not match %+v", receipt, err, out)
			}
			after, _ := g.Client.BalanceAt(context.Background(), recipient, nil)
			if got := new(big.Int).Sub(after, before); got.String() != "1250000000000000000" {
				t.Fatalf("recipient received %s wei, want 1.25 ETH", got)
			}
			// The same transaction again: the node refuses it, with a hint.
			fails(t, 1, []string{"the node refused the transaction:", "nonce too low", "already mined"}, append([]string{"broadcast", dir + "/tx.hex"}, node...)...)
		})
	}
}

// TestEthereumRefusals checks each bad input gives one line that says what
// is wrong and what to do.
func TestEthereumRefusals(t *testing.T) {
	t.Parallel()
	g := testnodes.StartGeth(t)
	key := newTestKey(t)
	child, _ := ethereum.DeriveKey(key.pub33, key.chain, "m/0/1")
	from, _ := ethereum.AddressOf(child)
	g.Fund(t, from, big.NewInt(1e18))
	dir := t.TempDir()
	prepare := func(extra ...string) []string {
		return append([]string{"eth", "prepare", "--node", g.URL, "--from", from.Hex(), "--path", "m/0/1", "--to", recipient.Hex(), "--out", dir + "/req.json"}, extra...)
	}
	fails(t, 1, []string{"the node is on chain 1337", "--chain-id says 1", "connect to the right node"}, prepare("--value", "0.1", "--chain-id", "1")...)
	fails(t, 1, []string{"--value", "overflows"}, prepare("--value", "115792089237316195423570985008687907853269984665640564039457.584007913129639936")...)
	fails(t, 1, []string{"--value", "not a decimal number"}, prepare("--value", "1.2.3")...)
	fails(t, 1, []string{"--value", "has 19 decimals"}, prepare("--value", "0.0000000000000000001")...)
	fails(t, 1, []string{"--value", "negative"}, prepare("--value", "-1")...)
	fails(t, 1, []string{"insufficient funds", from.Hex(), "has 1 ETH", "fund the address or lower --value"}, prepare("--value", "2")...)
	fails(t, 1, []string{"--to", "wrong EIP-55 checksum"}, "eth", "prepare", "--node", g.URL, "--from", from.Hex(), "--path", "m/0/1", "--to", "0x00000000000000000000000000000000C01d7550", "--out", dir+"/req.json")
	fails(t, 2, []string{"--path", "hardened"}, prepare("--value", "0.1", "--path", "m/44'/60'")...)
	fails(t, 2, []string{"--data must be 0x"}, prepare("--value", "0.1", "--data", "zz")...)
	fails(t, 2, []string{"--out is required"}, "eth", "prepare", "--node", g.URL, "--from", from.Hex(), "--path", "m/0/1", "--to", recipient.Hex())
	if _, err := os.Stat(dir + "/req.json"); err == nil {
		t.Fatal("a refused prepare wrote its --out file")
	}
	// A transaction signed for chain 1337 sent with --chain bitcoin, and to
	// a node of the wrong kind.
	fails(t, 1, []string{"insufficient funds", "has 1 ETH", "value 1 ETH + up to"}, prepare("--value", "1")...)
	res := ok(t, prepare("--value", "0.1")...)
	for _, w := range []string{"Ethereum EIP-1559 transaction on chain 1337", "from   " + from.Hex() + " (m/0/1), nonce 0", "value  0.1 ETH", "gas    21000, max fee", "Wrote " + dir + "/req.json"} {
		if !strings.Contains(res.stdout, w) {
			t.Errorf("prepare output does not say %q:\n%s", w, res.stdout)
		}
	}
	// --nonce and --gas are used as given.
	res = ok(t, append(prepare("--value", "0.1", "--legacy", "--nonce", "5", "--gas", "30000", "--json"), "--out", dir+"/req2.json")...)
	var prep ethPrepareResult
	if err := json.Unmarshal([]byte(res.stdout), &prep); err != nil {
		t.Fatalf("%v: %s", err, res.stdout)
	}
	if prep.Nonce != 5 || prep.Gas != 30000 || prep.Type != "legacy (EIP-155)" || prep.GasPrice == "" || prep.MaxFee != "" || prep.File != dir+"/req2.json" {
		t.Fatalf("prepare --nonce 5 --gas 30000: %+v", prep)
	}
	key.signRequest(t, dir+"/req.json", dir+"/tx.hex")
	fails(t, 1, []string{"not a signed bitcoin transaction"}, "broadcast", dir+"/tx.hex", "--chain", "bitcoin", "--node", g.URL, "--rpc-user", "u", "--rpc-pass", "p")
}

// TestEthNodeUnreachable checks a node that does not answer is explained
// with its URL.
func TestEthNodeUnreachable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fails(t, 1, []string{"cannot reach the Ethereum node at http://127.0.0.1:1 (", "check --node and that the node is running"},
		"eth", "prepare", "--node", "http://127.0.0.1:1", "--from", recipient.Hex(), "--path", "m/0/0", "--to", recipient.Hex(), "--out", dir+"/req.json")
	if _, err := os.Stat(dir + "/req.json"); err == nil {
		t.Fatal("a refused prepare wrote its --out file")
	}
}

// TestEthMessage checks eth message writes personal_sign and EIP-712
// requests the stations can read, and refuses what it cannot sign.
func TestEthMessage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	msg := func(extra ...string) []string {
		return append([]string{"eth", "message", "--from", recipient.Hex(), "--path", "m/0/0"}, extra...)
	}
	res := ok(t, msg("--chain-id", "1", "--text", "hello", "--out", dir+"/p.json")...)
	if want := "Wrote " + dir + "/p.json (personal-message for " + recipient.Hex() + " at m/0/0, chain 1): give it to the stations (coldtss plan sign --eth-request " + dir + "/p.json).\n"; res.stdout != want {
		t.Fatalf("output %q, want %q", res.stdout, want)
	}
	b, err := os.ReadFile(dir + "/p.json")
	if err != nil {
		t.Fatal(err)
	}
	if req, err := ethereum.ParseRequest(b); err != nil || req.Kind != ethereum.KindPersonal || req.Data != "0x68656c6c6f" {
		t.Fatalf("request %+v, %v", req, err)
	}
	typed := dir + "/permit.json"
	doc := `{"types": {"EIP712Domain": [{"name":"name","type":"string"},{"name":"chainId","type":"uint256"}],
	  "Permit": [{"name":"owner","type":"address"},{"name":"value","type":"uint256"}]},
	  "primaryType": "Permit", "domain": {"name":"Token","chainId":1}, "message": {"owner":"` + recipient.Hex() + `","value":7}}`
	if err := os.WriteFile(typed, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	ok(t, msg("--chain-id", "1", "--typed-data", typed, "--out", dir+"/t.json")...)
	fails(t, 1, []string{typed + ": "}, msg("--chain-id", "5", "--typed-data", typed, "--out", dir+"/t5.json")...)
	fails(t, 2, []string{"the message is empty"}, msg("--chain-id", "1", "--text", "", "--out", dir+"/e.json")...)
	fails(t, 2, []string{"give exactly one of --text, --file or --typed-data"}, msg("--chain-id", "1", "--text", "a", "--typed-data", typed, "--out", dir+"/e.json")...)
	for _, f := range []string{"t5.json", "e.json"} {
		if _, err := os.Stat(dir + "/" + f); err == nil {
			t.Fatalf("a refused message wrote %s", f)
		}
	}
}

// ethKey converts a btcec key into go-ethereum's own curve type: without cgo,
// go-ethereum refuses keys on btcec's curve object.
func ethKey(t *testing.T, k *btcec.PrivateKey) *ecdsa.PrivateKey {
	t.Helper()
	key, err := crypto.ToECDSA(k.Serialize())
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// TestEthereumBroadcastRefusals checks, on geth --dev, a transaction signed
// for another chain is refused before it is sent, and one that is mined but
// fails (status 0) is an error that says what it cost.
func TestEthereumBroadcastRefusals(t *testing.T) {
	t.Parallel()
	g := testnodes.StartGeth(t)
	key := newTestKey(t)
	child, _ := ethereum.DeriveKey(key.pub33, key.chain, "m/0/2")
	from, _ := ethereum.AddressOf(child)
	g.Fund(t, from, big.NewInt(1e18))
	node := []string{"--node", g.URL}
	dir := t.TempDir()

	// Signed for mainnet: the node (chain 1337) is not asked to send it.
	tx, err := types.SignTx(types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1), Nonce: 0, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(1e10), Gas: 21000, To: &recipient, Value: big.NewInt(1)}),
		types.LatestSignerForChainID(big.NewInt(1)), ethKey(t, key.priv(t, []uint32{0, 2})))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tx.MarshalBinary()
	os.WriteFile(dir+"/mainnet.hex", []byte(hex.EncodeToString(raw)), 0o644)
	fails(t, 1, []string{"the transaction is signed for chain 1 but the node is on chain 1337: use a node of chain 1"}, append([]string{"broadcast", dir + "/mainnet.hex"}, node...)...)

	// A payment to the ecrecover precompile runs it (3000 gas); with only
	// the 21000 intrinsic gas it runs out of gas: mined, status 0.
	ok(t, append([]string{"eth", "prepare", "--from", from.Hex(), "--path", "m/0/2", "--to", "0x0000000000000000000000000000000000000001",
		"--value", "0.01", "--gas", "21000", "--legacy", "--out", dir + "/req.json"}, node...)...)
	key.signRequest(t, dir+"/req.json", dir+"/tx.hex")
	fails(t, 1, []string{"was mined in block", "but FAILED (status 0, gas used 21000 of 21000): nothing was transferred, the fee of", "ETH was paid; check the call data and gas limit"},
		append([]string{"broadcast", dir + "/tx.hex"}, node...)...)
}
