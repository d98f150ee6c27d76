package ceremony

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/coldtss/coldtss/internal/bip32"
	"github.com/coldtss/coldtss/internal/untrusted"
)

// Ceremony kinds.
const (
	KindKeygen  = "keygen"
	KindSign    = "sign"
	KindReshare = "reshare" // a new committee (or a refresh) for an existing key
)

// Curves.
const (
	CurveSecp256k1 = "secp256k1" // ECDSA (GG18/GG20 in tss-lib)
	CurveEd25519   = "ed25519"   // EdDSA
)

// PlanFormat is the format tag of plan files.
const PlanFormat = "coldtss-plan/1"

// MaxStations bounds the number of stations in one ceremony.
const MaxStations = 16

// MaxMessages bounds the number of messages one signing ceremony signs.
const MaxMessages = 256

// Plan describes one ceremony. Every station loads the same plan file and
// shows its fingerprint words; the custodians read them aloud and compare
// before anyone takes part.
type Plan struct {
	Format    string `json:"format" cbor:"format"`
	Kind      string `json:"kind" cbor:"kind"`
	Session   string `json:"session" cbor:"session"` // 16 random bytes, hex
	Created   string `json:"created" cbor:"created"`
	Curve     string `json:"curve" cbor:"curve"`
	Threshold int    `json:"threshold" cbor:"threshold"` // stations needed to sign
	Label     string `json:"label,omitempty" cbor:"label,omitempty"`
	// Stations taking part, in plan order. For keygen: every future holder.
	// For signing: the signers. For resharing: every station of the old
	// or the new committee (see Reshare).
	Stations []Card `json:"stations" cbor:"stations"`
	// For signing and resharing.
	Key *PlanKey `json:"key,omitempty" cbor:"key,omitempty"`
	// For resharing: the committees and the new threshold. Threshold above
	// is the key's current one.
	Reshare  *Reshare      `json:"reshare,omitempty" cbor:"reshare,omitempty"`
	Messages []SignRequest `json:"messages,omitempty" cbor:"messages,omitempty"`
	// What the messages were computed from, when they come from a
	// transaction or a message to sign (a PSBT, an Ethereum request).
	Payload *Payload `json:"payload,omitempty" cbor:"payload,omitempty"`
}

// MaxPayload bounds the size of a plan's payload.
const MaxPayload = 4 << 20

// Payload is the document a signing plan's digests were computed from.
// This package treats it as opaque bytes covered by the plan's fingerprint;
// before taking part, every station decodes it itself, shows it in human
// terms and recomputes the digests, so no station signs blind.
type Payload struct {
	Type    string `json:"type" cbor:"type"`                           // e.g. "bitcoin-psbt", "ethereum-request"
	Network string `json:"network,omitempty" cbor:"network,omitempty"` // e.g. "mainnet", "regtest"
	Data    []byte `json:"data" cbor:"data"`                           // base64 in JSON
}

// PlanKey names the key a signing or resharing ceremony uses, as it is
// held now: its epoch (1 after keygen, one more after each resharing) and
// the id of the committee that holds it (keys.CommitteeID). A station
// whose share is of another epoch refuses the plan.
type PlanKey struct {
	ID        string   `json:"id" cbor:"id"`
	PublicKey string   `json:"public_key" cbor:"public_key"`
	ChainCode string   `json:"chain_code" cbor:"chain_code"`
	Holders   []string `json:"holders" cbor:"holders"`
	Epoch     int      `json:"epoch,omitempty" cbor:"epoch,omitempty"`
	Committee string   `json:"committee,omitempty" cbor:"committee,omitempty"`
}

// Reshare is what a resharing plan changes. Old names the stations of the
// current committee that take part: at least the key's threshold of its
// holders (tss-lib's t+1), each dealing its share out. New names every
// holder of the key after the ceremony, with its new Threshold. A station
// may be in both (it then runs two tss-lib parties); the same stations in
// both with the same threshold is a refresh: new shares, same key.
type Reshare struct {
	Old       []string `json:"old" cbor:"old"`
	New       []string `json:"new" cbor:"new"`
	Threshold int      `json:"threshold" cbor:"threshold"`
}

// SignRequest is one message to sign.
type SignRequest struct {
	// For secp256k1: a 32-byte digest (hex). For ed25519: the raw message (hex).
	Data string `json:"data" cbor:"data"`
	// Optional non-hardened BIP32 path below the key (secp256k1 only), e.g. "m/0/7".
	Path string `json:"path,omitempty" cbor:"path,omitempty"`
	Note string `json:"note,omitempty" cbor:"note,omitempty"`
}

// NewSession returns a fresh random session id.
func newSession() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// NewKeygenPlan makes a keygen plan. threshold is the number of stations
// that will be needed to sign (e.g. 2 in a 2-of-3).
func NewKeygenPlan(cards []Card, threshold int, curve, label string) (*Plan, error) {
	p := &Plan{
		Format: PlanFormat, Kind: KindKeygen, Session: newSession(),
		Created: time.Now().UTC().Format(time.RFC3339), Curve: curve,
		Threshold: threshold, Label: label, Stations: cards,
	}
	return p, p.Validate()
}

// NewSignPlan makes a signing plan for the given signers.
// payload may be nil (raw digests).
func NewSignPlan(key PlanKey, curve string, threshold int, signers []Card, msgs []SignRequest, payload *Payload) (*Plan, error) {
	p := &Plan{
		Format: PlanFormat, Kind: KindSign, Session: newSession(),
		Created: time.Now().UTC().Format(time.RFC3339), Curve: curve,
		Threshold: threshold, Stations: signers, Key: &key, Messages: msgs, Payload: payload,
	}
	return p, p.Validate()
}

// NewResharePlan makes a resharing plan: the key as held now (with its
// epoch and committee) and its threshold, the old committee's stations that
// take part, and the new committee's cards and threshold. A refresh is a
// resharing to the same stations and threshold.
func NewResharePlan(key PlanKey, curve string, threshold int, old, next []Card, newThreshold int, label string) (*Plan, error) {
	byName := map[string]Card{}
	r := &Reshare{Threshold: newThreshold}
	for _, c := range old {
		r.Old = append(r.Old, c.Name)
		byName[c.Name] = c
	}
	for _, c := range next {
		r.New = append(r.New, c.Name)
		if o, ok := byName[c.Name]; ok && o.SignKey != c.SignKey {
			return nil, fmt.Errorf("station %q has one card in the old committee and another in the new one: a station keeps its identity across a resharing; a replaced station needs a new name", c.Name)
		}
		byName[c.Name] = c
	}
	var all []Card
	for _, c := range byName {
		all = append(all, c)
	}
	sort.Strings(r.Old)
	sort.Strings(r.New)
	p := &Plan{
		Format: PlanFormat, Kind: KindReshare, Session: newSession(),
		Created: time.Now().UTC().Format(time.RFC3339), Curve: curve,
		Threshold: threshold, Label: label, Stations: SortedCards(all), Key: &key, Reshare: r,
	}
	return p, p.Validate()
}

// Validate checks the plan's internal consistency.
func (p *Plan) Validate() error {
	if p.Format != PlanFormat {
		return fmt.Errorf("not a coldtss plan (format %q, want %q)", p.Format, PlanFormat)
	}
	if b, err := hex.DecodeString(p.Session); err != nil || len(b) != 16 {
		return fmt.Errorf("plan session %q is not 16 bytes of hex", p.Session)
	}
	if p.Curve != CurveSecp256k1 && p.Curve != CurveEd25519 {
		return fmt.Errorf("curve %q is not supported: use %s or %s", p.Curve, CurveSecp256k1, CurveEd25519)
	}
	n := len(p.Stations)
	if n < 2 || n > MaxStations {
		return fmt.Errorf("a ceremony needs 2 to %d stations, the plan has %d", MaxStations, n)
	}
	seenName := map[string]bool{}
	seenKey := map[string]bool{}
	for _, c := range p.Stations {
		if err := c.Verify(); err != nil {
			return err
		}
		if seenName[c.Name] {
			return fmt.Errorf("station name %q appears twice in the plan; every station needs its own name", c.Name)
		}
		if seenKey[c.SignKey] {
			return fmt.Errorf("station %q's identity appears twice in the plan", c.Name)
		}
		seenName[c.Name], seenKey[c.SignKey] = true, true
	}
	if len(p.Label) > maxText {
		return fmt.Errorf("the plan's label is %d bytes long, at most %d", len(p.Label), maxText)
	}
	switch p.Kind {
	case KindKeygen:
		if p.Threshold < 2 || p.Threshold > n {
			return fmt.Errorf("threshold %d is not possible with %d stations: it must be from 2 to %d", p.Threshold, n, n)
		}
		if p.Key != nil || len(p.Messages) > 0 || p.Payload != nil || p.Reshare != nil {
			return fmt.Errorf("a keygen plan must not name a key, messages, a payload or committees to reshare to")
		}
	case KindReshare:
		if err := p.validateReshare(); err != nil {
			return err
		}
	case KindSign:
		if p.Key == nil {
			return fmt.Errorf("a signing plan must name its key")
		}
		if err := p.Key.validate(); err != nil {
			return err
		}
		if p.Reshare != nil {
			return fmt.Errorf("a signing plan must not name committees to reshare to")
		}
		if n < p.Threshold {
			return fmt.Errorf("key %s needs %d signers, the plan names %d", p.Key.ID, p.Threshold, n)
		}
		holders := map[string]bool{}
		for _, h := range p.Key.Holders {
			holders[h] = true
		}
		for _, c := range p.Stations {
			if !holders[c.Name] {
				return fmt.Errorf("station %q does not hold a share of key %s (holders: %s)", c.Name, p.Key.ID, strings.Join(p.Key.Holders, ", "))
			}
		}
		if p.Payload != nil {
			if !payloadTypeRE.MatchString(p.Payload.Type) || !networkRE.MatchString(p.Payload.Network) {
				return fmt.Errorf("the plan's payload type %s or network %s is not a plain name", untrusted.Quote(p.Payload.Type), untrusted.Quote(p.Payload.Network))
			}
			if len(p.Payload.Data) == 0 || len(p.Payload.Data) > MaxPayload {
				return fmt.Errorf("the plan's payload must have 1 byte to %d MiB of data", MaxPayload>>20)
			}
			for i, m := range p.Messages {
				if m.Note != "" {
					return fmt.Errorf("message %d of a plan that carries a %s has a note: stations compute what each message is from the transaction itself, so a plan must carry no notes; the plan was altered", i+1, untrusted.Text(p.Payload.Type))
				}
			}
		}
		if len(p.Messages) == 0 || len(p.Messages) > MaxMessages {
			return fmt.Errorf("a signing plan needs 1 to %d messages, it has %d", MaxMessages, len(p.Messages))
		}
		for i, m := range p.Messages {
			if err := m.validate(p.Curve); err != nil {
				return fmt.Errorf("message %d: %v", i+1, err)
			}
		}
	default:
		return fmt.Errorf("ceremony kind %s is not known (want %s, %s or %s)", untrusted.Quote(p.Kind), KindKeygen, KindSign, KindReshare)
	}
	return nil
}

// maxText bounds a free text of a plan (label, note).
const maxText = 200

var (
	payloadTypeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)
	networkRE     = regexp.MustCompile(`^[a-z0-9 ]{0,40}$`)
	keyIDRE       = regexp.MustCompile(`^[0-9a-f]{16}$`)
)

func (k *PlanKey) validate() error {
	if !keyIDRE.MatchString(k.ID) {
		return fmt.Errorf("the plan's key id %s is not 16 hex digits", untrusted.Quote(k.ID))
	}
	if _, err := hex.DecodeString(k.PublicKey); err != nil || k.PublicKey == "" {
		return fmt.Errorf("the plan's public key for key %s is not hex", k.ID)
	}
	if b, err := hex.DecodeString(k.ChainCode); err != nil || len(b) != 32 {
		return fmt.Errorf("the plan's chain code for key %s is not 32 bytes of hex", k.ID)
	}
	for _, h := range k.Holders {
		if err := ValidName(h); err != nil {
			return fmt.Errorf("key %s: holder %v", k.ID, err)
		}
	}
	if k.Epoch < 0 || k.Epoch > maxEpoch {
		return fmt.Errorf("the plan's epoch %d for key %s is not possible (1 to %d)", k.Epoch, k.ID, maxEpoch)
	}
	if k.Committee != "" && !keyIDRE.MatchString(k.Committee) {
		return fmt.Errorf("the plan's committee id %s for key %s is not 16 hex digits", untrusted.Quote(k.Committee), k.ID)
	}
	return nil
}

// maxEpoch bounds a key's epoch (one per resharing).
const maxEpoch = 1 << 20

// validateReshare checks a resharing plan: the key as held now, the old
// committee (enough current holders to rebuild the key), the new committee
// and its threshold, and that every station of the plan is in one of them.
func (p *Plan) validateReshare() error {
	if p.Key == nil || p.Reshare == nil {
		return fmt.Errorf("a resharing plan must name its key and the old and new committees")
	}
	if err := p.Key.validate(); err != nil {
		return err
	}
	k, r := p.Key, p.Reshare
	if k.Epoch < 1 || k.Committee == "" {
		return fmt.Errorf("a resharing plan must name key %s's current epoch and committee", k.ID)
	}
	if len(p.Messages) > 0 || p.Payload != nil {
		return fmt.Errorf("a resharing plan must not carry messages or a payload")
	}
	if p.Threshold < 2 || p.Threshold > len(k.Holders) {
		return fmt.Errorf("key %s's threshold %d is not possible with its %d holders", k.ID, p.Threshold, len(k.Holders))
	}
	holders := map[string]bool{}
	for _, h := range k.Holders {
		if holders[h] {
			return fmt.Errorf("key %s names holder %q twice", k.ID, h)
		}
		holders[h] = true
	}
	inPlan := map[string]bool{}
	for _, c := range p.Stations {
		inPlan[c.Name] = true
	}
	in := map[string]role{}
	for _, name := range r.Old {
		if in[name]&roleOld != 0 {
			return fmt.Errorf("station %q is named twice in the old committee", name)
		}
		if !holders[name] {
			return fmt.Errorf("station %q of the old committee does not hold a share of key %s (holders: %s)", name, k.ID, strings.Join(k.Holders, ", "))
		}
		if !inPlan[name] {
			return fmt.Errorf("station %q of the old committee has no card in the plan", name)
		}
		in[name] |= roleOld
	}
	if len(r.Old) < p.Threshold {
		return fmt.Errorf("key %s is %d-of-%d: resharing it needs at least %d of its holders in the old committee, the plan names %d", k.ID, p.Threshold, len(k.Holders), p.Threshold, len(r.Old))
	}
	for _, name := range r.New {
		if in[name]&roleNew != 0 {
			return fmt.Errorf("station %q is named twice in the new committee", name)
		}
		if !inPlan[name] {
			return fmt.Errorf("station %q of the new committee has no card in the plan", name)
		}
		in[name] |= roleNew
	}
	if len(r.New) < 2 || len(r.New) > MaxStations {
		return fmt.Errorf("the new committee needs 2 to %d stations, the plan names %d", MaxStations, len(r.New))
	}
	if r.Threshold < 2 || r.Threshold > len(r.New) {
		return fmt.Errorf("new threshold %d is not possible with %d stations: it must be from 2 to %d", r.Threshold, len(r.New), len(r.New))
	}
	for _, c := range p.Stations {
		if in[c.Name] == 0 {
			return fmt.Errorf("station %q is in the plan but in neither committee", c.Name)
		}
	}
	if !sort.StringsAreSorted(r.Old) || !sort.StringsAreSorted(r.New) {
		return fmt.Errorf("the plan's committees are not in name order: the plan was not made by coldtss")
	}
	return nil
}

// roles returns station j's part in a resharing.
func (p *Plan) roles(j int) role {
	var out role
	name := p.Stations[j].Name
	for _, n := range p.Reshare.Old {
		if n == name {
			out |= roleOld
		}
	}
	for _, n := range p.Reshare.New {
		if n == name {
			out |= roleNew
		}
	}
	return out
}

// epoch is the key's epoch a plan uses (1 for plans that do not say).
func (k *PlanKey) epoch() int {
	if k == nil || k.Epoch < 1 {
		return 1
	}
	return k.Epoch
}

func (m SignRequest) validate(curve string) error {
	if len(m.Note) > maxText {
		return fmt.Errorf("the note is %d bytes long, at most %d", len(m.Note), maxText)
	}
	b, err := hex.DecodeString(m.Data)
	if err != nil {
		return fmt.Errorf("data is not hex: %v", err)
	}
	if curve == CurveSecp256k1 {
		if len(b) != 32 {
			return fmt.Errorf("an ECDSA digest must be 32 bytes, got %d", len(b))
		}
		if new(big.Int).SetBytes(b).Cmp(secp256k1N) >= 0 {
			return fmt.Errorf("digest %s is not below the secp256k1 group order, so tss-lib cannot sign it: it is not a real transaction digest; check where it came from", m.Data)
		}
		if _, err := m.path(); err != nil {
			return err
		}
	} else {
		if len(b) == 0 || len(b) > 4096 {
			return fmt.Errorf("an ed25519 message must be 1 to 4096 bytes, got %d", len(b))
		}
		if m.Path != "" && m.Path != "m" {
			return fmt.Errorf("derivation paths are only supported for secp256k1 keys")
		}
	}
	return nil
}

// secp256k1N is the order of the secp256k1 group.
var secp256k1N, _ = new(big.Int).SetString("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16)

// path returns the request's derivation path below the key: none when
// Path is "" or "m".
func (m SignRequest) path() ([]uint32, error) {
	if m.Path == "" {
		return nil, nil
	}
	return bip32.ParsePath(m.Path)
}

// TSSThreshold is tss-lib's threshold t: t+1 stations are needed to sign.
func (p *Plan) TSSThreshold() int { return p.Threshold - 1 }

// Index returns the position of the named station in the plan, or -1.
func (p *Plan) Index(name string) int {
	for i, c := range p.Stations {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Names returns the stations' names in plan order.
func (p *Plan) Names() []string {
	out := make([]string, len(p.Stations))
	for i, c := range p.Stations {
		out[i] = c.Name
	}
	return out
}

var canonical, _ = cbor.CoreDetEncOptions().EncMode()

// Fingerprint is SHA-256 over "coldtss-plan-v1\0" and the plan in
// deterministic CBOR (RFC 8949 section 4.2.1).
func (p *Plan) Fingerprint() [32]byte {
	b, err := canonical.Marshal(p)
	if err != nil {
		panic(err)
	}
	return sha256.Sum256(append([]byte("coldtss-plan-v1\x00"), b...))
}

// FingerprintWords is the plan's fingerprint as words to read aloud.
func (p *Plan) FingerprintWords() string {
	fp := p.Fingerprint()
	return Words(fp[:])
}

// SessionBytes returns the 16-byte session id.
func (p *Plan) SessionBytes() []byte {
	b, _ := hex.DecodeString(p.Session)
	return b
}

// Marshal returns the plan as indented JSON.
func (p *Plan) Marshal() []byte {
	b, _ := json.MarshalIndent(p, "", "  ")
	return append(b, '\n')
}

// ParsePlan parses and validates a plan file.
func ParsePlan(b []byte) (*Plan, error) {
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("not a coldtss plan (expected JSON from `coldtss plan`): %v", err)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// SortedCards returns cards sorted by name, for stable plan order.
func SortedCards(cards []Card) []Card {
	out := append([]Card(nil), cards...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
