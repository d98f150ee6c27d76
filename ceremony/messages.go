package ceremony

import (
	"strings"

	ecdsakeygen "github.com/bnb-chain/tss-lib/v3/ecdsa/keygen"
	ecdsaresharing "github.com/bnb-chain/tss-lib/v3/ecdsa/resharing"
	ecdsasigning "github.com/bnb-chain/tss-lib/v3/ecdsa/signing"
	eddsakeygen "github.com/bnb-chain/tss-lib/v3/eddsa/keygen"
	eddsaresharing "github.com/bnb-chain/tss-lib/v3/eddsa/resharing"
	eddsasigning "github.com/bnb-chain/tss-lib/v3/eddsa/signing"
	"github.com/bnb-chain/tss-lib/v3/tss"
	"google.golang.org/protobuf/proto"
)

// msgType is one tss-lib message type of a ceremony: tss-lib's name for it
// (the protobuf full name, as ParsedMessage.Type reports it), the protocol
// step that carries it, and whether it is a broadcast. In a resharing,
// from and to say which committee's party sends it and which committees'
// parties take it (roleOld, roleNew); other ceremonies leave them zero.
type msgType struct {
	name      string
	step      int
	broadcast bool
	from, to  role
}

// role is a station's part in a resharing: in the old committee (it holds
// a share of the key and deals it out), the new one (it receives a new
// share), or both (a station that keeps a share runs two tss-lib parties).
type role uint8

const (
	roleOld role = 1 << iota
	roleNew
)

// route sets the committees of a resharing step's types.
func route(from, to role, ms ...msgType) []msgType {
	for i := range ms {
		ms[i].from, ms[i].to = from, to
	}
	return ms
}

// typeURL is the type URL tss-lib puts in the protobuf Any of its wire
// bytes (anypb.New's prefix and the type's name).
func (m msgType) typeURL() string { return "type.googleapis.com/" + m.name }

// typeTable is every tss-lib message type of one kind of ceremony, step by
// step in the order messagesFor lists them. A type's place in it is its
// number: a TSS envelope carries that number instead of tss-lib's type URL,
// and the receiver rebuilds the URL, the sender and the broadcast flag.
type typeTable struct {
	types []msgType // by number
	steps int
}

// typeName is tss-lib's name for a message content type, as
// ParsedMessage.Type reports it.
func typeName(m proto.Message) string { return string(proto.MessageName(m)) }

// bcast and p2p are one step's types, in the order they are numbered.
func bcast(ms ...tss.MessageContent) []msgType {
	var out []msgType
	for _, m := range ms {
		out = append(out, msgType{name: typeName(m), broadcast: true})
	}
	return out
}

func p2p(m tss.MessageContent, rest ...msgType) []msgType {
	return append([]msgType{{name: typeName(m)}}, rest...)
}

// messagesFor lists, step by step, the tss-lib messages of a ceremony.
// A step carries what a station's party emits after taking the previous
// step's messages, so step k carries the messages of tss-lib's round k.
// The order is part of the packet format (the type numbers of
// docs/formats.md section 4.1): only ever append.
func messagesFor(kind, curve string) [][]msgType {
	switch {
	case kind == KindKeygen && curve == CurveSecp256k1:
		return [][]msgType{
			bcast(&ecdsakeygen.KGRound1Message{}),
			p2p(&ecdsakeygen.KGRound2Message1{}, bcast(&ecdsakeygen.KGRound2Message2{})...),
			bcast(&ecdsakeygen.KGRound3Message{}),
		}
	case kind == KindKeygen && curve == CurveEd25519:
		return [][]msgType{
			bcast(&eddsakeygen.KGRound1Message{}),
			p2p(&eddsakeygen.KGRound2Message1{}, bcast(&eddsakeygen.KGRound2Message2{})...),
		}
	case kind == KindSign && curve == CurveSecp256k1:
		return [][]msgType{
			p2p(&ecdsasigning.SignRound1Message1{}, bcast(&ecdsasigning.SignRound1Message2{})...),
			p2p(&ecdsasigning.SignRound2Message{}),
			bcast(&ecdsasigning.SignRound3Message{}),
			bcast(&ecdsasigning.SignRound4Message{}),
			bcast(&ecdsasigning.SignRound5Message{}),
			bcast(&ecdsasigning.SignRound6Message{}),
			bcast(&ecdsasigning.SignRound7Message{}),
			bcast(&ecdsasigning.SignRound8Message{}),
			bcast(&ecdsasigning.SignRound9Message{}),
		}
	case kind == KindSign && curve == CurveEd25519:
		return [][]msgType{
			bcast(&eddsasigning.SignRound1Message{}),
			bcast(&eddsasigning.SignRound2Message{}),
			bcast(&eddsasigning.SignRound3Message{}),
		}
	// Resharing: the old committee commits to its dealings (1), the new
	// one answers (2: its Paillier keys and proofs to the new committee
	// for ECDSA, an ACK to the old one for EdDSA), the old committee deals the
	// new shares point to point and opens its commitments (3), the new
	// committee proves its Paillier keys to each other (ECDSA) and tells
	// everyone it is done (4). A station sends only its parties' messages:
	// at steps 1 and 3 a station only in the new committee sends none, at
	// steps 2 and 4 a station only in the old committee sends none.
	case kind == KindReshare && curve == CurveSecp256k1:
		return [][]msgType{
			route(roleOld, roleNew, bcast(&ecdsaresharing.DGRound1Message{})...),
			// The new committee's ACK to the old one (DGRound2Message2,
			// empty) does not travel: a packet carries one broadcast per
			// party and step, and every station sees every broadcast, so
			// a new station's step-2 broadcast is its ACK (impliedAck).
			route(roleNew, roleNew, bcast(&ecdsaresharing.DGRound2Message1{})...),
			route(roleOld, roleNew, p2p(&ecdsaresharing.DGRound3Message1{}, bcast(&ecdsaresharing.DGRound3Message2{})...)...),
			append(route(roleNew, roleNew, p2p(&ecdsaresharing.DGRound4Message1{})...),
				route(roleNew, roleOld|roleNew, bcast(&ecdsaresharing.DGRound4Message2{})...)...),
		}
	case kind == KindReshare && curve == CurveEd25519:
		return [][]msgType{
			route(roleOld, roleNew, bcast(&eddsaresharing.DGRound1Message{})...),
			route(roleNew, roleOld, bcast(&eddsaresharing.DGRound2Message{})...),
			route(roleOld, roleNew, p2p(&eddsaresharing.DGRound3Message1{}, bcast(&eddsaresharing.DGRound3Message2{})...)...),
			route(roleNew, roleOld|roleNew, bcast(&eddsaresharing.DGRound4Message{})...),
		}
	}
	return nil
}

// typesFor numbers the message types of a ceremony.
func typesFor(kind, curve string) typeTable {
	steps := messagesFor(kind, curve)
	t := typeTable{steps: len(steps)}
	for i, s := range steps {
		for _, m := range s {
			m.step = i + 1
			t.types = append(t.types, m)
		}
	}
	return t
}

// number returns the number of the type tss-lib calls name.
func (t typeTable) number(name string) (int, bool) {
	for i, m := range t.types {
		if m.name == name {
			return i, true
		}
	}
	return 0, false
}

// inStep returns the numbers of the types a step carries.
func (t typeTable) inStep(step int) []int {
	var out []int
	for i, m := range t.types {
		if m.step == step {
			out = append(out, i)
		}
	}
	return out
}

// names says which types a step carries, for error messages.
func (t typeTable) names(step int) string {
	var out []string
	for _, i := range t.inStep(step) {
		out = append(out, t.types[i].name)
	}
	return strings.Join(out, " and ")
}

// StepsFor returns how many protocol steps tss-lib needs for a ceremony
// kind on a curve (the runner adds the confirmation step, and the saved
// step after a keygen: see TotalSteps).
func StepsFor(kind, curve string) int { return len(messagesFor(kind, curve)) }
