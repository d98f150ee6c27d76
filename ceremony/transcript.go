package ceremony

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	btcecdsa "github.com/btcsuite/btcd/btcec/v2/ecdsa"
)

// TranscriptFormat is the format tag of transcript files.
const TranscriptFormat = "coldtss-transcript/1"

// Transcript is the record every ceremony leaves: the plan, the SHA-256 of
// every packet of every protocol step in order, the results, and each
// station's Ed25519 signature over all of it. Any station's copy verifies
// on its own, with `coldtss transcript verify`.
type Transcript struct {
	Format          string         `json:"format"`
	Plan            *Plan          `json:"plan"`
	PlanFingerprint string         `json:"plan_fingerprint"`
	Packets         []PacketRecord `json:"packets"`
	// Results: keygen: [public key, chain code]; sign: one signature per
	// message (r||s||v for secp256k1, 64 bytes for ed25519). Hex.
	Results       []string       `json:"results"`
	Digest        string         `json:"digest"`
	Confirmations []Confirmation `json:"confirmations"`
	Completed     string         `json:"completed"`
}

// PacketRecord is one packet's place in the transcript.
type PacketRecord struct {
	Step    int    `json:"step"`
	Station string `json:"station"`
	SHA256  string `json:"sha256"`
}

// Confirmation is one station's signature over the transcript digest.
type Confirmation struct {
	Station   string `json:"station"`
	Signature string `json:"signature"`
}

// transcriptDigest is SHA-256 over a domain tag, the plan fingerprint, every
// packet digest (step by step, stations in plan order) and every result,
// each length-prefixed.
func transcriptDigest(planFP []byte, packets [][]byte, results [][]byte) []byte {
	h := sha256.New()
	h.Write([]byte("coldtss-transcript-v1\x00"))
	h.Write(planFP)
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(packets))))
	for _, p := range packets {
		h.Write(p)
	}
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(results))))
	for _, r := range results {
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(r))))
		h.Write(r)
	}
	return h.Sum(nil)
}

// Marshal returns the transcript as indented JSON.
func (t *Transcript) Marshal() []byte {
	b, _ := json.MarshalIndent(t, "", "  ")
	return append(b, '\n')
}

// ParseTranscript parses a transcript file (without verifying it).
func ParseTranscript(b []byte) (*Transcript, error) {
	var t Transcript
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("not a coldtss transcript: %v", err)
	}
	if t.Format != TranscriptFormat {
		return nil, fmt.Errorf("not a coldtss transcript (format %q)", t.Format)
	}
	if t.Plan == nil {
		return nil, errors.New("transcript has no plan")
	}
	return &t, nil
}

// Verify checks the transcript: the plan, the digest over packets and
// results, every station's confirmation signature, and (for signing) every
// signature against the key.
func (t *Transcript) Verify() error {
	if err := t.Plan.Validate(); err != nil {
		return fmt.Errorf("transcript plan: %v", err)
	}
	fp := t.Plan.Fingerprint()
	if t.PlanFingerprint != hex.EncodeToString(fp[:]) {
		return errors.New("plan fingerprint does not match the plan: the transcript was altered")
	}
	n := len(t.Plan.Stations)
	steps := StepsFor(t.Plan.Kind, t.Plan.Curve)
	if len(t.Packets) != n*steps {
		return fmt.Errorf("transcript lists %d packets, a %s on %s with %d stations has %d", len(t.Packets), t.Plan.Kind, t.Plan.Curve, n, n*steps)
	}
	var digests [][]byte
	for i, p := range t.Packets {
		if p.Step != i/n+1 || p.Station != t.Plan.Stations[i%n].Name {
			return fmt.Errorf("packet %d of the transcript is out of order", i+1)
		}
		d, err := hex.DecodeString(p.SHA256)
		if err != nil || len(d) != 32 {
			return fmt.Errorf("packet %d of the transcript has a bad digest", i+1)
		}
		digests = append(digests, d)
	}
	var results [][]byte
	for i, r := range t.Results {
		b, err := hex.DecodeString(r)
		if err != nil {
			return fmt.Errorf("result %d is not hex", i+1)
		}
		results = append(results, b)
	}
	digest := transcriptDigest(fp[:], digests, results)
	if t.Digest != hex.EncodeToString(digest) {
		return errors.New("transcript digest does not match its packets and results: the transcript was altered")
	}
	if len(t.Confirmations) != n {
		return fmt.Errorf("transcript has %d station confirmations, want %d", len(t.Confirmations), n)
	}
	for i, c := range t.Confirmations {
		card := t.Plan.Stations[i]
		if c.Station != card.Name {
			return fmt.Errorf("confirmation %d is from %q, want %q", i+1, c.Station, card.Name)
		}
		pk, _ := card.SignPublic()
		sig, err := hex.DecodeString(c.Signature)
		if err != nil || !ed25519.Verify(pk, confirmMessage(digest), sig) {
			return fmt.Errorf("station %s's confirmation signature does not verify", card.Name)
		}
	}
	switch t.Plan.Kind {
	case KindKeygen:
		if len(results) != 2 || len(results[1]) != 32 {
			return errors.New("a keygen transcript must hold the public key and the chain code")
		}
	case KindReshare:
		// A resharing keeps the key: its results are the plan's own public
		// key and chain code, carried over.
		pub, _ := hex.DecodeString(t.Plan.Key.PublicKey)
		cc, _ := hex.DecodeString(t.Plan.Key.ChainCode)
		if len(results) != 2 || !bytes.Equal(results[0], pub) || !bytes.Equal(results[1], cc) {
			return errors.New("a resharing transcript must hold the plan's public key and chain code, unchanged")
		}
	case KindSign:
		if len(results) != len(t.Plan.Messages) {
			return fmt.Errorf("transcript has %d signatures for %d messages", len(results), len(t.Plan.Messages))
		}
		for i := range results {
			pub, err := SigningKey(t.Plan, i)
			if err != nil {
				return err
			}
			data, _ := hex.DecodeString(t.Plan.Messages[i].Data)
			if err := verifySignature(t.Plan.Curve, pub, data, results[i]); err != nil {
				return fmt.Errorf("signature %d: %v", i+1, err)
			}
		}
	}
	return nil
}

// SigningKey returns the public key that message index of a signing plan is
// signed under: the plan's key, or its non-hardened BIP32 child.
func SigningKey(plan *Plan, index int) ([]byte, error) {
	pub, err := hex.DecodeString(plan.Key.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("key %s: bad public key", plan.Key.ID)
	}
	path, err := plan.Messages[index].path()
	if err != nil || len(path) == 0 || plan.Curve != CurveSecp256k1 {
		return pub, err
	}
	pk, err := btcec.ParsePubKey(pub)
	if err != nil {
		return nil, fmt.Errorf("key %s: bad public key: %v", plan.Key.ID, err)
	}
	_, child, err := deriveChild(plan, pk.X(), pk.Y(), path)
	if err != nil {
		return nil, err
	}
	return compressPoint(CurveSecp256k1, child.X, child.Y), nil
}

// VerifySignature checks a signature made by a ceremony: for secp256k1, a
// low-S r||s||v over a 32-byte digest; for ed25519, over the raw message.
func verifySignature(curve string, pub, msg, sig []byte) error {
	if curve == CurveEd25519 {
		if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, msg, sig) {
			return errors.New("ed25519 signature does not verify")
		}
		return nil
	}
	if len(sig) != 65 {
		return fmt.Errorf("ECDSA signature must be 65 bytes (r||s||v), got %d", len(sig))
	}
	pk, err := btcec.ParsePubKey(pub)
	if err != nil {
		return err
	}
	var r, s btcec.ModNScalar
	if r.SetByteSlice(sig[:32]) || s.SetByteSlice(sig[32:64]) {
		return errors.New("ECDSA signature value out of range")
	}
	if s.IsOverHalfOrder() {
		return errors.New("ECDSA signature is not low-S")
	}
	if !btcecdsa.NewSignature(&r, &s).Verify(msg, pk) {
		return errors.New("ECDSA signature does not verify")
	}
	return nil
}
