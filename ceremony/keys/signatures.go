package keys

import (
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	btcecdsa "github.com/btcsuite/btcd/btcec/v2/ecdsa"

	"github.com/coldtss/coldtss/ceremony"
)

// SignaturesFormat is the format tag of signature files.
const SignaturesFormat = "coldtss-signatures/1"

// SignatureFile is what a signing ceremony writes for the online side
// (signatures.json).
type SignatureFile struct {
	Format     string      `json:"format"`
	Session    string      `json:"session"`
	Key        string      `json:"key"`
	Curve      string      `json:"curve"`
	Signatures []Signature `json:"signatures"`
}

// Signature is one signature of the file.
type Signature struct {
	Index     int    `json:"index"`
	Data      string `json:"data"`
	Path      string `json:"path,omitempty"`
	PublicKey string `json:"public_key"`
	Signature string `json:"signature"` // r||s (secp256k1) or the 64-byte ed25519 signature
	Recovery  *int   `json:"recovery_id,omitempty"`
	DER       string `json:"der,omitempty"`
}

// NewSignatureFile lays out a signing ceremony's signatures (r||s||v for
// secp256k1, with DER encodings; raw for ed25519).
func NewSignatureFile(plan *ceremony.Plan, res *ceremony.Result) (SignatureFile, error) {
	out := SignatureFile{Format: SignaturesFormat, Session: plan.Session, Key: plan.Key.ID, Curve: plan.Curve}
	if len(res.Signatures) != len(plan.Messages) || len(res.SigningKeys) != len(plan.Messages) {
		return out, fmt.Errorf("the ceremony made %d signatures for %d messages (internal error)", len(res.Signatures), len(plan.Messages))
	}
	for i, sig := range res.Signatures {
		s := Signature{Index: i + 1, Data: plan.Messages[i].Data, Path: plan.Messages[i].Path, PublicKey: hex.EncodeToString(res.SigningKeys[i])}
		if plan.Curve == ceremony.CurveSecp256k1 {
			if len(sig) != 65 {
				return out, fmt.Errorf("signature %d is %d bytes, want r||s||v (internal error)", i+1, len(sig))
			}
			der, err := DER(sig[:64])
			if err != nil {
				return out, fmt.Errorf("signature %d: %v", i+1, err)
			}
			v := int(sig[64])
			s.Signature, s.Recovery, s.DER = hex.EncodeToString(sig[:64]), &v, hex.EncodeToString(der)
		} else {
			s.Signature = hex.EncodeToString(sig)
		}
		out.Signatures = append(out.Signatures, s)
	}
	return out, nil
}

// Marshal is the file's bytes.
func (f SignatureFile) Marshal() []byte {
	b, _ := json.MarshalIndent(f, "", "  ")
	return append(b, '\n')
}

// DER encodes a 64-byte r||s ECDSA signature as DER.
func DER(rs []byte) ([]byte, error) {
	if len(rs) != 64 {
		return nil, fmt.Errorf("an r||s signature is 64 bytes, got %d", len(rs))
	}
	var r, s btcec.ModNScalar
	if r.SetByteSlice(rs[:32]) || s.SetByteSlice(rs[32:]) {
		return nil, fmt.Errorf("signature value out of range")
	}
	return btcecdsa.NewSignature(&r, &s).Serialize(), nil
}
