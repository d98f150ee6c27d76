package transport_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/transport"
)

// qrRoom runs one ceremony over a simulated room: every station's runner
// on its own QR transport, and the world moving frames between the
// screens and cameras that face each other.
type qrRoom struct {
	Hub      string
	Drop     float64
	Fragment int
	Channel  func(from, to, part string) (string, bool)
}

type qrOutcome struct {
	results []*ceremony.Result
	world   *transport.QRWorld
	qrs     []*transport.QR
}

func (room qrRoom) run(t *testing.T, plan *ceremony.Plan, ids []*ceremony.Identity, setup func(i int, r *ceremony.Runner)) qrOutcome {
	t.Helper()
	w := &transport.QRWorld{Stations: map[string]*transport.QR{}, Drop: room.Drop, Seed: 1, Channel: room.Channel}
	var qrs []*transport.QR
	for _, id := range ids {
		q, err := transport.NewQR(transport.QROptions{Session: plan.SessionBytes(), Self: id.Name, Stations: plan.Names(), Hub: room.Hub, Fragment: room.Fragment})
		if err != nil {
			t.Fatal(err)
		}
		w.Stations[id.Name] = q
		qrs = append(qrs, q)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	worldDone := make(chan struct{})
	go func() { w.Run(ctx, 100*time.Microsecond); close(worldDone) }()
	results := make([]*ceremony.Result, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		r := &ceremony.Runner{Plan: plan, ID: id, Transport: qrs[i], Timeout: 5 * time.Minute, Poll: 5 * time.Millisecond,
			Save: func(*ceremony.Result) error { return nil }}
		if setup != nil {
			setup(i, r)
		}
		wg.Add(1)
		go func(i int, r *ceremony.Runner) {
			defer wg.Done()
			results[i], errs[i] = r.Run(ctx)
			if errs[i] != nil {
				return
			}
			qrs[i].Finish()
			for !qrs[i].CanLeave() && ctx.Err() == nil {
				time.Sleep(2 * time.Millisecond)
			}
		}(i, r)
	}
	wg.Wait()
	cancel()
	<-worldDone
	for i, err := range errs {
		if err != nil {
			t.Fatalf("%s: %v", ids[i].Name, err)
		}
	}
	for i, q := range qrs {
		if !q.CanLeave() {
			t.Fatalf("%s never learnt that every station finished", ids[i].Name)
		}
	}
	return qrOutcome{results, w, qrs}
}

func qrIdentities(t *testing.T, names ...string) ([]*ceremony.Identity, []ceremony.Card) {
	var ids []*ceremony.Identity
	var cards []ceremony.Card
	for _, n := range names {
		id, err := ceremony.NewIdentity(n)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		cards = append(cards, id.Card())
	}
	return ids, cards
}

func testPreParams(t testing.TB, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "preparams", fmt.Sprintf("test-only-%d.json", i)))
		if err != nil {
			t.Fatal(err)
		}
		out[i] = b
	}
	return out
}

// TestQRHubEdDSA: three stations, a hub relaying, a third of the frames
// lost; then two of them sign face to face.
func TestQRHubEdDSA(t *testing.T) {
	ids, cards := qrIdentities(t, "alice", "bob", "carol")
	plan, err := ceremony.NewKeygenPlan(cards, 2, ceremony.CurveEd25519, "qr")
	if err != nil {
		t.Fatal(err)
	}
	out := qrRoom{Hub: "alice", Drop: 0.3, Fragment: 200}.run(t, plan, ids, nil)
	res := out.results
	for _, r := range res[1:] {
		if hex.EncodeToString(r.PublicKey) != hex.EncodeToString(res[0].PublicKey) {
			t.Fatal("public keys differ")
		}
	}
	hub := out.qrs[0].Stats()
	t.Logf("keygen: %d ticks, hub turned %d times", out.world.Ticks(), hub.FaceOffs)
	if total := ceremony.TotalSteps(ceremony.KindKeygen, ceremony.CurveEd25519); hub.FaceOffs > total+3 {
		t.Errorf("the hub turned %d times for %d steps: more than one turn a step", hub.FaceOffs, total)
	}
	key := ceremony.PlanKey{ID: "0123456789abcdef", PublicKey: hex.EncodeToString(res[0].PublicKey), ChainCode: hex.EncodeToString(res[0].ChainCode), Holders: plan.Names()}
	sp, err := ceremony.NewSignPlan(key, ceremony.CurveEd25519, 2, []ceremony.Card{cards[1], cards[2]},
		[]ceremony.SignRequest{{Data: hex.EncodeToString([]byte("hello"))}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	shares := [][]byte{res[1].Share, res[2].Share}
	sout := qrRoom{Drop: 0.3, Fragment: 200}.run(t, sp, []*ceremony.Identity{ids[1], ids[2]}, func(i int, r *ceremony.Runner) { r.Share = shares[i] })
	t.Logf("sign face to face: %d ticks", sout.world.Ticks())
}

// TestQRWorldPipelined: a pipelined world hands over what a camera read
// one tick later than a plain one, and with SkipHeld no part of a message
// the station already decoded reaches Channel.
func TestQRWorldPipelined(t *testing.T) {
	pkt := make([]byte, 3000)
	for i := range pkt {
		pkt[i] = byte(i * 7)
	}
	run := func(pipelined bool) (decodedAt int, w *transport.QRWorld, late int) {
		names := []string{"alice", "bob"}
		var mu sync.Mutex
		held := false // bob held alice's packet when the world called Channel
		w = &transport.QRWorld{Stations: map[string]*transport.QR{}, Pipelined: pipelined, SkipHeld: true,
			Channel: func(from, to, part string) (string, bool) {
				mu.Lock()
				defer mu.Unlock()
				if to == "bob" && held {
					late++
				}
				return part, true
			}}
		for _, n := range names {
			q, err := transport.NewQR(transport.QROptions{Session: []byte("0123456789abcdef"), Self: n, Stations: names, Fragment: 200})
			if err != nil {
				t.Fatal(err)
			}
			w.Stations[n] = q
		}
		if err := w.Stations["alice"].Put(context.Background(), 1, "alice", pkt); err != nil {
			t.Fatal(err)
		}
		part := w.Stations["alice"].Next()
		if w.Stations["bob"].Holds(part) {
			t.Fatal("bob holds alice's packet before seeing any of it")
		}
		for w.Ticks() < 200 {
			w.Tick()
			if _, _, err := w.Stations["bob"].Get(1, "alice"); err == nil && decodedAt == 0 {
				decodedAt = w.Ticks()
				mu.Lock()
				held = true
				mu.Unlock()
			}
			if decodedAt > 0 && w.Ticks() == decodedAt+10 {
				break
			}
		}
		w.Wait()
		if decodedAt == 0 {
			t.Fatalf("pipelined %v: bob did not decode a %d-byte packet in 200 ticks", pipelined, len(pkt))
		}
		if !w.Stations["bob"].Holds(part) {
			t.Fatal("bob decoded alice's packet but does not say he holds its parts")
		}
		return decodedAt, w, late
	}
	plain, pw, _ := run(false)
	piped, w, late := run(true)
	t.Logf("decoded at tick %d plain, %d pipelined; %d frames held back", plain, piped, w.Held())
	if piped != plain+1 {
		t.Errorf("the pipelined world decoded at tick %d, the plain one at %d: want exactly one tick later", piped, plain)
	}
	if late != 0 {
		t.Errorf("Channel was given %d parts for bob after he held the packet", late)
	}
	if w.Held() < 9 || pw.Held() < 9 {
		t.Errorf("%d and %d frames held back in the 10 ticks after bob decoded the packet, want at least 9 each", pw.Held(), w.Held())
	}
}
