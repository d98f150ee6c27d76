package keys

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/coldtss/coldtss/ceremony"
)

// ResharePlan is what `coldtss plan reshare` asks for: the stations of the
// current committee that take part (at least the threshold), the new
// committee's cards and its threshold.
type ResharePlan struct {
	Old       []string
	New       []ceremony.Card
	Threshold int
	Label     string
}

// PlanReshare makes a resharing plan for this record's key. The old
// committee's cards are the record's own (the cards that hold the key
// now); the new committee's are given. A refresh gives the same stations
// and threshold.
func (r Record) PlanReshare(rp ResharePlan) (*ceremony.Plan, error) {
	if err := r.CheckUsable(); err != nil {
		return nil, err
	}
	old, err := r.Signers(rp.Old)
	if err != nil {
		return nil, err
	}
	held, err := r.Cards()
	if err != nil {
		return nil, err
	}
	for _, c := range rp.New {
		if k, ok := held[c.Name]; ok && k.SignKey != c.SignKey {
			return nil, fmt.Errorf("the card given for %s is not the identity that holds key %s under that name: a replacement station needs its own name (compare identity words)", c.Name, r.ID)
		}
	}
	return ceremony.NewResharePlan(r.PlanKey(), r.Curve, r.Threshold, ceremony.SortedCards(old), ceremony.SortedCards(rp.New), rp.Threshold, rp.Label)
}

// CheckResharePlan checks a resharing plan against this station's record
// of its key, for a station of the old committee: the key must be usable
// and of the plan's epoch and committee, the plan's key fields the
// record's, the holders the record's stations, and every old station's
// card the one that holds the key.
func (r Record) CheckResharePlan(plan *ceremony.Plan) error {
	if err := r.CheckUsable(); err != nil {
		return err
	}
	if plan.Key == nil || plan.Reshare == nil || r.PublicKey != plan.Key.PublicKey || r.ChainCode != plan.Key.ChainCode || r.Curve != plan.Curve {
		return fmt.Errorf("the plan's key %s does not match this station's record of it (public key, chain code or curve differ): the plan was altered; stop", r.ID)
	}
	if err := r.CheckEpoch(plan.Key); err != nil {
		return err
	}
	if r.Threshold != plan.Threshold || strings.Join(r.Stations, ",") != strings.Join(plan.Key.Holders, ",") {
		return fmt.Errorf("the plan says key %s is %d-of-%d held by %s; this station's record says %d-of-%d held by %s: the plan was altered; stop", r.ID, plan.Threshold, len(plan.Key.Holders), strings.Join(plan.Key.Holders, ", "), r.Threshold, len(r.Stations), strings.Join(r.Stations, ", "))
	}
	cards, err := r.Cards()
	if err != nil {
		return err
	}
	for _, c := range plan.Stations {
		if k, ok := cards[c.Name]; ok && k.SignKey != c.SignKey {
			return fmt.Errorf("the plan's identity card for %s is not the one that holds key %s: the plan was altered or made for another key; stop and compare identity words", c.Name, r.ID)
		}
	}
	return nil
}

// Reshared is the record of a key after the resharing of plan, for
// station (a station of the new committee, saved as pending; or one that
// left, with status Retired): the same key, public key and chain code, the
// next epoch, the new committee and threshold. prev is the station's
// record before, when it had one (its label, xpub and creation time are
// kept).
func Reshared(plan *ceremony.Plan, station string, res *ceremony.Result, prev *Record) Record {
	r := Record{
		Format: Format, ID: plan.Key.ID, Label: plan.Label, Curve: plan.Curve,
		PublicKey: plan.Key.PublicKey, ChainCode: plan.Key.ChainCode,
		Threshold: plan.Reshare.Threshold, Stations: plan.Reshare.New, Station: station, Epoch: plan.Key.Epoch + 1,
		Created: time.Now().UTC().Truncate(time.Second), Session: plan.Session, TranscriptHash: res.Transcript.Digest,
		Status: Pending,
	}
	if prev != nil {
		r.XPub, r.Created = prev.XPub, prev.Created
		if r.Label == "" {
			r.Label = prev.Label
		}
	}
	for _, name := range plan.Reshare.New {
		b, _ := json.Marshal(plan.Stations[plan.Index(name)])
		r.StationCards = append(r.StationCards, b)
	}
	return r
}

// NewCommitteeAcks are the saved step's acknowledgements of a resharing's
// new committee, for the record's saved_by: the stations that hold the key
// now, in the record's order.
func NewCommitteeAcks(plan *ceremony.Plan, saved []ceremony.Confirmation) []Acknowledgement {
	by := map[string]ceremony.Confirmation{}
	for _, c := range saved {
		by[c.Station] = c
	}
	var out []Acknowledgement
	for _, n := range plan.Reshare.New {
		if c, ok := by[n]; ok {
			out = append(out, Acknowledgement{Station: c.Station, Signature: c.Signature})
		}
	}
	return out
}
