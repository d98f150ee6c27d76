package bip32

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
)

func TestParsePath(t *testing.T) {
	for s, want := range map[string]string{"m": "m", "m/0/5": "m/0/5", "m/1/2147483647": "m/1/2147483647", "m/007": "m/7"} {
		p, err := ParsePath(s)
		if err != nil || FormatPath(p) != want {
			t.Errorf("ParsePath(%q) = %v, %v", s, p, err)
		}
	}
	if p, _ := ParsePath("m"); len(p) != 0 {
		t.Error("m is not the key itself")
	}
	for s, frag := range map[string]string{
		"m/0'/1":                        "hardened",
		"m/0h":                          "hardened",
		"m/0H":                          "hardened",
		"0/5":                           "must start with m/",
		"M/0":                           "must start with m/",
		"m/x":                           "not a number",
		"m//1":                          "not a number",
		"m/0/":                          "not a number",
		"m/+5":                          "not a number",
		"m/-1":                          "not a number",
		"m/2147483648":                  "must be below 2147483648",
		"m/99999999999":                 "must be below 2147483648",
		"":                              "empty derivation path",
		" m/1":                          "has spaces",
		"m/1 ":                          "has spaces",
		"m/ 1":                          "has spaces",
		"m" + strings.Repeat("/0", 256): "more than BIP32 allows",
	} {
		if _, err := ParsePath(s); err == nil || !strings.Contains(err.Error(), frag) {
			t.Errorf("ParsePath(%q) = %v, want %q", s, err, frag)
		}
	}
	if _, err := ParsePath("m" + strings.Repeat("/0", 255)); err != nil {
		t.Errorf("depth 255: %v", err)
	}
	if FormatPath([]uint32{hdkeychain.HardenedKeyStart + 84, 1}) != "m/84'/1" {
		t.Error("FormatPath hardened")
	}
	if err := CheckNonHardened([]uint32{0, hdkeychain.HardenedKeyStart}); err == nil || !strings.Contains(err.Error(), "m/0/0'") {
		t.Errorf("CheckNonHardened: %v", err)
	}
}

// Child agrees with BIP32 test vector 1's public derivation m/0H -> m/0H/1
// re-rooted: from the xpub of m/0H, child 1 is the published m/0H/1 key.
func TestChildMatchesBIP32Vector(t *testing.T) {
	parent, err := hdkeychain.NewKeyFromString("xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw")
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := parent.ECPubKey()
	got, err := Child(pub.SerializeCompressed(), parent.ChainCode(), []uint32{1})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := hex.DecodeString("03501e454bf00751f24b1b489aa925215d66af2234e3891c3b21a52bedb3cd711c")
	if !bytes.Equal(got, want) {
		t.Fatalf("m/0H/1 = %x, want %x", got, want)
	}
	for _, c := range []struct {
		pub, cc []byte
		path    []uint32
		want    string
	}{
		{pub.SerializeCompressed()[:32], parent.ChainCode(), nil, "33 bytes"},
		{pub.SerializeCompressed(), parent.ChainCode()[:31], nil, "32 bytes"},
		{append([]byte{5}, make([]byte, 32)...), parent.ChainCode(), nil, "not a secp256k1 public key"},
		{pub.SerializeCompressed(), parent.ChainCode(), []uint32{hdkeychain.HardenedKeyStart}, "hardened"},
	} {
		if _, err := Child(c.pub, c.cc, c.path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Child: %v, want %q", err, c.want)
		}
	}
}
