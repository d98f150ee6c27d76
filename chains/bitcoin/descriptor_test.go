package bitcoin

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/coldtss/coldtss/internal/bip32"
)

func TestBIP380Checksums(t *testing.T) {
	var f struct {
		Checksum []struct {
			Description string `json:"description"`
			Value       string `json:"value"`
			Expected    string `json:"expected"`
		} `json:"checksum_vectors"`
		Derived map[string]string `json:"derived_checks"`
	}
	loadJSON(t, "bip380.json", &f)
	if len(f.Checksum) != 8 {
		t.Fatalf("expected 8 checksum vectors, got %d", len(f.Checksum))
	}
	for _, v := range f.Checksum {
		_, err := splitChecksum(v.Value)
		valid := strings.HasPrefix(v.Expected, "valid")
		if valid && err != nil {
			t.Errorf("%s: %q refused: %v", v.Description, v.Value, err)
		}
		if !valid && err == nil {
			t.Errorf("%s: %q accepted", v.Description, v.Value)
		}
		if valid && strings.Contains(v.Value, "#") {
			body, sum, _ := strings.Cut(v.Value, "#")
			got, err := DescriptorChecksum(body)
			if err != nil || got != sum {
				t.Errorf("%s: checksum of %q = %q, %v; want %q", v.Description, body, got, err, sum)
			}
		}
	}
	got, err := DescriptorChecksum("raw(deadbeef)")
	if err != nil || got != f.Derived[`descsum_create("raw(deadbeef)")`] {
		t.Fatalf("DescriptorChecksum(raw(deadbeef)) = %q, %v", got, err)
	}
	_, err = DescriptorChecksum("raw(deadbeef)#89f8spxm")
	wantErr(t, err, "already has a #checksum")
	_, err = DescriptorChecksum("raw(\u00dc)")
	wantErr(t, err, "cannot contain")
}

// TestBIP32MasterXPub checks Account.XPub against BIP32 test vectors 1 and
// 2, and ChildKey's public derivation against vector 2's chain m/0.
func TestBIP32MasterXPub(t *testing.T) {
	var f struct {
		Vectors []struct {
			Name   string `json:"name"`
			Seed   string `json:"seed"`
			Chains []struct {
				Chain  string `json:"chain"`
				ExtPub string `json:"ext_pub"`
			} `json:"chains"`
		} `json:"vectors"`
	}
	loadJSON(t, "bip32.json", &f)
	for _, v := range f.Vectors {
		master, err := hdkeychain.NewMaster(mustHex(t, v.Seed), &chaincfg.MainNetParams)
		if err != nil {
			t.Fatal(err)
		}
		pub, _ := master.ECPubKey()
		acct, err := NewAccount(pub.SerializeCompressed(), master.ChainCode(), &chaincfg.MainNetParams, P2WPKH)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range v.Chains {
			if c.Chain == "m" {
				if got := acct.XPub(); got != c.ExtPub {
					t.Errorf("%s: XPub = %s, want %s", v.Name, got, c.ExtPub)
				}
				continue
			}
			path, err := bip32.ParsePath(c.Chain)
			if err != nil {
				t.Fatal(err)
			}
			child, err := acct.ChildKey(path)
			if err != nil {
				t.Fatal(err)
			}
			want, err := hdkeychain.NewKeyFromString(c.ExtPub)
			if err != nil {
				t.Fatal(err)
			}
			wpub, _ := want.ECPubKey()
			if !bytes.Equal(child, wpub.SerializeCompressed()) {
				t.Errorf("%s %s: ChildKey = %x, want %x", v.Name, c.Chain, child, wpub.SerializeCompressed())
			}
		}
	}
}

// accountFromExtKey makes an Account from any BIP32 extended key's public
// key and chain code (version bytes ignored).
func accountFromExtKey(t testing.TB, s string, net *chaincfg.Params, typ ScriptType) Account {
	t.Helper()
	k, err := hdkeychain.NewKeyFromString(s)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := k.ECPubKey()
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewAccount(pub.SerializeCompressed(), k.ChainCode(), net, typ)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestPublishedAddresses derives addresses below the BIP84 and BIP49
// account keys (non-hardened, as ours are) and compares them to the BIPs.
func TestPublishedAddresses(t *testing.T) {
	type addr struct {
		Branch, Index uint32
		Pubkey        string `json:"pubkey"`
		Address       string `json:"address"`
	}
	var b84 struct {
		XPrv      string `json:"account_xprv"`
		Addresses []addr `json:"addresses"`
	}
	var b49 struct {
		XPub      string `json:"account_xpub"`
		Addresses []addr `json:"addresses"`
	}
	loadJSON(t, "bip84.json", &b84)
	loadJSON(t, "bip49.json", &b49)
	check := func(a Account, want []addr) {
		for _, w := range want {
			pub, err := a.ChildKey([]uint32{w.Branch, w.Index})
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(pub) != w.Pubkey {
				t.Errorf("%s m/%d/%d: key %x, want %s", a.Type, w.Branch, w.Index, pub, w.Pubkey)
			}
			got, err := a.Address(w.Branch, w.Index)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != w.Address {
				t.Errorf("%s m/%d/%d: address %s, want %s", a.Type, w.Branch, w.Index, got, w.Address)
			}
			// The address decodes back to the same script.
			dec, err := btcutil.DecodeAddress(w.Address, a.Net)
			if err != nil {
				t.Fatal(err)
			}
			s1, _ := txscript.PayToAddrScript(dec)
			s2, err := a.Script(w.Branch, w.Index)
			if err != nil || !bytes.Equal(s1, s2) {
				t.Errorf("%s: Script = %x, address script %x", w.Address, s2, s1)
			}
		}
	}
	check(accountFromExtKey(t, b84.XPrv, &chaincfg.MainNetParams, P2WPKH), b84.Addresses)
	check(accountFromExtKey(t, b49.XPub, &chaincfg.TestNet3Params, P2SHP2WPKH), b49.Addresses)
}

func testMasterKey(t testing.TB, net *chaincfg.Params) *hdkeychain.ExtendedKey {
	t.Helper()
	seed := bytes.Repeat([]byte{0x5a, 0xc3}, 16)
	k, err := hdkeychain.NewMaster(seed, net)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testAccount(t testing.TB, net *chaincfg.Params, typ ScriptType) Account {
	t.Helper()
	m := testMasterKey(t, net)
	pub, _ := m.ECPubKey()
	a, err := NewAccount(pub.SerializeCompressed(), m.ChainCode(), net, typ)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestDescriptorRoundTrip(t *testing.T) {
	for _, net := range []*chaincfg.Params{&chaincfg.MainNetParams, &chaincfg.TestNet3Params, &chaincfg.SigNetParams, &chaincfg.RegressionNetParams} {
		for _, typ := range ScriptTypes {
			a := testAccount(t, net, typ)
			for branch := uint32(0); branch < 2; branch++ {
				d := a.Descriptor(branch)
				prefix := map[ScriptType]string{P2WPKH: "wpkh([", P2SHP2WPKH: "sh(wpkh([", P2PKH: "pkh(["}[typ]
				if !strings.HasPrefix(d, prefix+a.fingerprintHex()+"]"+a.XPub()) {
					t.Fatalf("descriptor %s", d)
				}
				b, sum, _ := strings.Cut(d, "#")
				if want, _ := DescriptorChecksum(b); want != sum {
					t.Fatalf("descriptor %s has checksum %s, want %s", d, sum, want)
				}
				got, gotBranch, err := ParseDescriptorNet(d, net)
				if err != nil {
					t.Fatalf("%s: %v", d, err)
				}
				if gotBranch != branch || got.Type != typ || !bytes.Equal(got.PubKey, a.PubKey) || !bytes.Equal(got.ChainCode, a.ChainCode) || NetworkName(got.Net) != NetworkName(net) {
					t.Fatalf("%s: parsed %+v branch %d", d, got, gotBranch)
				}
				// Without the checksum it parses too, and gives the same addresses.
				got2, _, err := ParseDescriptorNet(b, net)
				if err != nil {
					t.Fatal(err)
				}
				for i := uint32(0); i < 3; i++ {
					x, _ := a.Address(branch, i)
					y, _ := got2.Address(branch, i)
					pub, _ := a.ChildKey([]uint32{branch, i})
					_, z, _ := ScriptFor(typ, pub, net)
					if x.String() != y.String() || x.String() != z.String() {
						t.Fatalf("addresses differ: %s %s %s", x, y, z)
					}
					if !x.IsForNet(net) {
						t.Fatalf("address %s not for %s", x, net.Name)
					}
				}
			}
		}
	}
	// The network defaults to the xpub's: tpub gives testnet.
	a := testAccount(t, &chaincfg.RegressionNetParams, P2WPKH)
	got, _, err := ParseDescriptor(a.Descriptor(0))
	if err != nil || NetworkName(got.Net) != "testnet" {
		t.Fatalf("ParseDescriptor(tpub) net %v, %v", got.Net, err)
	}
	// Fingerprint and PSBTFingerprint are the same bytes.
	fp := a.Fingerprint()
	if !bytes.Equal(fp[:], btcutil.Hash160(a.PubKey)[:4]) {
		t.Fatal("fingerprint")
	}
}

func TestDescriptorRefusals(t *testing.T) {
	a := testAccount(t, &chaincfg.MainNetParams, P2WPKH)
	xpub := a.XPub()
	fp := a.fingerprintHex()
	tn := testAccount(t, &chaincfg.TestNet3Params, P2WPKH)
	m := testMasterKey(t, &chaincfg.MainNetParams)
	child, _ := m.Derive(0)
	childPub, _ := child.Neuter()
	good := a.Descriptor(0)
	badSum := good[:len(good)-1] + map[bool]string{true: "q", false: "p"}[good[len(good)-1] != 'q']
	cases := []struct {
		desc string
		net  *chaincfg.Params
		want []string
	}{
		{badSum, nil, []string{"checksum", "does not match"}},
		{good + "x", nil, []string{"must be 8 characters"}},
		{"wpkh([" + fp + "/84h/0h/0h]" + xpub + "/0/*)", nil, []string{"origin", "derivation path", "[" + fp + "]"}},
		{"wpkh([00000000]" + xpub + "/0/*)", nil, []string{"fingerprint [00000000] does not match"}},
		{"wpkh([" + fp + "]" + xpub + "/2/*)", nil, []string{"/0/* (receive) or /1/* (change)"}},
		{"wpkh([" + fp + "]" + xpub + "/0/*')", nil, []string{"non-hardened"}},
		{"wpkh(" + xpub + "/0/*)", &chaincfg.TestNet3Params, []string{"mainnet xpub", "set to testnet"}},
		{"wpkh(" + tn.XPub() + "/0/*)", &chaincfg.MainNetParams, []string{"tpub", "set to mainnet"}},
		{"wpkh(" + m.String() + "/0/*)", nil, []string{"private key"}},
		{"wpkh(" + childPub.String() + "/0/*)", nil, []string{"depth 1", "master"}},
		{"tr(" + xpub + "/0/*)", nil, []string{"tr(...) is not supported"}},
		{"wpkh(" + xpub[:len(xpub)-1] + "1/0/*)", nil, []string{"not a valid extended public key"}},
		{"wpkh(zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs/0/*)", nil, []string{"neither xpub nor tpub"}},
	}
	for _, c := range cases {
		_, _, err := ParseDescriptorNet(c.desc, c.net)
		wantErr(t, err, c.want...)
	}
}

func TestNetworksTypes(t *testing.T) {
	for _, n := range NetworkNames() {
		p, err := NetworkParams(n)
		if err != nil || NetworkName(p) != n {
			t.Errorf("network %s: %v", n, err)
		}
	}
	_, err := NetworkParams("litecoin")
	wantErr(t, err, "litecoin", "mainnet, testnet, signet, regtest")
	for s, want := range map[string]ScriptType{"": P2WPKH, "p2wpkh": P2WPKH, "P2SH-P2WPKH": P2SHP2WPKH, "p2pkh": P2PKH} {
		if got, err := ParseScriptType(s); err != nil || got != want {
			t.Errorf("ParseScriptType(%q) = %v, %v", s, got, err)
		}
	}
	_, err = ParseScriptType("p2tr")
	wantErr(t, err, "p2tr", "p2wpkh, p2sh-p2wpkh or p2pkh")
	_, err = NewAccount(make([]byte, 33), make([]byte, 32), &chaincfg.MainNetParams, P2WPKH)
	wantErr(t, err, "check the key file")
	_, err = NewAccount(testAccount(t, &chaincfg.MainNetParams, P2WPKH).PubKey, make([]byte, 31), &chaincfg.MainNetParams, P2WPKH)
	wantErr(t, err, "chain code must be 32 bytes")
	_, err = testAccount(t, &chaincfg.MainNetParams, P2WPKH).ChildKey([]uint32{hdkeychain.HardenedKeyStart})
	wantErr(t, err, "hardened")
}
