package ceremony_test

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/transport"
)

// heldKey is a key as the tests hold it: the plan key and every holder's
// share by name.
type heldKey struct {
	curve     string
	key       ceremony.PlanKey
	threshold int
	shares    map[string][]byte
}

func keygen(t *testing.T, ids []*ceremony.Identity, cards []ceremony.Card, threshold int, curve string) heldKey {
	t.Helper()
	plan, err := ceremony.NewKeygenPlan(cards, threshold, curve, "t")
	if err != nil {
		t.Fatal(err)
	}
	pps := map[string][]byte{}
	if curve == ceremony.CurveSecp256k1 {
		for i, pp := range preParams(t, len(ids)) {
			pps[ids[i].Name] = pp
		}
	}
	res := runAll(t, plan, ids, func(i int, r *ceremony.Runner) { r.PreParams = pps[ids[i].Name] })
	h := heldKey{curve: curve, threshold: threshold, shares: map[string][]byte{},
		key: ceremony.PlanKey{ID: "0123456789abcdef", PublicKey: hex.EncodeToString(res[0].PublicKey), ChainCode: hex.EncodeToString(res[0].ChainCode),
			Holders: plan.Names(), Epoch: 1, Committee: "00000000000000e1"}}
	for i, id := range ids {
		h.shares[id.Name] = res[i].Share
	}
	return h
}

// reshare runs a resharing of h from the old stations to the new ones and
// returns the key as the new committee holds it. Pre-parameter sets are
// handed to the new committee's stations in order.
func reshare(t *testing.T, h heldKey, all []*ceremony.Identity, old, next []string, threshold int) (heldKey, []*ceremony.Result) {
	t.Helper()
	byName := map[string]*ceremony.Identity{}
	for _, id := range all {
		byName[id.Name] = id
	}
	var oldCards, newCards []ceremony.Card
	for _, n := range old {
		oldCards = append(oldCards, byName[n].Card())
	}
	for _, n := range next {
		newCards = append(newCards, byName[n].Card())
	}
	plan, err := ceremony.NewResharePlan(h.key, h.curve, h.threshold, oldCards, newCards, threshold, "")
	if err != nil {
		t.Fatal(err)
	}
	var ids []*ceremony.Identity
	for _, n := range plan.Names() {
		ids = append(ids, byName[n])
	}
	pps := map[string][]byte{}
	if h.curve == ceremony.CurveSecp256k1 {
		for i, pp := range preParams(t, len(next)) {
			pps[plan.Reshare.New[i]] = pp
		}
	}
	start := time.Now()
	res := runAll(t, plan, ids, func(i int, r *ceremony.Runner) {
		r.PreParams = pps[ids[i].Name]
		for _, n := range old {
			if n == ids[i].Name {
				r.Share = h.shares[n]
			}
		}
	})
	t.Logf("reshare %s %v -> %v (%d-of-%d): %s", h.curve, old, next, threshold, len(next), time.Since(start))
	// Anyone can check the resharing's transcript: the same key, confirmed
	// by every station of both committees; an altered key is refused.
	if err := res[0].Transcript.Verify(); err != nil {
		t.Fatalf("resharing transcript: %v", err)
	}
	forged := *res[0].Transcript
	forged.Results = append([]string{strings.Repeat("03", 33)}, forged.Results[1:]...)
	if err := forged.Verify(); err == nil {
		t.Fatal("a resharing transcript claiming another key verified")
	}
	out := heldKey{curve: h.curve, threshold: threshold, shares: map[string][]byte{}, key: h.key}
	out.key.Holders, out.key.Epoch, out.key.Committee = plan.Reshare.New, h.key.Epoch+1, fmt.Sprintf("%016x", h.key.Epoch+1)
	for i, id := range ids {
		r := res[i]
		if err := r.Transcript.Verify(); err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(r.PublicKey) != h.key.PublicKey || hex.EncodeToString(r.ChainCode) != h.key.ChainCode {
			t.Fatalf("%s: the resharing changed the public key or chain code", id.Name)
		}
		if len(r.Saved) != len(ids) {
			t.Fatalf("%s: %d saved acknowledgements, want %d", id.Name, len(r.Saved), len(ids))
		}
		inNew := strings.Contains(" "+strings.Join(next, " ")+" ", " "+id.Name+" ")
		if inNew != (r.Share != nil) {
			t.Fatalf("%s: in the new committee %v, but got a share: %v", id.Name, inNew, r.Share != nil)
		}
		if inNew {
			out.shares[id.Name] = r.Share
		}
	}
	return out, res
}

// sign signs one message with the named holders of h and checks the
// signature under the key's public key.
func sign(t *testing.T, h heldKey, all []*ceremony.Identity, signers ...string) error {
	t.Helper()
	byName := map[string]*ceremony.Identity{}
	for _, id := range all {
		byName[id.Name] = id
	}
	var cards []ceremony.Card
	for _, n := range signers {
		cards = append(cards, byName[n].Card())
	}
	msg := ceremony.SignRequest{Data: hex.EncodeToString([]byte("pay the builder"))}
	if h.curve == ceremony.CurveSecp256k1 {
		msg.Data = strings.Repeat("2a", 32)
	}
	plan, err := ceremony.NewSignPlan(h.key, h.curve, h.threshold, ceremony.SortedCards(cards), []ceremony.SignRequest{msg}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []*ceremony.Identity
	for _, n := range plan.Names() {
		ids = append(ids, byName[n])
	}
	res, errs := tryAll(plan, ids, func(i int, r *ceremony.Runner) { r.Share = h.shares[ids[i].Name] })
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// The signature verifies under the key's own public key (the
	// transcript check recomputes it from the plan).
	if err := res[0].Transcript.Verify(); err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(res[0].SigningKeys[0]); got != h.key.PublicKey {
		t.Fatalf("signed under %s, the key is %s", got, h.key.PublicKey)
	}
	return nil
}

// tryAll runs every station of a plan and returns what each got.
func tryAll(plan *ceremony.Plan, ids []*ceremony.Identity, setup func(i int, r *ceremony.Runner)) ([]*ceremony.Result, []error) {
	tr := transport.NewMemory()
	results := make([]*ceremony.Result, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		r := &ceremony.Runner{Plan: plan, ID: id, Transport: tr, Timeout: time.Minute, Poll: 5 * time.Millisecond,
			Save: func(*ceremony.Result) error { return nil }}
		setup(i, r)
		wg.Add(1)
		go func(i int, r *ceremony.Runner) {
			defer wg.Done()
			results[i], errs[i] = r.Run(context.Background())
		}(i, r)
	}
	wg.Wait()
	return results, errs
}

func names(ids []*ceremony.Identity) []string {
	var out []string
	for _, id := range ids {
		out = append(out, id.Name)
	}
	return out
}

// An ECDSA 2-of-3 key reshared to a committee where st3 replaces st2:
// the new committee signs with the new station under the same public key
// (hence the same addresses); st2's old share is refused in a plan of the
// new epoch, with the epoch said.
func TestECDSAReshareReplacesAStation(t *testing.T) {
	all, cards := identities(t, 4)
	h := keygen(t, all[:3], cards[:3], 2, ceremony.CurveSecp256k1)
	h2, _ := reshare(t, h, all, []string{"st0", "st1"}, []string{"st0", "st1", "st3"}, 2)
	start := time.Now()
	if err := sign(t, h2, all, "st0", "st3"); err != nil {
		t.Fatalf("signing with the new station: %v", err)
	}
	t.Logf("sign with the new station: %s", time.Since(start))
	stale := h2
	stale.shares = map[string][]byte{"st0": h2.shares["st0"], "st2": h.shares["st2"]}
	stale.key.Holders = []string{"st0", "st1", "st2", "st3"}
	err := sign(t, stale, all, "st0", "st2")
	var ee *ceremony.EpochError
	if !errors.As(err, &ee) || !strings.Contains(err.Error(), "share of key "+h.key.ID+" is of epoch 1, the plan is for epoch 2: the key was reshared") {
		t.Fatalf("an epoch-1 share in an epoch-2 signing: %v", err)
	}
}

// 2-of-3 to 3-of-5 (EdDSA for speed: the committee logic is the same for
// both curves): two old holders deal to five stations, three of which are
// new; three of the five sign.
func TestReshareTwoOfThreeToThreeOfFive(t *testing.T) {
	all, cards := identities(t, 6)
	h := keygen(t, all[:3], cards[:3], 2, ceremony.CurveEd25519)
	h2, _ := reshare(t, h, all, []string{"st1", "st2"}, []string{"st1", "st2", "st3", "st4", "st5"}, 3)
	if err := sign(t, h2, all, "st1", "st4", "st5"); err != nil {
		t.Fatal(err)
	}
	// Two of the five are no longer enough.
	if _, err := ceremony.NewSignPlan(h2.key, h2.curve, h2.threshold, []ceremony.Card{cards[3], cards[4]}, []ceremony.SignRequest{{Data: "00"}}, nil); err == nil {
		t.Fatal("a 2-signer plan for a 3-of-5 key")
	}
}

// A refresh of an EdDSA 2-of-3 key: same stations, new shares, same key;
// the new shares sign, and an old share is refused with the epoch said.
func TestEdDSARefresh(t *testing.T) {
	all, cards := identities(t, 3)
	h := keygen(t, all, cards, 2, ceremony.CurveEd25519)
	h2, _ := reshare(t, h, all, []string{"st0", "st1"}, names(all), 2)
	for n := range h.shares {
		if string(h.shares[n]) == string(h2.shares[n]) {
			t.Fatalf("%s's share did not change", n)
		}
	}
	if err := sign(t, h2, all, "st0", "st2"); err != nil {
		t.Fatal(err)
	}
	mixed := h2
	mixed.shares = map[string][]byte{"st0": h2.shares["st0"], "st1": h.shares["st1"]}
	err := sign(t, mixed, all, "st0", "st1")
	if err == nil || !strings.Contains(err.Error(), "share of key "+h.key.ID+" is of epoch 1, the plan is for epoch 2") {
		t.Fatalf("an old share in a signing after a refresh: %v", err)
	}
	// A plan of the old epoch is refused by a new share just as well.
	old := h
	old.shares = map[string][]byte{"st0": h2.shares["st0"], "st1": h.shares["st1"]}
	err = sign(t, old, all, "st0", "st1")
	if err == nil || !strings.Contains(err.Error(), "is of epoch 2, the plan is for epoch 1") {
		t.Fatalf("a new share in a plan of the old epoch: %v", err)
	}
}

// Committees that do not overlap at all, and a threshold raised to the
// whole new committee: every kind of overlap tss-lib sees is one of these
// (a station in both committees runs two parties, so tss-lib never sees a
// party in both).
func TestReshareToDisjointCommittee(t *testing.T) {
	all, cards := identities(t, 6)
	h := keygen(t, all[:3], cards[:3], 2, ceremony.CurveEd25519)
	h2, _ := reshare(t, h, all, []string{"st0", "st1", "st2"}, []string{"st3", "st4", "st5"}, 3)
	if err := sign(t, h2, all, "st3", "st4", "st5"); err != nil {
		t.Fatal(err)
	}
}

func TestResharePlanRefusals(t *testing.T) {
	ids, cards := identities(t, 4)
	key := ceremony.PlanKey{ID: "0123456789abcdef", PublicKey: strings.Repeat("02", 33), ChainCode: strings.Repeat("00", 32),
		Holders: []string{"st0", "st1", "st2"}, Epoch: 1, Committee: "00112233aabbccdd"}
	ok := func(old, next []ceremony.Card, thr int) error {
		_, err := ceremony.NewResharePlan(key, ceremony.CurveSecp256k1, 2, old, next, thr, "")
		return err
	}
	if err := ok(cards[:2], []ceremony.Card{cards[0], cards[1], cards[3]}, 2); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		old, next []ceremony.Card
		thr       int
		want      string
	}{
		{cards[:1], cards[:3], 2, "needs at least 2 of its holders in the old committee"},
		{[]ceremony.Card{cards[0], cards[3]}, cards[:3], 2, `station "st3" of the old committee does not hold a share`},
		{cards[:2], cards[:1], 2, "the new committee needs 2 to"},
		{cards[:2], cards[:3], 4, "new threshold 4 is not possible with 3 stations"},
		{cards[:2], cards[:3], 1, "new threshold 1 is not possible"},
		{cards[:2], []ceremony.Card{cards[0], cards[1], ids[3].Card(), renamed(t, "st1")}, 2, "has one card in the old committee and another in the new one"},
	} {
		if err := ok(c.old, c.next, c.thr); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("old %d, new %d, threshold %d: %v, want %q", len(c.old), len(c.next), c.thr, err, c.want)
		}
	}
	// A plan without the key's epoch and committee is refused.
	k := key
	k.Epoch = 0
	if _, err := ceremony.NewResharePlan(k, ceremony.CurveSecp256k1, 2, cards[:2], cards[:3], 2, ""); err == nil || !strings.Contains(err.Error(), "current epoch and committee") {
		t.Fatalf("a resharing plan without an epoch: %v", err)
	}
}

// renamed is a new identity under an existing station's name.
func renamed(t *testing.T, name string) ceremony.Card {
	id, err := ceremony.NewIdentity(name)
	if err != nil {
		t.Fatal(err)
	}
	return id.Card()
}
