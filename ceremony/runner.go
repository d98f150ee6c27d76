package ceremony

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/coldtss/coldtss/internal/untrusted"
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

// Runner drives one station through one ceremony. It keeps every tss-lib
// party in memory only: nothing of a signing ceremony's state is ever
// written, so a crash means starting over with a new plan.
//
// A ceremony runs in steps (see StepsFor): the protocol steps, then the
// confirmation step where every station signs the transcript, then, for
// keygen, the saved step where every station signs that it has stored its
// share (Save is called just before).
type Runner struct {
	Plan      *Plan
	ID        *Identity
	Transport Transport
	Timeout   time.Duration // how long to wait for the other stations in each step
	Poll      time.Duration // how often to look for their packets
	Progress  func(Status)

	// PreParams is one pre-parameter set (secp256k1), for a keygen or for
	// this station's party in the new committee of a resharing.
	PreParams []byte
	// Share is this station's share of Plan.Key: signing, and resharing
	// for a station of the old committee.
	Share []byte

	// Save is called once every station has confirmed a keygen or a
	// resharing, before this station says it saved its share: it must
	// store the key as pending (usable only once every station has said
	// so; after a resharing, the old share stays until then). If it fails,
	// the ceremony stops and the other stations keep the key pending.
	Save func(*Result) error

	test testHooks // misbehaviour injected by this package's tests only
}

// testHooks let this package's tests play a station that cheats, through
// the real code path: the packets are still signed by that station.
type testHooks struct {
	outgoing  func(step, party int, outs []Outgoing) []Outgoing
	envelopes func(step int, envs []Envelope) []Envelope
}

// Result is what a ceremony produced.
type Result struct {
	Transcript *Transcript
	// keygen and resharing (Share is nil for a station that is only in the
	// old committee of a resharing: it gets no new share)
	Share     []byte
	PublicKey []byte
	ChainCode []byte
	// Saved: every station's signature saying it stored its share
	// (keygen, resharing), in plan order.
	Saved []Confirmation
	// sign: one per message
	Signatures  [][]byte
	SigningKeys [][]byte
}

// AbortedError is another station's (signed) abort notice.
type AbortedError struct{ Station, Reason string }

func (e *AbortedError) Error() string {
	return fmt.Sprintf("station %s stopped the ceremony: %s", e.Station, untrusted.Text(e.Reason))
}

type runState struct {
	r       *Runner
	plan    *Plan
	fp      [32]byte // the plan's fingerprint: every packet, seal and proof is bound to it
	self    int
	n       int
	names   []string
	steps   int // protocol steps
	total   int // every step, confirmation (and saved) included
	step    int // the step in progress, for abort notices
	parties []Party
	digests [][][]byte // [step-1][station]
	chain   *chainCode // keygen
	// outgoing holds, per party, the messages to send in the next packet.
	outgoing [][]Outgoing
	// confirmed is set once every station's confirmation is in hand: from
	// then on, nothing unsigned may stop this station.
	confirmed bool
}

// Run runs the ceremony to its end. On any error the other stations are
// told with a signed abort notice and the error is returned; nothing is
// retried.
func (r *Runner) Run(ctx context.Context) (*Result, error) {
	s, err := r.start()
	if err != nil {
		return nil, err
	}
	res, err := s.run(ctx)
	if err != nil {
		var ab *AbortedError
		if !errors.As(err, &ab) {
			_ = r.Transport.Abort(r.ID.Name, newAbortNotice(r.Plan, r.ID, s.step, err.Error()))
		}
		return nil, err
	}
	return res, nil
}

func (r *Runner) start() (*runState, error) {
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
	s := &runState{r: r, plan: plan, fp: plan.Fingerprint(), self: self, n: len(plan.Stations), names: plan.Names(),
		steps: StepsFor(plan.Kind, plan.Curve), total: TotalSteps(plan.Kind, plan.Curve)}
	return s, nil
}

func (s *runState) run(ctx context.Context) (*Result, error) {
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
	if s.plan.Kind == KindKeygen {
		var err error
		if s.chain, err = newChainCode(s.fp, s.self, s.n); err != nil {
			return nil, err
		}
	}
	for s.step = 1; s.step <= s.steps; s.step++ {
		envs, err := s.protocolEnvelopes(s.step)
		if err != nil {
			return nil, err
		}
		packets, err := s.exchange(ctx, s.step, envs)
		if err != nil {
			return nil, err
		}
		if err := s.deliver(s.step, packets); err != nil {
			return nil, err
		}
	}
	return s.finish(ctx)
}

func (s *runState) makeParties() error {
	plan := s.plan
	if plan.Kind == KindKeygen {
		p, err := newKeygenParty(plan, s.self, s.r.PreParams)
		if err != nil {
			return err
		}
		s.parties = []Party{p}
		return nil
	}
	if plan.Kind == KindReshare {
		p, err := newReshareParty(plan, s.self, s.r.Share, s.r.PreParams)
		if err != nil {
			return err
		}
		s.parties = []Party{p}
		return nil
	}
	for i := range plan.Messages {
		p, err := newSignParty(plan, s.self, i, s.r.Share)
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
