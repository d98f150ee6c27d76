package ceremony

import (
	"sort"
	"strings"

	ecdsakeygen "github.com/bnb-chain/tss-lib/v3/ecdsa/keygen"
	ecdsasigning "github.com/bnb-chain/tss-lib/v3/ecdsa/signing"
	eddsakeygen "github.com/bnb-chain/tss-lib/v3/eddsa/keygen"
	eddsasigning "github.com/bnb-chain/tss-lib/v3/eddsa/signing"
	"github.com/bnb-chain/tss-lib/v3/tss"
	"google.golang.org/protobuf/proto"
)

// stepMessages is what every other station sends this station in one
// protocol step: tss-lib message type -> whether it is a broadcast.
type stepMessages map[string]bool

func (m stepMessages) names() string {
	var out []string
	for t := range m {
		out = append(out, t)
	}
	sort.Strings(out)
	return strings.Join(out, " and ")
}

// typeName is tss-lib's name for a message content type, as
// ParsedMessage.Type reports it.
func typeName(m proto.Message) string { return string(proto.MessageName(m)) }

func bcast(ms ...tss.MessageContent) stepMessages {
	out := stepMessages{}
	for _, m := range ms {
		out[typeName(m)] = true
	}
	return out
}

func p2p(m tss.MessageContent, rest stepMessages) stepMessages {
	rest[typeName(m)] = false
	return rest
}

// messagesFor lists, step by step, the tss-lib messages of a ceremony.
// A step carries what a station's party emits after taking the previous
// step's messages, so step k carries the messages of tss-lib's round k.
func messagesFor(kind, curve string) []stepMessages {
	switch {
	case kind == KindKeygen && curve == CurveSecp256k1:
		return []stepMessages{
			bcast(&ecdsakeygen.KGRound1Message{}),
			p2p(&ecdsakeygen.KGRound2Message1{}, bcast(&ecdsakeygen.KGRound2Message2{})),
			bcast(&ecdsakeygen.KGRound3Message{}),
		}
	case kind == KindKeygen && curve == CurveEd25519:
		return []stepMessages{
			bcast(&eddsakeygen.KGRound1Message{}),
			p2p(&eddsakeygen.KGRound2Message1{}, bcast(&eddsakeygen.KGRound2Message2{})),
		}
	case kind == KindSign && curve == CurveSecp256k1:
		return []stepMessages{
			p2p(&ecdsasigning.SignRound1Message1{}, bcast(&ecdsasigning.SignRound1Message2{})),
			p2p(&ecdsasigning.SignRound2Message{}, stepMessages{}),
			bcast(&ecdsasigning.SignRound3Message{}),
			bcast(&ecdsasigning.SignRound4Message{}),
			bcast(&ecdsasigning.SignRound5Message{}),
			bcast(&ecdsasigning.SignRound6Message{}),
			bcast(&ecdsasigning.SignRound7Message{}),
			bcast(&ecdsasigning.SignRound8Message{}),
			bcast(&ecdsasigning.SignRound9Message{}),
		}
	case kind == KindSign && curve == CurveEd25519:
		return []stepMessages{
			bcast(&eddsasigning.SignRound1Message{}),
			bcast(&eddsasigning.SignRound2Message{}),
			bcast(&eddsasigning.SignRound3Message{}),
		}
	}
	return nil
}

// StepsFor returns how many protocol steps tss-lib needs for a ceremony
// kind on a curve (the runner adds the confirmation step, and the saved
// step after a keygen: see TotalSteps).
func StepsFor(kind, curve string) int { return len(messagesFor(kind, curve)) }
