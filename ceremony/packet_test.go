package ceremony

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func testPlan(t *testing.T, names ...string) (*Plan, []*Identity) {
	t.Helper()
	var ids []*Identity
	var cards []Card
	for _, n := range names {
		id, err := NewIdentity(n)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		cards = append(cards, id.Card())
	}
	p, err := NewKeygenPlan(cards, 2, CurveEd25519, "")
	if err != nil {
		t.Fatal(err)
	}
	return p, ids
}

func TestSealedPayloadOpensOnlyForItsRecipientAndPlace(t *testing.T) {
	p, ids := testPlan(t, "alice", "bob", "carol")
	secret := []byte("a share of a share")
	pk, _ := p.Stations[2].SealPublic()
	at := sealContext{Plan: p.Fingerprint(), Step: 2, From: 1, To: 2, Index: 0, Kind: EnvTSS}
	ct, err := seal(pk, at, secret)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, secret) {
		t.Fatal("plaintext visible in the sealed payload")
	}
	if pt, err := open(ids[2], at, ct); err != nil || !bytes.Equal(pt, secret) {
		t.Fatalf("recipient cannot open: %v", err)
	}
	if _, err := open(ids[0], at, ct); !errors.Is(err, errUnseal) {
		t.Fatalf("a non-recipient opened a sealed payload: %v", err)
	}
	// The same ciphertext moved to another plan, step, sender, batch index
	// or envelope kind does not open.
	other, _ := testPlan(t, "alice", "bob", "carol")
	moved := []sealContext{at, at, at, at, at}
	moved[0].Plan = other.Fingerprint()
	moved[1].Step = 3
	moved[2].From = 0
	moved[3].Index = 1
	moved[4].Kind = EnvChainCommit
	for _, c := range moved {
		if _, err := open(ids[2], c, ct); err == nil {
			t.Fatalf("sealed payload opened in another context %+v", c)
		}
	}
}

func TestDecodePacketRejections(t *testing.T) {
	p, ids := testPlan(t, "alice", "bob", "carol")
	good := &Packet{Version: PacketVersion, Step: 1, From: 1}
	good.Sign(ids[1], p.Fingerprint())
	raw := good.Encode()
	if _, err := DecodePacket(p, raw, "f", 1, 1); err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte(nil), raw...)
	flipped[len(flipped)-1] ^= 1
	// A packet has no session of its own: its signature binds the plan's
	// fingerprint. bob's validly signed packet of another ceremony (the same
	// cards, another session), and of a second plan that reuses p's session
	// (a forged or careless plan), must not pass in p.
	otherCeremony := *p
	otherCeremony.Session = "0123456789abcdef0123456789abcdef"
	ofOther := &Packet{Version: PacketVersion, Step: 1, From: 1}
	ofOther.Sign(ids[1], otherCeremony.Fingerprint())
	twin := *p
	twin.Label = "another plan, same session"
	ofTwin := &Packet{Version: PacketVersion, Step: 1, From: 1}
	ofTwin.Sign(ids[1], twin.Fingerprint())
	// Another ceremony numbers its stations its own way: carol's packet
	// there, as bob's here, is still refused for its signature.
	ofOtherAsCarol := &Packet{Version: PacketVersion, Step: 1, From: 2}
	ofOtherAsCarol.Sign(ids[1], otherCeremony.Fingerprint())
	dup := &Packet{Version: PacketVersion, Step: 1, From: 1, Envelopes: []Envelope{{To: Broadcast}, {To: Broadcast}}}
	dup.Sign(ids[1], p.Fingerprint())
	toSelf := &Packet{Version: PacketVersion, Step: 1, From: 1, Envelopes: []Envelope{{To: 1}}}
	toSelf.Sign(ids[1], p.Fingerprint())
	outsider := &Packet{Version: PacketVersion, Step: 1, From: 3}
	outsider.Sign(ids[1], otherCeremony.Fingerprint())
	cases := []struct {
		name string
		raw  []byte
		step int
		from int
		want string
	}{
		{"flipped", flipped, 1, 1, "signature does not verify against bob's identity card for this plan: it is a packet of another ceremony or plan, it is not from bob, or it was altered on the way; stop"},
		{"truncated", raw[:len(raw)/2], 1, 1, "not a readable coldtss packet"},
		{"another ceremony", ofOther.Encode(), 1, 1, "signature does not verify against bob's identity card for this plan: it is a packet of another ceremony or plan"},
		{"another plan, same session", ofTwin.Encode(), 1, 1, "signature does not verify against bob's identity card for this plan: it is a packet of another ceremony or plan"},
		{"another ceremony, another index", ofOtherAsCarol.Encode(), 1, 1, "signature does not verify against carol's identity card for this plan: it is a packet of another ceremony or plan"},
		{"sender not in the plan", outsider.Encode(), 1, 1, "station #3, which is not in the plan; it is a packet of another ceremony or plan"},
		{"replayed step", raw, 2, 1, "is for step 1, expected step 2"},
		{"stored under another name", raw, 1, 2, "stored as carol's"},
		{"duplicate envelope", dup.Encode(), 1, 1, "duplicate envelope"},
		{"addressed to itself", toSelf.Encode(), 1, 1, "envelope addressed"},
		{"garbage", []byte("hello"), 1, 1, "not a readable"},
		// Same content, same valid signature, but the version number in a
		// longer CBOR form: echoes hash bytes, so this must be refused.
		{"re-encoded", append([]byte{raw[0], 0x18, raw[1]}, raw[2:]...), 1, 1, "canonical form"},
	}
	for _, c := range cases {
		_, err := DecodePacket(p, c.raw, "stick/step-01/bob.pkt", c.step, c.from)
		var pe *PacketError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "stick/step-01/bob.pkt: ") {
			t.Errorf("%s: got %v, want a packet error naming the file and %q", c.name, err, c.want)
			continue
		}
		if want := p.Stations[c.from].Name; pe.Station != want || strings.ContainsAny(err.Error(), "\r\n") {
			t.Errorf("%s: %q names station %q, want %q, on one line", c.name, err, pe.Station, want)
		}
	}
}

func TestPlanFingerprintCoversEveryField(t *testing.T) {
	p, _ := testPlan(t, "alice", "bob", "carol")
	fp := p.Fingerprint()
	q := *p
	q.Threshold = 3
	if q.Fingerprint() == fp {
		t.Fatal("threshold not covered by the fingerprint")
	}
	q = *p
	q.Stations = append([]Card(nil), p.Stations...)
	q.Stations[0], q.Stations[1] = q.Stations[1], q.Stations[0]
	if q.Fingerprint() == fp {
		t.Fatal("station order not covered by the fingerprint")
	}
	q = *p
	q.Payload = &Payload{Type: "bitcoin-psbt", Network: "regtest", Data: []byte("psbt")}
	withPayload := q.Fingerprint()
	if withPayload == fp {
		t.Fatal("payload not covered by the fingerprint")
	}
	q.Payload = &Payload{Type: "bitcoin-psbt", Network: "mainnet", Data: []byte("psbt")}
	if q.Fingerprint() == withPayload {
		t.Fatal("payload network not covered by the fingerprint")
	}
	q.Payload = &Payload{Type: "bitcoin-psbt", Network: "regtest", Data: []byte("psbT")}
	if q.Fingerprint() == withPayload {
		t.Fatal("payload data not covered by the fingerprint")
	}
	if len(strings.Fields(strings.ReplaceAll(p.FingerprintWords(), "/", ""))) != fingerprintWordCount {
		t.Fatal("fingerprint words")
	}
}

func TestPlanRefusals(t *testing.T) {
	_, cards := func() ([]*Identity, []Card) {
		var ids []*Identity
		var cs []Card
		for _, n := range []string{"alice", "bob"} {
			id, _ := NewIdentity(n)
			ids, cs = append(ids, id), append(cs, id.Card())
		}
		return ids, cs
	}()
	key := PlanKey{ID: "0123456789abcdef", PublicKey: "02" + strings.Repeat("11", 32), ChainCode: strings.Repeat("22", 32), Holders: []string{"alice", "bob"}}
	sign := func(k PlanKey, msgs []SignRequest, payload *Payload) error {
		_, err := NewSignPlan(k, CurveSecp256k1, 2, cards, msgs, payload)
		return err
	}
	digest := strings.Repeat("ab", 32)
	order := "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
	payload := &Payload{Type: "bitcoin-psbt", Network: "regtest", Data: []byte{1}}
	badKey := key
	badKey.ID = "../../etc"
	badHolder := key
	badHolder.Holders = []string{"alice", "bob\x1b[2J"}
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"digest equal to the group order", sign(key, []SignRequest{{Data: order}}, nil), "not below the secp256k1 group order"},
		{"digest above the group order", sign(key, []SignRequest{{Data: strings.Repeat("ff", 32)}}, nil), "not below the secp256k1 group order"},
		{"payload plan with a note", sign(key, []SignRequest{{Data: digest, Note: "input 0: pays you"}}, payload), "must carry no notes"},
		{"payload type not a plain name", sign(key, []SignRequest{{Data: digest}}, &Payload{Type: "psbt\x1b[8m", Data: []byte{1}}), "not a plain name"},
		{"network not a plain name", sign(key, []SignRequest{{Data: digest}}, &Payload{Type: "bitcoin-psbt", Network: "main\nnet", Data: []byte{1}}), "not a plain name"},
		{"key id not hex", sign(badKey, []SignRequest{{Data: digest}}, nil), "is not 16 hex digits"},
		{"holder not a station name", sign(badHolder, []SignRequest{{Data: digest}}, nil), "is not allowed"},
		{"note too long", sign(key, []SignRequest{{Data: digest, Note: strings.Repeat("x", 201)}}, nil), "at most 200"},
		{"label too long", func() error {
			_, err := NewKeygenPlan(cards, 2, CurveEd25519, strings.Repeat("l", 201))
			return err
		}(), "label is 201 bytes long, at most 200"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, c.err, c.want)
		}
	}
	if err := sign(key, []SignRequest{{Data: digest}}, payload); err != nil {
		t.Fatalf("a good plan was refused: %v", err)
	}
	// The same refusal when a plan file is read at join.
	p, _ := NewSignPlan(key, CurveSecp256k1, 2, cards, []SignRequest{{Data: digest}}, nil)
	p.Messages[0].Data = order
	if _, err := ParsePlan(p.Marshal()); err == nil || !strings.Contains(err.Error(), "group order") {
		t.Fatalf("ParsePlan: %v", err)
	}
}

// An upper-case spelling of a card's key is the same identity: it must
// not pass as a second station.
func TestCardKeysAreCanonical(t *testing.T) {
	id, _ := NewIdentity("alice")
	for _, field := range []string{"sign_key", "seal_key", "signature"} {
		c := id.Card()
		switch field {
		case "sign_key":
			c.SignKey = strings.ToUpper(c.SignKey)
		case "seal_key":
			c.SealKey = strings.ToUpper(c.SealKey)
		case "signature":
			c.Signature = strings.ToUpper(c.Signature)
		}
		if err := c.Verify(); err == nil || !strings.Contains(err.Error(), field+" is not lower-case hex") {
			t.Errorf("%s in upper case: %v", field, err)
		}
	}
	bob, _ := NewIdentity("bob")
	twin := id.Card()
	twin.Name = "alice2"
	twin.SignKey = strings.ToUpper(twin.SignKey)
	if _, err := NewKeygenPlan([]Card{id.Card(), twin, bob.Card()}, 2, CurveEd25519, ""); err == nil {
		t.Fatal("one identity took two places in a plan")
	}
}
