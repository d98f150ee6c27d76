package ceremony

import (
	"fmt"
)

// protocolEnvelopes turns the parties' pending messages into envelopes,
// sealing point-to-point ones, plus the keygen chain-code commit/reveal.
func (s *runState) protocolEnvelopes(step int) ([]Envelope, error) {
	var envs []Envelope
	for i, outs := range s.outgoing {
		if s.r.test.outgoing != nil {
			outs = s.r.test.outgoing(step, i, outs)
		}
		if len(outs) == 0 && sendsAt(s.parties[i], step, s.self) {
			return nil, fmt.Errorf("step %d: the protocol produced no message for message #%d (internal error)", step, i+1)
		}
		for _, o := range outs {
			if o.To == nil {
				envs = append(envs, Envelope{Kind: EnvTSS, Index: i, To: Broadcast, Payload: o.Payload})
				continue
			}
			for _, to := range o.To {
				pk, err := s.plan.Stations[to].SealPublic()
				if err != nil {
					return nil, err
				}
				ct, err := seal(pk, sealContext{Plan: s.fp, Step: step, From: s.self, To: to, Index: i, Kind: EnvTSS}, o.Payload)
				if err != nil {
					return nil, err
				}
				envs = append(envs, Envelope{Kind: EnvTSS, Index: i, To: to, Payload: ct})
			}
		}
		s.outgoing[i] = nil
	}
	if s.chain != nil {
		envs = append(envs, s.chain.envelopes(step)...)
	}
	return envs, nil
}

// quietParty is a Party whose stations do not all send at every step: in
// a resharing only the committee whose round it is speaks.
type quietParty interface {
	sends(step, station int) bool
}

// sendsAt reports whether station j's packet of a step carries messages
// of party p.
func sendsAt(p Party, step, j int) bool {
	q, ok := p.(quietParty)
	return !ok || q.sends(step, j)
}

// deliver opens the envelopes addressed to this station and hands each
// party its step's messages from every other station, all parties in
// parallel. Each party checks that the messages are exactly the ones its
// protocol expects at this step.
func (s *runState) deliver(step int, packets []*Packet) error {
	batch := make([][]Incoming, len(s.parties))
	for j, p := range packets {
		if j == s.self {
			continue
		}
		where := fmt.Sprintf("%s's step-%d packet", s.names[j], step)
		culprit := func(reason string) error {
			return &CulpritError{Step: step, Stations: []string{s.names[j]}, Reason: where + ": " + reason}
		}
		got := map[int]bool{}
		for _, e := range p.Envelopes {
			if e.To != Broadcast && e.To != s.self {
				continue
			}
			switch e.Kind {
			case EnvTSS:
				if e.Index < 0 || e.Index >= len(s.parties) {
					return culprit(fmt.Sprintf("message for party #%d of a batch of %d", e.Index+1, len(s.parties)))
				}
				payload := e.Payload
				if e.To == s.self {
					pt, err := open(s.r.ID, sealContext{Plan: s.fp, Step: step, From: j, To: s.self, Index: e.Index, Kind: e.Kind}, e.Payload)
					if err != nil {
						// The packet carries the sender's valid signature:
						// the sender sealed something this station cannot open.
						return culprit("a sealed message does not open with this station's key (altered before it was signed, or sealed to another station or place)")
					}
					payload = pt
				}
				batch[e.Index] = append(batch[e.Index], Incoming{From: j, Payload: payload, Broadcast: e.To == Broadcast})
				got[e.Index] = true
			case EnvChainCommit, EnvChainReveal:
				if s.chain == nil {
					return culprit("a chain-code envelope in a signing ceremony")
				}
				if err := s.chain.take(step, j, e); err != nil {
					return culprit(err.Error())
				}
			default:
				return culprit(fmt.Sprintf("unexpected envelope kind %d at a protocol step", e.Kind))
			}
		}
		for i, party := range s.parties {
			if !got[i] && sendsAt(party, step, j) {
				return culprit(fmt.Sprintf("no protocol message for message #%d", i+1))
			}
		}
		if s.chain != nil {
			if err := s.chain.complete(step, j); err != nil {
				return culprit(err.Error())
			}
		}
	}
	err := s.forEachParty(func(i int, p Party) error {
		if err := p.Deliver(step, batch[i]); err != nil {
			return err
		}
		s.outgoing[i] = p.Outgoing()
		return nil
	})
	return stepErr(err, step)
}
