package ceremony

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"

	"github.com/bnb-chain/tss-lib/v3/tss"
	logging "github.com/ipfs/go-log"
)

// Party is one instance of a threshold protocol run by this station: one
// key generation, or one signature of a batch. The runner drives it step by
// step; it never sees transports, packets or chains. Another protocol
// (CGGMP21, FROST...) is added by implementing this interface.
type Party interface {
	// Start begins the protocol; its first messages are then in Outgoing.
	Start() error
	// Deliver hands over one message from another station (plan index).
	Deliver(from int, payload []byte, broadcast bool) error
	// Outgoing returns and clears the messages produced so far.
	Outgoing() []Outgoing
	// Done reports whether the protocol has produced its result.
	Done() bool
}

// Outgoing is a message a Party wants sent. To is nil for a broadcast,
// otherwise the recipients' plan indexes.
type Outgoing struct {
	To      []int
	Payload []byte
}

// CulpritError is a protocol failure blamed on named stations.
type CulpritError struct {
	Step     int
	Stations []string
	Reason   string
}

func (e *CulpritError) Error() string {
	who := "unknown station"
	if len(e.Stations) > 0 {
		who = "station " + strings.Join(e.Stations, ", ")
	}
	return fmt.Sprintf("ceremony stopped at step %d: %s misbehaved: %s. Do not retry with the same stations before finding out why", e.Step, who, e.Reason)
}

// StepsFor returns how many message steps tss-lib needs for a ceremony kind
// on a curve (the runner adds one final confirmation step).
func StepsFor(kind, curve string) int {
	switch {
	case kind == KindKeygen && curve == CurveSecp256k1:
		return 3
	case kind == KindKeygen && curve == CurveEd25519:
		return 2
	case kind == KindSign && curve == CurveSecp256k1:
		return 9
	case kind == KindSign && curve == CurveEd25519:
		return 3
	}
	return 0
}

func init() {
	// tss-lib logs every round at info level; stations show their own progress.
	_ = logging.SetLogLevel("tss-lib", "error")
}

// tssParty adapts a tss-lib LocalParty to Party.
type tssParty struct {
	party   tss.Party
	out     chan tss.Message
	pids    tss.SortedPartyIDs // by tss index
	byPlan  map[int]*tss.PartyID
	planOf  map[int]int // tss index -> plan index
	names   []string    // plan names
	done    func() bool
	mu      sync.Mutex
	pending []Outgoing
	err     error
}

// partyIDs builds tss-lib party ids for the plan's stations. The party key
// is derived from each station's identity, so it is stable across ceremonies.
func partyIDs(plan *Plan) (tss.SortedPartyIDs, map[int]*tss.PartyID, map[int]int) {
	var un tss.UnSortedPartyIDs
	byPlan := map[int]*tss.PartyID{}
	for i, c := range plan.Stations {
		pid := tss.NewPartyID(c.Name, c.Name, c.PartyKey())
		un = append(un, pid)
		byPlan[i] = pid
	}
	sorted := tss.SortPartyIDs(un)
	planOf := map[int]int{}
	for i, pid := range byPlan {
		planOf[pid.Index] = i
	}
	return sorted, byPlan, planOf
}

func newTSSParty(plan *Plan) *tssParty {
	pids, byPlan, planOf := partyIDs(plan)
	return &tssParty{
		out:    make(chan tss.Message, 4*len(plan.Stations)+8),
		pids:   pids,
		byPlan: byPlan,
		planOf: planOf,
		names:  plan.Names(),
	}
}

// sessionNonce derives tss-lib's session nonce from the plan's session id
// and the party's place in the batch, so that proofs cannot be replayed
// across ceremonies or across the messages of one batch.
func sessionNonce(plan *Plan, index int) *big.Int {
	h := sha256.New()
	h.Write([]byte("coldtss-tss-session-nonce-v1\x00"))
	h.Write(plan.SessionBytes())
	h.Write([]byte(plan.Kind))
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(index)))
	return new(big.Int).SetBytes(h.Sum(nil))
}

func (p *tssParty) params(plan *Plan, self, index int) *tss.Parameters {
	ctx := tss.NewPeerContext(p.pids)
	params := tss.NewParameters(tss.EC(), ctx, p.byPlan[self], len(p.pids), plan.TSSThreshold())
	params.SetSessionNonce(sessionNonce(plan, index))
	return params
}

func (p *tssParty) culprits(err *tss.Error) []string {
	var out []string
	for _, c := range err.Culprits() {
		if c == nil {
			continue
		}
		if i, ok := p.planOf[c.Index]; ok {
			out = append(out, p.names[i])
		}
	}
	return out
}

func (p *tssParty) wrap(err *tss.Error) error {
	if err == nil {
		return nil
	}
	return &CulpritError{Stations: p.culprits(err), Reason: err.Cause().Error()}
}

func (p *tssParty) Start() error {
	if err := p.party.Start(); err != nil {
		return p.wrap(err)
	}
	return p.drain()
}

func (p *tssParty) Deliver(from int, payload []byte, broadcast bool) error {
	pid, ok := p.byPlan[from]
	if !ok {
		return fmt.Errorf("message from unknown station #%d", from)
	}
	if _, err := p.party.UpdateFromBytes(payload, pid, broadcast); err != nil {
		if len(err.Culprits()) == 0 {
			// A message that does not parse is the sender's fault.
			return &CulpritError{Stations: []string{p.names[from]}, Reason: err.Cause().Error()}
		}
		return p.wrap(err)
	}
	return p.drain()
}

func (p *tssParty) drain() error {
	for {
		select {
		case m := <-p.out:
			wire, routing, err := m.WireBytes()
			if err != nil {
				return err
			}
			o := Outgoing{Payload: wire}
			if !routing.IsBroadcast {
				for _, to := range routing.To {
					o.To = append(o.To, p.planOf[to.Index])
				}
				if len(o.To) == 0 {
					return errors.New("tss-lib produced a message with no recipient")
				}
			}
			p.mu.Lock()
			p.pending = append(p.pending, o)
			p.mu.Unlock()
		default:
			return nil
		}
	}
}

func (p *tssParty) Outgoing() []Outgoing {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.pending
	p.pending = nil
	return out
}

func (p *tssParty) Done() bool { return p.done() }
