package ethereum

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"
)

// signAndFinish plays the ceremony: review, sign the digest with the child
// private key, finish.
func signAndFinish(t *testing.T, k *testKey, req *Request, pol Policy) (*Review, []byte, string) {
	t.Helper()
	req, err := ParseRequest(req.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	rev, err := ReviewRequest(req, k.pub33, k.chainCode, pol)
	if err != nil {
		t.Fatal(err)
	}
	if len(rev.Digest) != 32 {
		t.Fatalf("digest of %d bytes", len(rev.Digest))
	}
	sig, err := crypto.Sign(rev.Digest, k.child(t, req.Path))
	if err != nil {
		t.Fatal(err)
	}
	out, kind, err := Finish(req, sig)
	if err != nil {
		t.Fatal(err)
	}
	return rev, out, kind
}

func TestSignTransactions(t *testing.T) {
	k := newTestKey(t)
	const path = "m/0/7"
	from := k.address(t, path)
	to := common.HexToAddress("0x00000000000000000000000000000000DeaDBeef")
	value, _ := new(big.Int).SetString("1500000000000000000", 10)
	chainID := big.NewInt(11155111)

	txs := map[string]*types.Transaction{
		"legacy": types.NewTx(&types.LegacyTx{
			Nonce: 3, GasPrice: big.NewInt(7_000_000_001), Gas: 21000, To: &to, Value: value,
			V: new(big.Int).Add(new(big.Int).Lsh(chainID, 1), big.NewInt(35)),
		}),
		"eip1559": types.NewTx(&types.DynamicFeeTx{
			ChainID: chainID, Nonce: 4, GasTipCap: big.NewInt(1_500_000_000), GasFeeCap: big.NewInt(30_000_000_000),
			Gas: 21000, To: &to, Value: value,
			AccessList: types.AccessList{{Address: to, StorageKeys: []common.Hash{{1}}}},
		}),
	}
	for name, tx := range txs {
		t.Run(name, func(t *testing.T) {
			req, err := NewTxRequest(tx, from, path)
			if err != nil {
				t.Fatal(err)
			}
			rev, out, kind := signAndFinish(t, k, req, Policy{ChainID: chainID})
			if kind != "raw-transaction" {
				t.Fatal(kind)
			}
			if rev.Chain != "Sepolia testnet" || rev.From != from || rev.Path != path {
				t.Fatalf("%+v", rev)
			}
			if got := field(rev, "value"); got != "1.5 ETH (1500000000000000000 wei)" {
				t.Fatalf("value %q", got)
			}
			// Independent check: go-ethereum decodes and recovers the sender.
			var signed types.Transaction
			if err := signed.UnmarshalBinary(out); err != nil {
				t.Fatal(err)
			}
			sender, err := types.Sender(types.LatestSignerForChainID(chainID), &signed)
			if err != nil || sender != from {
				t.Fatalf("sender %s (%v), want %s", sender, err, from)
			}
			if signed.Type() != tx.Type() || signed.Nonce() != tx.Nonce() || *signed.To() != to ||
				signed.Value().Cmp(value) != 0 || signed.GasFeeCap().Cmp(tx.GasFeeCap()) != 0 ||
				signed.ChainId().Cmp(chainID) != 0 || len(signed.AccessList()) != len(tx.AccessList()) {
				t.Fatalf("signed tx differs from the request's")
			}
		})
	}
	// Review text for the EIP-1559 case.
	req, _ := NewTxRequest(txs["eip1559"], from, path)
	rev, _ := ReviewRequest(req, k.pub33, k.chainCode, Policy{})
	for label, want := range map[string]string{
		"type":                     "EIP-1559 (type 2)",
		"max fee per gas":          "30 gwei (30000000000 wei)",
		"max priority fee per gas": "1.5 gwei (1500000000 wei)",
		"max total cost":           "1.50063 ETH (1500630000000000000 wei)",
		"access list 0":            "0x00000000000000000000000000000000DeaDBeef (1 storage keys)",
	} {
		if got := field(rev, label); got != want {
			t.Errorf("field %q = %q, want %q", label, got, want)
		}
	}
	var buf bytes.Buffer
	rev.Print(&buf)
	for _, s := range []string{"EIP-1559 transaction", "11155111 (Sepolia testnet)", from.Hex() + " at m/0/7", "digest: 0x"} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("review print lacks %q:\n%s", s, buf.String())
		}
	}
}

func TestSignPersonalMessage(t *testing.T) {
	k := newTestKey(t)
	const path = "m/1/2/3"
	from := k.address(t, path)
	msg := []byte("I control this address.\nNonce: 42")
	rev, out, kind := signAndFinish(t, k, NewPersonalRequest(msg, big.NewInt(1), from, path), Policy{})
	if kind != "signature" || len(out) != 65 || (out[64] != 27 && out[64] != 28) {
		t.Fatalf("%s %x", kind, out)
	}
	if field(rev, "message text") != string(msg) {
		t.Fatalf("message text %q", field(rev, "message text"))
	}
	// Independent EIP-191 check: hash written out here, not via accounts.TextHash.
	h := crypto.Keccak256([]byte(fmt.Sprintf("\x19Ethereum Signed Message:\n%d%s", len(msg), msg)))
	sig := append(append([]byte(nil), out[:64]...), out[64]-27)
	pub, err := crypto.SigToPub(h, sig)
	if err != nil || crypto.PubkeyToAddress(*pub) != from {
		t.Fatalf("signature does not recover to %s: %v", from, err)
	}
	if !crypto.VerifySignature(crypto.CompressPubkey(pub), h, out[:64]) {
		t.Fatal("signature does not verify")
	}

	// Binary messages are shown in hex; a 32-byte one is flagged as a likely hash.
	bin := bytes.Repeat([]byte{0xfe}, 32)
	rev, _, _ = signAndFinish(t, k, NewPersonalRequest(bin, big.NewInt(1), from, path), Policy{})
	if field(rev, "message hex") != fmt.Sprintf("0x%x", bin) || !hasWarning(rev, "likely a hash") {
		t.Fatalf("%+v", rev)
	}
}

func TestSignTypedData(t *testing.T) {
	k := newTestKey(t)
	const path = "m/0/0"
	from := k.address(t, path)
	doc := fmt.Sprintf(`{
	  "types": {
	    "EIP712Domain": [{"name":"name","type":"string"},{"name":"version","type":"string"},{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
	    "Permit": [{"name":"owner","type":"address"},{"name":"spender","type":"address"},{"name":"value","type":"uint256"},{"name":"nonce","type":"uint256"},{"name":"deadline","type":"uint256"}]
	  },
	  "primaryType": "Permit",
	  "domain": {"name":"USD Coin","version":"2","chainId":"0x1","verifyingContract":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"},
	  "message": {"owner":%q,"spender":"0x1111111254EEB25477B68fb85Ed929f73A960582","value":115792089237316195423570985008687907853269984665640564039457584007913129639935,"nonce":0,"deadline":1893456000}
	}`, from.Hex())
	req, err := NewTypedDataRequest([]byte(doc), big.NewInt(1), from, path)
	if err != nil {
		t.Fatal(err)
	}
	rev, out, kind := signAndFinish(t, k, req, Policy{ChainID: big.NewInt(1)})
	if kind != "signature" || len(out) != 65 {
		t.Fatal(kind)
	}
	// The large JSON number is hashed and shown exactly, not rounded through float64.
	if got := field(rev, "message.value"); got != "115792089237316195423570985008687907853269984665640564039457584007913129639935" {
		t.Fatalf("message.value %q", got)
	}
	if field(rev, "message.deadline") != "1893456000" || !hasWarning(rev, "token permit") {
		t.Fatalf("%+v", rev)
	}
	// Independent digest: go-ethereum's typed-data hash with the big value as a string.
	var td apitypes.TypedData
	if err := json.Unmarshal([]byte(strings.Replace(doc, "115792089237316195423570985008687907853269984665640564039457584007913129639935", `"115792089237316195423570985008687907853269984665640564039457584007913129639935"`, 1)), &td); err != nil {
		t.Fatal(err)
	}
	h, _, err := apitypes.TypedDataAndHash(td)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(h, rev.Digest) {
		t.Fatalf("digest %x, go-ethereum %x", rev.Digest, h)
	}
	sig := append(append([]byte(nil), out[:64]...), out[64]-27)
	pub, err := crypto.SigToPub(h, sig)
	if err != nil || crypto.PubkeyToAddress(*pub) != from {
		t.Fatalf("signature does not recover to %s", from)
	}
}

// TestPrintIsTerminalSafe checks that nothing in a request can rewrite
// what the custodian sees: carriage returns and escapes are not shown raw.
func TestPrintIsTerminalSafe(t *testing.T) {
	k := newTestKey(t)
	from := k.address(t, "m")
	msg := []byte("Send 1 ETH to Mallory\rLog in to example.org")
	req := NewPersonalRequest(msg, big.NewInt(1), from, "m")
	req.Note = "hello\x1b[2J\u202eevil"
	rev, err := ReviewRequest(req, k.pub33, k.chainCode, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if field(rev, "message hex") != fmt.Sprintf("0x%x", msg) || field(rev, "message text") != "" {
		t.Fatalf("%+v", rev.Fields)
	}
	var buf bytes.Buffer
	rev.Print(&buf)
	out := buf.String()
	if strings.ContainsAny(out, "\r\x1b\u202e") || !strings.Contains(out, `hello\x1b[2J\u{202E}evil`) {
		t.Fatalf("unsafe or unexpected print:\n%q", out)
	}
	if !strings.Contains(out, "personal message (EIP-191)") || !strings.Contains(out, "1 (Ethereum mainnet)") {
		t.Fatalf("%s", out)
	}
}

func TestRequestRoundTrip(t *testing.T) {
	k := newTestKey(t)
	req := NewPersonalRequest([]byte("hello"), big.NewInt(137), k.address(t, "m/5"), "m/5")
	req.Note = "login to example.org"
	b := req.Marshal()
	if b[len(b)-1] != '\n' || !bytes.Contains(b, []byte("\n  \"kind\": \"personal-message\"")) {
		t.Fatalf("%s", b)
	}
	got, err := ParseRequest(b)
	if err != nil || *got != *req {
		t.Fatalf("%+v %v", got, err)
	}
	rev, err := ReviewRequest(got, k.pub33, k.chainCode, Policy{})
	if err != nil || rev.Chain != "Polygon" || field(rev, "requester's note") != req.Note {
		t.Fatalf("%+v %v", rev, err)
	}
	// Lower-case addresses carry no checksum and are accepted.
	req.Address = strings.ToLower(req.Address)
	if _, err := ParseRequest(req.Marshal()); err != nil {
		t.Fatal(err)
	}
}

func TestChainName(t *testing.T) {
	for id, want := range map[int64]string{1: "Ethereum mainnet", 11155111: "Sepolia testnet", 17000: "Holesky testnet",
		560048: "Hoodi testnet", 1337: "geth --dev (local)", 10: "OP Mainnet", 137: "Polygon", 8453: "Base",
		42161: "Arbitrum One", 56: "BNB Smart Chain", 999999: "unknown chain"} {
		if got := ChainName(big.NewInt(id)); got != want {
			t.Errorf("ChainName(%d) = %q, want %q", id, got, want)
		}
	}
	if ChainName(nil) != "unknown chain" || ChainName(new(big.Int).Lsh(big.NewInt(1), 70)) != "unknown chain" {
		t.Error("nil or huge id")
	}
}

func TestDecodeERC20(t *testing.T) {
	// Selectors checked against keccak256 of the signatures.
	for sig, sel := range map[string][]byte{"transfer(address,uint256)": selTransfer, "approve(address,uint256)": selApprove} {
		if !bytes.Equal(crypto.Keccak256([]byte(sig))[:4], sel) {
			t.Fatalf("selector of %s", sig)
		}
	}
	to := common.HexToAddress("0x9858EfFD232B4033E47d90003D41EC34EcaEda94")
	data := erc20Call(selTransfer, to, big.NewInt(12_500_000))
	m, args, ok := DecodeERC20(data)
	if !ok || m != "transfer" || args[0] != (Field{Label: "to", Value: to.Hex()}) || args[1] != (Field{Label: "amount", Value: "12500000"}) {
		t.Fatalf("%s %v %v", m, args, ok)
	}
	m, args, ok = DecodeERC20(erc20Call(selApprove, to, big.NewInt(1)))
	if !ok || m != "approve" || args[0].Label != "spender" {
		t.Fatalf("%s %v %v", m, args, ok)
	}
	dirty := bytes.Clone(data)
	dirty[4] = 1 // high bytes of the address word must be zero
	for _, bad := range [][]byte{dirty, data[:67], append(bytes.Clone(data), 0), {0xa9, 0x05, 0x9c}} {
		if _, _, ok := DecodeERC20(bad); ok {
			t.Fatalf("decoded %x", bad)
		}
	}
}

func erc20Call(sel []byte, to common.Address, amount *big.Int) []byte {
	return append(append(bytes.Clone(sel), common.LeftPadBytes(to[:], 32)...), common.LeftPadBytes(amount.Bytes(), 32)...)
}

func TestReviewERC20(t *testing.T) {
	k := newTestKey(t)
	from := k.address(t, "m/0/0")
	token := common.HexToAddress("0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48")
	dest := common.HexToAddress("0x9858EfFD232B4033E47d90003D41EC34EcaEda94")
	mk := func(data []byte, value int64) *Request {
		tx := types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1), GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(2),
			Gas: 60000, To: &token, Value: big.NewInt(value), Data: data})
		req, err := NewTxRequest(tx, from, "m/0/0")
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
	rev, out, _ := signAndFinish(t, k, mk(erc20Call(selTransfer, dest, big.NewInt(12_500_000)), 0), Policy{})
	want := "ERC-20 transfer of 12500000 base units of token contract " + token.Hex() + " to " + dest.Hex()
	if field(rev, "call") != want || len(rev.Warnings) != 0 || len(out) == 0 {
		t.Fatalf("%q %v", field(rev, "call"), rev.Warnings)
	}
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	rev, _, _ = signAndFinish(t, k, mk(erc20Call(selApprove, dest, max), 5), Policy{})
	if field(rev, "call") != "ERC-20 approve: let "+dest.Hex()+" spend up to an unlimited amount (2^256-1) base units of token contract "+token.Hex() ||
		!hasWarning(rev, "unlimited approval") || !hasWarning(rev, "also sends 0.000000000000000005 ETH") {
		t.Fatalf("%+v", rev)
	}
}
