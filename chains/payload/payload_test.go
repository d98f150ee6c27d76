package payload

import (
	"bytes"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/chains/bitcoin"
	"github.com/coldtss/coldtss/chains/ethereum"
)

// key is a fixed secp256k1 key and chain code standing in for a threshold key.
func key(t *testing.T) (pub, cc []byte, priv *btcec.PrivateKey) {
	t.Helper()
	priv, _ = btcec.PrivKeyFromBytes(bytes.Repeat([]byte{7}, 32))
	return priv.PubKey().SerializeCompressed(), bytes.Repeat([]byte{9}, 32), priv
}

func regtestPSBT(t *testing.T) []byte {
	t.Helper()
	pub, cc, _ := key(t)
	net := &chaincfg.RegressionNetParams
	acct, err := bitcoin.NewAccount(pub, cc, net, bitcoin.P2WPKH)
	if err != nil {
		t.Fatal(err)
	}
	child, err := acct.ChildKey([]uint32{0, 3})
	if err != nil {
		t.Fatal(err)
	}
	script, _, err := bitcoin.ScriptFor(bitcoin.P2WPKH, child, net)
	if err != nil {
		t.Fatal(err)
	}
	prev := wire.NewMsgTx(2)
	prev.AddTxIn(wire.NewTxIn(&wire.OutPoint{Index: 1}, nil, nil))
	prev.AddTxOut(wire.NewTxOut(1_000_000, script))
	utxo := bitcoin.UTXO{Value: 1_000_000, PkScript: script, Branch: 0, Index: 3, Type: bitcoin.P2WPKH, PrevTx: prev, OutPoint: wire.OutPoint{Hash: prev.TxHash()}}
	to, _ := btcutil.NewAddressWitnessPubKeyHash(bytes.Repeat([]byte{0x42}, 20), net)
	pk, err := bitcoin.BuildPSBT(acct, []bitcoin.UTXO{utxo}, []bitcoin.Payment{{Address: to, Amount: 400_000}}, 0, 2, false)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := pk.Serialize(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPSBTPayload(t *testing.T) {
	pub, cc, _ := key(t)
	raw := regtestPSBT(t)
	p, err := FromPSBT([]byte(base64.StdEncoding.EncodeToString(raw)), "regtest")
	if err != nil {
		t.Fatal(err)
	}
	if p.Type != PSBT || p.Network != "regtest" || !bytes.Equal(p.Data, raw) {
		t.Fatalf("payload %s %s does not carry the exported bytes", p.Type, p.Network)
	}
	if _, err := FromPSBT(raw, "dogecoin"); err == nil {
		t.Fatal("an unknown network was accepted")
	}
	rv, err := Review(p, pub, cc, Policy{MaxFeeRate: 1000, MaxFee: 5_000_000})
	if err != nil {
		t.Fatal(err)
	}
	reqs := rv.Requests()
	if len(reqs) != 1 || reqs[0].Path != "m/0/3" {
		t.Fatalf("requests %+v", reqs)
	}
	var out bytes.Buffer
	rv.Print(&out)
	if !strings.Contains(out.String(), "0.004") {
		t.Fatalf("the review does not show the amount paid:\n%s", out.String())
	}
	if _, err := Review(p, pub, cc, Policy{Network: "mainnet", MaxFeeRate: 1000, MaxFee: 5_000_000}); err == nil || !strings.Contains(err.Error(), "this station expects mainnet") {
		t.Fatalf("network mismatch: %v", err)
	}
	if _, err := Review(p, pub, cc, Policy{MaxFeeRate: 1000, MaxFee: 10}); err == nil || !strings.Contains(err.Error(), "PSBT:") {
		t.Fatalf("fee cap: %v", err)
	}

	// The plan must ask for exactly the digests this station computed.
	plan := &ceremony.Plan{Payload: p, Messages: []ceremony.SignRequest{{Data: reqs[0].Data, Path: reqs[0].Path}}}
	if err := Check(plan, rv); err != nil {
		t.Fatal(err)
	}
	plan.Messages[0].Data = strings.Repeat("00", 32)
	if err := Check(plan, rv); err == nil || !strings.Contains(err.Error(), "the plan was altered") {
		t.Fatalf("a swapped digest: %v", err)
	}
	plan.Messages[0] = ceremony.SignRequest{Data: reqs[0].Data, Path: "m/0/4"}
	if err := Check(plan, rv); err == nil || !strings.Contains(err.Error(), "m/0/4") {
		t.Fatalf("a swapped path: %v", err)
	}
	plan.Messages = append(plan.Messages, plan.Messages[0])
	if err := Check(plan, rv); err == nil || !strings.Contains(err.Error(), "asks for 2 signatures") {
		t.Fatalf("an extra digest: %v", err)
	}
}

func TestEthPayload(t *testing.T) {
	pub, cc, _ := key(t)
	child, err := ethereum.DeriveKey(pub, cc, "m/0/0")
	if err != nil {
		t.Fatal(err)
	}
	from, _ := ethereum.AddressOf(child)
	req := ethereum.NewPersonalRequest([]byte("hello \x1b[2J"), big.NewInt(1337), from, "m/0/0")
	raw := req.Marshal()
	if !LooksLikeEthRequest(append([]byte(" \n"), raw...)) || LooksLikeEthRequest(regtestPSBT(t)) {
		t.Fatal("LooksLikeEthRequest")
	}
	p, err := FromEthRequest(raw)
	if err != nil || p.Network != "chain 1337" {
		t.Fatalf("payload: %v %+v", err, p)
	}
	rv, err := Review(p, pub, cc, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rv.Print(&out)
	if strings.Contains(out.String(), "\x1b") {
		t.Fatalf("the review printed an escape raw:\n%q", out.String())
	}
	p.Network = "chain 1"
	if _, err := Review(p, pub, cc, Policy{}); err == nil || !strings.Contains(err.Error(), "request it carries is for chain 1337") {
		t.Fatalf("a plan network that is not the request's chain: %v", err)
	}
	p.Network = "chain 1337"
	if _, err := Review(p, pub, cc, Policy{ChainID: big.NewInt(1)}); err == nil {
		t.Fatal("a station expecting chain 1 accepted chain 1337")
	}
	if _, err := Review(&ceremony.Payload{Type: "dogecoin-tx", Data: []byte{1}}, pub, cc, Policy{}); err == nil || !strings.Contains(err.Error(), "cannot review") {
		t.Fatalf("an unknown payload type: %v", err)
	}
	// Finishing with a signature that is not the sender's is refused.
	if _, err := rv.Finish([][]byte{append(bytes.Repeat([]byte{1}, 64), 0)}); err == nil {
		t.Fatal("a foreign signature was finished")
	}
}
