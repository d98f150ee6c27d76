// Package ceremony holds what stations need to run a threshold ceremony
// together: identities and their public cards, plans, the signed and sealed
// packets that cross the air gap, the runner that drives tss-lib step by step,
// and the transcript every ceremony leaves behind. It knows nothing of chains.
package ceremony

import (
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/btcsuite/btcd/btcutil/bech32"

	"github.com/coldtss/coldtss/qr/bytewords"
)

// Identity is a station's private identity: an Ed25519 key that signs every
// packet the station emits, and an X25519 key that point-to-point payloads
// are sealed to. It is only ever written to disk encrypted.
type Identity struct {
	Name    string
	Sign    ed25519.PrivateKey
	Seal    *ecdh.PrivateKey
	Created time.Time
}

// Card is the public half of an Identity, exchanged before a ceremony.
type Card struct {
	Format    string `json:"format"` // CardFormat
	Name      string `json:"name"`
	SignKey   string `json:"sign_key"` // hex Ed25519 public key
	SealKey   string `json:"seal_key"` // hex X25519 public key
	Created   string `json:"created"`  // RFC 3339, UTC
	Signature string `json:"signature"`
}

const (
	CardFormat     = "coldtss-card/1"
	identityFormat = "coldtss-identity/1"
)

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// ValidName checks a station name: 1-32 lower-case letters, digits or '-'.
func ValidName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("station name %q is not allowed: use 1 to 32 lower-case letters, digits or '-', starting with a letter or digit", name)
	}
	return nil
}

// NewIdentity makes a fresh station identity.
func NewIdentity(name string) (*Identity, error) {
	if err := ValidName(name); err != nil {
		return nil, err
	}
	_, sk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	xk, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return &Identity{Name: name, Sign: sk, Seal: xk, Created: time.Now().UTC().Truncate(time.Second)}, nil
}

type identityJSON struct {
	Format  string `json:"format"`
	Name    string `json:"name"`
	Sign    string `json:"sign_seed"`
	Seal    string `json:"seal_key"`
	Created string `json:"created"`
}

// MarshalSecret serializes the identity, secrets included. Encrypt the result.
func (id *Identity) MarshalSecret() []byte {
	b, _ := json.Marshal(identityJSON{
		Format:  identityFormat,
		Name:    id.Name,
		Sign:    hex.EncodeToString(id.Sign.Seed()),
		Seal:    hex.EncodeToString(id.Seal.Bytes()),
		Created: id.Created.Format(time.RFC3339),
	})
	return b
}

// UnmarshalIdentity parses the output of MarshalSecret.
func UnmarshalIdentity(b []byte) (*Identity, error) {
	var j identityJSON
	if err := json.Unmarshal(b, &j); err != nil || j.Format != identityFormat {
		return nil, errors.New("not a coldtss station identity")
	}
	seed, err := hex.DecodeString(j.Sign)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, errors.New("identity: bad signing key")
	}
	xb, err := hex.DecodeString(j.Seal)
	if err != nil {
		return nil, errors.New("identity: bad sealing key")
	}
	xk, err := ecdh.X25519().NewPrivateKey(xb)
	if err != nil {
		return nil, fmt.Errorf("identity: bad sealing key: %v", err)
	}
	created, _ := time.Parse(time.RFC3339, j.Created)
	return &Identity{Name: j.Name, Sign: ed25519.NewKeyFromSeed(seed), Seal: xk, Created: created}, nil
}

// Card returns the identity's public card, self-signed.
func (id *Identity) Card() Card {
	c := Card{
		Format:  CardFormat,
		Name:    id.Name,
		SignKey: hex.EncodeToString(id.Sign.Public().(ed25519.PublicKey)),
		SealKey: hex.EncodeToString(id.Seal.PublicKey().Bytes()),
		Created: id.Created.Format(time.RFC3339),
	}
	c.Signature = hex.EncodeToString(ed25519.Sign(id.Sign, c.signedBytes()))
	return c
}

// AgeIdentity returns the station's X25519 key as an age identity, used to
// encrypt the station's own secrets at rest (share, pre-parameters).
func (id *Identity) AgeIdentity() *age.X25519Identity {
	conv, err := bech32.ConvertBits(id.Seal.Bytes(), 8, 5, true)
	if err != nil {
		panic(err)
	}
	s, err := bech32.Encode("age-secret-key-", conv)
	if err != nil {
		panic(err)
	}
	ai, err := age.ParseX25519Identity(strings.ToUpper(s))
	if err != nil {
		panic(err)
	}
	return ai
}

func (c Card) signedBytes() []byte {
	var b []byte
	b = append(b, "coldtss-card-v1\x00"...)
	for _, f := range []string{c.Format, c.Name, c.SignKey, c.SealKey, c.Created} {
		b = binary.BigEndian.AppendUint16(b, uint16(len(f)))
		b = append(b, f...)
	}
	return b
}

// Verify checks the card's form and self-signature.
func (c Card) Verify() error {
	if c.Format != CardFormat {
		return fmt.Errorf("not a coldtss identity card (format %q, want %q)", c.Format, CardFormat)
	}
	if err := ValidName(c.Name); err != nil {
		return err
	}
	// One canonical spelling of every key: upper-case hex would let one
	// identity take two places in a plan, as two different-looking cards.
	for field, v := range map[string]string{"sign_key": c.SignKey, "seal_key": c.SealKey, "signature": c.Signature} {
		if b, err := hex.DecodeString(v); err != nil || hex.EncodeToString(b) != v {
			return fmt.Errorf("identity card of %q: %s is not lower-case hex", c.Name, field)
		}
	}
	pk, err := c.SignPublic()
	if err != nil {
		return err
	}
	if _, err := c.SealPublic(); err != nil {
		return err
	}
	sig, err := hex.DecodeString(c.Signature)
	if err != nil || !ed25519.Verify(pk, c.signedBytes(), sig) {
		return fmt.Errorf("identity card of %q is not signed by its own key: it was altered", c.Name)
	}
	return nil
}

// SignPublic returns the card's Ed25519 public key.
func (c Card) SignPublic() (ed25519.PublicKey, error) {
	b, err := hex.DecodeString(c.SignKey)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("identity card of %q: bad sign_key", c.Name)
	}
	return ed25519.PublicKey(b), nil
}

// SealPublic returns the card's X25519 public key.
func (c Card) SealPublic() (*ecdh.PublicKey, error) {
	b, err := hex.DecodeString(c.SealKey)
	if err != nil {
		return nil, fmt.Errorf("identity card of %q: bad seal_key", c.Name)
	}
	pk, err := ecdh.X25519().NewPublicKey(b)
	if err != nil {
		return nil, fmt.Errorf("identity card of %q: bad seal_key: %v", c.Name, err)
	}
	return pk, nil
}

// Fingerprint is SHA-256 over the card's keys and name.
func (c Card) Fingerprint() [32]byte {
	return sha256.Sum256(c.signedBytes())
}

// FingerprintWords is the card's fingerprint as words to read aloud.
func (c Card) FingerprintWords() string {
	fp := c.Fingerprint()
	return Words(fp[:])
}

// PartyKey is the station's tss-lib party key: the x-coordinate of its share
// in every key it takes part in. It is derived from the card's signing key so
// that it is the same in every ceremony. 128 bits: below either curve's order.
func (c Card) PartyKey() *big.Int {
	fp := sha256.Sum256(append([]byte("coldtss-party-key-v1\x00"), c.SignKey...))
	k := new(big.Int).SetBytes(fp[:16])
	return k.Add(k, big.NewInt(1))
}

// FingerprintWordCount is how many bytewords a fingerprint is read as (96 bits).
const fingerprintWordCount = 12

// Words renders the first FingerprintWordCount bytes of a digest as bytewords,
// in groups of four, to be read aloud and compared.
func Words(digest []byte) string {
	w := bytewords.Words(digest[:fingerprintWordCount])
	var groups []string
	for i := 0; i < len(w); i += 4 {
		groups = append(groups, strings.Join(w[i:i+4], " "))
	}
	return strings.Join(groups, " / ")
}

// ParseCard parses and verifies an identity card file.
func ParseCard(b []byte) (Card, error) {
	var c Card
	if err := json.Unmarshal(b, &c); err != nil {
		return Card{}, fmt.Errorf("not an identity card (expected JSON from `coldtss id export`): %v", err)
	}
	return c, c.Verify()
}
