package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcjson"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/keys"
	"github.com/coldtss/coldtss/internal/testnodes"
)

// End to end with real nodes: a 2-of-3 key made by three coldtss processes
// receives coins on btcd regtest and ether on geth --dev; coldtss-online
// prepares spends from what the nodes report; two stations sign each in one
// ceremony over the USB folder; coldtss-online broadcasts; the nodes accept
// and confirm. The nodes, not our code, are the judges of the signatures.

func runOnline(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(onlineBin, args...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	return so.String(), se.String(), err
}

func mustOnline(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, err := runOnline(t, args...)
	if err != nil {
		t.Fatalf("coldtss-online %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

// ceremonyFile is a file the signing ceremony wrote next to its signatures.
func ceremonyFile(t *testing.T, stick, plan, name string) string {
	t.Helper()
	b, _ := os.ReadFile(plan)
	p, err := ceremony.ParsePlan(b)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(stick, "coldtss-"+p.Session, name)
	if _, err := os.Stat(f); err != nil {
		t.Fatalf("the ceremony did not write %s: %v", name, err)
	}
	return f
}

// signPayload plans a signing of a PSBT or Ethereum request and runs it with
// two stations; it returns the plan path.
func signPayload(t *testing.T, dir, stick string, key keys.Record, signers []*station, flag, file string, extra ...string) string {
	t.Helper()
	plan := filepath.Join(dir, "plan-"+filepath.Base(file)+".json")
	args := []string{"plan", "sign", "--home", signers[0].home, "--key", key.ID, flag, file, "--out", plan}
	args = append(args, extra...)
	for _, s := range signers {
		args = append(args, "--signer", s.name)
	}
	mustRun(t, args...)
	mustSucceed(t, joinAll(t, signers, plan, stick, joinOpts{extra: extra}))
	return plan
}

// broadcastBitcoin broadcasts the transaction in file txHex with
// coldtss-online while the node mines a block every 300 ms, and returns the
// node's own view of it once it is in a block. rpc starts with the --node,
// --rpc-user and --rpc-pass flags; what names the transaction in failures.
func broadcastBitcoin(t *testing.T, node *testnodes.Btcd, rpc []string, txHex, what string) *btcjson.TxRawResult {
	t.Helper()
	cmd := exec.Command(onlineBin, append([]string{"broadcast", "--chain", "bitcoin", "--timeout", "2m", "--json", txHex}, rpc[:6]...)...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
wait:
	for {
		select {
		case err = <-done:
			break wait
		case <-time.After(300 * time.Millisecond):
			node.Mine(t, 1)
		}
	}
	if err != nil {
		t.Fatalf("broadcast of %s: %v\n%s%s", what, err, so.String(), se.String())
	}
	var res struct {
		TxID string `json:"txid"`
	}
	if err := json.Unmarshal(so.Bytes(), &res); err != nil || res.TxID == "" {
		t.Fatalf("broadcast output: %v %s", err, so.String())
	}
	// The node itself says the transaction is in a block.
	h, _ := chainhash.NewHashFromStr(res.TxID)
	vtx, err := node.Client.GetRawTransactionVerbose(h)
	if err != nil || vtx.Confirmations < 1 {
		t.Fatalf("the node does not show %s (%s) confirmed: %v %+v", what, res.TxID, err, vtx)
	}
	return vtx
}

func TestBitcoinRegtestEndToEnd(t *testing.T) {
	node := testnodes.StartBtcd(t)
	dir, stick := workspace(t)
	sts := stations(t, dir, "alice", "bob", "carol")
	key := keygen(t, dir, stick, sts, 2, ceremony.CurveSecp256k1)
	signers := []*station{sts[0], sts[2]}
	rpc := []string{"--node", node.URL(), "--rpc-user", node.User, "--rpc-pass", node.Pass, "--network", "regtest"}

	descriptor := func(typ string) string {
		var d struct{ Receive, Change, Fingerprint string }
		out := mustRun(t, "export", "descriptor", "--home", sts[1].home, "--key", key.ID, "--network", "regtest", "--type", typ, "--json")
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(d.Receive, "["+d.Fingerprint+"]tpub") || !strings.Contains(d.Receive, "/0/*)") || !strings.Contains(d.Change, "/1/*)") || !strings.Contains(d.Receive, "#") {
			t.Fatalf("descriptor: %+v", d)
		}
		return d.Receive
	}
	address := func(typ string, index int) string {
		var rows []struct{ Path, Address string }
		out := mustRun(t, "address", "--home", sts[0].home, "--key", key.ID, "--network", "regtest", "--type", typ, "--index", itoa(index), "--json")
		if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 1 {
			t.Fatalf("address: %v %s", err, out)
		}
		// Every station derives the same address from its own record.
		out2 := mustRun(t, "address", "--home", sts[2].home, "--key", key.ID, "--network", "regtest", "--type", typ, "--index", itoa(index), "--json")
		if out2 != out {
			t.Fatalf("stations disagree on the address: %s vs %s", out, out2)
		}
		return rows[0].Address
	}
	external := func() string {
		a, err := btcutil.NewAddressWitnessPubKeyHash(bytes.Repeat([]byte{0x42}, 20), &chaincfg.RegressionNetParams)
		if err != nil {
			t.Fatal(err)
		}
		return a.EncodeAddress()
	}()

	// spend funds addresses of one script type, prepares a PSBT with
	// coldtss-online, signs it in one ceremony and broadcasts it.
	spend := func(typ string, indexes []int, pay string) (psbtFile, txHex string) {
		funds := map[string]int64{}
		for i, idx := range indexes {
			funds[address(typ, idx)] = int64(1+i) * 10_000_000
		}
		node.Fund(t, funds)
		psbtFile = filepath.Join(dir, typ+".psbt")
		args := append([]string{"btc", "prepare", "--descriptor", descriptor(typ), "--to", external + "=" + pay, "--fee-rate", "5", "--spend-all", "--out", psbtFile}, rpc...)
		mustOnline(t, args...)

		review := mustRun(t, "review", psbtFile, "--home", sts[1].home, "--key", key.ID, "--network", "regtest")
		for _, want := range []string{external, "change", "m/1/", "regtest"} {
			if !strings.Contains(review, want) {
				t.Fatalf("review of the %s PSBT does not show %q:\n%s", typ, want, review)
			}
		}
		for _, idx := range indexes {
			if !strings.Contains(review, "m/0/"+itoa(idx)) {
				t.Fatalf("review does not show input path m/0/%d:\n%s", idx, review)
			}
		}
		plan := signPayload(t, dir, stick, key, signers, "--psbt", psbtFile, "--network", "regtest")
		txHex = ceremonyFile(t, stick, plan, "tx.hex")
		ceremonyFile(t, stick, plan, "signed.psbt")

		vtx := broadcastBitcoin(t, node, rpc, txHex, "the "+typ+" spend")
		if len(vtx.Vin) != len(indexes) {
			t.Fatalf("the %s spend has %d inputs, want %d", typ, len(vtx.Vin), len(indexes))
		}
		paid := false
		for _, o := range vtx.Vout {
			if o.ScriptPubKey.Address == external {
				paid = true
			}
		}
		if !paid {
			t.Fatalf("the confirmed transaction does not pay %s: %+v", external, vtx.Vout)
		}
		return psbtFile, txHex
	}

	psbtFile, spent := spend("p2wpkh", []int{0, 4, 9}, "0.45")
	spend("p2sh-p2wpkh", []int{2}, "0.05")
	spend("p2pkh", []int{1}, "0.05")

	t.Run("node rejection reported with the node's message", func(t *testing.T) {
		// The same transaction again: its inputs are spent, the node refuses.
		_, errOut, err := runOnline(t, append([]string{"broadcast", "--chain", "bitcoin", "--timeout", "5s", spent}, rpc[:6]...)...)
		if err == nil || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, "refused") {
			t.Fatalf("a spent transaction was not refused in one line: %v %q", err, errOut)
		}
	})

	t.Run("stations refuse what they should", func(t *testing.T) {
		raw, _ := os.ReadFile(psbtFile)
		cases := []struct {
			name  string
			file  []byte
			args  []string
			wants []string
		}{
			{"malformed PSBT", raw[:len(raw)/2], nil, []string{"bad.psbt"}},
			{"wrong network", raw, []string{"--network", "mainnet"}, []string{"bad.psbt", "network"}},
			{"fee over the cap", raw, []string{"--network", "regtest", "--max-fee-rate", "1"}, []string{"bad.psbt", "fee"}},
		}
		for _, c := range cases {
			bad := filepath.Join(dir, "bad.psbt")
			os.WriteFile(bad, c.file, 0o644)
			_, errOut, err := run(t, append([]string{"review", bad, "--home", sts[0].home, "--key", key.ID}, c.args...)...)
			if err == nil || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Fatalf("%s: accepted or not one line: %v %q", c.name, err, errOut)
			}
			for _, w := range c.wants {
				if !strings.Contains(errOut, w) {
					t.Fatalf("%s: error does not mention %q: %s", c.name, w, errOut)
				}
			}
		}
	})
	t.Run("a plan whose digests differ from its PSBT is refused at join", func(t *testing.T) {
		plan := filepath.Join(dir, "tampered-plan.json")
		mustRun(t, "plan", "sign", "--home", sts[0].home, "--key", key.ID, "--psbt", psbtFile, "--network", "regtest", "--signer", "alice", "--signer", "carol", "--out", plan)
		b, _ := os.ReadFile(plan)
		p, err := ceremony.ParsePlan(b)
		if err != nil {
			t.Fatal(err)
		}
		// A coordinator swaps one digest for another (its fingerprint words
		// change too, but a careless room might not notice).
		p.Messages[0].Data = strings.Repeat("ab", 32)
		os.WriteFile(plan, p.Marshal(), 0o644)
		_, errOut, err := run(t, "join", plan, "--via", "usb:"+stick, "--home", sts[2].home, "--passphrase-file", sts[2].pass, "--yes")
		if err == nil || !strings.Contains(errOut, "is not what this station computed") {
			t.Fatalf("a plan with a swapped digest was not refused: %v %s", err, errOut)
		}
	})

	t.Run("raw digests need --allow-raw", func(t *testing.T) {
		plan := makeSignPlan(t, dir, sts[0], key.ID, signers, digestRequests(1, false))
		_, errOut, err := run(t, "join", plan, "--via", "usb:"+stick, "--home", sts[0].home, "--passphrase-file", sts[0].pass, "--yes")
		if err == nil || !strings.Contains(errOut, "--allow-raw") || !strings.Contains(errOut, "cannot review") {
			t.Fatalf("a raw-digest plan was joined without --allow-raw: %v %s", err, errOut)
		}
	})
}

func itoa(i int) string { return big.NewInt(int64(i)).String() }

func TestEthereumDevEndToEnd(t *testing.T) {
	node := testnodes.StartGeth(t)
	dir, stick := workspace(t)
	sts := stations(t, dir, "alice", "bob", "carol")
	key := keygen(t, dir, stick, sts, 2, ceremony.CurveSecp256k1)
	signers := []*station{sts[1], sts[2]}

	var rows []struct{ Path, Address string }
	out := mustRun(t, "address", "--chain", "ethereum", "--home", sts[0].home, "--key", key.ID, "--json")
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 1 || rows[0].Path != "m/0/0" {
		t.Fatalf("address: %v %s", err, out)
	}
	ours := common.HexToAddress(rows[0].Address)
	if ours.Hex() != rows[0].Address {
		t.Fatalf("address %s is not EIP-55 checksummed (%s)", rows[0].Address, ours.Hex())
	}
	node.Fund(t, ours, new(big.Int).Mul(big.NewInt(5), big.NewInt(1e18)))
	dest := common.HexToAddress("0x00000000000000000000000000000000c0ffee01")

	transfer := func(name string, legacy bool) {
		req := filepath.Join(dir, name+".json")
		args := []string{"eth", "prepare", "--node", node.URL, "--from", ours.Hex(), "--path", "m/0/0", "--to", dest.Hex(), "--value", "1.25", "--out", req}
		if legacy {
			args = append(args, "--legacy")
		}
		mustOnline(t, args...)
		review := mustRun(t, "review", req, "--home", sts[0].home, "--key", key.ID, "--chain-id", "1337")
		for _, want := range []string{"1337", "1.25", dest.Hex()} {
			if !strings.Contains(review, want) {
				t.Fatalf("review of the %s request does not show %q:\n%s", name, want, review)
			}
		}
		plan := signPayload(t, dir, stick, key, signers, "--eth-request", req, "--chain-id", "1337")
		txHex := ceremonyFile(t, stick, plan, "tx.hex")
		before, _ := node.Client.BalanceAt(context.Background(), dest, nil)
		out := mustOnline(t, "broadcast", "--node", node.URL, "--chain", "ethereum", "--timeout", "1m", "--json", txHex)
		var res struct {
			Hash   string `json:"txid"`
			Status uint64 `json:"status"`
			From   string `json:"from"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil || res.Status != 1 || common.HexToAddress(res.From) != ours {
			t.Fatalf("broadcast output: %v %s", err, out)
		}
		// The node's receipt and transaction are the judges.
		rcpt, err := node.Client.TransactionReceipt(context.Background(), common.HexToHash(res.Hash))
		if err != nil || rcpt.Status != 1 {
			t.Fatalf("%s: receipt %v %+v", name, err, rcpt)
		}
		tx, _, err := node.Client.TransactionByHash(context.Background(), common.HexToHash(res.Hash))
		if err != nil {
			t.Fatal(err)
		}
		from, err := types.Sender(types.LatestSignerForChainID(tx.ChainId()), tx)
		if err != nil || from != ours {
			t.Fatalf("%s: the node's transaction is from %s, not our address %s (%v)", name, from.Hex(), ours.Hex(), err)
		}
		if legacy != (tx.Type() == 0) {
			t.Fatalf("%s: transaction type %d", name, tx.Type())
		}
		after, _ := node.Client.BalanceAt(context.Background(), dest, nil)
		if new(big.Int).Sub(after, before).Cmp(new(big.Int).Mul(big.NewInt(125), big.NewInt(1e16))) != 0 {
			t.Fatalf("%s: destination received %s wei", name, new(big.Int).Sub(after, before))
		}
	}
	transfer("eip1559", false)
	transfer("legacy", true)

	// Messages: personal_sign and EIP-712 signatures recover to our address.
	msgReq := filepath.Join(dir, "personal.json")
	mustOnline(t, "eth", "message", "--from", ours.Hex(), "--path", "m/0/0", "--chain-id", "1337", "--text", "I control this address. Nonce 7.", "--out", msgReq)
	plan := signPayload(t, dir, stick, key, signers, "--eth-request", msgReq)
	sig := readSig(t, ceremonyFile(t, stick, plan, "signature.hex"))
	if got := recoverAddr(t, accounts.TextHash([]byte("I control this address. Nonce 7.")), sig); got != ours {
		t.Fatalf("personal_sign recovers to %s, not %s", got.Hex(), ours.Hex())
	}

	typed := filepath.Join(dir, "typed.json")
	os.WriteFile(typed, []byte(`{"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],"Person":[{"name":"name","type":"string"},{"name":"wallet","type":"address"}],"Mail":[{"name":"from","type":"Person"},{"name":"to","type":"Person"},{"name":"contents","type":"string"}]},"primaryType":"Mail","domain":{"name":"Ether Mail","version":"1","chainId":1337,"verifyingContract":"0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},"message":{"from":{"name":"Cow","wallet":"0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},"to":{"name":"Bob","wallet":"0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},"contents":"Hello, Bob!"}}`), 0o644)
	typedReq := filepath.Join(dir, "typed-req.json")
	mustOnline(t, "eth", "message", "--from", ours.Hex(), "--path", "m/0/0", "--chain-id", "1337", "--typed-data", typed, "--out", typedReq)
	review := mustRun(t, "review", typedReq, "--home", sts[0].home, "--key", key.ID)
	if !strings.Contains(review, "Ether Mail") || !strings.Contains(review, "Mail") {
		t.Fatalf("typed-data review:\n%s", review)
	}
	plan = signPayload(t, dir, stick, key, signers, "--eth-request", typedReq)
	sig = readSig(t, ceremonyFile(t, stick, plan, "signature.hex"))
	var td apitypes.TypedData
	tb, _ := os.ReadFile(typed)
	if err := json.Unmarshal(tb, &td); err != nil {
		t.Fatal(err)
	}
	digest, _, err := apitypes.TypedDataAndHash(td)
	if err != nil {
		t.Fatal(err)
	}
	if got := recoverAddr(t, digest, sig); got != ours {
		t.Fatalf("EIP-712 signature recovers to %s, not %s", got.Hex(), ours.Hex())
	}

	t.Run("wrong chain ID refused by the stations", func(t *testing.T) {
		req := filepath.Join(dir, "eip1559.json")
		_, errOut, err := run(t, "review", req, "--home", sts[0].home, "--key", key.ID, "--chain-id", "1")
		if err == nil || !strings.Contains(errOut, "1337") || !strings.Contains(errOut, "eip1559.json") {
			t.Fatalf("a request for chain 1337 reviewed as chain 1: %v %s", err, errOut)
		}
	})
}

func readSig(t *testing.T, path string) []byte {
	t.Helper()
	b, _ := os.ReadFile(path)
	sig, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(string(b)), "0x"))
	if err != nil || len(sig) != 65 || (sig[64] != 27 && sig[64] != 28) {
		t.Fatalf("%s: not a 65-byte signature with v 27/28: %x", path, sig)
	}
	return sig
}

// recoverAddr recovers the signer with go-ethereum.
func recoverAddr(t *testing.T, digest []byte, sig []byte) common.Address {
	t.Helper()
	s := append([]byte(nil), sig...)
	s[64] -= 27
	pub, err := crypto.SigToPub(digest, s)
	if err != nil {
		t.Fatal(err)
	}
	return crypto.PubkeyToAddress(*pub)
}
