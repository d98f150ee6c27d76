package files

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/coldtss/coldtss/chains/bitcoin"
	"github.com/coldtss/coldtss/chains/ethereum"
	"github.com/coldtss/coldtss/qr/bbqr"
	"github.com/coldtss/coldtss/qr/interop"
	"github.com/coldtss/coldtss/qr/urtypes"
)

// signInProcess signs a request's digest with the test key's private half
// at the request's path, standing in for the ceremony, and returns the
// file the ceremony would write (tx.hex or signature.hex).
func signInProcess(t *testing.T, req *ethereum.Request) []byte {
	t.Helper()
	seed, _ := hex.DecodeString(tv1Seed)
	xk, err := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	if pub, _ := xk.ECPubKey(); hex.EncodeToString(pub.SerializeCompressed()) != tv1Pub {
		t.Fatal("the seed is not BIP32 test vector 1's")
	}
	for _, s := range strings.Split(req.Path, "/")[1:] {
		var n uint32
		for _, c := range s {
			n = n*10 + uint32(c-'0')
		}
		if xk, err = xk.Derive(n); err != nil {
			t.Fatal(err)
		}
	}
	priv, err := xk.ECPrivKey()
	if err != nil {
		t.Fatal(err)
	}
	data, _ := hex.DecodeString(strings.TrimPrefix(req.Data, "0x"))
	var digest []byte
	switch req.Kind {
	case ethereum.KindTypedTx, ethereum.KindLegacyTx:
		digest = crypto.Keccak256(data)
	case ethereum.KindPersonal:
		digest = accounts.TextHash(data)
	default:
		t.Fatalf("kind %s", req.Kind)
	}
	// go-ethereum's own curve (which differs between cgo and pure-Go builds).
	ek, err := crypto.ToECDSA(priv.Serialize())
	if err != nil {
		t.Fatal(err)
	}
	sig, err := crypto.Sign(digest, ek)
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := ethereum.Finish(req, sig)
	if err != nil {
		t.Fatal(err)
	}
	return []byte("0x" + hex.EncodeToString(out) + "\n")
}

// MetaMask's own QR keyring pairs with our crypto-hdkey, derives our
// addresses, and accepts our eth-signatures for an EIP-1559 transaction
// and a personal_sign (signed here in-process; cmd/coldtss does the same
// with a real ceremony).
func TestMetaMaskKeyring(t *testing.T) {
	node := interop.Require(t, "@metamask/eth-qr-keyring", "1.1.0")
	k := testKey(t)
	hd, err := CryptoHDKey(k)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := urtypes.EncodeUR(hd)
	if err != nil {
		t.Fatal(err)
	}
	mm := node.Start(t, "metamask-keyring.mjs", "tx", "personal")
	mm.Send(t, pair)
	var page struct {
		Accounts []string
		Name     string
		Error    string
	}
	mm.ReadJSON(t, &page)
	if page.Error != "" || len(page.Accounts) != 5 || page.Name != k.Name {
		t.Fatalf("pairing: %+v", page)
	}
	for i, a := range page.Accounts {
		if want := ethAddr(t, k, "m/0/"+string(rune('0'+i))); a != want {
			t.Fatalf("MetaMask account %d is %s, coldtss address m/0/%d is %s", i, a, i, want)
		}
	}
	answer := func(kind string) *ethereum.Request {
		var r struct {
			Request []string
			Error   string
		}
		mm.ReadJSON(t, &r)
		if r.Error != "" {
			t.Fatal(r.Error)
		}
		d := NewDecoder(DecodeOptions{Accept: []Kind{EthRequest}, Key: &k, ChainID: "1"})
		for _, p := range r.Request {
			if err := d.Receive(p); err != nil {
				t.Fatal(err)
			}
		}
		f, err := d.Result()
		if err != nil {
			t.Fatal(err)
		}
		req, err := ethereum.ParseRequest(f.Data)
		if err != nil {
			t.Fatal(err)
		}
		if req.Kind != kind || req.Path != "m/0/0" || req.Address != page.Accounts[0] || req.RequestID == "" {
			t.Fatalf("request: %+v", req)
		}
		s, err := Encode("answer", signInProcess(t, req), EncodeOptions{Request: req})
		if err != nil {
			t.Fatal(err)
		}
		if s.Type != "ur:eth-signature" {
			t.Fatalf("answer went out as %s", s.Type)
		}
		for _, p := range s.Parts {
			mm.Send(t, p)
		}
		return req
	}

	answer(ethereum.KindTypedTx)
	var tx struct {
		SignedTx, Sender, Error string
		Valid                   bool
	}
	mm.ReadJSON(t, &tx)
	if tx.Error != "" || !tx.Valid || !strings.EqualFold(tx.Sender, page.Accounts[0]) {
		t.Fatalf("MetaMask's signed transaction: %+v", tx)
	}
	// go-ethereum agrees.
	raw, _ := hex.DecodeString(tx.SignedTx)
	var gtx types.Transaction
	if err := gtx.UnmarshalBinary(raw); err != nil {
		t.Fatal(err)
	}
	if from, err := types.Sender(types.LatestSignerForChainID(gtx.ChainId()), &gtx); err != nil || from.Hex() != page.Accounts[0] {
		t.Fatalf("go-ethereum recovers %s (%v)", from.Hex(), err)
	}

	answer(ethereum.KindPersonal)
	var msg struct{ Signature, Recovered, Error string }
	mm.ReadJSON(t, &msg)
	if msg.Error != "" || !strings.EqualFold(msg.Recovered, page.Accounts[0]) {
		t.Fatalf("MetaMask's personal signature: %+v", msg)
	}
}

// The Keystone registries read our wallet exports and eth-signature as
// we meant them.
func TestKeystoneReadsOurExports(t *testing.T) {
	node := interop.Require(t, "@keystonehq/bc-ur-registry", "0.8.0")
	k := testKey(t)
	fp := "3442193e"
	type hdkeyJSON struct {
		IsMaster          bool
		Key, ChainCode    string
		ParentFingerprint *string
		Name              *string
		Origin            *struct {
			Components []struct {
				Index              *int
				Wildcard, Hardened bool
			}
			SourceFingerprint string
			Depth             *int
		}
		Children *struct {
			Components []struct {
				Index              *int
				Wildcard, Hardened bool
			}
		}
	}
	hd, _ := CryptoHDKey(k)
	s, _ := urtypes.EncodeUR(hd)
	var h hdkeyJSON
	node.RunJSON(t, "urtypes-decode.mjs", s, &h, "crypto-hdkey")
	if h.IsMaster || h.Key != hex.EncodeToString(hd.KeyData) || h.Origin == nil || h.Origin.SourceFingerprint != fp ||
		len(h.Origin.Components) != 1 || *h.Origin.Components[0].Index != 0 || h.Origin.Components[0].Hardened ||
		h.Children == nil || len(h.Children.Components) != 1 || !h.Children.Components[0].Wildcard ||
		h.ParentFingerprint == nil || *h.ParentFingerprint != fp || h.Name == nil || *h.Name != k.Name {
		t.Fatalf("Keystone reads our crypto-hdkey as %+v", h)
	}

	out, err := CryptoOutput(k, &chaincfg.MainNetParams, bitcoin.P2SHP2WPKH)
	if err != nil {
		t.Fatal(err)
	}
	s, _ = urtypes.EncodeUR(out)
	var o struct {
		Scripts []int
		Key     hdkeyJSON
	}
	node.RunJSON(t, "urtypes-decode.mjs", s, &o, "crypto-output")
	if len(o.Scripts) != 2 || o.Scripts[0] != 400 || o.Scripts[1] != 404 || o.Key.Key != tv1Pub || o.Key.ChainCode != tv1Chain ||
		o.Key.Origin == nil || o.Key.Origin.SourceFingerprint != fp || len(o.Key.Origin.Components) != 0 ||
		o.Key.Children == nil || len(o.Key.Children.Components) != 2 || *o.Key.Children.Components[0].Index != 0 || !o.Key.Children.Components[1].Wildcard {
		t.Fatalf("Keystone reads our crypto-output as %+v", o)
	}

	acc, err := CryptoAccount(k, &chaincfg.MainNetParams, []bitcoin.ScriptType{bitcoin.P2WPKH, bitcoin.P2PKH})
	if err != nil {
		t.Fatal(err)
	}
	s, _ = urtypes.EncodeUR(acc)
	var a struct {
		MasterFingerprint string
		Outputs           []struct {
			Scripts []int
			Key     hdkeyJSON
		}
	}
	node.RunJSON(t, "urtypes-decode.mjs", s, &a, "crypto-account")
	if a.MasterFingerprint != fp || len(a.Outputs) != 2 || a.Outputs[0].Scripts[0] != 404 || a.Outputs[1].Scripts[0] != 403 || a.Outputs[1].Key.Key != tv1Pub {
		t.Fatalf("Keystone reads our crypto-account as %+v", a)
	}

	req, _ := ethereum.ParseRequest(personalRequest(t, k))
	ser, err := Encode("signature.hex", signInProcess(t, req), EncodeOptions{Request: req})
	if err != nil {
		t.Fatal(err)
	}
	var sig struct{ RequestID, Signature string }
	node.RunJSON(t, "urtypes-decode.mjs", strings.Join(ser.Parts, "\n"), &sig, "eth-signature")
	if sig.RequestID != strings.ReplaceAll(req.RequestID, "-", "") || len(sig.Signature) != 130 {
		t.Fatalf("Keystone reads our eth-signature as %+v", sig)
	}
}

// The bbqr package joins our signed-PSBT parts, and we join its.
func TestBBQrSignedPSBT(t *testing.T) {
	node := interop.Require(t, "bbqr", "1.2.0")
	psbt := signedPSBT(t)
	for _, enc := range []bbqr.Encoding{bbqr.Zlib, bbqr.Base32, bbqr.Hex} {
		s, err := Encode("signed.psbt", psbt, EncodeOptions{Format: BBQr, BBQr: bbqr.SplitOptions{Encoding: enc, MaxVersion: 5}})
		if err != nil || len(s.Parts) < 2 {
			t.Fatalf("%v: %d parts", err, len(s.Parts))
		}
		var got struct{ FileType, Hex string }
		node.RunJSON(t, "bbqr-join.mjs", strings.Join(s.Parts, "\n"), &got)
		if got.FileType != "P" || got.Hex != hex.EncodeToString(psbt) {
			t.Fatalf("bbqr joins our %s parts to %s %.40s...", enc, got.FileType, got.Hex)
		}
	}
	var theirs struct{ Parts []string }
	node.RunJSON(t, "bbqr-split.mjs", hex.EncodeToString(psbt), &theirs, "P", "Z", "5", "5")
	f, err := ReadLines(strings.NewReader(strings.Join(theirs.Parts, "\n")), DecodeOptions{Accept: []Kind{PSBT}})
	if err != nil || len(theirs.Parts) < 2 {
		t.Fatalf("%v (%d parts)", err, len(theirs.Parts))
	}
	if f.Kind != PSBT || hex.EncodeToString(f.Data) != hex.EncodeToString(psbt) {
		t.Fatalf("we join bbqr's parts to %s", f.Kind)
	}
}
