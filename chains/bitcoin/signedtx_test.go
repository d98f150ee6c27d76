package bitcoin

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
)

// TestReadSignedTx reads each form of a signed transaction and refuses
// each file that is not one, saying whether it holds no Bitcoin
// transaction at all (ErrNotTx, ErrNotHex) or one that is not signed.
func TestReadSignedTx(t *testing.T) {
	net := &chaincfg.RegressionNetParams
	m := buildVector1(t, net, P2WPKH)
	dest := buildAddr(t, "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", net)
	p, err := BuildPSBT(m.acct, m.coins(t, buildCoin{0, 0, 120_000}, buildCoin{0, 1, 80_000}), []Payment{{dest, 150_000}}, 0, 2, true)
	if err != nil {
		t.Fatal(err)
	}
	serialize := func(f func(*bytes.Buffer) error) []byte {
		var buf bytes.Buffer
		if err := f(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	unsignedPSBT := serialize(func(b *bytes.Buffer) error { return p.Serialize(b) })
	unsignedTx := serialize(func(b *bytes.Buffer) error { return p.UnsignedTx.Serialize(b) })
	final := buildSignBtcd(t, m, p)
	finalPSBT := serialize(func(b *bytes.Buffer) error { return p.Serialize(b) })
	finalTx := serialize(func(b *bytes.Buffer) error { return final.Serialize(b) })
	finalHex := hex.EncodeToString(finalTx)

	for name, raw := range map[string]string{
		"binary PSBT":            string(finalPSBT),
		"base64 PSBT":            base64.StdEncoding.EncodeToString(finalPSBT) + "\n",
		"hex":                    finalHex + "\n",
		"0x hex across lines":    " 0x" + finalHex[:50] + "\n" + finalHex[50:] + "\r\n",
		"upper case hex with 0X": "0X" + strings.ToUpper(finalHex),
	} {
		tx, err := ReadSignedTx("f", []byte(raw))
		if err != nil {
			t.Errorf("%s: %v", name, err)
		} else if tx.TxHash() != final.TxHash() || tx.WitnessHash() != final.WitnessHash() {
			t.Errorf("%s: read %s, want %s", name, tx.WitnessHash(), final.WitnessHash())
		}
	}

	for _, c := range []struct {
		name          string
		raw           []byte
		want          string
		notTx, notHex bool
	}{
		{"unsigned PSBT", unsignedPSBT, "f is a PSBT that is not fully signed and finalized: finish the signing ceremony first (coldtss writes the signed tx.hex)", false, false},
		{"base64 unsigned PSBT", []byte(base64.StdEncoding.EncodeToString(unsignedPSBT)), "f is a PSBT that is not fully signed and finalized", false, false},
		{"malformed PSBT", append([]byte("psbt\xff"), 1, 2, 3), "f: ", false, false},
		{"unsigned transaction", []byte(hex.EncodeToString(unsignedTx)), "f: input 0 of the Bitcoin transaction is not signed: finish the signing ceremony first", false, false},
		{"text", []byte("hello"), "f is neither a signed transaction in hex nor a PSBT: give the tx.hex that coldtss wrote after signing", true, true},
		{"empty", []byte(" \n"), "f is neither a signed transaction in hex nor a PSBT", true, true},
		{"odd hex", []byte(finalHex[1:]), "f is neither a signed transaction in hex nor a PSBT", true, true},
		{"other hex", []byte("deadbeef"), "f is not a signed bitcoin transaction (it does not decode): give the tx.hex that coldtss wrote after signing", true, false},
		{"trailing bytes", []byte(finalHex + "00"), "f is not a signed bitcoin transaction (it does not decode)", true, false},
		{"no outputs", []byte(hex.EncodeToString(serialize(func(b *bytes.Buffer) error {
			tx := final.Copy()
			tx.TxOut = nil
			return tx.Serialize(b)
		}))), "f is not a signed bitcoin transaction (it does not decode)", true, false},
	} {
		tx, err := ReadSignedTx("f", c.raw)
		if err == nil {
			t.Errorf("%s: read %v", c.name, tx)
			continue
		}
		if !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: %v\nwant %s", c.name, err, c.want)
		}
		if errors.Is(err, ErrNotTx) != c.notTx || errors.Is(err, ErrNotHex) != c.notHex {
			t.Errorf("%s: ErrNotTx %v, ErrNotHex %v; want %v, %v", c.name, errors.Is(err, ErrNotTx), errors.Is(err, ErrNotHex), c.notTx, c.notHex)
		}
	}

	for raw, want := range map[string]bool{
		string(finalPSBT): true, base64.StdEncoding.EncodeToString(finalPSBT): true, "\n cHNidP8B": true,
		finalHex: false, "psbt": false, "": false,
	} {
		if IsPSBT([]byte(raw)) != want {
			t.Errorf("IsPSBT(%.12q) = %v", raw, !want)
		}
	}
}
