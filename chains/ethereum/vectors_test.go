package ethereum

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

type eip155Vector struct {
	Nonce       uint64 `json:"nonce"`
	GasPrice    string `json:"gas_price_wei"`
	Gas         uint64 `json:"gas"`
	To          string `json:"to"`
	Value       string `json:"value_wei"`
	ChainID     int64  `json:"chain_id"`
	SigningData string `json:"signing_data"`
	SigningHash string `json:"signing_hash"`
	PrivateKey  string `json:"private_key"`
	V           int64  `json:"v"`
	R, S        string
	SignedTx    string `json:"signed_tx"`
}

func bigDec(t testing.TB, s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 10)
	if !ok {
		t.Fatalf("bad decimal %q", s)
	}
	return v
}

// TestEIP155Example runs the EIP-155 worked example through request,
// review and finish, and checks every published value.
func TestEIP155Example(t *testing.T) {
	var v eip155Vector
	loadJSON(t, "eip155.json", &v)
	priv, err := crypto.ToECDSA(hexutil.MustDecode(v.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	from := crypto.PubkeyToAddress(priv.PublicKey)
	to := common.HexToAddress(v.To)

	// The online side: an unsigned legacy tx carrying its chain id in V.
	tx := types.NewTx(&types.LegacyTx{
		Nonce: v.Nonce, GasPrice: bigDec(t, v.GasPrice), Gas: v.Gas, To: &to, Value: bigDec(t, v.Value),
		V: new(big.Int).SetInt64(v.ChainID*2 + 35),
	})
	req, err := NewTxRequest(tx, from, "m")
	if err != nil {
		t.Fatal(err)
	}
	if req.Kind != KindLegacyTx || req.ChainID != "1" {
		t.Fatalf("kind %q chain %q", req.Kind, req.ChainID)
	}
	if req.Data != v.SigningData {
		t.Fatalf("signing data\n got %s\nwant %s", req.Data, v.SigningData)
	}
	req, err = ParseRequest(req.Marshal())
	if err != nil {
		t.Fatal(err)
	}

	pub33, cc := singleKey(t, priv)
	rev, err := ReviewRequest(req, pub33, cc, Policy{ChainID: big.NewInt(1)})
	if err != nil {
		t.Fatal(err)
	}
	if got := hexutil.Encode(rev.Digest); got != v.SigningHash {
		t.Fatalf("signing hash %s, want %s", got, v.SigningHash)
	}
	for label, want := range map[string]string{
		"to":             "0x3535353535353535353535353535353535353535",
		"value":          "1 ETH (1000000000000000000 wei)",
		"nonce":          "9",
		"gas limit":      "21000",
		"gas price":      "20 gwei (20000000000 wei)",
		"max total cost": "1.00042 ETH (1000420000000000000 wei)",
	} {
		if got := field(rev, label); got != want {
			t.Errorf("field %q = %q, want %q", label, got, want)
		}
	}
	if rev.Chain != "Ethereum mainnet" || rev.From != from {
		t.Fatalf("chain %q from %s", rev.Chain, rev.From)
	}

	sig, err := crypto.Sign(rev.Digest, priv)
	if err != nil {
		t.Fatal(err)
	}
	// go-ethereum signs with RFC 6979 nonces, as the EIP's example did.
	if r := new(big.Int).SetBytes(sig[:32]); r.Cmp(bigDec(t, v.R)) != 0 {
		t.Fatalf("r = %s, want %s", r, v.R)
	}
	if s := new(big.Int).SetBytes(sig[32:64]); s.Cmp(bigDec(t, v.S)) != 0 {
		t.Fatalf("s = %s, want %s", s, v.S)
	}
	out, kind, err := Finish(req, sig)
	if err != nil {
		t.Fatal(err)
	}
	if kind != "raw-transaction" || hexutil.Encode(out) != v.SignedTx {
		t.Fatalf("%s\n got %x\nwant %s", kind, out, v.SignedTx)
	}
	var signed types.Transaction
	if err := signed.UnmarshalBinary(out); err != nil {
		t.Fatal(err)
	}
	sv, _, _ := signed.RawSignatureValues()
	if sv.Int64() != v.V {
		t.Fatalf("v = %s, want %d", sv, v.V)
	}
}

type mailVector struct {
	TypedData json.RawMessage `json:"typed_data"`
	Preimage  string          `json:"private_key_preimage"`
	Address   string          `json:"address"`
	SignHash  string          `json:"sign_hash"`
	V         byte            `json:"v"`
	R, S      string
}

// TestEIP712Mail checks the EIP-712 reference example: digest, review and
// the published signature finishing to cow's address.
func TestEIP712Mail(t *testing.T) {
	var v mailVector
	loadJSON(t, "eip712_mail.json", &v)
	priv, err := crypto.ToECDSA(crypto.Keccak256([]byte(v.Preimage)))
	if err != nil {
		t.Fatal(err)
	}
	cow := crypto.PubkeyToAddress(priv.PublicKey)
	if !strings.EqualFold(cow.Hex(), v.Address) {
		t.Fatalf("cow is %s, want %s", cow.Hex(), v.Address)
	}
	req, err := NewTypedDataRequest(v.TypedData, big.NewInt(1), cow, "m")
	if err != nil {
		t.Fatal(err)
	}
	pub33, cc := singleKey(t, priv)
	rev, err := ReviewRequest(req, pub33, cc, Policy{ChainID: big.NewInt(1)})
	if err != nil {
		t.Fatal(err)
	}
	if got := hexutil.Encode(rev.Digest); got != v.SignHash {
		t.Fatalf("digest %s, want %s", got, v.SignHash)
	}
	for label, want := range map[string]string{
		"domain name":              `"Ether Mail"`,
		"domain version":           `"1"`,
		"domain chainId":           "1 (Ethereum mainnet)",
		"domain verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC",
		"primary type":             "Mail",
		"message.from.name":        `"Cow"`,
		"message.from.wallet":      "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826",
		"message.to.name":          `"Bob"`,
		"message.to.wallet":        "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB",
		"message.contents":         `"Hello, Bob!"`,
	} {
		if got := field(rev, label); got != want {
			t.Errorf("field %q = %q, want %q", label, got, want)
		}
	}

	// The published signature, in the ceremony's r||s||recid form.
	sig := append(append(hexutil.MustDecode(v.R), hexutil.MustDecode(v.S)...), v.V-27)
	out, kind, err := Finish(req, sig)
	if err != nil {
		t.Fatal(err)
	}
	if kind != "signature" || out[64] != v.V || !bytes.Equal(out[:64], sig[:64]) {
		t.Fatalf("%s %x", kind, out)
	}
	// Independent recovery with go-ethereum over the published hash.
	pub, err := crypto.SigToPub(hexutil.MustDecode(v.SignHash), sig)
	if err != nil || crypto.PubkeyToAddress(*pub) != cow {
		t.Fatalf("published signature does not recover to cow: %v", err)
	}
	// go-ethereum's own signature matches the published one (RFC 6979).
	own, _ := crypto.Sign(rev.Digest, priv)
	if !bytes.Equal(own, sig) {
		t.Fatalf("crypto.Sign gives %x, EIP gives %x", own, sig)
	}
}

type eip4527File struct {
	Vectors []struct {
		Kind    string `json:"kind"`
		Decoded struct {
			SignData  string `json:"sign_data_hex"`
			DataType  int    `json:"data_type"`
			ChainID   int64  `json:"chain_id"`
			Signature string `json:"signature_hex"`
			Path      struct {
				Path string `json:"path"`
			} `json:"derivation_path"`
			Local map[string]string `json:"sign_data_rlp_decoded_locally"`
		} `json:"decoded"`
	} `json:"vectors"`
	Related []struct {
		Kind      string `json:"kind"`
		XPub      string `json:"xpub"`
		Addresses []struct {
			Rel     string `json:"relative_path"`
			Address string `json:"address"`
		} `json:"addresses"`
	} `json:"related_non_ur_vectors"`
}

// TestEIP4527Vectors feeds the eth-sign-request examples of EIP-4527's
// reference tests through our request handling. They are MetaMask-style
// requests at a hardened path for an unprotected (chain id 0) legacy tx, so
// a station must refuse them; the test checks it decodes them and refuses
// for the right reasons.
func TestEIP4527Vectors(t *testing.T) {
	var f eip4527File
	loadJSON(t, "eip4527.json", &f)
	k := newTestKey(t)
	n := 0
	for _, v := range f.Vectors {
		if v.Kind != "eth-sign-request" {
			continue
		}
		n++
		if v.Decoded.DataType != 1 {
			t.Fatalf("unexpected data type %d", v.Decoded.DataType)
		}
		req := &Request{
			Format: RequestFormat, Kind: KindLegacyTx, ChainID: big.NewInt(v.Decoded.ChainID).String(),
			Path: v.Decoded.Path.Path, Address: k.address(t, "m/0/1").Hex(), Data: "0x" + v.Decoded.SignData,
		}
		_, err := ParseRequest(req.Marshal())
		wantErr(t, err, "request path", "is hardened", "non-hardened")

		// The sign data decodes to the fields the vector lists.
		data, _ := hex.DecodeString(v.Decoded.SignData)
		var u unsignedLegacy
		if err := rlp.DecodeBytes(data, &u); err != nil {
			t.Fatal(err)
		}
		loc := v.Decoded.Local
		if hexutil.EncodeBig(u.GasPrice) != "0x"+strings.TrimLeft(loc["gasPrice"][2:], "0") ||
			hexutil.EncodeUint64(u.Gas) != "0x"+strings.TrimLeft(loc["gasLimit"][2:], "0") ||
			u.To == nil || *u.To != common.HexToAddress(loc["to"]) ||
			hexutil.Encode(u.Data) != loc["data"] || u.Nonce != 0 || u.Value.Sign() != 0 || u.ChainID.Sign() != 0 {
			t.Fatalf("decoded %+v, vector %v", u, loc)
		}

		// At a path we can sign, it is refused as pre-EIP-155 (chain id 0),
		// with the contract call never reached.
		req.Path = "m/0/1"
		req, err = ParseRequest(req.Marshal())
		if err != nil {
			t.Fatal(err)
		}
		_, err = ReviewRequest(req, k.pub33, k.chainCode, Policy{AllowUnknownCall: true})
		wantErr(t, err, "no chain id (pre-EIP-155)", "replayed on any chain")
	}
	if n != 2 {
		t.Fatalf("%d eth-sign-request vectors, want 2", n)
	}

	// The xpub vector: an account key with its published child addresses
	// checks DeriveKey and AddressOf.
	for _, r := range f.Related {
		if r.Kind != "xpub-address-derivation" {
			continue
		}
		x, err := hdkeychain.NewKeyFromString(r.XPub)
		if err != nil {
			t.Fatal(err)
		}
		pub, _ := x.ECPubKey()
		for _, a := range r.Addresses {
			child, err := DeriveKey(pub.SerializeCompressed(), x.ChainCode(), a.Rel)
			if err != nil {
				t.Fatal(err)
			}
			got, err := AddressOf(child)
			if err != nil {
				t.Fatal(err)
			}
			if got.Hex() != a.Address {
				t.Fatalf("%s: %s, want %s", a.Rel, got.Hex(), a.Address)
			}
			n++
		}
	}
	if n != 4 {
		t.Fatalf("checked %d vectors, want 4", n)
	}

	// An eth-signature example (65 bytes, last byte not a 0/1 recid) is not
	// a ceremony signature: Finish refuses it.
	for _, v := range f.Vectors {
		if v.Kind == "eth-signature" && v.Decoded.Signature != "" {
			sig, _ := hex.DecodeString(v.Decoded.Signature)
			req := NewPersonalRequest([]byte("hi"), big.NewInt(1), k.address(t, "m"), "m")
			_, _, err := Finish(req, sig)
			wantErr(t, err, "signature is malformed")
			break
		}
	}
}
