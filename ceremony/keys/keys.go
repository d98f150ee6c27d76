// Package keys owns what a station knows of a threshold key and what a
// ceremony leaves behind: the key's record (key.json: public key, chain
// code, threshold, the stations' cards, pending or active), its id, the
// checks a signing plan must pass against the record, and the signature
// file a signing ceremony writes for the online side.
package keys

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/coldtss/coldtss/ceremony"
)

// Format is the format tag of key records.
const Format = "coldtss-key/1"

// Key statuses.
const (
	Pending = "pending"
	Active  = "active"
	// Retired is the record a station keeps of a key it no longer holds a
	// share of: it left the committee in a resharing.
	Retired = "retired"
)

// Record is the public description of a threshold key, kept beside the
// station's share of it.
type Record struct {
	Format         string            `json:"format"` // Format
	ID             string            `json:"id"`
	Label          string            `json:"label,omitempty"`
	Curve          string            `json:"curve"`
	PublicKey      string            `json:"public_key"` // hex, compressed SEC1 (secp256k1) or 32-byte ed25519
	ChainCode      string            `json:"chain_code"` // hex, 32 bytes, generated jointly
	XPub           string            `json:"xpub,omitempty"`
	Threshold      int               `json:"threshold"` // signatures needed
	Stations       []string          `json:"stations"`  // names, in plan order
	StationCards   []json.RawMessage `json:"station_cards"`
	Station        string            `json:"station"` // this station's name
	Epoch          int               `json:"epoch"`
	Created        time.Time         `json:"created"`
	Session        string            `json:"session"`
	TranscriptHash string            `json:"transcript_hash"`
	// Status is Pending from the moment a station saves a new key until
	// every station has signed that it saved its share, then Active. Only
	// an active key signs. Records written before this field existed have
	// none and count as active.
	Status string `json:"status,omitempty"`
	// SavedBy holds every station's signature saying it saved its share
	// (over the keygen transcript digest), once the key is active.
	SavedBy []Acknowledgement `json:"saved_by,omitempty"`
}

// Acknowledgement is one station's signature over a ceremony's transcript.
type Acknowledgement struct {
	Station   string `json:"station"`
	Signature string `json:"signature"`
}

// ID names a key: the first 16 hex digits of SHA-256(curve, 0, public key).
func ID(curve string, pub []byte) string {
	h := sha256.Sum256(append([]byte(curve+"\x00"), pub...))
	return hex.EncodeToString(h[:8])
}

// New is the record of a key this station (station) just generated in
// the ceremony of plan, saved as pending.
func New(plan *ceremony.Plan, station string, res *ceremony.Result) Record {
	r := Record{
		Format: Format, ID: ID(plan.Curve, res.PublicKey), Label: plan.Label, Curve: plan.Curve,
		PublicKey: hex.EncodeToString(res.PublicKey), ChainCode: hex.EncodeToString(res.ChainCode),
		Threshold: plan.Threshold, Stations: plan.Names(), Station: station, Epoch: 1,
		Created: time.Now().UTC().Truncate(time.Second), Session: plan.Session, TranscriptHash: res.Transcript.Digest,
		Status: Pending,
	}
	for _, card := range plan.Stations {
		b, _ := json.Marshal(card)
		r.StationCards = append(r.StationCards, b)
	}
	return r
}

// Acknowledgements are a ceremony's saved step, for the record.
func Acknowledgements(cs []ceremony.Confirmation) []Acknowledgement {
	out := make([]Acknowledgement, len(cs))
	for i, c := range cs {
		out[i] = Acknowledgement{Station: c.Station, Signature: c.Signature}
	}
	return out
}

// IsPending reports whether the key still waits for every station to say
// it saved its share.
func (r Record) IsPending() bool { return r.Status == Pending }

// PublicKeyBytes is the key's public key.
func (r Record) PublicKeyBytes() ([]byte, error) {
	b, err := hex.DecodeString(r.PublicKey)
	if err != nil || len(b) == 0 {
		return nil, fmt.Errorf("key %s: its record's public key is not hex: the key file is damaged", r.ID)
	}
	return b, nil
}

// ChainCodeBytes is the key's joint BIP32 chain code.
func (r Record) ChainCodeBytes() ([]byte, error) {
	b, err := hex.DecodeString(r.ChainCode)
	if err != nil || len(b) != 32 {
		return nil, fmt.Errorf("key %s: its record's chain code is not 32 bytes of hex: the key file is damaged", r.ID)
	}
	return b, nil
}

// Secp256k1 returns the public key and chain code of a secp256k1 key, and
// refuses a key of another curve; who says which chain needs it
// ("Bitcoin needs").
func (r Record) Secp256k1(who string) (pub, chainCode []byte, err error) {
	if r.Curve != ceremony.CurveSecp256k1 {
		return nil, nil, fmt.Errorf("key %s is an %s key: %s a secp256k1 key", r.ID, r.Curve, who)
	}
	if pub, err = r.PublicKeyBytes(); err != nil {
		return nil, nil, err
	}
	if len(pub) != 33 {
		return nil, nil, fmt.Errorf("key %s: its record's public key is %d bytes, not a compressed secp256k1 key: the key file is damaged", r.ID, len(pub))
	}
	chainCode, err = r.ChainCodeBytes()
	return pub, chainCode, err
}

// Cards returns the identity cards of the stations that generated the key,
// by name, each verified.
func (r Record) Cards() (map[string]ceremony.Card, error) {
	out := map[string]ceremony.Card{}
	for i, raw := range r.StationCards {
		c, err := ceremony.ParseCard(raw)
		if err != nil {
			return nil, fmt.Errorf("key %s: station card %d: %v", r.ID, i+1, err)
		}
		out[c.Name] = c
	}
	return out, nil
}

// Words is the public key's fingerprint (SHA-256) as words to read aloud:
// every station of a key shows the same.
func (r Record) Words() string {
	pub, _ := hex.DecodeString(r.PublicKey)
	h := sha256.Sum256(pub)
	return ceremony.Words(h[:])
}

// PlanKey is what a signing plan says of the key.
func (r Record) PlanKey() ceremony.PlanKey {
	return ceremony.PlanKey{ID: r.ID, PublicKey: r.PublicKey, ChainCode: r.ChainCode, Holders: r.Stations, Epoch: r.epoch(), Committee: r.Committee()}
}

// epoch is the record's epoch (records made before epochs count as 1).
func (r Record) epoch() int {
	if r.Epoch < 1 {
		return 1
	}
	return r.Epoch
}

// ConfirmHint says how to make a pending key usable.
func ConfirmHint(id string) string {
	return fmt.Sprintf("Bring the stick with every station's last-step packet and run `coldtss keys confirm %s --via usb:STICK`; see the runbook, \"A keygen that ended with the key pending\"", id)
}

// CheckUsable refuses a key that cannot sign yet.
func (r Record) CheckUsable() error {
	if r.Status == Retired {
		return fmt.Errorf("this station no longer holds a share of key %s: it left the committee when the key was reshared to epoch %d (holders now: %s)", r.ID, r.Epoch, strings.Join(r.Stations, ", "))
	}
	if r.IsPending() {
		return fmt.Errorf("key %s is pending: not every station has said it saved its share, so it cannot sign yet. %s", r.ID, ConfirmHint(r.ID))
	}
	return nil
}

// Signers returns the cards of the named holders, in the order given.
func (r Record) Signers(names []string) ([]ceremony.Card, error) {
	cards, err := r.Cards()
	if err != nil {
		return nil, err
	}
	var out []ceremony.Card
	for _, n := range names {
		c, ok := cards[n]
		if !ok {
			return nil, fmt.Errorf("--signer %s: no such station holds key %s (holders: %s)", n, r.ID, strings.Join(r.Stations, ", "))
		}
		out = append(out, c)
	}
	return out, nil
}

// CheckSignPlan checks a signing plan against this station's record of its
// key: the key must be usable, the plan's key fields must be the record's,
// and every signer's card must be the very card that took part in the
// key's generation (a card swapped for another identity under the same
// name is refused).
func (r Record) CheckSignPlan(plan *ceremony.Plan) error {
	if err := r.CheckUsable(); err != nil {
		return err
	}
	if plan.Key == nil || r.PublicKey != plan.Key.PublicKey || r.ChainCode != plan.Key.ChainCode || r.Curve != plan.Curve {
		return fmt.Errorf("the plan's key %s does not match this station's record of it (public key, chain code or curve differ): the plan was altered; stop", r.ID)
	}
	if err := r.CheckEpoch(plan.Key); err != nil {
		return err
	}
	if r.Threshold != plan.Threshold {
		return fmt.Errorf("the plan's key %s does not match this station's record of it (threshold %d, the record says %d): the plan was altered; stop", r.ID, plan.Threshold, r.Threshold)
	}
	cards, err := r.Cards()
	if err != nil {
		return err
	}
	for _, c := range plan.Stations {
		if k, ok := cards[c.Name]; !ok || k.SignKey != c.SignKey {
			return fmt.Errorf("the plan's identity card for %s is not the one that generated key %s: the plan was altered or made for another key; stop and compare identity words", c.Name, r.ID)
		}
	}
	return nil
}

// CheckEpoch refuses a plan for another epoch of the key than this
// station's share, saying which is current where, and a plan whose
// committee is not the record's.
func (r Record) CheckEpoch(k *ceremony.PlanKey) error {
	pe := k.Epoch
	if pe < 1 {
		pe = 1 // plans made before epochs
	}
	switch {
	case pe > r.epoch():
		return fmt.Errorf("this station's share of key %s is of epoch %d, the plan is for epoch %d: the key was reshared and this station is not in the current committee, or missed the resharing. Restore a backup of epoch %d on this station, or leave it out of the plan", r.ID, r.epoch(), pe, pe)
	case pe < r.epoch():
		return fmt.Errorf("this station's share of key %s is of epoch %d, the plan is for epoch %d: the plan was made from an out-of-date record of the key (or by a station that left the committee); make a new plan on a station of the current committee", r.ID, r.epoch(), pe)
	case k.Committee != "" && k.Committee != r.Committee():
		return fmt.Errorf("the plan's committee %s for key %s at epoch %d is not this station's (%s): the plan was made for another resharing of the key or altered; stop and compare", k.Committee, r.ID, pe, r.Committee())
	}
	return nil
}
