package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"

	"github.com/coldtss/coldtss/chains/bitcoin"
	"github.com/coldtss/coldtss/internal/bip32"
)

// testKey is a fixed-seed BIP32 master that stands in for the threshold key:
// the tests sign with it where the stations' ceremony would.
type testKey struct {
	master *hdkeychain.ExtendedKey
	pub33  []byte
	chain  []byte
}

func newTestKey(t *testing.T) testKey {
	t.Helper()
	seed := sha256.Sum256([]byte("coldtss-online end-to-end test key"))
	m, err := hdkeychain.NewMaster(seed[:], &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := m.ECPubKey()
	if err != nil {
		t.Fatal(err)
	}
	return testKey{master: m, pub33: pub.SerializeCompressed(), chain: m.ChainCode()}
}

func (k testKey) priv(t *testing.T, path []uint32) *btcec.PrivateKey {
	t.Helper()
	x := k.master
	for _, i := range path {
		var err error
		if x, err = x.Derive(i); err != nil {
			t.Fatal(err)
		}
	}
	p, err := x.ECPrivKey()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (k testKey) account(t *testing.T, typ bitcoin.ScriptType) bitcoin.Account {
	t.Helper()
	a, err := bitcoin.NewAccount(k.pub33, k.chain, &chaincfg.RegressionNetParams, typ)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// signPSBT does what the stations do with a PSBT file: review it, sign
// each item (here with the test key instead of a ceremony) and finalize.
// It writes the raw transaction as hex to out (NAME.hex) and the signed
// PSBT to NAME.signed.psbt, as coldtss does, and returns the raw transaction.
func (k testKey) signPSBT(t *testing.T, acct bitcoin.Account, psbtFile, out string) []byte {
	t.Helper()
	raw, err := os.ReadFile(psbtFile)
	if err != nil {
		t.Fatal(err)
	}
	rev, err := bitcoin.ReviewPSBT(raw, acct, bitcoin.Policy{Net: acct.Net})
	if err != nil {
		t.Fatalf("stations' review refuses the prepared PSBT: %v", err)
	}
	sigs := make([][]byte, len(rev.Items))
	for i, it := range rev.Items {
		path, err := bip32.ParsePath(it.Path)
		if err != nil {
			t.Fatal(err)
		}
		compact, err := ecdsa.SignCompact(k.priv(t, path), it.Digest, true)
		if err != nil {
			t.Fatal(err)
		}
		sigs[i] = compact[1:]
	}
	signed, final, err := bitcoin.Finalize(raw, acct, rev.Items, sigs)
	if err != nil {
		t.Fatalf("finalize: %v", err)
	}
	if err := os.WriteFile(strings.TrimSuffix(out, ".hex")+".signed.psbt", signed, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, []byte(hex.EncodeToString(final)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return final
}

func tempFile(t *testing.T, name string) string { return filepath.Join(t.TempDir(), name) }

func parsePathForTest(s string) ([]uint32, error) { return bip32.ParsePath(s) }
