package ceremony

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/coldtss/coldtss/internal/untrusted"
)

// TotalSteps is every step a ceremony shows: the protocol steps, the
// confirmation step, and for keygen and resharing the saved step.
func TotalSteps(kind, curve string) int {
	n := StepsFor(kind, curve) + 1
	if savesShares(kind) {
		n++
	}
	return n
}

// savesShares reports whether a ceremony kind ends with stations saving
// shares, hence with the saved step.
func savesShares(kind string) bool { return kind == KindKeygen || kind == KindReshare }

func confirmMessage(digest []byte) []byte {
	return append([]byte("coldtss-confirm-v1\x00"), digest...)
}

func savedMessage(digest []byte) []byte {
	return append([]byte("coldtss-saved-v1\x00"), digest...)
}

// finish checks every party is done, then runs the confirmation step: each
// station signs the transcript digest (plan, every packet, the results) and
// checks that every other station signed the same. After a keygen it then
// saves the key (Runner.Save) and runs the saved step.
func (s *runState) finish(ctx context.Context) (*Result, error) {
	res := &Result{}
	var results [][]byte
	for i, p := range s.parties {
		if !p.Done() {
			return nil, fmt.Errorf("message #%d: the protocol did not finish after %d steps (internal error)", i+1, s.steps)
		}
	}
	switch s.plan.Kind {
	case KindKeygen:
		kp := s.parties[0].(keygenParty)
		res.Share, res.PublicKey, res.ChainCode = kp.Share(), kp.PublicKey(), s.chain.derive()
		results = [][]byte{res.PublicKey, res.ChainCode}
	case KindReshare:
		// The key and chain code are carried over, not made anew: a new
		// share must be of the very key the plan names.
		rp := s.parties[0].(*reshareParty)
		res.PublicKey, _ = hex.DecodeString(s.plan.Key.PublicKey)
		res.ChainCode, _ = hex.DecodeString(s.plan.Key.ChainCode)
		if rp.isNew() {
			share, pub := rp.result()
			if err := checkKey(s.plan, pub); err != nil {
				return nil, fmt.Errorf("the resharing made a share of another key: %v", err)
			}
			res.Share = share
		}
		results = [][]byte{res.PublicKey, res.ChainCode}
	default:
		for i, p := range s.parties {
			sp := p.(signParty)
			sig, key := sp.Signature(), sp.SigningKey()
			data, _ := hex.DecodeString(s.plan.Messages[i].Data)
			if err := verifySignature(s.plan.Curve, key, data, sig); err != nil {
				return nil, fmt.Errorf("message #%d: the joint signature does not verify (%v); nothing is released", i+1, err)
			}
			res.Signatures = append(res.Signatures, sig)
			res.SigningKeys = append(res.SigningKeys, key)
		}
		results = res.Signatures
	}
	var flat [][]byte
	var records []PacketRecord
	for step, ds := range s.digests {
		for j, d := range ds {
			flat = append(flat, d)
			records = append(records, PacketRecord{Step: step + 1, Station: s.names[j], SHA256: hex.EncodeToString(d)})
		}
	}
	digest := transcriptDigest(s.fp[:], flat, results)
	s.step = s.steps + 1
	confs, err := s.signedStep(ctx, EnvConfirm, confirmMessage(digest), "its confirmation does not match this station's record of the ceremony (different packets or results)")
	if err != nil {
		return nil, err
	}
	var hexResults []string
	for _, r := range results {
		hexResults = append(hexResults, hex.EncodeToString(r))
	}
	res.Transcript = &Transcript{
		Format: TranscriptFormat, Plan: s.plan, PlanFingerprint: hex.EncodeToString(s.fp[:]),
		Packets: records, Results: hexResults, Digest: hex.EncodeToString(digest),
		Confirmations: confs, Completed: time.Now().UTC().Format(time.RFC3339),
	}
	if !savesShares(s.plan.Kind) {
		return res, nil
	}
	// Every station has confirmed the same key: from here on, nothing
	// unsigned can stop this station, and the key is saved as pending
	// until every station has said it saved its share.
	s.confirmed = true
	if s.r.Save == nil {
		return nil, errors.New("internal error: no way to save the key")
	}
	if err := s.r.Save(res); err != nil {
		s.confirmed = false
		return nil, fmt.Errorf("every station confirmed the key, but this station could not save its share: %v. The other stations will hold the key as pending; it cannot be used", err)
	}
	s.step++
	saved, err := s.signedStep(ctx, EnvSaved, savedMessage(digest), "its saved acknowledgement does not verify")
	if err != nil {
		return nil, err
	}
	res.Saved = saved
	return res, nil
}

// signedStep runs a step in which every station broadcasts one signature
// of kind over msg, and checks every other station's.
func (s *runState) signedStep(ctx context.Context, kind uint8, msg []byte, bad string) ([]Confirmation, error) {
	mine := ed25519.Sign(s.r.ID.Sign, msg)
	packets, err := s.exchange(ctx, s.step, []Envelope{{Kind: kind, To: Broadcast, Payload: mine}})
	if err != nil {
		return nil, err
	}
	out := make([]Confirmation, s.n)
	for j, p := range packets {
		if err := checkSigned(s.plan, j, p, kind, msg); err != nil {
			return nil, &CulpritError{Step: s.step, Stations: []string{s.names[j]}, Reason: bad}
		}
		out[j] = Confirmation{Station: s.names[j], Signature: hex.EncodeToString(p.Envelopes[0].Payload)}
	}
	return out, nil
}

// checkSigned checks that packet p of station j holds exactly one
// broadcast envelope of kind whose payload is j's signature over msg.
func checkSigned(plan *Plan, j int, p *Packet, kind uint8, msg []byte) error {
	pk, _ := plan.Stations[j].SignPublic()
	if len(p.Envelopes) != 1 || p.Envelopes[0].Kind != kind || p.Envelopes[0].To != Broadcast || !ed25519.Verify(pk, msg, p.Envelopes[0].Payload) {
		return errors.New("bad signature")
	}
	return nil
}

// VerifySaved checks the saved step of a keygen after the fact, from the
// transcript this station kept and the packets of the last step found on
// the stick (station name -> packet bytes, where names the files): each
// must be that station's signature saying it saved its share of exactly
// this key. It returns the acknowledgements in plan order.
func VerifySaved(t *Transcript, packets map[string][]byte, where map[string]string) ([]Confirmation, error) {
	if t.Plan == nil || !savesShares(t.Plan.Kind) {
		return nil, errors.New("not the transcript of a key generation or a resharing")
	}
	if err := t.Verify(); err != nil {
		return nil, err
	}
	digest, _ := hex.DecodeString(t.Digest)
	step := TotalSteps(t.Plan.Kind, t.Plan.Curve)
	var out []Confirmation
	var missing []string
	for j, c := range t.Plan.Stations {
		raw, ok := packets[c.Name]
		if !ok {
			missing = append(missing, c.Name)
			continue
		}
		p, err := DecodePacket(t.Plan, raw, where[c.Name], step, j)
		if err != nil {
			return nil, err
		}
		if err := checkSigned(t.Plan, j, p, EnvSaved, savedMessage(digest)); err != nil {
			return nil, fmt.Errorf("%s: %s's last-step packet is not its signature saying it saved its share of this key", untrusted.Text(where[c.Name]), c.Name)
		}
		out = append(out, Confirmation{Station: c.Name, Signature: hex.EncodeToString(p.Envelopes[0].Payload)})
	}
	if len(missing) > 0 {
		return nil, &MissingSavedError{Stations: missing, Step: step}
	}
	return out, nil
}

// MissingSavedError says which stations' saved acknowledgements are not
// there yet.
type MissingSavedError struct {
	Stations []string
	Step     int
}

func (e *MissingSavedError) Error() string {
	return fmt.Sprintf("no step-%d packet (saved acknowledgement) from %v yet: run `coldtss join` to its end on those stations, or bring the stick that holds their packets", e.Step, e.Stations)
}
