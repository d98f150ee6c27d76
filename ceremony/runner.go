package ceremony

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Transport carries packets between stations: a folder on a USB stick, QR
// codes, or memory in tests. Every station writes one packet per step and
// reads every other station's packet of that step. Everything a transport
// returns is untrusted: the runner checks it.
type Transport interface {
	// Put publishes this station's packet for a step. It may wait (until
	// ctx ends) for the medium to be there, e.g. for the stick to be
	// plugged back in.
	Put(ctx context.Context, step int, station string, data []byte) error
	// Get returns a station's packet for a step, or ErrNotYet. where names
	// the file or frame, for messages.
	Get(step int, station string) (data []byte, where string, err error)
	// Strays lists packets of a step from names not in known (unknown senders).
	Strays(step int, known []string) []string
	// Abort publishes this station's signed abort notice.
	Abort(station string, notice []byte) error
	// Notices returns every abort notice present, whoever it claims to be
	// from; the runner checks each one's signature.
	Notices() []Notice
}

// Notice is an abort notice as found on the transport: the station its
// name claims, where it was found, and its bytes (a signed AbortNotice).
type Notice struct {
	Station string
	Where   string
	Data    []byte
}

// ErrNotYet is returned by Transport.Get for a packet not there yet.
var ErrNotYet = errors.New("packet not there yet")

// Status is the runner's progress, for the live status line.
type Status struct {
	Step, Steps int
	Have        []string
	Waiting     []string
	Note        string
}

func (s Status) String() string {
	if s.Note != "" {
		return fmt.Sprintf("step %d of %d: %s", s.Step, s.Steps, s.Note)
	}
	have := "nobody yet"
	if len(s.Have) > 0 {
		have = strings.Join(s.Have, ", ")
	}
	if len(s.Waiting) == 0 {
		return fmt.Sprintf("step %d of %d: have %s", s.Step, s.Steps, have)
	}
	return fmt.Sprintf("step %d of %d: have %s; waiting for %s", s.Step, s.Steps, have, strings.Join(s.Waiting, ", "))
}

// Runner drives one station through one ceremony. It keeps every tss-lib
// party in memory only: nothing of a signing ceremony's state is ever
// written, so a crash means starting over with a new plan.
type Runner struct {
	Plan      *Plan
	ID        *Identity
	Transport Transport
	Timeout   time.Duration // how long to wait for the other stations in each step
	Poll      time.Duration // how often to look for their packets
	Progress  func(Status)

	PreParams []byte // keygen (secp256k1): one pre-parameter set
	Share     []byte // signing: this station's share of Plan.Key
}

// Result is what a ceremony produced.
type Result struct {
	Transcript *Transcript
	// keygen
	Share     []byte
	PublicKey []byte
	ChainCode []byte
	// sign: one per message
	Signatures  [][]byte
	SigningKeys [][]byte
}

type runState struct {
	r        *Runner
	plan     *Plan
	self     int
	n        int
	steps    int // protocol steps; the ceremony has steps+1
	session  []byte
	parties  []Party
	digests  [][][]byte // [step-1][station]
	chainR   []byte
	commits  [][]byte
	reveals  [][]byte
	outgoing [][]Outgoing // per party, to send in the next packet
}

// Run runs the ceremony to its end. On any error the other stations are
// told (Transport.Abort) and the error is returned; nothing is retried.
func (r *Runner) Run(ctx context.Context) (*Result, error) {
	res, err := r.run(ctx)
	if err != nil {
		var ab *AbortedError
		if !errors.As(err, &ab) && r.ID != nil {
			_ = r.Transport.Abort(r.ID.Name, NewAbortNotice(r.Plan, r.ID, 0, err.Error()))
		}
		return nil, err
	}
	return res, nil
}

// AbortedError is another station's abort notice.
type AbortedError struct{ Station, Reason string }

func (e *AbortedError) Error() string {
	return fmt.Sprintf("station %s stopped the ceremony: %s", e.Station, e.Reason)
}

func (r *Runner) run(ctx context.Context) (*Result, error) {
	plan := r.Plan
	self := plan.Index(r.ID.Name)
	if self < 0 {
		return nil, fmt.Errorf("this station (%s) is not in the plan (stations: %s)", r.ID.Name, strings.Join(plan.Names(), ", "))
	}
	if plan.Stations[self].SignKey != r.ID.Card().SignKey {
		return nil, fmt.Errorf("the plan's card for %s is not this station's identity: the plan was made with another station's card of the same name", r.ID.Name)
	}
	if r.Timeout <= 0 {
		r.Timeout = 30 * time.Minute
	}
	if r.Poll <= 0 {
		r.Poll = 100 * time.Millisecond
	}
	s := &runState{r: r, plan: plan, self: self, n: len(plan.Stations), steps: StepsFor(plan.Kind, plan.Curve), session: plan.SessionBytes()}
	if err := s.makeParties(); err != nil {
		return nil, err
	}
	s.outgoing = make([][]Outgoing, len(s.parties))
	if err := s.forEachParty(func(i int, p Party) error {
		if err := p.Start(); err != nil {
			return err
		}
		s.outgoing[i] = p.Outgoing()
		return nil
	}); err != nil {
		return nil, stepErr(err, 1)
	}
	if plan.Kind == KindKeygen {
		s.chainR = make([]byte, 32)
		if _, err := rand.Read(s.chainR); err != nil {
			return nil, err
		}
		s.commits = make([][]byte, s.n)
		s.reveals = make([][]byte, s.n)
	}
	total := s.steps + 1
	for step := 1; step <= s.steps; step++ {
		envs, err := s.protocolEnvelopes(step)
		if err != nil {
			return nil, err
		}
		packets, err := s.exchange(ctx, step, total, envs)
		if err != nil {
			return nil, err
		}
		if err := s.deliver(step, packets); err != nil {
			return nil, err
		}
	}
	return s.finish(ctx, total)
}

func (s *runState) makeParties() error {
	plan := s.plan
	if plan.Kind == KindKeygen {
		p, err := NewKeygenParty(plan, s.self, s.r.PreParams)
		if err != nil {
			return err
		}
		s.parties = []Party{p}
		return nil
	}
	for i := range plan.Messages {
		p, err := NewSignParty(plan, s.self, i, s.r.Share)
		if err != nil {
			return err
		}
		s.parties = append(s.parties, p)
	}
	return nil
}

// forEachParty runs f on every party of the batch, at most GOMAXPROCS at once.
func (s *runState) forEachParty(f func(i int, p Party) error) error {
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	errs := make([]error, len(s.parties))
	var wg sync.WaitGroup
	for i, p := range s.parties {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, p Party) {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = f(i, p)
		}(i, p)
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func stepErr(err error, step int) error {
	var ce *CulpritError
	if errors.As(err, &ce) && ce.Step == 0 {
		ce.Step = step
	}
	return err
}

// protocolEnvelopes turns the parties' pending messages into envelopes,
// sealing point-to-point ones, plus the keygen chain-code commit/reveal.
func (s *runState) protocolEnvelopes(step int) ([]Envelope, error) {
	var envs []Envelope
	for i, outs := range s.outgoing {
		if len(outs) == 0 {
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
				ct, err := Seal(pk, s.session, step, s.self, to, i, EnvTSS, o.Payload)
				if err != nil {
					return nil, err
				}
				envs = append(envs, Envelope{Kind: EnvTSS, Index: i, To: to, Payload: ct})
			}
		}
		s.outgoing[i] = nil
	}
	if s.plan.Kind == KindKeygen {
		switch step {
		case 1:
			envs = append(envs, Envelope{Kind: EnvChainCommit, To: Broadcast, Payload: chainCommit(s.session, s.self, s.chainR)})
		case 2:
			envs = append(envs, Envelope{Kind: EnvChainReveal, To: Broadcast, Payload: s.chainR})
		}
	}
	return envs, nil
}

func chainCommit(session []byte, station int, r []byte) []byte {
	h := sha256.New()
	h.Write([]byte("coldtss-chaincode-commit-v1\x00"))
	h.Write(session)
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(station)))
	h.Write(r)
	return h.Sum(nil)
}

// exchange writes this station's packet for a step and collects every other
// station's, checked against the plan and against the echoes of the previous step.
func (s *runState) exchange(ctx context.Context, step, total int, envs []Envelope) ([]*Packet, error) {
	r := s.r
	pkt := &Packet{Version: PacketVersion, Session: s.session, Step: step, From: s.self, Envelopes: envs}
	if step > 1 {
		pkt.Echo = s.digests[step-2]
	}
	pkt.Sign(r.ID)
	raw := pkt.Encode()
	if err := r.Transport.Put(ctx, step, r.ID.Name, raw); err != nil {
		return nil, fmt.Errorf("cannot write this station's packet for step %d: %v", step, err)
	}

	names := s.plan.Names()
	packets := make([]*Packet, s.n)
	digests := make([][]byte, s.n)
	packets[s.self], digests[s.self] = pkt, PacketDigest(raw)
	deadline := time.Now().Add(r.Timeout)
	last := ""
	for {
		for j := 0; j < s.n; j++ {
			if packets[j] != nil {
				continue
			}
			data, where, err := r.Transport.Get(step, names[j])
			if errors.Is(err, ErrNotYet) {
				continue
			}
			if err != nil {
				return nil, err
			}
			p, err := DecodePacket(s.plan, data, where, step, j)
			if err != nil {
				return nil, err
			}
			if err := s.checkEcho(step, p, where); err != nil {
				return nil, err
			}
			packets[j], digests[j] = p, PacketDigest(data)
		}
		if strays := r.Transport.Strays(step, names); len(strays) > 0 {
			return nil, &PacketError{Where: strays[0], Reason: "packet from a station that is not in this ceremony's plan (unknown sender)", Advice: "someone put a foreign file in the ceremony folder: remove it and find out who"}
		}
		for _, n := range r.Transport.Notices() {
			if n.Station == r.ID.Name {
				continue
			}
			a, err := CheckNotice(s.plan, n)
			if err != nil {
				return nil, err
			}
			return nil, &AbortedError{Station: a.Station, Reason: a.Reason}
		}
		var have, waiting []string
		for j := 0; j < s.n; j++ {
			if j == s.self {
				continue
			}
			if packets[j] != nil {
				have = append(have, names[j])
			} else {
				waiting = append(waiting, names[j])
			}
		}
		st := Status{Step: step, Steps: total, Have: have, Waiting: waiting}
		if line := st.String(); line != last && r.Progress != nil {
			r.Progress(st)
			last = line
		}
		if len(waiting) == 0 {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("timed out after %s at step %d of %d: no packet from %s. Check that those stations are running this plan and that the stick reached them; nothing was saved", r.Timeout, step, total, strings.Join(waiting, ", "))
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("stopped at step %d of %d: %v; nothing was saved", step, total, ctx.Err())
		case <-time.After(r.Poll):
		}
	}
	s.digests = append(s.digests, digests)
	return packets, nil
}

// checkEcho compares the sender's echo of the previous step with what this
// station received: any difference means some station showed different
// packets to different peers (equivocation).
func (s *runState) checkEcho(step int, p *Packet, where string) error {
	if step == 1 {
		if len(p.Echo) != 0 {
			return &PacketError{Where: where, Station: s.plan.Stations[p.From].Name, Reason: "step 1 packet carries echoes", Advice: "the sender's software is faulty"}
		}
		return nil
	}
	prev := s.digests[step-2]
	if len(p.Echo) != s.n {
		return &PacketError{Where: where, Station: s.plan.Stations[p.From].Name, Reason: fmt.Sprintf("packet echoes %d packets of step %d, want %d", len(p.Echo), step-1, s.n), Advice: "the sender's software is faulty"}
	}
	names := s.plan.Names()
	for j := 0; j < s.n; j++ {
		if bytes.Equal(p.Echo[j], prev[j]) {
			continue
		}
		sender := names[p.From]
		if j == s.self {
			// Only this station's key can sign its packets: either another
			// process holds this identity, or the sender lies in its echo.
			return fmt.Errorf("ceremony stopped at step %d: equivocation: %s's echo shows a step-%d packet signed by this station (%s) that differs from the one this station wrote. Another process or machine is using %s's identity (a cloned station), or %s is lying (%s). Stop and check every station", step, sender, step-1, names[j], names[j], sender, where)
		}
		if j == p.From {
			return &CulpritError{Step: step, Stations: []string{sender}, Reason: fmt.Sprintf("%s's own step-%d packet differs from the one this station received from it: it showed different packets to different stations (equivocation, %s)", sender, step-1, where)}
		}
		return &CulpritError{Step: step, Stations: []string{names[j]}, Reason: fmt.Sprintf("%s showed different step-%d packets to this station and to %s (equivocation, detected by echo in %s)", names[j], step-1, sender, where)}
	}
	return nil
}

// deliver opens the envelopes addressed to this station and feeds them to
// the parties, all parties in parallel.
func (s *runState) deliver(step int, packets []*Packet) error {
	type msg struct {
		from      int
		payload   []byte
		broadcast bool
	}
	batch := make([][]msg, len(s.parties))
	names := s.plan.Names()
	for j, p := range packets {
		if j == s.self {
			continue
		}
		where := fmt.Sprintf("%s's step-%d packet", names[j], step)
		got := map[int]bool{}
		for _, e := range p.Envelopes {
			if e.To != Broadcast && e.To != s.self {
				continue
			}
			switch e.Kind {
			case EnvTSS:
				if e.Index < 0 || e.Index >= len(s.parties) {
					return &CulpritError{Step: step, Stations: []string{names[j]}, Reason: fmt.Sprintf("%s: message for party #%d of a batch of %d", where, e.Index+1, len(s.parties))}
				}
				payload := e.Payload
				if e.To == s.self {
					pt, err := Open(s.r.ID, s.session, step, j, s.self, e.Index, e.Kind, e.Payload)
					if err != nil {
						return &PacketError{Where: where, Station: names[j], Reason: "sealed message does not open with this station's key", Advice: "it was altered or is not meant for this station"}
					}
					payload = pt
				}
				batch[e.Index] = append(batch[e.Index], msg{j, payload, e.To == Broadcast})
				got[e.Index] = true
			case EnvChainCommit, EnvChainReveal:
				if s.plan.Kind != KindKeygen || e.To != Broadcast || (e.Kind == EnvChainCommit) != (step == 1) || (e.Kind == EnvChainReveal) != (step == 2) {
					return &CulpritError{Step: step, Stations: []string{names[j]}, Reason: where + ": unexpected chain-code envelope"}
				}
				if e.Kind == EnvChainCommit {
					s.commits[j] = e.Payload
				} else {
					if !bytes.Equal(chainCommit(s.session, j, e.Payload), s.commits[j]) || len(e.Payload) != 32 {
						return &CulpritError{Step: step, Stations: []string{names[j]}, Reason: "its chain-code contribution does not match its commitment of step 1"}
					}
					s.reveals[j] = e.Payload
				}
			default:
				return &CulpritError{Step: step, Stations: []string{names[j]}, Reason: fmt.Sprintf("%s: unexpected envelope kind %d", where, e.Kind)}
			}
		}
		for i := range s.parties {
			if !got[i] {
				return &CulpritError{Step: step, Stations: []string{names[j]}, Reason: fmt.Sprintf("%s has no protocol message for message #%d", where, i+1)}
			}
		}
		if s.plan.Kind == KindKeygen && ((step == 1 && s.commits[j] == nil) || (step == 2 && s.reveals[j] == nil)) {
			return &CulpritError{Step: step, Stations: []string{names[j]}, Reason: where + " lacks its chain-code contribution"}
		}
	}
	err := s.forEachParty(func(i int, p Party) error {
		for _, m := range batch[i] {
			if err := p.Deliver(m.from, m.payload, m.broadcast); err != nil {
				return err
			}
		}
		s.outgoing[i] = p.Outgoing()
		return nil
	})
	return stepErr(err, step)
}

// finish checks every party is done, then runs the confirmation step: each
// station signs the transcript digest (plan, every packet, the results) and
// checks that every other station signed the same.
func (s *runState) finish(ctx context.Context, total int) (*Result, error) {
	res := &Result{}
	var results [][]byte
	for i, p := range s.parties {
		if !p.Done() {
			return nil, fmt.Errorf("message #%d: the protocol did not finish after %d steps (internal error)", i+1, s.steps)
		}
	}
	if s.plan.Kind == KindKeygen {
		kp := s.parties[0].(KeygenParty)
		s.reveals[s.self] = s.chainR
		h := sha256.New()
		h.Write([]byte("coldtss-chaincode-v1\x00"))
		h.Write(s.session)
		for _, r := range s.reveals {
			h.Write(r)
		}
		res.Share, res.PublicKey, res.ChainCode = kp.Share(), kp.PublicKey(), h.Sum(nil)
		results = [][]byte{res.PublicKey, res.ChainCode}
	} else {
		for i, p := range s.parties {
			sp := p.(SignParty)
			sig, key := sp.Signature(), sp.SigningKey()
			data, _ := hex.DecodeString(s.plan.Messages[i].Data)
			if err := VerifySignature(s.plan.Curve, key, data, sig); err != nil {
				return nil, fmt.Errorf("message #%d: the joint signature does not verify (%v); nothing is released", i+1, err)
			}
			res.Signatures = append(res.Signatures, sig)
			res.SigningKeys = append(res.SigningKeys, key)
		}
		results = res.Signatures
	}
	fp := s.plan.Fingerprint()
	var flat [][]byte
	var records []PacketRecord
	names := s.plan.Names()
	for step, ds := range s.digests {
		for j, d := range ds {
			flat = append(flat, d)
			records = append(records, PacketRecord{Step: step + 1, Station: names[j], SHA256: hex.EncodeToString(d)})
		}
	}
	digest := transcriptDigest(fp[:], flat, results)
	mySig := ed25519.Sign(s.r.ID.Sign, confirmMessage(digest))
	packets, err := s.exchange(ctx, total, total, []Envelope{{Kind: EnvConfirm, To: Broadcast, Payload: mySig}})
	if err != nil {
		return nil, err
	}
	confs := make([]Confirmation, s.n)
	for j, p := range packets {
		var sig []byte
		for _, e := range p.Envelopes {
			if e.Kind == EnvConfirm && e.To == Broadcast {
				sig = e.Payload
			}
		}
		pk, _ := s.plan.Stations[j].SignPublic()
		if len(p.Envelopes) != 1 || !ed25519.Verify(pk, confirmMessage(digest), sig) {
			return nil, &CulpritError{Step: total, Stations: []string{names[j]}, Reason: "its confirmation does not match this station's record of the ceremony (different packets or results)"}
		}
		confs[j] = Confirmation{Station: names[j], Signature: hex.EncodeToString(sig)}
	}
	var hexResults []string
	for _, r := range results {
		hexResults = append(hexResults, hex.EncodeToString(r))
	}
	res.Transcript = &Transcript{
		Format: TranscriptFormat, Plan: s.plan, PlanFingerprint: hex.EncodeToString(fp[:]),
		Packets: records, Results: hexResults, Digest: hex.EncodeToString(digest),
		Confirmations: confs, Completed: time.Now().UTC().Format(time.RFC3339),
	}
	return res, nil
}
