package ceremony_test

// Fuzz targets for everything a station reads from outside: packets (from
// the stick or QR codes), plans and identity cards. They run their seed
// corpora (testdata/fuzz/<Target>/) with every `go test`; `make fuzz` fuzzes
// them. The seeds are real packets, plans and cards made with the fixed
// identities below, so they stay valid for the fixed plan: when a format
// changes, TestFuzzSeedCorpus says so, and
//
//	COLDTSS_WRITE_FUZZ_SEEDS=1 go test ./ceremony -run TestWriteFuzzSeeds
//
// writes them anew (files named valid-* and invalid-*; other files, such as
// crashers the fuzzer found, are left alone).

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/coldtss/coldtss/ceremony"
)

const (
	fuzzSession = "c01d7555f022c0de0123456789abcdef"
	fuzzWhere   = "stick/fuzz/step-01/station.pkt"
)

var fuzzCreated = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// fuzzIdentity is a station identity derived from its name: the same keys
// on every run, so that seed packets and cards stay valid.
func fuzzIdentity(tb testing.TB, name string) *ceremony.Identity {
	tb.Helper()
	seed := sha256.Sum256([]byte("coldtss-fuzz-sign\x00" + name))
	xs := sha256.Sum256([]byte("coldtss-fuzz-seal\x00" + name))
	xk, err := ecdh.X25519().NewPrivateKey(xs[:])
	if err != nil {
		tb.Fatal(err)
	}
	return &ceremony.Identity{Name: name, Sign: ed25519.NewKeyFromSeed(seed[:]), Seal: xk, Created: fuzzCreated}
}

func fuzzIdentities(tb testing.TB) []*ceremony.Identity {
	return []*ceremony.Identity{fuzzIdentity(tb, "alice"), fuzzIdentity(tb, "bob"), fuzzIdentity(tb, "carol")}
}

func cardsOf(ids []*ceremony.Identity) []ceremony.Card {
	var out []ceremony.Card
	for _, id := range ids {
		out = append(out, id.Card())
	}
	return out
}

// fuzzPlan is the fixed ed25519 2-of-3 keygen plan every packet seed belongs to.
func fuzzPlan(tb testing.TB) (*ceremony.Plan, []*ceremony.Identity) {
	tb.Helper()
	ids := fuzzIdentities(tb)
	p := &ceremony.Plan{
		Format: ceremony.PlanFormat, Kind: ceremony.KindKeygen, Session: fuzzSession,
		Created: fuzzCreated.Format(time.RFC3339), Curve: ceremony.CurveEd25519,
		Threshold: 2, Label: "fuzz", Stations: cardsOf(ids),
	}
	if err := p.Validate(); err != nil {
		tb.Fatal(err)
	}
	return p, ids
}

// envelopesOK is DecodePacket's rule for envelopes, restated.
func envelopesOK(p *ceremony.Packet, n int) bool {
	seen := map[[3]int]bool{}
	for _, e := range p.Envelopes {
		if e.To != ceremony.Broadcast && (e.To < 0 || e.To >= n || e.To == p.From) {
			return false
		}
		k := [3]int{int(e.Kind), e.Index, e.To}
		if seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

// checkDecoded checks DecodePacket's answer for raw: a refusal is a
// PacketError naming the file and the expected station; an accepted packet
// is exactly raw, and meets every rule of the plan.
func checkDecoded(t *testing.T, plan *ceremony.Plan, raw []byte, step, want int, p *ceremony.Packet, err error) {
	t.Helper()
	if err != nil {
		var pe *ceremony.PacketError
		if p != nil || !errors.As(err, &pe) {
			t.Fatalf("refusal is %T %v with packet %v, want a *PacketError and no packet", err, err, p)
		}
		if pe.Where != fuzzWhere || pe.Station != plan.Stations[want].Name || !strings.HasPrefix(err.Error(), fuzzWhere+": ") || pe.Reason == "" {
			t.Fatalf("refusal %+v does not name the file and the station", pe)
		}
		return
	}
	if !bytes.Equal(p.Encode(), raw) {
		t.Fatalf("accepted packet re-encodes to other bytes:\n%x\n%x", raw, p.Encode())
	}
	if p.Version != ceremony.PacketVersion || p.Step != step || p.From != want {
		t.Fatalf("accepted packet version %d step %d from %d, asked step %d from %d", p.Version, p.Step, p.From, step, want)
	}
	if !envelopesOK(p, len(plan.Stations)) {
		t.Fatalf("accepted packet has bad envelopes: %+v", p.Envelopes)
	}
	if len(p.Signature) != ed25519.SignatureSize {
		t.Fatalf("accepted packet has a %d-byte signature", len(p.Signature))
	}
	// Bound to its step and station.
	if _, err := ceremony.DecodePacket(plan, raw, fuzzWhere, step+1, want); err == nil {
		t.Fatal("packet accepted for another step")
	}
	if _, err := ceremony.DecodePacket(plan, raw, fuzzWhere, step, (want+1)%len(plan.Stations)); err == nil {
		t.Fatal("packet accepted as another station's")
	}
}

func FuzzDecodePacket(f *testing.F) {
	plan, ids := fuzzPlan(f)
	fp := plan.Fingerprint()
	n := len(plan.Stations)
	// One seed made now, so at least one valid packet is fuzzed even when
	// the testdata seeds are stale.
	p := &ceremony.Packet{Version: ceremony.PacketVersion, Step: 2, From: 1,
		Echo:      [][]byte{make([]byte, 32), make([]byte, 32)},
		Envelopes: []ceremony.Envelope{{Kind: ceremony.EnvTSS, To: ceremony.Broadcast, Payload: []byte("x")}, {Kind: ceremony.EnvTSS, To: 2, Payload: []byte("y")}}}
	p.Sign(ids[1], fp)
	f.Add(p.Encode(), 2, uint8(1))

	f.Fuzz(func(t *testing.T, raw []byte, step int, want uint8) {
		w := int(want) % n
		got, err := ceremony.DecodePacket(plan, raw, fuzzWhere, step, w)
		checkDecoded(t, plan, raw, step, w, got, err)

		// The same content, signed as the expected station: the packet
		// then passes the signature check, and DecodePacket must accept it
		// exactly when it meets the plan's rules.
		var q ceremony.Packet
		if cbor.Unmarshal(raw, &q) != nil || len(q.Echo) > 1<<12 || len(q.Envelopes) > 1<<12 {
			return
		}
		q.Sign(ids[w], fp)
		signed := q.Encode()
		got, err = ceremony.DecodePacket(plan, signed, fuzzWhere, step, w)
		checkDecoded(t, plan, signed, step, w, got, err)
		ok := q.Version == ceremony.PacketVersion &&
			q.From == w && q.Step == step && envelopesOK(&q, n)
		if ok != (err == nil) {
			t.Fatalf("signed packet %+v for step %d from %d: DecodePacket says %v, want accepted=%v", q, step, w, err, ok)
		}
	})
}

func FuzzParsePlan(f *testing.F) {
	plan, _ := fuzzPlan(f)
	f.Add(plan.Marshal())
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ceremony.ParsePlan(b)
		if err != nil {
			if p != nil {
				t.Fatal("ParsePlan returned a plan with its error")
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("accepted plan does not validate: %v", err)
		}
		out := p.Marshal()
		q, err := ceremony.ParsePlan(out)
		if err != nil {
			t.Fatalf("accepted plan does not parse after Marshal: %v\n%s", err, out)
		}
		if q.Fingerprint() != p.Fingerprint() {
			t.Fatalf("fingerprint changed through Marshal→ParsePlan:\n%s\n%s", b, out)
		}
		if !bytes.Equal(q.Marshal(), out) {
			t.Fatalf("Marshal is not stable:\n%s\n%s", out, q.Marshal())
		}
		if p.FingerprintWords() != q.FingerprintWords() || len(p.SessionBytes()) != 16 {
			t.Fatal("fingerprint words or session")
		}
		for i, c := range p.Stations {
			if p.Index(c.Name) != i {
				t.Fatalf("station %q not found at its place", c.Name)
			}
		}
		if p.Kind == ceremony.KindSign {
			// What a station derives from an accepted plan must not panic.
			for i := range p.Messages[:min(len(p.Messages), 4)] {
				_, _ = ceremony.SigningKey(p, i)
			}
		}
	})
}

func FuzzParseCard(f *testing.F) {
	f.Add(fuzzCardJSON(fuzzIdentity(f, "alice").Card()))
	maxParty := new(big.Int).Lsh(big.NewInt(1), 128)
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ceremony.ParseCard(b)
		if err != nil {
			return
		}
		if err := c.Verify(); err != nil {
			t.Fatalf("accepted card does not verify: %v", err)
		}
		if _, err := c.SignPublic(); err != nil {
			t.Fatal(err)
		}
		if _, err := c.SealPublic(); err != nil {
			t.Fatal(err)
		}
		if err := ceremony.ValidName(c.Name); err != nil {
			t.Fatal(err)
		}
		again, err := ceremony.ParseCard(fuzzCardJSON(c))
		if err != nil || again != c {
			t.Fatalf("card does not survive a JSON round trip: %+v %v", again, err)
		}
		if k := c.PartyKey(); k.Sign() <= 0 || k.Cmp(maxParty) > 0 {
			t.Fatalf("party key %v out of range", k)
		}
		_ = c.FingerprintWords()
	})
}

func fuzzCardJSON(c ceremony.Card) []byte {
	b, _ := json.MarshalIndent(c, "", "  ")
	return append(b, '\n')
}

// --- seed corpus files

// corpusFile encodes fuzz arguments in the "go test fuzz v1" format.
func corpusFile(args ...any) []byte {
	var b bytes.Buffer
	b.WriteString("go test fuzz v1\n")
	for _, a := range args {
		switch v := a.(type) {
		case []byte:
			fmt.Fprintf(&b, "[]byte(%q)\n", v)
		case int:
			fmt.Fprintf(&b, "int(%d)\n", v)
		case uint8:
			fmt.Fprintf(&b, "byte(%q)\n", v)
		default:
			panic(fmt.Sprintf("corpus type %T", a))
		}
	}
	return b.Bytes()
}

// parseCorpusFile reads the forms corpusFile writes.
func parseCorpusFile(b []byte) ([]any, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 16<<20)
	if !sc.Scan() || sc.Text() != "go test fuzz v1" {
		return nil, errors.New("not a go test fuzz v1 file")
	}
	var out []any
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "[]byte(") && strings.HasSuffix(l, ")"):
			s, err := strconv.Unquote(l[len("[]byte(") : len(l)-1])
			if err != nil {
				return nil, err
			}
			out = append(out, []byte(s))
		case strings.HasPrefix(l, "int(") && strings.HasSuffix(l, ")"):
			v, err := strconv.Atoi(l[len("int(") : len(l)-1])
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		case strings.HasPrefix(l, "byte('") && strings.HasSuffix(l, "')"):
			v, _, tail, err := strconv.UnquoteChar(l[len("byte('"):len(l)-2], '\'')
			if err != nil || tail != "" || v > 255 {
				return nil, fmt.Errorf("bad byte %q", l)
			}
			out = append(out, uint8(v))
		default:
			return nil, fmt.Errorf("unknown line %q", l)
		}
	}
	return out, sc.Err()
}

const fuzzDir = "testdata/fuzz"

// TestFuzzSeedCorpus checks that the seed files still mean what their names
// say: valid-* seeds are accepted and invalid-* seeds refused, by the code
// as it is now. A valid-* seed that fails means a format changed and the
// seeds are stale (see the top of this file).
func TestFuzzSeedCorpus(t *testing.T) {
	plan, _ := fuzzPlan(t)
	counts := map[string]int{}
	for _, target := range []string{"FuzzDecodePacket", "FuzzParsePlan", "FuzzParseCard"} {
		files, err := filepath.Glob(filepath.Join(fuzzDir, target, "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			name := filepath.Base(file)
			valid := strings.HasPrefix(name, "valid-")
			if !valid && !strings.HasPrefix(name, "invalid-") {
				continue
			}
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			args, err := parseCorpusFile(b)
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			switch target {
			case "FuzzDecodePacket":
				if len(args) != 3 {
					t.Fatalf("%s: %d arguments", file, len(args))
				}
				_, err = ceremony.DecodePacket(plan, args[0].([]byte), fuzzWhere, args[1].(int), int(args[2].(uint8))%len(plan.Stations))
			case "FuzzParsePlan":
				_, err = ceremony.ParsePlan(args[0].([]byte))
			case "FuzzParseCard":
				_, err = ceremony.ParseCard(args[0].([]byte))
			}
			if valid && err != nil {
				t.Errorf("%s no longer passes (%v): the format changed; write the seeds anew with COLDTSS_WRITE_FUZZ_SEEDS=1 go test ./ceremony -run TestWriteFuzzSeeds", file, err)
			}
			if !valid && err == nil {
				t.Errorf("%s is accepted", file)
			}
			counts[target+fmt.Sprint(valid)]++
		}
	}
	for _, target := range []string{"FuzzDecodePacket", "FuzzParsePlan", "FuzzParseCard"} {
		if counts[target+"true"] == 0 || counts[target+"false"] == 0 {
			t.Errorf("%s: %d valid and %d invalid seeds, want some of each", target, counts[target+"true"], counts[target+"false"])
		}
	}
}

// recorder keeps every packet a station writes, keyed "step/station".
type recorder struct {
	ceremony.Transport
	mu      *sync.Mutex
	packets map[string][]byte
}

func (r recorder) Put(ctx context.Context, step int, station string, data []byte) error {
	r.mu.Lock()
	r.packets[fmt.Sprintf("%d/%s", step, station)] = append([]byte(nil), data...)
	r.mu.Unlock()
	return r.Transport.Put(ctx, step, station, data)
}

// TestWriteFuzzSeeds writes the seed corpora. It runs only when asked to.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("COLDTSS_WRITE_FUZZ_SEEDS") != "1" {
		t.Skip("set COLDTSS_WRITE_FUZZ_SEEDS=1 to write the fuzz seed corpora anew")
	}
	plan, ids := fuzzPlan(t)
	fp := plan.Fingerprint()
	n := len(ids)
	write := func(target, name string, args ...any) {
		t.Helper()
		dir := filepath.Join(fuzzDir, target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), corpusFile(args...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, target := range []string{"FuzzDecodePacket", "FuzzParsePlan", "FuzzParseCard"} {
		old, _ := filepath.Glob(filepath.Join(fuzzDir, target, "*valid-*"))
		for _, f := range old {
			os.Remove(f)
		}
	}

	// A real keygen on the fixed plan: every packet of every step.
	var mu sync.Mutex
	packets := map[string][]byte{}
	res := runAll(t, plan, ids, func(i int, r *ceremony.Runner) {
		r.Transport = recorder{Transport: r.Transport, mu: &mu, packets: packets}
	})
	total := ceremony.TotalSteps(plan.Kind, plan.Curve)
	for step := 1; step <= total; step++ {
		for j, id := range ids {
			raw, ok := packets[fmt.Sprintf("%d/%s", step, id.Name)]
			if !ok {
				t.Fatalf("no packet of step %d from %s", step, id.Name)
			}
			write("FuzzDecodePacket", fmt.Sprintf("valid-keygen-step%d-%s", step, id.Name), raw, step, uint8(j))
		}
	}
	raw := packets["2/bob"]
	// Made by hand, signed by bob: a batch (several indexes), an empty packet.
	sign := func(p *ceremony.Packet) []byte {
		p.Sign(ids[p.From], fp)
		return p.Encode()
	}
	base := func() *ceremony.Packet {
		return &ceremony.Packet{Version: ceremony.PacketVersion, Step: 3, From: 1,
			Echo: [][]byte{make([]byte, 32), bytes.Repeat([]byte{2}, 32)}}
	}
	batch := base()
	for i := 0; i < 3; i++ {
		batch.Envelopes = append(batch.Envelopes,
			ceremony.Envelope{Kind: ceremony.EnvTSS, Index: i, To: ceremony.Broadcast, Payload: []byte{byte(i)}},
			ceremony.Envelope{Kind: ceremony.EnvTSS, Index: i, To: 0, Payload: []byte{0, byte(i)}},
			ceremony.Envelope{Kind: ceremony.EnvTSS, Index: i, To: 2, Payload: []byte{2, byte(i)}})
	}
	write("FuzzDecodePacket", "valid-batch", sign(batch), 3, uint8(1))
	empty := base()
	empty.Echo = nil
	write("FuzzDecodePacket", "valid-empty", sign(empty), 3, uint8(1))
	dup := base()
	dup.Envelopes = []ceremony.Envelope{{To: ceremony.Broadcast}, {To: ceremony.Broadcast, Payload: []byte("2")}}
	write("FuzzDecodePacket", "invalid-duplicate-envelope", sign(dup), 3, uint8(1))
	toSelf := base()
	toSelf.Envelopes = []ceremony.Envelope{{To: 1}}
	write("FuzzDecodePacket", "invalid-to-itself", sign(toSelf), 3, uint8(1))
	toNobody := base()
	toNobody.Envelopes = []ceremony.Envelope{{To: n}}
	write("FuzzDecodePacket", "invalid-to-nobody", sign(toNobody), 3, uint8(1))
	toNeg := base()
	toNeg.Envelopes = []ceremony.Envelope{{To: -2}}
	write("FuzzDecodePacket", "invalid-to-negative", sign(toNeg), 3, uint8(1))
	oldVersion := base()
	oldVersion.Version = ceremony.PacketVersion - 1
	write("FuzzDecodePacket", "invalid-old-version", sign(oldVersion), 3, uint8(1))
	// Signed by bob, in a ceremony of the same stations with another session.
	otherCeremony := *plan
	otherCeremony.Session = strings.Repeat("ee", 16)
	ofOther := base()
	ofOther.Sign(ids[1], otherCeremony.Fingerprint())
	write("FuzzDecodePacket", "invalid-other-ceremony", ofOther.Encode(), 3, uint8(1))
	outsider := base()
	outsider.From = 7
	outsider.Sign(ids[1], fp)
	write("FuzzDecodePacket", "invalid-unknown-sender", outsider.Encode(), 3, uint8(1))
	wrongKey := base()
	wrongKey.Sign(ids[2], fp)
	write("FuzzDecodePacket", "invalid-signed-by-another", wrongKey.Encode(), 3, uint8(1))
	otherPlan := base()
	otherPlan.Sign(ids[1], sha256.Sum256([]byte("another plan")))
	write("FuzzDecodePacket", "invalid-signed-for-another-plan", otherPlan.Encode(), 3, uint8(1))
	write("FuzzDecodePacket", "invalid-replayed-step", raw, 3, uint8(1))
	write("FuzzDecodePacket", "invalid-stored-as-another", raw, 2, uint8(2))
	write("FuzzDecodePacket", "invalid-truncated", raw[:len(raw)/2], 2, uint8(1))
	write("FuzzDecodePacket", "invalid-truncated-signature", raw[:len(raw)-1], 2, uint8(1))
	garbled := append([]byte(nil), raw...)
	for i := 7; i < len(garbled); i += 97 {
		garbled[i] ^= 0x21
	}
	write("FuzzDecodePacket", "invalid-garbled", garbled, 2, uint8(1))
	flipped := append([]byte(nil), raw...)
	flipped[len(flipped)-1] ^= 1
	write("FuzzDecodePacket", "invalid-flipped-signature", flipped, 2, uint8(1))
	// The version as a two-byte CBOR integer: the same values, not canonical.
	write("FuzzDecodePacket", "invalid-not-canonical", append([]byte{raw[0], 0x18, raw[1]}, raw[2:]...), 2, uint8(1))
	write("FuzzDecodePacket", "invalid-trailing-byte", append(append([]byte(nil), raw...), 0), 2, uint8(1))
	write("FuzzDecodePacket", "invalid-empty", []byte{}, 1, uint8(0))
	write("FuzzDecodePacket", "invalid-text", []byte("hello"), 1, uint8(0))
	write("FuzzDecodePacket", "invalid-cbor-map", []byte{0xa1, 0x61, 'a', 0x01}, 1, uint8(0))
	write("FuzzDecodePacket", "invalid-cbor-nulls", []byte{0x86, 0xf6, 0xf6, 0xf6, 0xf6, 0xf6, 0xf6}, 1, uint8(0))
	write("FuzzDecodePacket", "invalid-deep-nesting", bytes.Repeat([]byte{0x81}, 40), 1, uint8(0))
	write("FuzzDecodePacket", "invalid-huge-array", []byte{0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 1, uint8(0))

	// Plans.
	cards := cardsOf(ids)
	planJSON := func(p *ceremony.Plan) []byte {
		if err := p.Validate(); err != nil {
			t.Fatalf("seed plan: %v", err)
		}
		return p.Marshal()
	}
	write("FuzzParsePlan", "valid-keygen-ed25519", planJSON(plan))
	secp := *plan
	secp.Curve, secp.Threshold, secp.Label = ceremony.CurveSecp256k1, 3, "cold storage <&> \u00e9t\u00e9"
	write("FuzzParsePlan", "valid-keygen-secp256k1", planJSON(&secp))
	key := ceremony.PlanKey{ID: "0123456789abcdef", PublicKey: hex.EncodeToString(res[0].PublicKey), ChainCode: hex.EncodeToString(res[0].ChainCode), Holders: plan.Names()}
	signEd := &ceremony.Plan{Format: ceremony.PlanFormat, Kind: ceremony.KindSign, Session: "5e55105e55105e55105e55105e551055",
		Created: plan.Created, Curve: ceremony.CurveEd25519, Threshold: 2, Stations: []ceremony.Card{cards[0], cards[2]}, Key: &key,
		Messages: []ceremony.SignRequest{{Data: hex.EncodeToString([]byte("hello")), Note: "a note"}, {Data: "00ff", Path: "m"}}}
	write("FuzzParsePlan", "valid-sign-ed25519", planJSON(signEd))
	// A secp256k1 key: the generator point, with derivation paths and a payload.
	secpKey := ceremony.PlanKey{ID: "fedcba9876543210", PublicKey: "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
		ChainCode: strings.Repeat("42", 32), Holders: plan.Names()}
	signSecp := &ceremony.Plan{Format: ceremony.PlanFormat, Kind: ceremony.KindSign, Session: "5ec95ec95ec95ec95ec95ec95ec95ec9",
		Created: plan.Created, Curve: ceremony.CurveSecp256k1, Threshold: 2, Stations: []ceremony.Card{cards[1], cards[2]}, Key: &secpKey,
		Messages: []ceremony.SignRequest{{Data: strings.Repeat("11", 32)}, {Data: strings.Repeat("22", 32), Path: "m/0/7"}, {Data: strings.Repeat("33", 32), Path: "m/1/2147483647/5"}},
		Payload:  &ceremony.Payload{Type: "bitcoin-psbt", Network: "regtest", Data: []byte("psbt\xff\x00 not a real one")}}
	write("FuzzParsePlan", "valid-sign-secp256k1-payload", planJSON(signSecp))

	mutate := func(name string, p *ceremony.Plan, change func(p *ceremony.Plan)) {
		c := *p
		c.Stations = append([]ceremony.Card(nil), p.Stations...)
		c.Messages = append([]ceremony.SignRequest(nil), p.Messages...)
		change(&c)
		b := c.Marshal()
		if _, err := ceremony.ParsePlan(b); err == nil {
			t.Fatalf("seed %s is accepted", name)
		}
		write("FuzzParsePlan", "invalid-"+name, b)
	}
	mutate("threshold-too-high", plan, func(p *ceremony.Plan) { p.Threshold = 4 })
	mutate("one-station", plan, func(p *ceremony.Plan) { p.Stations = p.Stations[:1] })
	mutate("station-twice", plan, func(p *ceremony.Plan) { p.Stations[2] = p.Stations[0] })
	mutate("card-renamed", plan, func(p *ceremony.Plan) { p.Stations[1].Name = "mallory" })
	mutate("unknown-kind", plan, func(p *ceremony.Plan) { p.Kind = "reshare" })
	mutate("unknown-curve", plan, func(p *ceremony.Plan) { p.Curve = "p256" })
	mutate("short-session", plan, func(p *ceremony.Plan) { p.Session = p.Session[:30] })
	mutate("keygen-with-key", plan, func(p *ceremony.Plan) { p.Key = &key })
	mutate("signer-not-holder", signEd, func(p *ceremony.Plan) {
		k := key
		k.Holders = []string{"alice", "bob"}
		p.Key = &k
	})
	mutate("no-messages", signEd, func(p *ceremony.Plan) { p.Messages = nil })
	mutate("hardened-path", signSecp, func(p *ceremony.Plan) { p.Messages[1].Path = "m/0'/7" })
	mutate("digest-too-short", signSecp, func(p *ceremony.Plan) { p.Messages[0].Data = "1111" })
	mutate("payload-without-type", signSecp, func(p *ceremony.Plan) {
		p.Payload = &ceremony.Payload{Data: []byte("x")}
	})
	valid := planJSON(signSecp)
	write("FuzzParsePlan", "invalid-truncated", valid[:len(valid)/2])
	write("FuzzParsePlan", "invalid-not-json", []byte("format: coldtss-plan/1\n"))
	write("FuzzParsePlan", "invalid-empty-object", []byte("{}"))
	write("FuzzParsePlan", "invalid-null", []byte("null"))

	// Cards.
	for _, id := range ids {
		write("FuzzParseCard", "valid-"+id.Name, fuzzCardJSON(id.Card()))
	}
	compact, _ := json.Marshal(ids[0].Card())
	write("FuzzParseCard", "valid-compact", compact)
	badCard := func(name string, change func(c *ceremony.Card)) {
		c := ids[1].Card()
		change(&c)
		b := fuzzCardJSON(c)
		if _, err := ceremony.ParseCard(b); err == nil {
			t.Fatalf("card seed %s is accepted", name)
		}
		write("FuzzParseCard", "invalid-"+name, b)
	}
	badCard("renamed", func(c *ceremony.Card) { c.Name = "mallory" })
	badCard("bad-name", func(c *ceremony.Card) { c.Name = "Bob" })
	badCard("other-seal-key", func(c *ceremony.Card) { c.SealKey = ids[0].Card().SealKey })
	badCard("short-sign-key", func(c *ceremony.Card) { c.SignKey = c.SignKey[:62] })
	badCard("seal-key-not-hex", func(c *ceremony.Card) { c.SealKey = "zz" + c.SealKey[2:] })
	badCard("signature-cut", func(c *ceremony.Card) { c.Signature = c.Signature[:100] })
	badCard("other-format", func(c *ceremony.Card) { c.Format = "coldtss-card/2" })
	badCard("redated", func(c *ceremony.Card) { c.Created = "2030-01-01T00:00:00Z" })
	full := fuzzCardJSON(ids[2].Card())
	write("FuzzParseCard", "invalid-truncated", full[:len(full)-20])
	write("FuzzParseCard", "invalid-empty-object", []byte("{}"))
	write("FuzzParseCard", "invalid-array", []byte("[1,2]"))
}
