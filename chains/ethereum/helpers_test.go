package ethereum

import (
	"crypto/ecdsa"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/coldtss/coldtss/internal/bip32"
	"github.com/coldtss/coldtss/internal/untrusted"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// testKey is a fixed-seed BIP32 master standing in for the threshold key.
type testKey struct {
	master    *hdkeychain.ExtendedKey
	pub33     []byte
	chainCode []byte
}

func newTestKey(t testing.TB) *testKey {
	seed := make([]byte, 32)
	for i := range seed {
		seed[i] = byte(i + 1)
	}
	m, err := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := m.ECPubKey()
	if err != nil {
		t.Fatal(err)
	}
	return &testKey{master: m, pub33: pub.SerializeCompressed(), chainCode: m.ChainCode()}
}

// child returns the private key at a path, derived privately (independently
// of DeriveKey's public derivation).
func (k *testKey) child(t testing.TB, path string) *ecdsa.PrivateKey {
	steps, err := bip32.ParsePath(path)
	if err != nil {
		t.Fatal(err)
	}
	x := k.master
	for _, i := range steps {
		if x, err = x.Derive(i); err != nil {
			t.Fatal(err)
		}
	}
	priv, err := x.ECPrivKey()
	if err != nil {
		t.Fatal(err)
	}
	key, err := crypto.ToECDSA(priv.Serialize())
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func (k *testKey) address(t testing.TB, path string) common.Address {
	return crypto.PubkeyToAddress(k.child(t, path).PublicKey)
}

// singleKey makes a "threshold key" of one plain private key, used at path "m".
func singleKey(t testing.TB, priv *ecdsa.PrivateKey) (pub33, chainCode []byte) {
	return crypto.CompressPubkey(&priv.PublicKey), make([]byte, 32)
}

func loadJSON(t testing.TB, name string, v any) {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

var printErrs bool

// wantErr fails unless err is non-nil and contains every fragment.
func wantErr(t testing.TB, err error, fragments ...string) {
	t.Helper()
	if printErrs && err != nil {
		t.Log(err)
	}
	if err == nil {
		t.Fatalf("no error; want one containing %q", fragments)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Fatalf("error %q does not contain %q", err, f)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Fatalf("error %q spans several lines", err)
	}
}

// field returns a review field's value as Print shows it: string values
// from the request in quotes.
func field(r *Review, label string) string {
	for _, f := range r.Fields {
		if f.Label == label {
			if f.Quoted {
				return untrusted.Quote(f.Value)
			}
			return f.Value
		}
	}
	return ""
}

func hasWarning(r *Review, frag string) bool {
	for _, w := range r.Warnings {
		if strings.Contains(w, frag) {
			return true
		}
	}
	return false
}
