package recovery

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"

	"filippo.io/edwards25519"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/chains/payload"
	"github.com/coldtss/coldtss/internal/bip32"
	"github.com/coldtss/coldtss/internal/untrusted"
)

// Review decodes a PSBT or Ethereum request payload for the key and
// applies the policy, exactly as a station joining a signing ceremony
// does (chains/payload).
func (k *Key) Review(p *ceremony.Payload, pol payload.Policy) (payload.Reviewed, error) {
	pub, cc, err := k.record.Secp256k1("Bitcoin and Ethereum need")
	if err != nil {
		return nil, err
	}
	return payload.Review(p, pub, cc, pol)
}

// Signed is what Sign made: each digest signed, and the finished files.
type Signed struct {
	Requests []SignedRequest
	Outputs  []payload.Output
}

// SignedRequest is one digest signed, for the transcript.
type SignedRequest struct {
	Digest    string `json:"digest"`
	Path      string `json:"path"`
	PublicKey string `json:"public_key"` // the derived key that signed
	Note      string `json:"note,omitempty"`
}

// Sign signs every digest a reviewed payload lists with the key's BIP32
// child at the digest's path, and finishes the files (signed PSBT and
// transaction, or signed Ethereum transaction or signature) through the
// same code as a signing ceremony, which verifies every signature.
func (k *Key) Sign(rv payload.Reviewed) (*Signed, error) {
	if _, err := k.live(); err != nil {
		return nil, err
	}
	reqs := rv.Requests()
	out := &Signed{}
	sigs := make([][]byte, len(reqs))
	for i, r := range reqs {
		path := r.Path
		if path == "" {
			path = "m"
		}
		steps, err := bip32.ParsePath(path)
		if err != nil {
			return nil, fmt.Errorf("signature %d: %v", i+1, err)
		}
		digest, err := hex.DecodeString(r.Data)
		if err != nil || len(digest) != 32 {
			return nil, fmt.Errorf("signature %d: the digest %s is not 32 bytes of hex: review the file again", i+1, untrusted.Text(r.Data))
		}
		priv, err := k.child(steps)
		if err != nil {
			return nil, err
		}
		compact, err := ecdsa.SignCompact(priv, digest, true)
		if err != nil {
			priv.Zero()
			return nil, fmt.Errorf("signature %d: %v", i+1, err)
		}
		childPub := priv.PubKey().SerializeCompressed()
		priv.Zero()
		// compact is 27+4+recid || r || s; the ceremony's form is r || s || recid.
		sig := append(append([]byte(nil), compact[1:]...), compact[0]-27-4)
		sigs[i] = sig
		out.Requests = append(out.Requests, SignedRequest{Digest: r.Data, Path: path, PublicKey: hex.EncodeToString(childPub), Note: r.Note})
	}
	files, err := rv.Finish(sigs)
	if err != nil {
		return nil, fmt.Errorf("the recovered key signed, but the result could not be finished: %v", err)
	}
	out.Outputs = files
	return out, nil
}

// child derives the private key at a non-hardened path below the key,
// which is a BIP32 master with the joint chain code: child = parent + IL
// mod n, with IL from HMAC-SHA512(chain code, parent public key || index).
// The result's public key is checked against the public derivation every
// station uses (internal/bip32).
func (k *Key) child(path []uint32) (*btcec.PrivateKey, error) {
	secret, err := k.live()
	if err != nil {
		return nil, err
	}
	b := scalarBytes(secret, k.g.order())
	var s btcec.ModNScalar
	s.SetByteSlice(b)
	wipeBytes(b)
	cc := append([]byte(nil), k.cc...)
	for _, i := range path {
		pub := btcec.PrivKeyFromScalar(&s).PubKey().SerializeCompressed()
		var idx [4]byte
		binary.BigEndian.PutUint32(idx[:], i)
		mac := hmac.New(sha512.New, cc)
		mac.Write(pub)
		mac.Write(idx[:])
		sum := mac.Sum(nil)
		var il btcec.ModNScalar
		overflow := il.SetByteSlice(sum[:32])
		s.Add(&il)
		il.Zero()
		copy(cc, sum[32:])
		wipeBytes(sum)
		if overflow || s.IsZero() {
			s.Zero()
			return nil, fmt.Errorf("path %s gives no valid key (BIP32 invalid child): use the next index", bip32.FormatPath(path))
		}
	}
	priv := btcec.PrivKeyFromScalar(&s)
	want, err := bip32.Child(k.pub, k.cc, path)
	if err != nil {
		priv.Zero()
		return nil, err
	}
	if !bytes.Equal(priv.PubKey().SerializeCompressed(), want) {
		priv.Zero()
		return nil, fmt.Errorf("the private derivation of %s does not give the public key every station derives: report this as a bug and sign nothing", bip32.FormatPath(path))
	}
	return priv, nil
}

// SignMessage signs a message with an ed25519 key (standard Ed25519 over
// the message bytes, as an EdDSA signing ceremony does), and verifies the
// signature with crypto/ed25519 before returning it.
func (k *Key) SignMessage(msg []byte) ([]byte, error) {
	secret, err := k.live()
	if err != nil {
		return nil, err
	}
	if k.record.Curve != ceremony.CurveEd25519 {
		return nil, fmt.Errorf("key %s is a %s key: sign a PSBT (--psbt) or an Ethereum request (--eth-request) with it; only ed25519 keys sign plain messages here", k.record.ID, k.record.Curve)
	}
	a := edScalar(secret, k.g.order())
	defer a.Set(edwards25519.NewScalar())
	// The nonce: SHA-512 of fresh randomness, the secret and the message.
	var noise [32]byte
	if _, err := rand.Read(noise[:]); err != nil {
		return nil, err
	}
	h := sha512.New()
	h.Write(noise[:])
	h.Write(a.Bytes())
	h.Write(msg)
	rs, _ := edwards25519.NewScalar().SetUniformBytes(h.Sum(nil))
	defer rs.Set(edwards25519.NewScalar())
	R := new(edwards25519.Point).ScalarBaseMult(rs).Bytes()
	h = sha512.New()
	h.Write(R)
	h.Write(k.pub)
	h.Write(msg)
	c, _ := edwards25519.NewScalar().SetUniformBytes(h.Sum(nil))
	s := edwards25519.NewScalar().MultiplyAdd(c, a, rs)
	sig := append(R, s.Bytes()...)
	if !ed25519.Verify(ed25519.PublicKey(k.pub), msg, sig) {
		return nil, fmt.Errorf("the ed25519 signature made with the recovered key %s does not verify: report this as a bug", k.record.ID)
	}
	return sig, nil
}

// ExportConfirmation is the sentence a person must type, exactly, before
// the key itself is shown.
const ExportConfirmation = "I understand this key can spend everything"

// CheckConfirmation accepts only the exact sentence (surrounding spaces
// and the line end aside).
func CheckConfirmation(typed string) error {
	if strings.TrimSpace(typed) != ExportConfirmation {
		return fmt.Errorf("the confirmation typed is not %q: the key was not shown; type the sentence exactly to export it", ExportConfirmation)
	}
	return nil
}

// Export is the key handed out: XPrv is the secret.
type Export struct {
	XPrv        string
	XPub        string
	Fingerprint string // BIP32 fingerprint of the master, hex
	Network     string
}

// ExtendedPrivateKey writes the key as a BIP32 master xprv (depth 0, the
// joint chain code) for the network's version bytes (xprv on mainnet, tprv
// on test networks), so that any wallet derives the same addresses as the
// stations. The caller must have the typed confirmation: it is checked
// here too.
func (k *Key) ExtendedPrivateKey(net *chaincfg.Params, confirmation string) (*Export, error) {
	if err := CheckConfirmation(confirmation); err != nil {
		return nil, err
	}
	secret, err := k.live()
	if err != nil {
		return nil, err
	}
	if k.record.Curve != ceremony.CurveSecp256k1 {
		return nil, fmt.Errorf("key %s is an %s key: BIP32 xprv exists only for secp256k1 keys", k.record.ID, k.record.Curve)
	}
	b := scalarBytes(secret, k.g.order())
	defer wipeBytes(b)
	x := hdkeychain.NewExtendedKey(net.HDPrivateKeyID[:], b, k.cc, []byte{0, 0, 0, 0}, 0, 0, true)
	pub, err := x.Neuter()
	if err != nil {
		return nil, err
	}
	ecpub, err := pub.ECPubKey()
	if err != nil || !bytes.Equal(ecpub.SerializeCompressed(), k.pub) {
		return nil, fmt.Errorf("the exported key does not give key %s's public key: report this as a bug", k.record.ID)
	}
	fp := btcutil.Hash160(k.pub)[:4]
	return &Export{XPrv: x.String(), XPub: pub.String(), Fingerprint: hex.EncodeToString(fp), Network: net.Name}, nil
}
