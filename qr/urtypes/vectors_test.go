package urtypes

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/coldtss/coldtss/qr/ur"
)

type vector struct {
	Type       string `json:"type"`
	Name       string `json:"name"`
	Provenance string `json:"provenance"`
	CBORHex    string `json:"cbor_hex"`
	UR         string `json:"ur"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	b, err := os.ReadFile("../../testdata/urtypes/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Vectors []vector }
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	return f.Vectors
}

type codec interface {
	Value
	Target
}

func newOf(typ string) codec {
	switch typ {
	case TypeBytes:
		return new(Bytes)
	case TypePSBT, TypePSBTv2:
		return new(PSBT)
	case TypeHDKey:
		return new(HDKey)
	case TypeKeypath:
		return new(Keypath)
	case TypeOutput:
		return new(Output)
	case TypeAccount:
		return new(Account)
	case TypeEthSignRequest:
		return new(EthSignRequest)
	case TypeEthSignature:
		return new(EthSignature)
	}
	return nil
}

// TestVectors decodes every published example and rebuilds its CBOR and
// its UR byte for byte.
func TestVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			want, err := hex.DecodeString(v.CBORHex)
			if err != nil {
				t.Fatal(err)
			}
			x := newOf(v.Type)
			if err := x.Unmarshal(want); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			got, err := x.Marshal()
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if hex.EncodeToString(got) != v.CBORHex {
				t.Fatalf("CBOR\n got %x\nwant %s", got, v.CBORHex)
			}
			if v.UR == "" {
				return
			}
			s := strings.ToLower(ur.Encode(v.Type, got))
			if v.Type == x.URType() {
				if s, err = EncodeUR(x); err != nil {
					t.Fatal(err)
				}
			}
			if s != v.UR {
				t.Fatalf("UR\n got %s\nwant %s", s, v.UR)
			}
			y := newOf(v.Type)
			if err := DecodeUR(v.UR, y); err != nil {
				t.Fatalf("DecodeUR: %v", err)
			}
			if again, _ := y.Marshal(); hex.EncodeToString(again) != v.CBORHex {
				t.Fatalf("DecodeUR gave %x", again)
			}
		})
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestVectorFields checks decoded fields against what the sources state.
func TestVectorFields(t *testing.T) {
	vs := loadVectors(t)
	find := func(prefix string) []byte {
		for _, v := range vs {
			if strings.HasPrefix(v.Name, prefix) {
				return mustHex(t, v.CBORHex)
			}
		}
		t.Fatalf("no vector %q", prefix)
		return nil
	}

	var k HDKey
	if err := k.Unmarshal(find("BCR-2020-007 Example/Test Vector 2")); err != nil {
		t.Fatal(err)
	}
	if k.IsMaster || k.UseInfo == nil || k.UseInfo.Network != 1 || k.UseInfo.Type != 0 ||
		k.Origin.String() != "m/44'/1'/1'/0/1" || k.ParentFingerprint != 0xe9181cf3 || k.Children != nil {
		t.Fatalf("hdkey 2: %+v origin %v", k, k.Origin)
	}

	var o Output
	if err := o.Unmarshal(find("BCR-2020-010 Example/Test Vector 4")); err != nil {
		t.Fatal(err)
	}
	if o.String() != "pkh(crypto-hdkey)" || o.Key.Origin.String() != "[d34db33f]m/44'/0'/0'" || o.Key.Children.String() != "m/1/*" ||
		o.Key.Origin.Depth == nil || *o.Key.Origin.Depth != 4 || o.Key.ParentFingerprint != 0x78412e3a {
		t.Fatalf("output 4: %v %v %v", o, o.Key.Origin, o.Key.Children)
	}

	var a Account
	if err := a.Unmarshal(find("BCR-2020-015")); err != nil {
		t.Fatal(err)
	}
	var exprs []string
	for _, o := range a.Outputs {
		exprs = append(exprs, o.String()+" "+o.Key.Origin.String())
	}
	if a.MasterFingerprint != 0x37b5eed4 || !a.TagOutputs || strings.Join(exprs, ", ") != "pkh(crypto-hdkey) [37b5eed4]m/44'/0'/0', "+
		"sh(wpkh(crypto-hdkey)) [37b5eed4]m/49'/0'/0', wpkh(crypto-hdkey) [37b5eed4]m/84'/0'/0', sh(cosigner(crypto-hdkey)) [37b5eed4]m/45', "+
		"sh(wsh(cosigner(crypto-hdkey))) [37b5eed4]m/48'/0'/0'/1', wsh(cosigner(crypto-hdkey)) [37b5eed4]m/48'/0'/0'/2', tr(crypto-hdkey) [37b5eed4]m/86'/0'/0'" {
		t.Fatalf("account: %08x %v %q", a.MasterFingerprint, a.TagOutputs, exprs)
	}

	var r EthSignRequest
	if err := r.Unmarshal(find("Keystone test: test should genereate eth-sign-reqeust")); err != nil {
		t.Fatal(err)
	}
	if r.RequestID.String() != "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d" || r.DataType != EthTransaction || r.ChainID != 1 ||
		r.DerivationPath.String() != "[12345678]m/44'/1'/1'/0/1" || r.Origin != "metamask" || r.Address != nil ||
		hex.EncodeToString(r.SignData) != "f849808609184e72a00082271094000000000000000000000000000000000000000080a47f7465737432000000000000000000000000000000000000000000000000000000600057808080" {
		t.Fatalf("eth-sign-request: %+v", r)
	}

	var s EthSignature
	if err := s.Unmarshal(find("Keystone test: test should genereate eth-signature (older")); err != nil {
		t.Fatal(err)
	}
	if s.RequestID.String() != "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d" || len(s.Signature) != 65 || s.Origin != "" {
		t.Fatalf("eth-signature: %+v", s)
	}
}

// TestRefusals checks that Unmarshal refuses malformed payloads with an
// error naming the field.
func TestRefusals(t *testing.T) {
	req := "a501d825509b1deb4d3b7d4bad9bdd2b0d7b3dcb6d0241010301040105d90130a10180"
	var ok EthSignRequest
	if err := ok.Unmarshal(mustHex(t, req)); err != nil {
		t.Fatalf("base case: %v", err)
	}
	cases := []struct {
		name string
		x    Target
		hex  string
		want string
	}{
		{"unknown field", new(EthSignRequest), "a6" + req[2:] + "0801", "unknown field 8"},
		{"sign-data as text", new(EthSignRequest), strings.Replace(req, "024101", "026101", 1), "field 2 (sign-data): want a byte string"},
		{"data-type 5", new(EthSignRequest), strings.Replace(req, "0301", "0305", 1), "field 3 (data-type)"},
		{"data-type negative", new(EthSignRequest), strings.Replace(req, "0301", "0320", 1), "field 3 (data-type): want an unsigned integer"},
		{"uuid untagged", new(EthSignRequest), strings.Replace(req, "01d82550", "0150", 1), "field 1 (request-id): want tag 37"},
		{"path wrong tag", new(EthSignRequest), strings.Replace(req, "d90130", "d90131", 1), "field 5 (derivation-path): want tag 304, got tag 305"},
		{"missing sign-data", new(EthSignRequest), "a401d825509b1deb4d3b7d4bad9bdd2b0d7b3dcb6d0301040105d90130a10180", "field 2 (sign-data) is missing"},
		{"duplicate key", new(EthSignature), "a2025841" + strings.Repeat("00", 65) + "025841" + strings.Repeat("00", 65), "eth-signature"},
		{"short signature", new(EthSignature), "a1024100", "field 2 (signature): want [65] bytes, got 1"},
		{"trailing bytes", new(EthSignature), "a1025841" + strings.Repeat("00", 65) + "00", "eth-signature"},
		{"indefinite map", new(EthSignature), "bf025841" + strings.Repeat("00", 65) + "ff", "eth-signature"},
		{"not a map", new(HDKey), "80", "crypto-hdkey: want a CBOR map"},
		{"text key", new(HDKey), "a16161f5", "crypto-hdkey"},
		{"short key-data", new(HDKey), "a1034100", "field 3 (key-data): want [33] bytes, got 1"},
		{"is-master not bool", new(HDKey), "a10101", "field 1 (is-master): want true or false"},
		{"keypath odd components", new(HDKey), "a2035821" + strings.Repeat("02", 33) + "06d90130a10181182c", "field 6 (origin)"},
		{"keypath hardened not bool", new(HDKey), "a2035821" + strings.Repeat("02", 33) + "06d90130a10182182c01", "hardened flag"},
		{"coin-info unknown field", new(HDKey), "a2035821" + strings.Repeat("02", 33) + "05d90131a10301", "unknown field 3"},
		{"psbt not psbt", new(PSBT), "43010203", "not a PSBT"},
		{"bytes as text", new(Bytes), "6161", "bytes: want a CBOR byte string"},
		{"output multisig", new(Output), "d90190d90196a0", "not supported"},
		{"account fingerprint text", new(Account), "a201616102 80", "field 1 (master-fingerprint): want an unsigned integer"},
	}
	for _, c := range cases {
		err := c.x.Unmarshal(mustHex(t, strings.ReplaceAll(c.hex, " ", "")))
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrMalformed) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

// TestPSBTNames checks that a PSBT is read under crypto-psbt and psbt, and
// that other types are refused.
func TestPSBTNames(t *testing.T) {
	p := PSBT("psbt\xff\x01\x00")
	s, err := EncodeUR(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s, "ur:crypto-psbt/") {
		t.Fatal(s)
	}
	body, _ := p.Marshal()
	for _, u := range []string{s, ur.Encode("psbt", body)} {
		var q PSBT
		if err := DecodeUR(u, &q); err != nil || string(q) != string(p) {
			t.Fatalf("%s: %v %q", u, err, q)
		}
	}
	var b Bytes
	if err := DecodeUR(ur.Encode("bytes", mustHex(t, "43010203")), &b); err != nil || string(b) != "\x01\x02\x03" {
		t.Fatalf("bytes: %v %x", err, b)
	}
	if s, _ := EncodeUR(b); s != strings.ToLower(ur.Encode("bytes", mustHex(t, "43010203"))) {
		t.Fatalf("bytes UR %s", s)
	}
	if err := DecodeUR(s, &b); !errors.Is(err, ur.ErrWrongType) {
		t.Fatalf("bytes from crypto-psbt: %v", err)
	}
}
