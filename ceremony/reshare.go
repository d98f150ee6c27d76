package ceremony

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"

	ecdsakeygen "github.com/bnb-chain/tss-lib/v3/ecdsa/keygen"
	ecdsaresharing "github.com/bnb-chain/tss-lib/v3/ecdsa/resharing"
	eddsakeygen "github.com/bnb-chain/tss-lib/v3/eddsa/keygen"
	eddsaresharing "github.com/bnb-chain/tss-lib/v3/eddsa/resharing"
	"github.com/bnb-chain/tss-lib/v3/tss"
)

// partyKey is a station's tss-lib party key at an epoch of a key: the
// x-coordinate of its share. Epoch 1 (keygen) uses the card's own
// PartyKey; each resharing gives every new holder a key of the new epoch,
// so that a station in both committees runs two distinct tss-lib parties
// (tss-lib tells its committees apart by party key) and a share of one
// epoch never passes for a share of another.
func partyKey(c Card, epoch int) *big.Int {
	if epoch <= 1 {
		return c.PartyKey()
	}
	h := sha256.New()
	h.Write([]byte("coldtss-party-key-epoch-v1\x00"))
	h.Write(c.PartyKey().Bytes())
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(epoch)))
	k := new(big.Int).SetBytes(h.Sum(nil)[:16])
	return k.Add(k, big.NewInt(1))
}

// EpochError is a share of another epoch than the plan's: the key was
// reshared since (or the station holds a newer share than the plan).
type EpochError struct {
	Key         string
	Share, Plan int // Share is 0 when the share's epoch is not known
	Station     string
}

func (e *EpochError) Error() string {
	share := "of another epoch"
	if e.Share > 0 {
		share = fmt.Sprintf("of epoch %d", e.Share)
	}
	if e.Share > 0 && e.Share < e.Plan {
		return fmt.Sprintf("this station's share of key %s is %s, the plan is for epoch %d: the key was reshared since and this share is retired. Restore a backup of epoch %d, or leave this station out of the plan", e.Key, share, e.Plan, e.Plan)
	}
	return fmt.Sprintf("this station's share of key %s is %s, the plan is for epoch %d: the plan is out of date or names the wrong epoch; make a new plan from the current key record (`coldtss keys show %s`)", e.Key, share, e.Plan, e.Key)
}

// shareEpoch finds the epoch of a share from its share id (its party key):
// the epoch e at which partyKey(card, e) is id, or 0.
func shareEpoch(c Card, id *big.Int, upTo int) int {
	if id == nil {
		return 0
	}
	for e := 1; e <= upTo+8 && e <= maxEpoch; e++ {
		if partyKey(c, e).Cmp(id) == 0 {
			return e
		}
	}
	return 0
}

// checkShareEpoch refuses a share whose share id is not this station's
// party key at the plan's epoch, saying which epoch the share is of.
func checkShareEpoch(plan *Plan, self int, id *big.Int) error {
	epoch := plan.Key.epoch()
	c := plan.Stations[self]
	if id != nil && partyKey(c, epoch).Cmp(id) == 0 {
		return nil
	}
	return &EpochError{Key: plan.Key.ID, Share: shareEpoch(c, id, epoch), Plan: epoch, Station: c.Name}
}

// reshareParty is one station's part in a resharing: a tss-lib party of
// the old committee (it deals its share out), one of the new committee
// (it receives a new share), or both. It routes every message by its type:
// from the sender's old or new party, to this station's old or new party;
// what one of this station's parties sends the other is handed over
// inside the station (loop) at the step it is sent, never written out.
type reshareParty struct {
	plan    *Plan
	self    int
	names   []string
	roles   []role
	types   typeTable
	oldPIDs tss.SortedPartyIDs
	newPIDs tss.SortedPartyIDs
	oldOf   map[int]*tss.PartyID // plan index -> old party id
	newOf   map[int]*tss.PartyID // plan index -> new party id
	planOf  map[string]int       // party key (hex) -> plan index
	old     tss.Party
	new     tss.Party
	out     chan tss.Message
	oldDone func() bool
	newDone func() bool
	result  func() (share, pub []byte) // the new share, once newDone
	loop    []Incoming                 // this station's own messages to its other party
	outbox
}

// reshareIDs builds the two committees' party ids: the old committee's at
// the key's epoch, the new one's at the next.
func (p *reshareParty) ids() {
	plan := p.plan
	var oldUn, newUn tss.UnSortedPartyIDs
	p.oldOf, p.newOf, p.planOf = map[int]*tss.PartyID{}, map[int]*tss.PartyID{}, map[string]int{}
	epoch := plan.Key.epoch()
	for i, c := range plan.Stations {
		if p.roles[i]&roleOld != 0 {
			pid := tss.NewPartyID(c.Name, c.Name+"/old", partyKey(c, epoch))
			oldUn = append(oldUn, pid)
			p.oldOf[i] = pid
			p.planOf[hex.EncodeToString(pid.Key)] = i
		}
		if p.roles[i]&roleNew != 0 {
			pid := tss.NewPartyID(c.Name, c.Name+"/new", partyKey(c, epoch+1))
			newUn = append(newUn, pid)
			p.newOf[i] = pid
			p.planOf[hex.EncodeToString(pid.Key)] = i
		}
	}
	p.oldPIDs, p.newPIDs = tss.SortPartyIDs(oldUn), tss.SortPartyIDs(newUn)
}

// newReshareParty makes this station's parties of a resharing plan. share
// is its current share of plan.Key (old committee), preParams one set of
// pre-parameters for its new ECDSA party (new committee).
func newReshareParty(plan *Plan, self int, share, preParams []byte) (_ *reshareParty, err error) {
	useCurve(plan.Curve)
	p := &reshareParty{plan: plan, self: self, names: plan.Names(), types: typesFor(plan.Kind, plan.Curve)}
	for j := range plan.Stations {
		p.roles = append(p.roles, plan.roles(j))
	}
	p.ids()
	p.out = make(chan tss.Message, 4*(len(p.oldPIDs)+len(p.newPIDs))+8)
	defer func() {
		// tss-lib panics when the old committee's parties are not among
		// the share's holders.
		if r := recover(); r != nil {
			err = fmt.Errorf("the old committee in the plan does not match the stations that hold key %s at epoch %d (%v)", plan.Key.ID, plan.Key.epoch(), r)
		}
	}()
	oldCtx, newCtx := tss.NewPeerContext(p.oldPIDs), tss.NewPeerContext(p.newPIDs)
	params := func(pid *tss.PartyID) *tss.ReSharingParameters {
		rp := tss.NewReSharingParameters(tss.EC(), oldCtx, newCtx, pid, len(p.oldPIDs), plan.TSSThreshold(), len(p.newPIDs), plan.Reshare.Threshold-1)
		rp.SetSessionNonce(sessionNonce(plan, 0))
		return rp
	}
	mine := p.roles[self]
	if mine&roleOld != 0 && len(share) == 0 {
		return nil, fmt.Errorf("this station is in the old committee but has no share of key %s to deal out", plan.Key.ID)
	}
	switch plan.Curve {
	case CurveEd25519:
		oldEnd, newEnd := make(chan *eddsakeygen.LocalPartySaveData, 1), make(chan *eddsakeygen.LocalPartySaveData, 1)
		var oldRes, newRes *eddsakeygen.LocalPartySaveData
		p.oldDone = func() bool { return mine&roleOld == 0 || received(oldEnd, &oldRes) }
		p.newDone = func() bool { return mine&roleNew == 0 || received(newEnd, &newRes) }
		p.result = func() ([]byte, []byte) {
			b, _ := json.Marshal(newRes)
			return b, compressPoint(CurveEd25519, newRes.EDDSAPub.X(), newRes.EDDSAPub.Y())
		}
		if mine&roleOld != 0 {
			// A fresh decode is the copy tss-lib needs: the old party
			// zeroes the share it was given once it is done.
			var key eddsakeygen.LocalPartySaveData
			if err := json.Unmarshal(share, &key); err != nil || key.EDDSAPub == nil {
				return nil, fmt.Errorf("the share of key %s does not decode: the key file is damaged", plan.Key.ID)
			}
			if err := checkKey(plan, compressPoint(plan.Curve, key.EDDSAPub.X(), key.EDDSAPub.Y())); err != nil {
				return nil, err
			}
			if err := checkShareEpoch(plan, self, key.ShareID); err != nil {
				return nil, err
			}
			p.old = eddsaresharing.NewLocalParty(params(p.oldOf[self]), key, p.out, oldEnd)
		}
		if mine&roleNew != 0 {
			p.new = eddsaresharing.NewLocalParty(params(p.newOf[self]), eddsakeygen.NewLocalPartySaveData(len(p.newPIDs)), p.out, newEnd)
		}
	default:
		oldEnd, newEnd := make(chan *ecdsakeygen.LocalPartySaveData, 1), make(chan *ecdsakeygen.LocalPartySaveData, 1)
		var oldRes, newRes *ecdsakeygen.LocalPartySaveData
		p.oldDone = func() bool { return mine&roleOld == 0 || received(oldEnd, &oldRes) }
		p.newDone = func() bool { return mine&roleNew == 0 || received(newEnd, &newRes) }
		p.result = func() ([]byte, []byte) {
			b, _ := json.Marshal(newRes)
			return b, compressPoint(CurveSecp256k1, newRes.ECDSAPub.X(), newRes.ECDSAPub.Y())
		}
		if mine&roleOld != 0 {
			var key ecdsakeygen.LocalPartySaveData
			if err := json.Unmarshal(share, &key); err != nil || key.ECDSAPub == nil {
				return nil, fmt.Errorf("the share of key %s does not decode: the key file is damaged", plan.Key.ID)
			}
			if err := checkKey(plan, compressPoint(plan.Curve, key.ECDSAPub.X(), key.ECDSAPub.Y())); err != nil {
				return nil, err
			}
			if err := checkShareEpoch(plan, self, key.ShareID); err != nil {
				return nil, err
			}
			p.old = ecdsaresharing.NewLocalParty(params(p.oldOf[self]), key, p.out, oldEnd)
		}
		if mine&roleNew != 0 {
			var pp ecdsakeygen.LocalPreParams
			if err := json.Unmarshal(preParams, &pp); err != nil || !pp.ValidateWithProof() {
				return nil, errors.New("the station's pre-parameters are missing, damaged or from an older tss-lib: run `coldtss preparams` again")
			}
			save := ecdsakeygen.NewLocalPartySaveData(len(p.newPIDs))
			save.LocalPreParams = pp
			p.new = ecdsaresharing.NewLocalParty(params(p.newOf[self]), save, p.out, newEnd)
		}
	}
	return p, nil
}

// impliedAck is the ECDSA resharing's ACK from the new committee to the
// old (tss-lib's DGRound2Message2, which carries nothing). It does not
// travel: the packet format has one broadcast per party and step, and the
// new station's other step-2 message is a broadcast too. Each station of
// the old committee makes it from the new station's step-2 broadcast,
// which every station sees and echoes.
var impliedAck = typeName(&ecdsaresharing.DGRound2Message2{})

const impliedAckStep = 2

// sends reports whether station j has messages at a step: only the
// committee whose round it is speaks.
func (p *reshareParty) sends(step, j int) bool {
	for _, n := range p.types.inStep(step) {
		if p.types.types[n].from&p.roles[j] != 0 {
			return true
		}
	}
	return false
}

// expects reports whether this station must receive type n from station j.
func (p *reshareParty) expects(n, j int) bool {
	mt := p.types.types[n]
	if mt.from&p.roles[j] == 0 {
		return false
	}
	// A broadcast is in the sender's packet for all to see; a
	// point-to-point message comes only to this station's new party.
	return mt.broadcast || p.roles[p.self]&mt.to != 0
}

func (p *reshareParty) others() []string { return othersThan(p.names, p.self) }

// wrap turns a tss-lib error into a CulpritError (culpritOf).
func (p *reshareParty) wrap(err *tss.Error) error {
	return culpritOf(err, p.names, p.self, func(c *tss.PartyID) (int, bool) {
		i, ok := p.planOf[hex.EncodeToString(c.Key)]
		return i, ok
	})
}

func (p *reshareParty) Start() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("tss-lib failed to start the resharing (%v)", r)
		}
	}()
	// The new party first: it only waits.
	for _, party := range []tss.Party{p.new, p.old} {
		if party == nil {
			continue
		}
		if terr := party.Start(); terr != nil {
			return p.wrap(terr)
		}
	}
	return p.drain()
}

// Deliver checks every message of the step as tssParty.Deliver does —
// its type is of this step, sent by a party of the sender's committee,
// broadcast or not as the protocol sends it, once, and every message this
// station must get is there — then hands each to this station's parties
// of the committees it goes to, along with what this station's other
// party sent them at this step.
func (p *reshareParty) Deliver(step int, msgs []Incoming) (err error) {
	if step < 1 || step > p.types.steps {
		return fmt.Errorf("step %d is not a protocol step (internal error)", step)
	}
	type delivery struct {
		to *tss.Party
		pm tss.ParsedMessage
	}
	var todo []delivery
	seen := sentTypes{}
	committee := map[role]string{roleOld: "old", roleNew: "new"}
	parse := func(m Incoming, own bool) error {
		culprit := stepCulprit(step, p.names[m.From])
		if own {
			culprit = func(format string, args ...any) error {
				return fmt.Errorf("this station's own message does not pass: "+format+" (internal error)", args...)
			}
		}
		mt, wire, err := p.types.read(step, m, culprit)
		if err != nil {
			return err
		}
		typ := mt.name
		if mt.from&p.roles[m.From] == 0 {
			return culprit("it sent a %s, which only a station of the %s committee sends", typ, committee[mt.from])
		}
		n := int(m.Payload[0])
		if !own {
			if !mt.broadcast && p.roles[p.self]&mt.to == 0 {
				return culprit("it sent this station a %s, which goes only to the %s committee", typ, committee[mt.to])
			}
			if seen.again(m.From, n) {
				return culprit("it sent its %s twice at step %d", typ, step)
			}
		}
		sender := p.newOf[m.From]
		if mt.from == roleOld {
			sender = p.oldOf[m.From]
		}
		pm, err := parseMessage(mt, wire, sender, m.Broadcast, culprit)
		if err != nil {
			return err
		}
		for _, r := range []role{roleOld, roleNew} {
			party := &p.old
			if r == roleNew {
				party = &p.new
			}
			if mt.to&r == 0 || *party == nil || (own && mt.from == r) {
				continue
			}
			todo = append(todo, delivery{party, pm})
		}
		return nil
	}
	for _, m := range msgs {
		if m.From == p.self || m.From < 0 || m.From >= len(p.names) {
			return fmt.Errorf("a message from station #%d handed to station #%d (internal error)", m.From, p.self)
		}
		if err := parse(m, false); err != nil {
			return err
		}
	}
	if err := p.types.lacking(step, p.names, p.self, seen, p.expects); err != nil {
		return err
	}
	if p.old != nil && p.plan.Curve == CurveSecp256k1 && step == impliedAckStep {
		// Every new station's ACK, this station's own included: its
		// step-2 broadcast was checked above (present, once, parsed).
		for j := range p.names {
			if p.roles[j]&roleNew != 0 {
				todo = append(todo, delivery{&p.old, ecdsaresharing.NewDGRound2Message2(p.oldPIDs, p.newOf[j])})
			}
		}
	}
	var later []Incoming
	for _, m := range p.loop {
		mt, _, _ := p.types.decode(m.Payload)
		if mt.step != step {
			later = append(later, m)
			continue
		}
		if err := parse(m, true); err != nil {
			return err
		}
	}
	p.loop = later
	defer recoverStep(step, p.others(), &err)
	for _, d := range todo {
		if _, terr := (*d.to).Update(d.pm); terr != nil {
			return p.wrap(terr)
		}
	}
	return p.drain()
}

// drain turns what this station's parties produced into outgoing messages,
// keeping back (loop) what one of them sends the other.
func (p *reshareParty) drain() error {
	mine := p.roles[p.self]
	for {
		var m tss.Message
		select {
		case m = <-p.out:
		default:
			return nil
		}
		if m.Type() == impliedAck {
			continue // see impliedAck
		}
		payload, err := p.types.encode(m)
		if err != nil {
			return err
		}
		mt := p.types.types[payload[0]]
		if mt.from&mine == 0 {
			return fmt.Errorf("tss-lib produced a %s, which this station's committee does not send (internal error)", mt.name)
		}
		if m.IsBroadcast() {
			// The other party of this station takes it too when it is of
			// the committee the message goes to.
			if mt.to&^mt.from&mine != 0 {
				p.loop = append(p.loop, Incoming{From: p.self, Payload: payload, Broadcast: true})
			}
			p.push(Outgoing{Payload: payload})
			continue
		}
		o := Outgoing{Payload: payload}
		for _, to := range m.GetTo() {
			j, ok := p.planOf[hex.EncodeToString(to.Key)]
			if !ok {
				return errors.New("tss-lib addressed a message to a party of no station (internal error)")
			}
			if j == p.self {
				p.loop = append(p.loop, Incoming{From: p.self, Payload: payload})
				continue
			}
			o.To = append(o.To, j)
		}
		if len(o.To) > 0 {
			p.push(o)
		}
	}
}

func (p *reshareParty) Done() bool { return p.oldDone() && p.newDone() }

// isNew reports whether this station receives a new share.
func (p *reshareParty) isNew() bool { return p.roles[p.self]&roleNew != 0 }

// PartyKeyAt is the station's tss-lib party key (its share's x-coordinate,
// tss-lib's ShareID) at an epoch of a key: PartyKey at epoch 1, a new one
// at each resharing.
func (c Card) PartyKeyAt(epoch int) *big.Int { return partyKey(c, epoch) }
