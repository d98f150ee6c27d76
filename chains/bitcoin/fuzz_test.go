package bitcoin

import (
	"bytes"
	"encoding/base64"
	"io"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
)

// FuzzReviewPSBT feeds arbitrary bytes to PSBTBytes and ReviewPSBT (and,
// when the review passes, to Print and Finalize) with a fixed key. It must
// never panic; every refusal is one line and says where, without falling
// back to btcd's own error (which would mean the strict walk let through
// something btcd refuses); accepted bytes come back unchanged.
func FuzzReviewPSBT(f *testing.F) {
	var v bip174File
	loadJSON(f, "bip174.json", &v)
	for _, c := range append(append([]bip174Case{}, v.Valid...), v.Invalid...) {
		f.Add(mustHex(f, c.Hex))
	}
	f.Add([]byte(v.Valid[3].Base64))
	net := &chaincfg.RegressionNetParams
	acct := testAccount(f, net, P2WPKH)
	pol := Policy{Net: net, AllowSighash: true}
	f.Fuzz(func(t *testing.T, in []byte) {
		data, err := PSBTBytes(in)
		if err != nil {
			msg := err.Error()
			if strings.Contains(msg, "\n") || strings.HasPrefix(msg, "malformed PSBT (") {
				t.Fatalf("refusal %q spans lines or comes from btcd without saying where", msg)
			}
			if _, rerr := ReviewPSBT(in, acct, pol); rerr == nil || rerr.Error() != msg {
				t.Fatalf("PSBTBytes refuses (%v) but ReviewPSBT says %v", err, rerr)
			}
			return
		}
		want := in
		if !bytes.HasPrefix(in, psbtMagic) {
			want, _ = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(in)), ""))
		}
		if !bytes.Equal(data, want) {
			t.Fatalf("PSBTBytes changed the PSBT")
		}
		if _, err := ParsePSBT(data); err != nil {
			t.Fatalf("PSBTBytes accepts what ParsePSBT refuses: %v", err)
		}
		r, err := ReviewPSBT(data, acct, pol)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("refusal %q spans lines", err)
			}
			return
		}
		r.Print(io.Discard)
		sigs := make([][]byte, len(r.Items))
		for i := range sigs {
			sigs[i] = bytes.Repeat([]byte{1}, 64)
		}
		if _, _, err := Finalize(data, acct, r.Items, sigs); err == nil {
			t.Fatalf("Finalize accepted signatures that cannot verify")
		}
	})
}
