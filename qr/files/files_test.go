package files

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/coldtss/coldtss/chains/bitcoin"
	"github.com/coldtss/coldtss/chains/ethereum"
	"github.com/coldtss/coldtss/qr/bbqr"
	"github.com/coldtss/coldtss/qr/bytewords"
	"github.com/coldtss/coldtss/qr/ur"
	"github.com/coldtss/coldtss/qr/urtypes"
)

// The key of BIP32 test vector 1 stands in for a threshold key: its
// private half lets the tests sign in-process, where cmd/coldtss signs
// with a real ceremony.
const (
	tv1Pub   = "0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2"
	tv1Chain = "873dff81c02f525623fd1fe5167eac3a55a049de3d314bb42ee227ffed37d508"
	tv1Seed  = "000102030405060708090a0b0c0d0e0f"
	tv1FP    = 0x3442193e
)

func testKey(t *testing.T) Key {
	t.Helper()
	pub, _ := hex.DecodeString(tv1Pub)
	cc, _ := hex.DecodeString(tv1Chain)
	k := Key{PublicKey: pub, ChainCode: cc, Name: "coldtss test"}
	if k.Fingerprint() != tv1FP {
		t.Fatalf("fingerprint %08x, BIP32 says %08x", k.Fingerprint(), tv1FP)
	}
	return k
}

// ethAddr is the address of the test key at path, as coldtss address shows it.
func ethAddr(t *testing.T, k Key, path string) string {
	t.Helper()
	pub, err := ethereum.DeriveKey(k.PublicKey, k.ChainCode, path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := ethereum.AddressOf(pub)
	if err != nil {
		t.Fatal(err)
	}
	return a.Hex()
}

// signedPSBT is BIP-174's "first input is signed and finalized" vector.
func signedPSBT(t *testing.T) []byte { return psbtVector(t, "signed and finalized") }

// psbtVector is the valid BIP-174 vector whose case says what.
func psbtVector(t *testing.T, what string) []byte {
	t.Helper()
	var v struct {
		Valid []struct{ Case, Hex string }
	}
	b, err := os.ReadFile("../../chains/bitcoin/testdata/bip174.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	for _, c := range v.Valid {
		if strings.Contains(c.Case, what) {
			p, _ := hex.DecodeString(c.Hex)
			return p
		}
	}
	t.Fatal("no signed PSBT vector")
	return nil
}

// golden returns a file from testdata/golden: its outputs field.
func golden(t *testing.T, name, field string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../testdata/golden", name))
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Outputs map[string]json.RawMessage }
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var s string
	if err := json.Unmarshal(v.Outputs[field], &s); err != nil {
		t.Fatalf("%s: %s: %v", name, field, err)
	}
	return []byte(s)
}

func personalRequest(t *testing.T, k Key) []byte {
	t.Helper()
	r := &ethereum.Request{Format: ethereum.RequestFormat, Kind: ethereum.KindPersonal, ChainID: "1", Path: "m/0/3",
		Address: ethAddr(t, k, "m/0/3"), Data: "0x" + hex.EncodeToString([]byte("hello")), RequestID: "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"}
	return r.Marshal()
}

func decodeAll(t *testing.T, s *Series, opts DecodeOptions) *File {
	t.Helper()
	d := NewDecoder(opts)
	for _, p := range s.Parts {
		if err := d.Receive(p); err != nil {
			t.Fatal(err)
		}
	}
	f, err := d.Result()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Every kind goes out in its format and comes back byte for byte.
func TestRoundTrip(t *testing.T) {
	k := testKey(t)
	psbt := signedPSBT(t)
	card := golden(t, "identity-card.json", "card")
	req := personalRequest(t, k)
	for _, c := range []struct {
		name   string
		data   []byte
		opts   EncodeOptions
		kind   Kind
		typ    string
		result []byte
	}{
		{"psbt as ur", psbt, EncodeOptions{}, PSBT, "ur:crypto-psbt", nil},
		{"psbt as bbqr", psbt, EncodeOptions{Format: BBQr, BBQr: bbqr.SplitOptions{MaxVersion: 5}}, PSBT, "BBQr P (PSBT)", nil},
		{"psbt base64 as ur", []byte(mustBase64(psbt)), EncodeOptions{}, PSBT, "ur:crypto-psbt", psbt},
		{"card as ur", card, EncodeOptions{}, Card, "ur:coldtss-file", nil},
		{"card as bbqr", card, EncodeOptions{Format: BBQr}, Card, "BBQr J (JSON)", nil},
		{"request without key", req, EncodeOptions{}, EthRequest, "ur:coldtss-file", nil},
		{"request as eth-sign-request", req, EncodeOptions{Key: &k}, EthRequest, "ur:eth-sign-request", nil},
		{"tx as bbqr", []byte("0200000001abcdef\n"), EncodeOptions{}, Tx, "BBQr T (transaction)", nil},
		{"tx as ur", []byte("0200000001abcdef\n"), EncodeOptions{Format: UR}, Tx, "ur:coldtss-file", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Encode("file", c.data, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if s.Kind != c.kind || s.Type != c.typ {
				t.Fatalf("went out as %s %s, want %s %s", s.Kind, s.Type, c.kind, c.typ)
			}
			f := decodeAll(t, s, DecodeOptions{Key: &k})
			want := c.result
			if want == nil {
				want = c.data
			}
			if f.Kind != c.kind || !bytes.Equal(f.Data, want) {
				t.Fatalf("came back as %s %q, want %s %q", f.Kind, f.Data, c.kind, want)
			}
		})
	}
}

func mustBase64(b []byte) string {
	p, err := bitcoin.ParsePSBT(b)
	if err != nil {
		panic(err)
	}
	s, err := p.B64Encode()
	if err != nil {
		panic(err)
	}
	return s
}

// A side reads only its kinds; a bad part is one line naming the part.
func TestBadInput(t *testing.T) {
	k := testKey(t)
	psbt := signedPSBT(t)
	s, err := Encode("signed.psbt", psbt, EncodeOptions{MaxFragmentLen: 40})
	if err != nil || len(s.Parts) < 4 {
		t.Fatalf("%v %d parts", err, len(s.Parts))
	}
	other, err := Encode("other.psbt", psbtVector(t, "Outputs are empty"), EncodeOptions{MaxFragmentLen: 40})
	if err != nil {
		t.Fatal(err)
	}
	bb, err := Encode("signed.psbt", psbt, EncodeOptions{Format: BBQr, BBQr: bbqr.SplitOptions{MaxVersion: 5, Encoding: bbqr.Base32}})
	if err != nil || len(bb.Parts) < 2 {
		t.Fatalf("%v %d", err, len(bb.Parts))
	}
	hdkey, _ := CryptoHDKey(k)
	hdkeyUR, _ := urtypes.EncodeUR(hdkey)
	// A part whose CRC-32 of the whole message is wrong: all fragments
	// arrive, but the message does not match it.
	body, _ := urtypes.PSBT(psbt).Marshal()
	corrupt := append([]byte(nil), body...)
	enc := ur.NewEncoder("crypto-psbt", body, 40)
	corrupt[len(corrupt)-1] ^= 1
	encBad := ur.NewEncoder("crypto-psbt", corrupt, 40)
	var badSum []string
	for i := 0; i < enc.SeqLen(); i++ {
		good, bad := enc.NextPart(), encBad.NextPart()
		// Same header (type, seq) but the checksum field of the good one.
		badSum = append(badSum, splice(t, good, bad))
	}

	for _, c := range []struct {
		name  string
		parts []string
		want  []string
	}{
		{"garbage line", []string{"hello world"}, []string{"QR part 1", "neither a UR", "nor a BBQr"}},
		{"truncated part", []string{s.Parts[0][:len(s.Parts[0])-9]}, []string{"QR part 1"}},
		{"truncated scan", s.Parts[:2], []string{"only 2 of", "truncated"}},
		{"two messages mixed", []string{s.Parts[0], other.Parts[1]}, []string{"QR part 2", "another message"}},
		{"ur and bbqr mixed", []string{s.Parts[0], bb.Parts[0]}, []string{"QR part 2", "two messages are mixed"}},
		{"wrong ur type", []string{hdkeyUR}, []string{"QR part 1", "ur:crypto-hdkey", "not read here", "ur:crypto-psbt"}},
		{"bad checksum", badSum, []string{"checksum"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := NewDecoder(DecodeOptions{Accept: []Kind{PSBT}})
			var err error
			for _, p := range c.parts {
				if err = d.Receive(p); err != nil {
					break
				}
			}
			if err == nil {
				_, err = d.Result()
			}
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Fatalf("error is not one line: %q", msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Fatalf("error %q does not say %q", msg, w)
				}
			}
		})
	}
}

// splice gives a part of the corrupt message the good message's checksum,
// so that the decoder takes every part and finds the mismatch at the end.
func splice(t *testing.T, good, bad string) string {
	t.Helper()
	gi, err := ur.Inspect(good)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.LastIndex(bad, "/")
	body, err := bytewords.Decode(bytewords.Minimal, strings.ToLower(bad[i+1:]))
	if err != nil {
		t.Fatal(err)
	}
	var arr []any
	if err := cbor.Unmarshal(body, &arr); err != nil || len(arr) != 5 {
		t.Fatalf("%v %v", err, arr)
	}
	arr[3] = uint64(gi.Checksum)
	nb, err := cbor.Marshal(arr)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ToUpper(bad[:i+1] + bytewords.Encode(bytewords.Minimal, nb))
}

// An eth-sign-request for another key, another account, a hardened path
// or an unknown data type is refused with what to do.
func TestEthSignRequestRefusals(t *testing.T) {
	k := testKey(t)
	good := func() urtypes.EthSignRequest {
		return urtypes.EthSignRequest{SignData: []byte("hi"), DataType: urtypes.EthRawBytes,
			DerivationPath: urtypes.Keypath{Components: []urtypes.PathComponent{{Index: 0}, {Index: 0}}, SourceFingerprint: tv1FP}}
	}
	if req, err := FromEthSignRequest(good(), k, "1"); err != nil || req.Path != "m/0/0" || req.Address != ethAddr(t, k, "m/0/0") {
		t.Fatalf("%v %+v", err, req)
	}
	for name, c := range map[string]struct {
		edit  func(*urtypes.EthSignRequest)
		chain string
		want  string
	}{
		"other fingerprint": {func(r *urtypes.EthSignRequest) { r.DerivationPath.SourceFingerprint = 0x01020304 }, "1", "master fingerprint 01020304, not this key (3442193e)"},
		"no fingerprint":    {func(r *urtypes.EthSignRequest) { r.DerivationPath.SourceFingerprint = 0 }, "1", "no source fingerprint"},
		"other address":     {func(r *urtypes.EthSignRequest) { r.Address = make([]byte, 20) }, "1", "is for another account"},
		"hardened":          {func(r *urtypes.EthSignRequest) { r.DerivationPath.Components[0].Hardened = true }, "1", "is hardened at component 1"},
		"wildcard":          {func(r *urtypes.EthSignRequest) { r.DerivationPath.Components[1].Wildcard = true }, "1", "wildcard or range"},
		"unknown data type": {func(r *urtypes.EthSignRequest) { r.DataType = 5 }, "1", "data-type 5"},
		"no chain":          {func(r *urtypes.EthSignRequest) {}, "", "--chain-id"},
		"other chain":       {func(r *urtypes.EthSignRequest) { r.ChainID = 5 }, "1", "is for chain 5, not chain 1"},
	} {
		r := good()
		c.edit(&r)
		_, err := FromEthSignRequest(r, k, c.chain)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}

// The envelope example in docs/formats.md ("QR file envelope") is what
// the code writes, and reads back.
func TestEnvelopeDocExample(t *testing.T) {
	b, err := marshalEnvelope(Tx, []byte{2, 0})
	if err != nil || hex.EncodeToString(b) != "a20162747802420200" {
		t.Fatalf("%x %v", b, err)
	}
	doc, err := os.ReadFile("../../docs/formats.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "`a2 01 62 7478 02 42 0200`") {
		t.Fatal("docs/formats.md lost the envelope example")
	}
	if k, d, err := unmarshalEnvelope(b); err != nil || k != Tx || !bytes.Equal(d, []byte{2, 0}) {
		t.Fatalf("%s %x %v", k, d, err)
	}
	for _, bad := range []string{"a10162747" + "8", "a301627478024202000300", "a20142747802420200", "a20162787802420200"} {
		raw, _ := hex.DecodeString(bad)
		if _, _, err := unmarshalEnvelope(raw); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
