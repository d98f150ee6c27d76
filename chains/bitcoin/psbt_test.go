package bitcoin

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/coldtss/coldtss/internal/bip32"
)

type bip174Case struct {
	Case   string `json:"case"`
	Hex    string `json:"hex"`
	Base64 string `json:"base64"`
}

type bip174File struct {
	Invalid     []bip174Case `json:"invalid"`
	Valid       []bip174Case `json:"valid"`
	FailsSigner []bip174Case `json:"fails_signer_checks"`
	Roles       struct {
		MasterKey struct {
			TPrv string `json:"tprv"`
		} `json:"master_key"`
		Updater struct {
			Result bip174Case `json:"result"`
		} `json:"updater"`
	} `json:"roles"`
}

func TestBIP174Valid(t *testing.T) {
	var f bip174File
	loadJSON(t, "bip174.json", &f)
	if len(f.Valid) != 10 {
		t.Fatalf("expected 10 valid vectors, got %d", len(f.Valid))
	}
	for _, v := range f.Valid {
		raw := mustHex(t, v.Hex)
		for _, in := range [][]byte{raw, []byte(v.Base64), []byte("  " + v.Base64 + "\n")} {
			p, err := ParsePSBT(in)
			if err != nil {
				t.Errorf("%s: %v", v.Case, err)
				continue
			}
			out, err := serializePSBT(p)
			if err != nil || !bytes.Equal(out, raw) {
				t.Errorf("%s: re-serialised differently:\n got %x\nwant %x", v.Case, out, raw)
			}
		}
	}
}

func TestBIP174Invalid(t *testing.T) {
	var f bip174File
	loadJSON(t, "bip174.json", &f)
	if len(f.Invalid) != 20 {
		t.Fatalf("expected 20 invalid vectors, got %d", len(f.Invalid))
	}
	for _, v := range f.Invalid {
		for _, in := range [][]byte{mustHex(t, v.Hex), []byte(v.Base64)} {
			_, err := ParsePSBT(in)
			if err == nil {
				t.Errorf("%s: accepted", v.Case)
				continue
			}
			msg := err.Error()
			if !strings.Contains(msg, "PSBT") || !strings.Contains(msg, "export") {
				t.Errorf("%s: unhelpful error %q", v.Case, msg)
			}
		}
	}
}

// TestBIP174SignerChecks: the PSBTs BIP174 says a signer must refuse are
// refused by ReviewPSBT, each for its own reason. The account is BIP174's
// own master key, so the inputs carry our fingerprint.
func TestBIP174SignerChecks(t *testing.T) {
	var f bip174File
	loadJSON(t, "bip174.json", &f)
	acct := accountFromExtKey(t, f.Roles.MasterKey.TPrv, &chaincfg.TestNet3Params, P2WPKH)
	want := map[string]string{
		"A Witness UTXO is provided for a non-witness input":                 "witness_utxo but spends a non-segwit script",
		"redeemScript with non-witness UTXO does not match the scriptPubKey": "redeem script does not match",
		"redeemScript with witness UTXO does not match the scriptPubKey":     "redeem script does not match",
		"witnessScript with witness UTXO does not match the redeemScript":    "witness script does not match",
	}
	if len(f.FailsSigner) != len(want) {
		t.Fatalf("expected %d signer-check vectors, got %d", len(want), len(f.FailsSigner))
	}
	for _, v := range f.FailsSigner {
		_, err := ReviewPSBT([]byte(v.Base64), acct, Policy{Net: &chaincfg.TestNet3Params})
		frag, ok := want[v.Case]
		if !ok {
			t.Fatalf("unexpected case %q", v.Case)
		}
		wantErr(t, err, "input ", frag, "do not sign")
	}

	// BIP174's updater output carries derivations from its master key: our
	// PSBTFingerprint must read them as ours (the byte order check).
	p, err := ParsePSBT(mustHex(t, f.Roles.Updater.Result.Hex))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, in := range p.Inputs {
		for _, d := range in.Bip32Derivation {
			n++
			if d.MasterKeyFingerprint != acct.PSBTFingerprint() {
				t.Fatalf("derivation fingerprint %08x, PSBTFingerprint %08x", d.MasterKeyFingerprint, acct.PSBTFingerprint())
			}
			// And the keys it names come from that master by private derivation.
			m, _ := hdkeychain.NewKeyFromString(f.Roles.MasterKey.TPrv)
			for _, i := range d.Bip32Path {
				m, _ = m.Derive(i)
			}
			pub, _ := m.ECPubKey()
			if !bytes.Equal(pub.SerializeCompressed(), d.PubKey) {
				t.Fatalf("derivation %s does not match", bip32.FormatPath(d.Bip32Path))
			}
		}
	}
	if n == 0 {
		t.Fatal("no derivations in the BIP174 updater vector")
	}
	// Its inputs are 2-of-2 multisig of that master: refused clearly.
	_, err = ReviewPSBT(mustHex(t, f.Roles.Updater.Result.Hex), acct, Policy{Net: &chaincfg.TestNet3Params})
	wantErr(t, err, "input 0:", "carries 2 derivations of our key", "multisig is not supported", "do not sign")
}

func TestParsePSBTMalformed(t *testing.T) {
	var f bip174File
	loadJSON(t, "bip174.json", &f)
	good := mustHex(t, f.Valid[3].Hex)
	cases := []struct {
		name string
		in   []byte
		want []string
	}{
		{"empty", []byte("  \n"), []string{"the PSBT is empty"}},
		{"truncated", good[:len(good)-7], []string{"malformed PSBT", "truncated"}},
		{"truncated base64", []byte(base64.StdEncoding.EncodeToString(good[:40])), []string{"malformed PSBT", "truncated"}},
		{"bad magic", append([]byte("psbu\xff"), good[5:]...), []string{"not a PSBT", "magic"}},
		{"garbage base64", []byte("cHNidP8B!!!notbase64***"), []string{"neither binary nor valid base64"}},
		{"raw transaction", mustHex(t, f.Invalid[0].Hex), []string{"raw transaction, not a PSBT"}},
		{"trailing bytes", append(append([]byte{}, good...), 0, 1, 2), []string{"3 unexpected bytes"}},
	}
	for _, c := range cases {
		_, err := ParsePSBT(c.in)
		if err == nil {
			t.Fatalf("%s: accepted", c.name)
		}
		wantErr(t, err, c.want...)
	}
}

// TestBIP143SigHash computes BIP143's example sighashes with the function
// ReviewPSBT uses, and checks the published signatures against them.
func TestBIP143SigHash(t *testing.T) {
	var f struct {
		Vectors []struct {
			Name        string `json:"name"`
			HashType    uint32 `json:"nHashType"`
			UnsignedTx  string `json:"unsigned_tx"`
			SignedInput int    `json:"signed_input_index"`
			Inputs      []struct {
				Index        int    `json:"index"`
				Type         string `json:"type"`
				ScriptPubKey string `json:"scriptPubKey"`
				ValueSat     int64  `json:"value_sat"`
				RedeemScript string `json:"redeemScript"`
				PublicKey    string `json:"public_key"`
				PrivateKey   string `json:"private_key"`
			} `json:"inputs"`
			SigHash   string `json:"sighash"`
			Signature string `json:"signature_der_with_hashtype"`
			SignedTx  string `json:"signed_tx"`
		} `json:"vectors"`
	}
	loadJSON(t, "bip143.json", &f)
	if len(f.Vectors) != 2 {
		t.Fatalf("expected 2 vectors, got %d", len(f.Vectors))
	}
	for _, v := range f.Vectors {
		var tx wire.MsgTx
		if err := tx.Deserialize(bytes.NewReader(mustHex(t, v.UnsignedTx))); err != nil {
			t.Fatal(err)
		}
		prevs := make([]*wire.TxOut, len(tx.TxIn))
		for _, in := range v.Inputs {
			prevs[in.Index] = wire.NewTxOut(in.ValueSat, mustHex(t, in.ScriptPubKey))
		}
		fetcher := prevOutFetcher(&tx, prevs)
		in := v.Inputs[0]
		for _, x := range v.Inputs {
			if x.Index == v.SignedInput {
				in = x
			}
		}
		typ := map[string]ScriptType{"P2WPKH": P2WPKH, "P2SH-P2WPKH": P2SHP2WPKH}[in.Type]
		var redeem []byte
		if in.RedeemScript != "" {
			redeem = mustHex(t, in.RedeemScript)
		}
		h, err := inputSigHash(&tx, fetcher, v.SignedInput, typ, mustHex(t, in.ScriptPubKey), redeem, txscript.SigHashType(v.HashType))
		if err != nil {
			t.Fatal(err)
		}
		if got := hexs(h); got != v.SigHash {
			t.Fatalf("%s: sighash %s, want %s", v.Name, got, v.SigHash)
		}
		der := mustHex(t, v.Signature)
		sig, err := ecdsa.ParseDERSignature(der[:len(der)-1])
		if err != nil {
			t.Fatal(err)
		}
		pubBytes := mustHex(t, in.PublicKey)
		if len(pubBytes) == 0 {
			priv, _ := btcec.PrivKeyFromBytes(mustHex(t, in.PrivateKey))
			pubBytes = priv.PubKey().SerializeCompressed()
		}
		pub, _ := btcec.ParsePubKey(pubBytes)
		if !sig.Verify(h, pub) {
			t.Fatalf("%s: the published signature does not verify against our sighash", v.Name)
		}
		// Our P2WPKH/P2SH-P2WPKH scripts for the key are the vector's.
		s, _, err := ScriptFor(typ, pubBytes, &chaincfg.MainNetParams)
		if err != nil || hexs(s) != in.ScriptPubKey {
			t.Fatalf("%s: ScriptFor = %x, want %s", v.Name, s, in.ScriptPubKey)
		}
	}
}

func hexs(b []byte) string { return hex.EncodeToString(b) }
