package ceremony

// Attacks by a cheating station, played through the real runner: the
// cheater is a genuine station whose packets are signed with its own key,
// but whose runner is bent by a test hook. Each test fails on a runner
// without the defence it names.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bnb-chain/tss-lib/v3/crypto/commitments"
	ecdsasigning "github.com/bnb-chain/tss-lib/v3/ecdsa/signing"
	"github.com/bnb-chain/tss-lib/v3/tss"
)

// memTransport is an in-memory transport (package transport cannot be
// imported from here: it imports this package).
type memTransport struct {
	mu      sync.Mutex
	packets map[string][]byte
	notices map[string][]byte
	strays  map[int][]string
}

func newMem() *memTransport {
	return &memTransport{packets: map[string][]byte{}, notices: map[string][]byte{}, strays: map[int][]string{}}
}

func (m *memTransport) Put(_ context.Context, step int, station string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := fmt.Sprintf("%02d/%s", step, station)
	if _, ok := m.packets[k]; ok {
		return errors.New(k + " already written")
	}
	m.packets[k] = data
	return nil
}

func (m *memTransport) Get(step int, station string) ([]byte, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := fmt.Sprintf("%02d/%s", step, station)
	if b, ok := m.packets[k]; ok {
		return b, "mem:" + k, nil
	}
	return nil, "mem:" + k, ErrNotYet
}

func (m *memTransport) Strays(step int, _ []string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.strays[step]
}

func (m *memTransport) Abort(station string, notice []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.notices[station] = notice
	return nil
}

func (m *memTransport) Notices() []Notice {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Notice
	for st, b := range m.notices {
		out = append(out, Notice{Station: st, Where: "mem:abort-" + st, Data: b})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Station < out[j].Station })
	return out
}

func newIDs(t testing.TB, names ...string) ([]*Identity, []Card) {
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
	return ids, cards
}

// runStations runs one runner per identity on one transport and returns
// every station's result and error.
func runStations(t testing.TB, plan *Plan, ids []*Identity, tr Transport, setup func(i int, r *Runner)) ([]*Result, []error) {
	t.Helper()
	res := make([]*Result, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		r := &Runner{Plan: plan, ID: id, Transport: tr, Timeout: 20 * time.Second, Poll: 2 * time.Millisecond,
			Save: func(*Result) error { return nil }}
		if setup != nil {
			setup(i, r)
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			res[i], errs[i] = r.Run(context.Background())
		}(i)
	}
	wg.Wait()
	return res, errs
}

// culprit checks that err blames mallory at step for fragment: directly,
// or through the signed abort notice of the other honest station, which
// may have noticed first.
func culprit(t *testing.T, who string, err error, step int, fragment string) {
	t.Helper()
	var ab *AbortedError
	if errors.As(err, &ab) && ab.Station != "mallory" {
		want := fmt.Sprintf("ceremony stopped at step %d: station mallory misbehaved", step)
		if !strings.Contains(ab.Reason, want) || !strings.Contains(ab.Reason, fragment) {
			t.Fatalf("%s: relayed notice from %s does not blame mallory at step %d for %q: %v", who, ab.Station, step, fragment, err)
		}
		return
	}
	var ce *CulpritError
	if !errors.As(err, &ce) {
		t.Fatalf("%s: want a CulpritError, got %v", who, err)
	}
	if ce.Step != step || len(ce.Stations) != 1 || ce.Stations[0] != "mallory" || !strings.Contains(err.Error(), fragment) {
		t.Fatalf("%s: want mallory blamed at step %d for %q, got %v", who, step, fragment, err)
	}
}

// blamed checks both honest stations' errors, and that at least one of
// them found mallory out itself.
func blamed(t *testing.T, errs []error, step int, fragment string) {
	t.Helper()
	direct := 0
	for i, err := range errs {
		culprit(t, []string{"alice", "bob"}[i], err, step, fragment)
		var ce *CulpritError
		if errors.As(err, &ce) {
			direct++
		}
	}
	if direct == 0 {
		t.Fatal("no honest station detected the cheat itself")
	}
}

func eddsaKeygenPlan(t *testing.T) (*Plan, []*Identity) {
	ids, cards := newIDs(t, "alice", "bob", "mallory")
	plan, err := NewKeygenPlan(cards, 2, CurveEd25519, "")
	if err != nil {
		t.Fatal(err)
	}
	return plan, ids
}

// cheatKeygen runs an EdDSA 2-of-3 keygen in which mallory (plan index 2)
// is bent by hooks, and returns the errors of alice and bob.
func cheatKeygen(t *testing.T, hooks func(tr *memTransport) testHooks) []error {
	t.Helper()
	plan, ids := eddsaKeygenPlan(t)
	tr := newMem()
	_, errs := runStations(t, plan, ids, tr, func(i int, r *Runner) {
		if ids[i].Name == "mallory" {
			r.test = hooks(tr)
		}
	})
	return errs[:2]
}

func TestDeliveryIsTypedByStep(t *testing.T) {
	t.Run("a message of an earlier round", func(t *testing.T) {
		var round1 []Outgoing
		errs := cheatKeygen(t, func(*memTransport) testHooks {
			return testHooks{outgoing: func(step, _ int, outs []Outgoing) []Outgoing {
				if step == 1 {
					round1 = outs
				}
				if step == 2 {
					// A packet has one broadcast slot per party and step:
					// the round-1 message takes the place of round 2's.
					for i := range outs {
						if outs[i].To == nil {
							outs[i] = round1[0]
						}
					}
				}
				return outs
			}}
		})
		blamed(t, errs, 2, "KGRound1Message at step 2")
	})
	t.Run("a point-to-point message sent as broadcast", func(t *testing.T) {
		errs := cheatKeygen(t, func(*memTransport) testHooks {
			return testHooks{outgoing: func(step, _ int, outs []Outgoing) []Outgoing {
				if step == 2 {
					// The broadcast slot carries the point-to-point share
					// meant for alice, so bob sees it too.
					var keep []Outgoing
					for _, o := range outs {
						if o.To != nil {
							keep = append(keep, o)
						}
					}
					keep[0] = Outgoing{Payload: keep[0].Payload}
					return keep
				}
				return outs
			}}
		})
		blamed(t, errs, 2, "the protocol sends it point-to-point")
	})
	t.Run("a broadcast sent point-to-point", func(t *testing.T) {
		errs := cheatKeygen(t, func(*memTransport) testHooks {
			return testHooks{outgoing: func(step, _ int, outs []Outgoing) []Outgoing {
				if step == 1 {
					outs[0].To = []int{0, 1}
				}
				return outs
			}}
		})
		blamed(t, errs, 1, "the protocol sends it broadcast")
	})
	t.Run("a message left out", func(t *testing.T) {
		errs := cheatKeygen(t, func(*memTransport) testHooks {
			return testHooks{outgoing: func(step, _ int, outs []Outgoing) []Outgoing {
				if step == 2 {
					var keep []Outgoing
					for _, o := range outs {
						if o.To != nil {
							keep = append(keep, o)
						}
					}
					return keep
				}
				return outs
			}}
		})
		blamed(t, errs, 2, "lacks its binance.tsslib.eddsa.keygen.KGRound2Message2")
	})
	t.Run("garbage in place of a protocol message", func(t *testing.T) {
		errs := cheatKeygen(t, func(*memTransport) testHooks {
			return testHooks{outgoing: func(step, _ int, outs []Outgoing) []Outgoing {
				if step == 1 {
					outs[0].Payload = []byte("not protobuf at all, just words")
				}
				return outs
			}}
		})
		blamed(t, errs, 1, "does not parse")
	})
	t.Run("a type number this ceremony does not have", func(t *testing.T) {
		errs := cheatKeygen(t, func(*memTransport) testHooks {
			return testHooks{outgoing: func(step, _ int, outs []Outgoing) []Outgoing {
				if step == 1 {
					p := append([]byte(nil), outs[0].Payload...)
					p[0] = 3 // an EdDSA keygen has types 0 to 2
					outs[0].Payload = p
				}
				return outs
			}}
		})
		blamed(t, errs, 1, "type number 3; this ceremony has types 0 to 2")
	})
	t.Run("the step's type number on bytes that are not that message", func(t *testing.T) {
		errs := cheatKeygen(t, func(*memTransport) testHooks {
			return testHooks{outgoing: func(step, _ int, outs []Outgoing) []Outgoing {
				if step == 1 {
					outs[0].Payload = append([]byte{outs[0].Payload[0]}, "not protobuf at all, just words"...)
				}
				return outs
			}}
		})
		blamed(t, errs, 1, "does not parse (its binance.tsslib.eddsa.keygen.KGRound1Message")
	})
}

// views is a transport on which two processes run as mallory, each shown
// to one honest station: alice reads mallory's packets from "mallory-a",
// bob from "mallory-b" (a courier that equivocates for mallory).
type views struct {
	*memTransport
	label string            // whose packets this process writes
	read  map[string]string // station -> whose packets this process reads as that station's
	blind int               // from this step on, this process reads nothing (0: never)
}

func (v views) Put(ctx context.Context, step int, _ string, data []byte) error {
	return v.memTransport.Put(ctx, step, v.label, data)
}

func (v views) Get(step int, station string) ([]byte, string, error) {
	if l, ok := v.read[station]; ok {
		station = l
	}
	if v.blind > 0 && step >= v.blind {
		return nil, "mem:held", ErrNotYet
	}
	return v.memTransport.Get(step, station)
}

// The echo leaves out the sender's own packet, yet an equivocating station
// is still named: each honest station echoes the packet mallory showed it,
// and the other honest station sees that the echo differs from its own.
func TestEchoNamesTheEquivocatingStation(t *testing.T) {
	plan, ids := eddsaKeygenPlan(t)
	mem := newMem()
	procs := []struct {
		id *Identity
		tr views
	}{
		{ids[0], views{mem, "alice", map[string]string{"mallory": "mallory-a"}, 0}},
		{ids[1], views{mem, "bob", map[string]string{"mallory": "mallory-b"}, 0}},
		// The mallories never see step 2, so that the honest stations, not
		// a mallory finding its twin, are the ones that notice.
		{ids[2], views{mem, "mallory-a", nil, 2}},
		{ids[2], views{mem, "mallory-b", nil, 2}},
	}
	errs := make([]error, len(procs))
	var wg sync.WaitGroup
	for i, p := range procs {
		r := &Runner{Plan: plan, ID: p.id, Transport: p.tr, Timeout: 20 * time.Second, Poll: 2 * time.Millisecond,
			Save: func(*Result) error { return nil }}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = r.Run(context.Background())
		}()
	}
	wg.Wait()
	blamed(t, errs[:2], 2, "mallory showed different step-1 packets to this station and to")
	for _, err := range errs[2:] {
		if err == nil {
			t.Fatal("an equivocating mallory finished the ceremony")
		}
	}
}

func TestCheatingStationIsNamed(t *testing.T) {
	t.Run("chain-code reveal does not match its commitment", func(t *testing.T) {
		errs := cheatKeygen(t, func(*memTransport) testHooks {
			return testHooks{envelopes: func(step int, envs []Envelope) []Envelope {
				for i := range envs {
					if envs[i].Kind == EnvChainReveal {
						envs[i].Payload = bytes.Repeat([]byte{7}, 32)
					}
				}
				return envs
			}}
		})
		blamed(t, errs, 2, "does not match its commitment")
	})
	t.Run("sealed payload does not open", func(t *testing.T) {
		errs := cheatKeygen(t, func(*memTransport) testHooks {
			return testHooks{envelopes: func(step int, envs []Envelope) []Envelope {
				for i := range envs {
					if step == 2 && envs[i].To == 1 {
						p := append([]byte(nil), envs[i].Payload...)
						p[len(p)-1] ^= 1
						envs[i].Payload = p
					}
				}
				return envs
			}}
		})
		culprit(t, "bob", errs[1], 2, "sealed message does not open")
	})
	t.Run("wrong confirmation signature", func(t *testing.T) {
		errs := cheatKeygen(t, func(*memTransport) testHooks {
			return testHooks{envelopes: func(step int, envs []Envelope) []Envelope {
				if step == 3 {
					envs[0].Payload = bytes.Repeat([]byte{1}, 64)
				}
				return envs
			}}
		})
		blamed(t, errs, 3, "confirmation does not match")
	})
}

// forgedNotice is an abort notice nobody signed, in carol's name.
func forgedNotice(plan *Plan, station string) []byte {
	fp := plan.Fingerprint()
	return []byte(fmt.Sprintf(`{"format":"coldtss-abort/1","plan":"%x","station":%q,"step":1,"reason":"\u001b[2J%s is stealing the key","signature":"00"}`, fp[:], station, station))
}

func TestAbortNotices(t *testing.T) {
	t.Run("an unsigned notice during the protocol stops stations, blaming nobody", func(t *testing.T) {
		plan, ids := eddsaKeygenPlan(t)
		tr := newMem()
		tr.notices["mallory"] = forgedNotice(plan, "mallory")
		_, errs := runStations(t, plan, ids, tr, nil)
		direct := 0
		for i, err := range errs[:2] {
			// Directly, or relayed by the other honest station's notice.
			var te *TamperError
			if errors.As(err, &te) {
				direct++
			}
			if !strings.Contains(err.Error(), "suspected tampering with the stick: mem:abort-mallory") || strings.Contains(err.Error(), "stealing") || strings.Contains(err.Error(), "misbehaved") {
				t.Fatalf("%s: want a tampering error naming the notice and blaming nobody, got %v", ids[i].Name, err)
			}
			var ce *CulpritError
			if errors.As(err, &ce) {
				t.Fatalf("%s: a forged notice blamed a station: %v", ids[i].Name, err)
			}
		}
		if direct == 0 {
			t.Fatal("no station noticed the forged notice itself")
		}
	})
	t.Run("after the protocol nothing unsigned stops a station", func(t *testing.T) {
		// The courier plants a forged notice and a stray packet while the
		// confirmations travel: every station must still end with the key
		// saved and every station's saved acknowledgement.
		plan, ids := eddsaKeygenPlan(t)
		tr := newMem()
		res, errs := runStations(t, plan, ids, tr, func(i int, r *Runner) {
			if i == 0 {
				r.test.envelopes = func(step int, envs []Envelope) []Envelope {
					if step == 3 {
						tr.mu.Lock()
						tr.notices["bob"] = forgedNotice(plan, "bob")
						tr.strays[3] = []string{"mem:03/eve"}
						tr.strays[4] = []string{"mem:04/eve"}
						tr.mu.Unlock()
					}
					return envs
				}
			}
		})
		for i, err := range errs {
			if err != nil {
				t.Fatalf("%s stopped on an unsigned file after the protocol: %v", ids[i].Name, err)
			}
			if len(res[i].Saved) != 3 {
				t.Fatalf("%s: %d saved acknowledgements", ids[i].Name, len(res[i].Saved))
			}
		}
	})
	t.Run("a signed notice stops the others and names its station", func(t *testing.T) {
		plan, ids := eddsaKeygenPlan(t)
		tr := newMem()
		_, errs := runStations(t, plan, ids, tr, func(i int, r *Runner) {
			if i == 2 {
				r.Timeout = time.Second
				r.test.envelopes = func(step int, envs []Envelope) []Envelope {
					if step == 2 {
						tr.Abort("mallory", newAbortNotice(plan, ids[2], 2, "operator pressed Ctrl-C \x1b[8m"))
					}
					return envs
				}
			}
		})
		for _, err := range errs[:2] {
			var ab *AbortedError
			if !errors.As(err, &ab) || ab.Station != "mallory" || strings.Contains(err.Error(), "\x1b") || !strings.Contains(err.Error(), `\x1b[8m`) {
				t.Fatalf("want mallory's escaped notice, got %v", err)
			}
		}
	})
	t.Run("a notice of another plan or a renamed notice is tampering", func(t *testing.T) {
		plan, ids := eddsaKeygenPlan(t)
		other, _ := eddsaKeygenPlan(t)
		signed := newAbortNotice(plan, ids[2], 1, "x")
		for name, n := range map[string]Notice{
			"another plan": {Station: "mallory", Where: "f", Data: newAbortNotice(other, ids[2], 1, "x")},
			"renamed":      {Station: "bob", Where: "f", Data: signed},
			"oversized":    {Station: "mallory", Where: "f", Data: append(signed, make([]byte, MaxNoticeSize)...)},
		} {
			var te *TamperError
			if _, err := checkNotice(plan, n); !errors.As(err, &te) {
				t.Errorf("%s: %v", name, err)
			}
		}
		if a, err := checkNotice(plan, Notice{Station: "mallory", Where: "f", Data: signed}); err != nil || a.Station != "mallory" {
			t.Fatalf("a good notice: %v", err)
		}
		// A long reason is cut at a character boundary: an honest notice
		// must never look forged.
		for _, r := range []string{strings.Repeat("é", maxReason), "x" + strings.Repeat("日", maxReason), "bad \xff utf-8"} {
			long := newAbortNotice(plan, ids[2], 1, r)
			if _, err := checkNotice(plan, Notice{Station: "mallory", Where: "f", Data: long}); err != nil {
				t.Fatalf("an honest notice with a long or broken reason does not verify: %v", err)
			}
		}
	})
}

// --- ECDSA: a 2-of-3 key made once from the test-only pre-parameters.

var (
	ecdsaOnce  sync.Once
	ecdsaIDs   []*Identity
	ecdsaCards []Card
	ecdsaKeys  []*Result
)

func ecdsaKey(t *testing.T) {
	t.Helper()
	ecdsaOnce.Do(func() {
		ecdsaIDs, ecdsaCards = newIDs(t, "alice", "bob", "mallory")
		plan, err := NewKeygenPlan(ecdsaCards, 2, CurveSecp256k1, "")
		if err != nil {
			t.Fatal(err)
		}
		res, errs := runStations(t, plan, ecdsaIDs, newMem(), func(i int, r *Runner) {
			b, err := os.ReadFile(filepath.Join("testdata", "preparams", fmt.Sprintf("test-only-%d.json", i)))
			if err != nil {
				t.Fatal(err)
			}
			r.PreParams = b
			r.Timeout = 5 * time.Minute
		})
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		ecdsaKeys = res
	})
	if ecdsaKeys == nil {
		t.Fatal("the shared ECDSA key could not be made")
	}
}

// cheatSign runs an ECDSA signing by all three holders in which mallory is
// bent by hooks; it returns alice's and bob's errors.
func cheatSign(t *testing.T, hooks func(plan *Plan) testHooks) []error {
	t.Helper()
	ecdsaKey(t)
	k := ecdsaKeys[0]
	key := PlanKey{ID: "0123456789abcdef", PublicKey: hex.EncodeToString(k.PublicKey), ChainCode: hex.EncodeToString(k.ChainCode), Holders: []string{"alice", "bob", "mallory"}}
	plan, err := NewSignPlan(key, CurveSecp256k1, 2, ecdsaCards, []SignRequest{{Data: strings.Repeat("ab", 32), Path: "m/0/1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, errs := runStations(t, plan, ecdsaIDs, newMem(), func(i int, r *Runner) {
		r.Share = ecdsaKeys[i].Share
		r.Timeout = 2 * time.Minute
		if ecdsaIDs[i].Name == "mallory" {
			r.test = hooks(plan)
		}
	})
	return errs[:2]
}

// The review's GG18 attack: a signer sends at step 8, sealed to each honest
// station, a round-7 commitment that would overwrite the one it broadcast
// at step 7. tss-lib stores messages by sender and type, so without typed
// delivery the new commitment replaces the old one unseen by the echo.
func TestGG18CommitmentOverwriteRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("ECDSA signing")
	}
	var round7 []Outgoing
	errs := cheatSign(t, func(*Plan) testHooks {
		return testHooks{outgoing: func(step, _ int, outs []Outgoing) []Outgoing {
			if step == 7 {
				round7 = outs
			}
			if step == 8 {
				outs = append(outs, Outgoing{To: []int{0, 1}, Payload: round7[0].Payload})
			}
			return outs
		}}
	})
	blamed(t, errs, 8, "SignRound7Message at step 8")
}

// tss-lib's round 9 blames the local party when U != T, although the bad
// values came from another signer. coldtss must not blame itself; GG18
// cannot tell which other signer it was, so it says so.
func TestRound9FailureDoesNotBlameTheHonestStation(t *testing.T) {
	if testing.Short() {
		t.Skip("ECDSA signing")
	}
	var forged *commitments.HashCommitDecommit
	errs := cheatSign(t, func(plan *Plan) testHooks {
		_, byPlan, _ := partyIDs(plan)
		me := byPlan[2]
		// A commitment that opens correctly, to points unrelated to the
		// signing: every honest station's U = T check then fails.
		ec := tss.S256()
		var secrets []*big.Int
		for i := 0; i < 2; i++ {
			k, _ := rand.Int(rand.Reader, ec.Params().N)
			x, y := ec.ScalarBaseMult(k.Bytes())
			secrets = append(secrets, x, y)
		}
		forged = commitments.NewHashCommitment(rand.Reader, secrets...)
		types := typesFor(plan.Kind, plan.Curve)
		wire := func(m tss.ParsedMessage) []byte {
			b, err := types.encode(m)
			if err != nil {
				t.Error(err)
			}
			return b
		}
		return testHooks{outgoing: func(step, _ int, outs []Outgoing) []Outgoing {
			switch step {
			case 7:
				return []Outgoing{{Payload: wire(ecdsasigning.NewSignRound7Message(me, forged.C))}}
			case 8:
				return []Outgoing{{Payload: wire(ecdsasigning.NewSignRound8Message(me, forged.D))}}
			}
			return outs
		}}
	})
	direct := 0
	for i, err := range errs {
		self := []string{"alice", "bob"}[i]
		if strings.Contains(err.Error(), "misbehaved") || !strings.Contains(err.Error(), "U doesn't equal T") || !strings.Contains(err.Error(), "cannot tell which station") {
			t.Fatalf("%s: want U != T with the culprit unknown, got %v", self, err)
		}
		var ce *CulpritError
		if !errors.As(err, &ce) {
			continue // relayed by the other honest station's signed notice
		}
		direct++
		// Round 9 starts when step 8's messages are delivered.
		if ce.Step != 8 || len(ce.Stations) != 0 {
			t.Fatalf("%s: blamed %v at step %d for a check that failed on other stations' data: %v", self, ce.Stations, ce.Step, err)
		}
		want := []string{"alice", "bob", "mallory"}
		want = append(want[:i], want[i+1:]...)
		if strings.Join(ce.Suspects, ",") != strings.Join(want, ",") {
			t.Fatalf("%s: want suspects %v, got %v", self, want, err)
		}
	}
	if direct == 0 {
		t.Fatal("no honest station detected the failure itself")
	}
}

// damaging wraps a transport and returns a damaged copy of one station's
// packet of one step the first few times it is read, as if the courier had
// put a broken file on the stick and then the good one.
type damaging struct {
	Transport
	mu      sync.Mutex
	step    int
	station string
	left    int
}

func (d *damaging) Get(step int, station string) ([]byte, string, error) {
	b, where, err := d.Transport.Get(step, station)
	d.mu.Lock()
	defer d.mu.Unlock()
	if err == nil && step == d.step && station == d.station && d.left > 0 {
		d.left--
		bad := append([]byte(nil), b...)
		bad[len(bad)-1] ^= 1
		return bad, where, nil
	}
	return b, where, err
}

// After the protocol, a damaged packet on the stick is reported and waited
// past, never a reason to stop (which would leave a key pending).
func TestDamagedPacketAfterTheProtocolIsWaitedPast(t *testing.T) {
	plan, ids := eddsaKeygenPlan(t)
	saved := TotalSteps(plan.Kind, plan.Curve)
	tr := &damaging{Transport: newMem(), step: saved, station: "bob", left: 3}
	var mu sync.Mutex
	var warnings []string
	res, errs := runStations(t, plan, ids, tr, func(i int, r *Runner) {
		r.Progress = func(s Status) {
			if s.Warning != "" {
				mu.Lock()
				warnings = append(warnings, s.Warning)
				mu.Unlock()
			}
		}
	})
	for i, err := range errs {
		if err != nil || len(res[i].Saved) != 3 {
			t.Fatalf("%s: %v", ids[i].Name, err)
		}
	}
	if len(warnings) == 0 || !strings.Contains(warnings[0], "signature does not verify") || !strings.Contains(warnings[0], "waiting for a good one") {
		t.Fatalf("the damaged packet was not reported: %q", warnings)
	}
}

// After the protocol, only files nobody signed or that were damaged are
// waited past; a failure proven by a station's own signature (a culprit,
// an equivocation) still stops the station.
func TestOnlyUnsignedFilesAreWaitedPast(t *testing.T) {
	if !signedEvidence(&CulpritError{Stations: []string{"mallory"}}) || !signedEvidence(fmt.Errorf("x: %w", errEquivocation)) {
		t.Fatal("signed evidence not recognised")
	}
	if signedEvidence(&PacketError{Where: "f", Reason: "signature does not verify"}) || signedEvidence(&TamperError{Where: "f"}) || signedEvidence(errors.New("f: not a regular file")) {
		t.Fatal("an unsigned or damaged file counted as signed evidence")
	}
}
