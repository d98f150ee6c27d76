package ceremony

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coldtss/coldtss/internal/untrusted"
)

// Status is the runner's progress, for the live status line.
type Status struct {
	Step, Steps int
	Have        []string
	Waiting     []string
	// Warning, when set, is something the operator must see and keep on
	// screen (shown once, not overwritten): e.g. a file on the stick that
	// was ignored after the protocol ended.
	Warning string
}

func (s Status) String() string {
	have := "nobody yet"
	if len(s.Have) > 0 {
		have = strings.Join(s.Have, ", ")
	}
	if len(s.Waiting) == 0 {
		return fmt.Sprintf("step %d of %d: have %s", s.Step, s.Steps, have)
	}
	return fmt.Sprintf("step %d of %d: have %s; waiting for %s", s.Step, s.Steps, have, strings.Join(s.Waiting, ", "))
}

// exchange writes this station's packet for a step and collects every other
// station's, each checked against the plan and against the echoes of the
// previous step.
func (s *runState) exchange(ctx context.Context, step int, envs []Envelope) ([]*Packet, error) {
	r := s.r
	if r.test.envelopes != nil {
		envs = r.test.envelopes(step, envs)
	}
	pkt := &Packet{Version: PacketVersion, Step: step, From: s.self, Envelopes: envs}
	if step > 1 {
		pkt.Echo = echoOf(s.digests[step-2], s.self)
	}
	pkt.Sign(r.ID, s.fp)
	raw := pkt.Encode()
	if err := r.Transport.Put(ctx, step, r.ID.Name, raw); err != nil {
		if ctx.Err() != nil {
			return nil, s.stopped(ctx, step)
		}
		return nil, fmt.Errorf("cannot write this station's packet for step %d: %v", step, err)
	}

	packets := make([]*Packet, s.n)
	digests := make([][]byte, s.n)
	packets[s.self], digests[s.self] = pkt, packetDigest(raw)
	deadline := time.Now().Add(r.Timeout)
	last := ""
	warned := map[string]bool{}
	for {
		var have, waiting []string
		for j := 0; j < s.n; j++ {
			if j == s.self {
				continue
			}
			if packets[j] == nil {
				p, data, err := s.receive(step, j)
				switch {
				case errors.Is(err, ErrNotYet):
				case err != nil && step > s.steps && !signedEvidence(err):
					// After the protocol nothing unsigned or damaged may
					// stop a station: say so, and wait for a good packet.
					s.warn(step, warned, "ignored, waiting for a good one: "+err.Error())
				case err != nil:
					return nil, err
				default:
					packets[j], digests[j] = p, packetDigest(data)
				}
			}
			if packets[j] != nil {
				have = append(have, s.names[j])
			} else {
				waiting = append(waiting, s.names[j])
			}
		}
		if len(waiting) == 0 && step > s.steps {
			// The protocol is over and everything this step needs is in
			// hand: nothing else on the stick can stop this station now.
			if r.Progress != nil {
				r.Progress(Status{Step: step, Steps: s.total, Have: have})
			}
			break
		}
		if err := s.checkStick(step, warned); err != nil {
			return nil, err
		}
		st := Status{Step: step, Steps: s.total, Have: have, Waiting: waiting}
		if line := st.String(); line != last && r.Progress != nil {
			r.Progress(st)
			last = line
		}
		if len(waiting) == 0 {
			break
		}
		if time.Now().After(deadline) {
			return nil, s.timedOut(step, waiting)
		}
		select {
		case <-ctx.Done():
			return nil, s.stopped(ctx, step)
		case <-time.After(r.Poll):
		}
	}
	s.digests = append(s.digests, digests)
	return packets, nil
}

// checkStick looks for stray packets and abort notices while this station
// waits. A signed notice from a station of the plan stops the ceremony.
// A stray packet or a notice no station signed is tampering with the
// stick: during the protocol steps it stops the ceremony with that said
// (blaming nobody). Once the protocol is over (confirmation and saved
// steps), nothing unsigned may stop a station, or a courier could make
// some stations keep a key that others dropped: it is only reported, as a
// warning.
func (s *runState) checkStick(step int, warned map[string]bool) error {
	r := s.r
	var tamper error
	for _, where := range r.Transport.Strays(step, s.names) {
		tamper = &TamperError{Where: where, Reason: "is a packet from a station that is not in this ceremony's plan (unknown sender)"}
		break
	}
	for _, n := range r.Transport.Notices() {
		if n.Station == r.ID.Name {
			continue
		}
		a, err := checkNotice(s.plan, n)
		if err != nil {
			if tamper == nil {
				tamper = err
			}
			continue
		}
		return &AbortedError{Station: a.Station, Reason: a.Reason}
	}
	if tamper == nil {
		return nil
	}
	if step <= s.steps {
		return tamper
	}
	s.warn(step, warned, "ignored: "+tamper.Error())
	return nil
}

// receive reads and checks station j's packet of a step.
func (s *runState) receive(step, j int) (*Packet, []byte, error) {
	data, where, err := s.r.Transport.Get(step, s.names[j])
	if err != nil {
		return nil, nil, err
	}
	p, err := DecodePacket(s.plan, data, where, step, j)
	if err != nil {
		return nil, nil, err
	}
	if err := s.checkEcho(step, p, where); err != nil {
		return nil, nil, err
	}
	return p, data, nil
}

// errEquivocation marks a packet signed by this very station that is not
// the one it wrote: a cloned station or a lying peer.
var errEquivocation = errors.New("equivocation")

// signedEvidence tells a failure proven by a station's own signature (it
// misbehaved, or something equivocated) from a file nobody signed or that
// was damaged on the way.
func signedEvidence(err error) bool {
	var ce *CulpritError
	return errors.As(err, &ce) || errors.Is(err, errEquivocation)
}

// warn shows a warning once.
func (s *runState) warn(step int, warned map[string]bool, msg string) {
	if warned[msg] || s.r.Progress == nil {
		return
	}
	warned[msg] = true
	s.r.Progress(Status{Step: step, Steps: s.total, Warning: msg})
}

func (s *runState) stopped(ctx context.Context, step int) error {
	if s.confirmed {
		return fmt.Errorf("stopped at step %d of %d: %v. Every station confirmed the key, but not every station has said it saved its share: the key is pending. %s", step, s.total, ctx.Err(), pendingAdvice)
	}
	return fmt.Errorf("stopped at step %d of %d: %v; nothing was saved", step, s.total, ctx.Err())
}

func (s *runState) timedOut(step int, waiting []string) error {
	if s.confirmed {
		return fmt.Errorf("timed out after %s at step %d of %d: no word from %s that they saved their share. This station saved the key as pending. %s", s.r.Timeout, step, s.total, strings.Join(waiting, ", "), pendingAdvice)
	}
	return fmt.Errorf("timed out after %s at step %d of %d: no packet from %s. Check that those stations are running this plan and that the stick reached them; nothing was saved", s.r.Timeout, step, s.total, strings.Join(waiting, ", "))
}

// pendingAdvice is what to do with a key some stations saved and others
// may not have.
const pendingAdvice = "Bring the stick to every station; once it holds every station's last-step packet, run `coldtss keys confirm KEY --via usb:STICK` on each station. If a station lost its share, the key cannot be used: do not send funds to it"

// echoOf is a station's echo: the digests of the other stations' packets
// of the previous step, in plan order. Its own packet is left out: it
// signed that one, and every other station echoes it.
func echoOf(digests [][]byte, self int) [][]byte {
	out := make([][]byte, 0, len(digests)-1)
	for j, d := range digests {
		if j != self {
			out = append(out, d)
		}
	}
	return out
}

// checkEcho compares the sender's echo of the previous step with what this
// station received: any difference means some station showed different
// packets to different peers (equivocation).
func (s *runState) checkEcho(step int, p *Packet, where string) error {
	sender := s.names[p.From]
	if step == 1 {
		if len(p.Echo) != 0 {
			return &CulpritError{Step: step, Stations: []string{sender}, Reason: "its step-1 packet carries echoes (" + untrusted.Text(where) + ")"}
		}
		return nil
	}
	prev := s.digests[step-2]
	if len(p.Echo) != s.n-1 {
		return &CulpritError{Step: step, Stations: []string{sender}, Reason: fmt.Sprintf("its packet echoes %d packets of step %d, want %d (%s)", len(p.Echo), step-1, s.n-1, untrusted.Text(where))}
	}
	for k, j := 0, 0; j < s.n; j++ {
		if j == p.From {
			continue
		}
		e := p.Echo[k]
		k++
		if bytes.Equal(e, prev[j]) {
			continue
		}
		if j == s.self {
			// Only this station's key can sign its packets: either another
			// process holds this identity, or the sender lies in its echo.
			return fmt.Errorf("ceremony stopped at step %d: %w: %s's echo shows a step-%d packet signed by this station (%s) that differs from the one this station wrote. Another process or machine is using %s's identity (a cloned station), or %s is lying (%s). Stop and check every station", step, errEquivocation, sender, step-1, s.names[j], s.names[j], sender, untrusted.Text(where))
		}
		return &CulpritError{Step: step, Stations: []string{s.names[j]}, Reason: fmt.Sprintf("%s showed different step-%d packets to this station and to %s (equivocation, detected by echo in %s)", s.names[j], step-1, sender, untrusted.Text(where))}
	}
	return nil
}
