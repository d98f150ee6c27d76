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
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/coldtss/coldtss/internal/untrusted"
)

// Party is one instance of a threshold protocol run by this station: one
// key generation, or one signature of a batch. The runner drives it step by
// step; it never sees transports, packets or chains. Another protocol
// (CGGMP21, FROST...) is added by implementing this interface.
type Party interface {
	// Start begins the protocol; its first messages are then in Outgoing.
	Start() error
	// Deliver hands over every message this station received in a step
	// from the other stations. The party refuses, naming the sender, any
	// message its protocol does not expect at that step.
	Deliver(step int, msgs []Incoming) error
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

// Incoming is a message from another station (plan index), opened.
type Incoming struct {
	From      int
	Payload   []byte
	Broadcast bool
}

// CulpritError is a protocol failure blamed on named stations. When the
// protocol cannot tell who cheated, Stations is empty and Suspects lists
// the other stations, one or more of which did.
type CulpritError struct {
	Step     int
	Stations []string
	Suspects []string
	Reason   string
}

func (e *CulpritError) Error() string {
	if len(e.Stations) == 0 {
		return fmt.Sprintf("ceremony stopped at step %d: %s. The protocol cannot tell which station caused it: one or more of %s. Do not retry with the same stations before finding out why", e.Step, e.Reason, strings.Join(e.Suspects, ", "))
	}
	return fmt.Sprintf("ceremony stopped at step %d: station %s misbehaved: %s. Do not retry with the same stations before finding out why", e.Step, strings.Join(e.Stations, ", "), e.Reason)
}

func init() {
	// tss-lib logs every round at info level; stations show their own progress.
	_ = logging.SetLogLevel("tss-lib", "error")
}

// tssParty adapts a tss-lib LocalParty to Party.
type tssParty struct {
	party  tss.Party
	out    chan tss.Message
	pids   tss.SortedPartyIDs // by tss index
	byPlan map[int]*tss.PartyID
	planOf map[int]int // tss index -> plan index
	names  []string    // plan names
	self   int         // plan index of this station
	types  typeTable
	done   func() bool
	err    error
	outbox
}

// partyIDs builds tss-lib party ids for the plan's stations. The party key
// is derived from each station's identity and the key's epoch (partyKey),
// so it is stable across the ceremonies of one epoch.
func partyIDs(plan *Plan) (tss.SortedPartyIDs, map[int]*tss.PartyID, map[int]int) {
	epoch := 1
	if plan.Kind == KindSign {
		epoch = plan.Key.epoch()
	}
	var un tss.UnSortedPartyIDs
	byPlan := map[int]*tss.PartyID{}
	for i, c := range plan.Stations {
		pid := tss.NewPartyID(c.Name, c.Name, partyKey(c, epoch))
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

func newTSSParty(plan *Plan, self int) *tssParty {
	pids, byPlan, planOf := partyIDs(plan)
	return &tssParty{
		out:    make(chan tss.Message, 4*len(plan.Stations)+8),
		pids:   pids,
		byPlan: byPlan,
		planOf: planOf,
		names:  plan.Names(),
		self:   self,
		types:  typesFor(plan.Kind, plan.Curve),
	}
}

// sessionNonce derives tss-lib's session nonce from the plan's full
// fingerprint and the party's place in the batch, so that proofs cannot be
// replayed across plans (even two sharing a session) or across the
// messages of one batch.
func sessionNonce(plan *Plan, index int) *big.Int {
	fp := plan.Fingerprint()
	h := sha256.New()
	h.Write([]byte("coldtss-tss-session-nonce-v2\x00"))
	h.Write(fp[:])
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(index)))
	return new(big.Int).SetBytes(h.Sum(nil))
}

func (p *tssParty) params(plan *Plan, self, index int) *tss.Parameters {
	ctx := tss.NewPeerContext(p.pids)
	params := tss.NewParameters(tss.EC(), ctx, p.byPlan[self], len(p.pids), plan.TSSThreshold())
	params.SetSessionNonce(sessionNonce(plan, index))
	return params
}

// othersThan returns the names of every station but station self.
func othersThan(names []string, self int) []string {
	var out []string
	for i, n := range names {
		if i != self {
			out = append(out, n)
		}
	}
	return out
}

func (p *tssParty) others() []string { return othersThan(p.names, p.self) }

// culpritOf turns a tss-lib error into a CulpritError naming the stations
// of its culprits, each once; station finds a culprit party's plan index.
// tss-lib sometimes names the local party as the culprit of a check that
// failed on other parties' data (signing round 9's "U doesn't equal T"):
// this station is not blamed for that; the culprit is then unknown, one of
// the others.
func culpritOf(err *tss.Error, names []string, self int, station func(*tss.PartyID) (int, bool)) error {
	if err == nil {
		return nil
	}
	ce := &CulpritError{Reason: err.Cause().Error()}
	seen := map[int]bool{}
	for _, c := range err.Culprits() {
		if c == nil {
			continue
		}
		if i, ok := station(c); ok && i != self && !seen[i] {
			ce.Stations = append(ce.Stations, names[i])
			seen[i] = true
		}
	}
	if len(ce.Stations) == 0 {
		ce.Suspects = othersThan(names, self)
	}
	return ce
}

// wrap turns a tss-lib error into a CulpritError (culpritOf).
func (p *tssParty) wrap(err *tss.Error) error {
	return culpritOf(err, p.names, p.self, func(c *tss.PartyID) (int, bool) {
		i, ok := p.planOf[c.Index]
		return i, ok
	})
}

func (p *tssParty) Start() error {
	if err := p.party.Start(); err != nil {
		return p.wrap(err)
	}
	return p.drain()
}

// encode is the payload of a TSS envelope for a tss-lib message: its type
// number in the ceremony's table, then the protobuf encoding of the message
// itself (the value of the Any that tss-lib's wire bytes are). The rest of
// tss-lib's wire bytes, the type URL, is rebuilt by the receiver from the
// number (decode), as are the sender and the broadcast flag.
func (t typeTable) encode(m tss.Message) ([]byte, error) {
	name := m.Type()
	n, ok := t.number(name)
	if !ok {
		return nil, fmt.Errorf("tss-lib produced a %s, which no step of this ceremony carries (internal error)", name)
	}
	mt := t.types[n]
	if m.IsBroadcast() != mt.broadcast {
		return nil, fmt.Errorf("tss-lib produced a %s with broadcast %v, the step's table says %v (internal error)", name, m.IsBroadcast(), mt.broadcast)
	}
	w := m.WireMsg()
	if w == nil || w.Message == nil || w.Message.TypeUrl != mt.typeURL() {
		return nil, fmt.Errorf("tss-lib produced a %s whose wire bytes do not name %s (internal error)", name, mt.typeURL())
	}
	return append([]byte{byte(n)}, w.Message.Value...), nil
}

// decode reads a TSS envelope payload: the message's type, and tss-lib's
// wire bytes for it, rebuilt byte for byte as the sender's tss-lib made
// them. It refuses a type number the table does not have.
func (t typeTable) decode(payload []byte) (msgType, []byte, error) {
	if len(payload) == 0 {
		return msgType{}, nil, errors.New("it is empty")
	}
	if int(payload[0]) >= len(t.types) {
		return msgType{}, nil, fmt.Errorf("type number %d; this ceremony has types 0 to %d", payload[0], len(t.types)-1)
	}
	mt := t.types[payload[0]]
	wire, err := proto.MarshalOptions{Deterministic: true}.Marshal(&anypb.Any{TypeUrl: mt.typeURL(), Value: payload[1:]})
	if err != nil {
		return msgType{}, nil, err
	}
	return mt, wire, nil
}

// Deliver checks every message of the step against what the protocol
// sends at this step (type, broadcast or point-to-point, exactly once per
// sender), parses it, and only then feeds them all to tss-lib. tss-lib
// stores messages by sender and type and re-reads earlier rounds' messages
// later: a message of another round, or a second copy, could overwrite what
// the other stations saw and slip past its checks.
func (p *tssParty) Deliver(step int, msgs []Incoming) (err error) {
	if step < 1 || step > p.types.steps {
		return fmt.Errorf("step %d is not a protocol step (internal error)", step)
	}
	seen := sentTypes{}
	parsed := make([]tss.ParsedMessage, 0, len(msgs))
	for _, m := range msgs {
		culprit := stepCulprit(step, p.names[m.From])
		mt, wire, err := p.types.read(step, m, culprit)
		if err != nil {
			return err
		}
		if seen.again(m.From, int(m.Payload[0])) {
			return culprit("it sent its %s twice at step %d", mt.name, step)
		}
		pm, err := parseMessage(mt, wire, p.byPlan[m.From], m.Broadcast, culprit)
		if err != nil {
			return err
		}
		parsed = append(parsed, pm)
	}
	if err := p.types.lacking(step, p.names, p.self, seen, nil); err != nil {
		return err
	}
	defer recoverStep(step, p.others(), &err)
	for _, pm := range parsed {
		if _, terr := p.party.Update(pm); terr != nil {
			return p.wrap(terr)
		}
	}
	return p.drain()
}

// culpritFunc makes the error for a message that does not pass: a
// CulpritError naming its sender, or (for this station's own message) an
// internal error.
type culpritFunc func(format string, args ...any) error

// stepCulprit blames station from at step.
func stepCulprit(step int, from string) culpritFunc {
	return func(format string, args ...any) error {
		return &CulpritError{Step: step, Stations: []string{from}, Reason: fmt.Sprintf(format, args...)}
	}
}

// read decodes a message of step and checks its type against the table:
// one of this step's, sent broadcast or point-to-point as the protocol
// sends it. It returns the type and tss-lib's wire bytes.
func (t typeTable) read(step int, m Incoming, culprit culpritFunc) (msgType, []byte, error) {
	mt, wire, err := t.decode(m.Payload)
	if err != nil {
		return msgType{}, nil, culprit("it sent a protocol message that does not parse (%v)", err)
	}
	if mt.step != step {
		return msgType{}, nil, culprit("it sent a %s at step %d, which carries only %s", mt.name, step, t.names(step))
	}
	if mt.broadcast != m.Broadcast {
		how := map[bool]string{true: "broadcast", false: "point-to-point"}
		return msgType{}, nil, culprit("it sent its %s %s; the protocol sends it %s", mt.name, how[m.Broadcast], how[mt.broadcast])
	}
	return mt, wire, nil
}

// parseMessage parses the wire bytes of a message of type mt from party
// sender and checks that tss-lib reads it as that type and finds it well
// formed.
func parseMessage(mt msgType, wire []byte, sender *tss.PartyID, broadcast bool, culprit culpritFunc) (tss.ParsedMessage, error) {
	pm, err := tss.ParseWireMessage(wire, sender, broadcast)
	if err != nil {
		return nil, culprit("it sent a protocol message that does not parse (its %s: %s)", mt.name, untrusted.Text(err.Error()))
	}
	if pm.Type() != mt.name {
		return nil, culprit("it sent a protocol message that does not parse (its %s reads as a %s)", mt.name, untrusted.Text(pm.Type()))
	}
	if !pm.ValidateBasic() {
		return nil, culprit("its %s is malformed", mt.name)
	}
	return pm, nil
}

// sentTypes is which type numbers each station (by plan index) sent at a
// step.
type sentTypes map[int]map[int]bool

// again records that station from sent type n and reports whether it had
// already.
func (s sentTypes) again(from, n int) bool {
	if s[from] == nil {
		s[from] = map[int]bool{}
	}
	if s[from][n] {
		return true
	}
	s[from][n] = true
	return false
}

// lacking blames the first station but self whose step packet lacks a type
// of the step it must send: every type, or those expects(n, j) names.
func (t typeTable) lacking(step int, names []string, self int, seen sentTypes, expects func(n, j int) bool) error {
	for j := range names {
		if j == self {
			continue
		}
		for _, n := range t.inStep(step) {
			if (expects == nil || expects(n, j)) && !seen[j][n] {
				return &CulpritError{Step: step, Stations: []string{names[j]}, Reason: fmt.Sprintf("its step-%d packet lacks its %s", step, t.types[n].name)}
			}
		}
	}
	return nil
}

// recoverStep, deferred by Deliver before it hands messages to tss-lib,
// turns a panic into a CulpritError with the cause unknown: tss-lib
// indexes into what a sender sent; should a crafted message still crash
// it, stop rather than die.
func recoverStep(step int, suspects []string, err *error) {
	if r := recover(); r != nil {
		*err = &CulpritError{Step: step, Suspects: suspects, Reason: fmt.Sprintf("tss-lib failed on the step's messages (%v)", r)}
	}
}

func (p *tssParty) drain() error {
	for {
		select {
		case m := <-p.out:
			payload, err := p.types.encode(m)
			if err != nil {
				return err
			}
			o := Outgoing{Payload: payload}
			if !m.IsBroadcast() {
				for _, to := range m.GetTo() {
					o.To = append(o.To, p.planOf[to.Index])
				}
				if len(o.To) == 0 {
					return errors.New("tss-lib produced a message with no recipient")
				}
			}
			p.push(o)
		default:
			return nil
		}
	}
}

// outbox holds a party's outgoing messages until the runner takes them.
type outbox struct {
	mu      sync.Mutex
	pending []Outgoing
}

func (o *outbox) push(m Outgoing) {
	o.mu.Lock()
	o.pending = append(o.pending, m)
	o.mu.Unlock()
}

// Outgoing returns, and forgets, what was pushed since it was last called.
func (o *outbox) Outgoing() []Outgoing {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := o.pending
	o.pending = nil
	return out
}

func (p *tssParty) Done() bool { return p.done() }
