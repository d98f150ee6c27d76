package ceremony

import (
	"bytes"
	"crypto/rand"
	"math/big"
	"strings"
	"testing"

	"github.com/bnb-chain/tss-lib/v3/tss"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// fillBytes sets every bytes field of a tss-lib message to random values
// (two of them for a repeated field) and returns how many it set.
func fillBytes(t *testing.T, m protoreflect.Message) int {
	t.Helper()
	random := func(n int) []byte {
		b := make([]byte, n)
		if _, err := rand.Read(b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	set := 0
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		f := fields.Get(i)
		if f.Kind() != protoreflect.BytesKind {
			continue
		}
		if f.IsList() {
			l := m.Mutable(f).List()
			l.Append(protoreflect.ValueOfBytes(random(33)))
			l.Append(protoreflect.ValueOfBytes(random(300)))
		} else {
			m.Set(f, protoreflect.ValueOfBytes(random(32+i)))
		}
		set++
	}
	return set
}

// Every message type of every ceremony goes through the compact envelope
// payload and comes back as tss-lib's own wire bytes, byte for byte, for
// the same type: the receiver parses exactly what the sender's tss-lib
// made. The payload is smaller by the type URL.
func TestTypeNumbersRebuildTSSLibWireBytes(t *testing.T) {
	from := tss.NewPartyID("alice", "alice", big.NewInt(1))
	to := tss.NewPartyID("bob", "bob", big.NewInt(2))
	for _, c := range [][2]string{{KindKeygen, CurveSecp256k1}, {KindKeygen, CurveEd25519}, {KindSign, CurveSecp256k1}, {KindSign, CurveEd25519}, {KindReshare, CurveSecp256k1}, {KindReshare, CurveEd25519}} {
		types := typesFor(c[0], c[1])
		if types.steps != StepsFor(c[0], c[1]) || len(types.types) == 0 {
			t.Fatalf("%s %s: %d steps, %d types", c[0], c[1], types.steps, len(types.types))
		}
		for step := 1; step <= types.steps; step++ {
			if len(types.inStep(step)) == 0 {
				t.Fatalf("%s %s: step %d carries no type", c[0], c[1], step)
			}
		}
		for n, mt := range types.types {
			typ, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(mt.name))
			if err != nil {
				t.Fatalf("%s %s: type %d %s: %v", c[0], c[1], n, mt.name, err)
			}
			content := typ.New()
			// An ACK of a resharing carries nothing.
			if fillBytes(t, content) == 0 && content.Descriptor().Fields().Len() > 0 {
				t.Fatalf("%s: no bytes field to fill", mt.name)
			}
			routing := tss.MessageRouting{From: from, IsBroadcast: mt.broadcast}
			if !mt.broadcast {
				routing.To = []*tss.PartyID{to}
			}
			mc := content.Interface().(tss.MessageContent)
			msg := tss.NewMessage(routing, mc, tss.NewMessageWrapper(routing, mc))
			want, _, err := msg.WireBytes()
			if err != nil {
				t.Fatal(err)
			}
			payload, err := types.encode(msg)
			if err != nil {
				t.Fatalf("%s: %v", mt.name, err)
			}
			if payload[0] != byte(n) {
				t.Fatalf("%s: type number %d, want %d", mt.name, payload[0], n)
			}
			got, wire, err := types.decode(payload)
			if err != nil || got != mt || !bytes.Equal(wire, want) {
				t.Fatalf("%s %s: type %d %s: decode gives %v %v, wire bytes equal: %v", c[0], c[1], n, mt.name, got, err, bytes.Equal(wire, want))
			}
			if saved := len(want) - len(payload); saved < len(mt.typeURL()) {
				t.Fatalf("%s: the payload is only %d bytes smaller than tss-lib's %d", mt.name, saved, len(want))
			}
			pm, err := tss.ParseWireMessage(wire, from, mt.broadcast)
			if err != nil || pm.Type() != mt.name {
				t.Fatalf("%s: the rebuilt wire bytes parse as %v, %v", mt.name, pm, err)
			}
		}
	}
}

func TestTypeNumbersRefuseWhatIsNotInTheTable(t *testing.T) {
	types := typesFor(KindSign, CurveSecp256k1)
	for _, p := range [][]byte{nil, {byte(len(types.types))}, {0xff, 1, 2}} {
		if _, _, err := types.decode(p); err == nil {
			t.Errorf("payload %x decodes", p)
		}
	}
	// A message another kind of ceremony sends is not encoded.
	ed := typesFor(KindSign, CurveEd25519)
	mt := ed.types[0]
	typ, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(mt.name))
	if err != nil {
		t.Fatal(err)
	}
	content := typ.New().Interface().(tss.MessageContent)
	routing := tss.MessageRouting{From: tss.NewPartyID("a", "a", big.NewInt(1)), IsBroadcast: true}
	if _, err := types.encode(tss.NewMessage(routing, content, tss.NewMessageWrapper(routing, content))); err == nil || !strings.Contains(err.Error(), "no step of this ceremony") {
		t.Fatalf("an EdDSA message encoded in an ECDSA signing: %v", err)
	}
}
