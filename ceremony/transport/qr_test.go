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
