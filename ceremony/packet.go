package ceremony

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/hpke"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// PacketVersion is the version of the packet format. Version 2 binds the
// signature to the plan's full fingerprint, not only to its session.
// Version 3 carries a tss-lib message as its type number and its own bytes
// only (the rest of tss-lib's wire bytes is rebuilt by the receiver), and no
// session: the signature binds the plan's fingerprint, which covers it.
const PacketVersion = 3

// Envelope kinds.
const (
	EnvTSS         = 0 // a tss-lib protocol message
	EnvChainCommit = 1 // keygen: commitment to this station's chain-code contribution
	EnvChainReveal = 2 // keygen: the contribution itself
	EnvConfirm     = 3 // confirmation step: the station's signature over the transcript
	EnvSaved       = 4 // keygen, last step: the station's signature saying it saved its share
)

// Broadcast is the recipient of an envelope addressed to every station.
const Broadcast = -1

// Envelope carries one message inside a packet. Point-to-point payloads
// (To >= 0) are sealed to the recipient with HPKE. The payload of a
// tss-lib message (EnvTSS; the plaintext, when sealed) is its type number
// in the ceremony's type table and then the message's own protobuf bytes:
// the receiver rebuilds the rest of tss-lib's wire bytes from the plan and
// the step.
type Envelope struct {
	_       struct{} `cbor:",toarray"`
	Kind    uint8
	Index   int // which party of the batch (which message, for signing)
	To      int // recipient's plan index, or Broadcast
	Payload []byte
}

// Packet is everything one station emits in one step: one file on the
// stick, or one animated QR sequence. It names its step and sender, not its
// ceremony: its signature covers the plan's full fingerprint (which
// includes the session), so a packet of one ceremony or plan never verifies
// in another, even one that reuses the session. The stick folder and the
// QR frames name the session for routing only.
// Echo carries the SHA-256 of every packet the sender received in the
// previous step, from every other station in plan order (echo broadcast).
type Packet struct {
	_         struct{} `cbor:",toarray"`
	Version   int
	Step      int
	From      int
	Echo      [][]byte
	Envelopes []Envelope
	Signature []byte
}

var packetDec, _ = cbor.DecOptions{
	DupMapKey:        cbor.DupMapKeyEnforcedAPF,
	MaxArrayElements: 1 << 16,
	MaxNestedLevels:  8,
}.DecMode()

func (p *Packet) signedBytes(plan [32]byte) []byte {
	c := *p
	c.Signature = nil
	b, err := canonical.Marshal(&c)
	if err != nil {
		panic(err)
	}
	out := append([]byte("coldtss-packet-v3\x00"), plan[:]...)
	return append(out, b...)
}

// Sign signs the packet, for the plan with the given fingerprint, with the
// station's identity.
func (p *Packet) Sign(id *Identity, plan [32]byte) {
	p.Signature = ed25519.Sign(id.Sign, p.signedBytes(plan))
}

// Encode serializes a signed packet.
func (p *Packet) Encode() []byte {
	b, err := canonical.Marshal(p)
	if err != nil {
		panic(err)
	}
	return b
}

// PacketDigest is the SHA-256 of an encoded packet, as used in echoes and transcripts.
func packetDigest(raw []byte) []byte {
	h := sha256.Sum256(raw)
	return h[:]
}

// PacketError is a packet that was rejected. Station is the station the
// packet claims to come from; Where names the file or QR frame.
type PacketError struct {
	Where   string
	Station string
	Reason  string
	Advice  string
}

func (e *PacketError) Error() string {
	s := fmt.Sprintf("%s: %s", e.Where, e.Reason)
	if e.Advice != "" {
		s += "; " + e.Advice
	}
	return s
}

// DecodePacket parses raw packet bytes and checks them against the plan:
// version, sender, signature (which binds the plan, hence the ceremony),
// step, and the envelopes' form. where
// names the file or frame for error messages; want is the expected sender.
func DecodePacket(plan *Plan, raw []byte, where string, step, want int) (*Packet, error) {
	wantName := plan.Stations[want].Name
	bad := func(reason, advice string) error {
		return &PacketError{Where: where, Station: wantName, Reason: reason, Advice: advice}
	}
	var p Packet
	if err := packetDec.Unmarshal(raw, &p); err != nil {
		return nil, bad("not a readable coldtss packet ("+err.Error()+")", "the file is damaged or truncated: ask "+wantName+" to write it again and check the stick")
	}
	if !bytes.Equal(p.Encode(), raw) {
		// Only the one canonical encoding is accepted: echoes and transcripts
		// hash the bytes, so a re-encoded copy must not pass as the same packet.
		return nil, bad("packet is not in canonical form (it was re-encoded after it was written)", "the file was altered: stop and find out who touched the stick")
	}
	if p.Version != PacketVersion {
		return nil, bad(fmt.Sprintf("packet format version %d, this coldtss reads version %d", p.Version, PacketVersion), "use the same coldtss release on every station")
	}
	if p.From < 0 || p.From >= len(plan.Stations) {
		return nil, bad(fmt.Sprintf("packet claims to come from station #%d, which is not in the plan", p.From), "it is a packet of another ceremony or plan, or an unknown sender's: stop and find out where it came from")
	}
	// The signature first: until it verifies, nothing in the packet is
	// known to be about this plan (a packet of another ceremony numbers its
	// stations its own way).
	signer := plan.Stations[p.From].Name
	pk, _ := plan.Stations[p.From].SignPublic()
	if len(p.Signature) != ed25519.SignatureSize || !ed25519.Verify(pk, p.signedBytes(plan.Fingerprint()), p.Signature) {
		return nil, bad("signature does not verify against "+signer+"'s identity card for this plan: it is a packet of another ceremony or plan, it is not from "+signer+", or it was altered on the way",
			"stop and find out where it came from (who handled the stick, which screen the camera read)")
	}
	if p.From != want {
		return nil, bad(fmt.Sprintf("packet is from %s but stored as %s's", signer, wantName), "the file was renamed or copied over another station's: remove it")
	}
	if p.Step != step {
		return nil, bad(fmt.Sprintf("packet is for step %d, expected step %d", p.Step, step), "it is a replayed or misplaced file from another step: remove it")
	}
	seen := map[[3]int]bool{}
	for _, e := range p.Envelopes {
		if e.To != Broadcast && (e.To < 0 || e.To >= len(plan.Stations) || e.To == p.From) {
			return nil, bad(fmt.Sprintf("envelope addressed to station #%d", e.To), "the sender's software is faulty or malicious")
		}
		k := [3]int{int(e.Kind), e.Index, e.To}
		if seen[k] {
			return nil, bad("duplicate envelope in packet", "the sender's software is faulty or malicious")
		}
		seen[k] = true
	}
	return &p, nil
}

// SealContext is where a sealed payload belongs: the plan (its full
// fingerprint), the step, the sender and recipient (plan indexes), the
// party of the batch and the envelope kind. It is bound into the sealing,
// so a sealed payload cannot be moved to any other place.
type sealContext struct {
	Plan  [32]byte
	Step  int
	From  int
	To    int
	Index int
	Kind  uint8
}

// hpke suite: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305 (RFC 9180).
func (c sealContext) info() []byte {
	b := append([]byte("coldtss-seal-v2\x00"), c.Plan[:]...)
	for _, v := range []int{c.Step, c.From, c.To, c.Index} {
		b = binary.BigEndian.AppendUint32(b, uint32(v))
	}
	return append(b, c.Kind)
}

// Seal encrypts a point-to-point payload to the recipient's X25519 key.
func seal(to *ecdh.PublicKey, c sealContext, plaintext []byte) ([]byte, error) {
	pk, err := hpke.NewDHKEMPublicKey(to)
	if err != nil {
		return nil, err
	}
	return hpke.Seal(pk, hpke.HKDFSHA256(), hpke.ChaCha20Poly1305(), c.info(), plaintext)
}

// ErrUnseal means a sealed payload did not open.
var errUnseal = errors.New("sealed payload does not open with this station's key")

// Open decrypts a payload sealed with Seal for the same context.
func open(id *Identity, c sealContext, ciphertext []byte) ([]byte, error) {
	sk, err := hpke.NewDHKEMPrivateKey(id.Seal)
	if err != nil {
		return nil, err
	}
	pt, err := hpke.Open(sk, hpke.HKDFSHA256(), hpke.ChaCha20Poly1305(), c.info(), ciphertext)
	if err != nil {
		return nil, errUnseal
	}
	return pt, nil
}
