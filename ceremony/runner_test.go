package ceremony_test

import (
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/ceremonytest"
)

// identities makes n stations, st0 to st(n-1).
func identities(t *testing.T, n int) ([]*ceremony.Identity, []ceremony.Card) {
	var names []string
	for i := 0; i < n; i++ {
		names = append(names, fmt.Sprintf("st%d", i))
	}
	return ceremonytest.Identities(t, names...)
}

// runAll runs a ceremony with every station in-process (ceremonytest.Run).
func runAll(t *testing.T, plan *ceremony.Plan, ids []*ceremony.Identity, setup func(i int, r *ceremony.Runner)) []*ceremony.Result {
	t.Helper()
	return ceremonytest.Run(t, plan, ids, setup)
}

func TestEdDSAKeygenAndSignInProcess(t *testing.T) {
	ids, cards := identities(t, 3)
	plan, err := ceremony.NewKeygenPlan(cards, 2, ceremony.CurveEd25519, "t")
	if err != nil {
		t.Fatal(err)
	}
	res := runAll(t, plan, ids, nil)
	for _, r := range res[1:] {
		if hex.EncodeToString(r.PublicKey) != hex.EncodeToString(res[0].PublicKey) {
			t.Fatal("public keys differ")
		}
	}
	if err := res[0].Transcript.Verify(); err != nil {
		t.Fatal(err)
	}
	key := ceremony.PlanKey{ID: "0123456789abcdef", PublicKey: hex.EncodeToString(res[0].PublicKey), ChainCode: hex.EncodeToString(res[0].ChainCode), Holders: plan.Names()}
	msgs := []ceremony.SignRequest{{Data: hex.EncodeToString([]byte("hello"))}, {Data: "00ff"}}
	sp, err := ceremony.NewSignPlan(key, ceremony.CurveEd25519, 2, []ceremony.Card{cards[0], cards[2]}, msgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	signers := []*ceremony.Identity{ids[0], ids[2]}
	shares := [][]byte{res[0].Share, res[2].Share}
	sres := runAll(t, sp, signers, func(i int, r *ceremony.Runner) { r.Share = shares[i] })
	if err := sres[0].Transcript.Verify(); err != nil {
		t.Fatal(err)
	}
	t.Logf("signatures: %d", len(sres[0].Signatures))
}

// preParams returns n of the test-only pre-parameter sets in testdata
// (public: made once, so that tests need not search for safe primes).
func preParams(t testing.TB, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = ceremonytest.PreParams(t, i)
	}
	return out
}

func TestECDSAKeygenAndBatchSignInProcess(t *testing.T) {
	ids, cards := identities(t, 3)
	pps := preParams(t, 3)
	plan, err := ceremony.NewKeygenPlan(cards, 2, ceremony.CurveSecp256k1, "t")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res := runAll(t, plan, ids, func(i int, r *ceremony.Runner) { r.PreParams = pps[i] })
	t.Logf("keygen %s", time.Since(start))
	if err := res[0].Transcript.Verify(); err != nil {
		t.Fatal(err)
	}
	key := ceremony.PlanKey{ID: "0123456789abcdef", PublicKey: hex.EncodeToString(res[0].PublicKey), ChainCode: hex.EncodeToString(res[0].ChainCode), Holders: plan.Names()}
	var msgs []ceremony.SignRequest
	for i := 0; i < 3; i++ {
		d := make([]byte, 32)
		d[0], d[31] = byte(i), 7
		msgs = append(msgs, ceremony.SignRequest{Data: hex.EncodeToString(d), Path: fmt.Sprintf("m/0/%d", i)})
	}
	msgs[0].Path = ""
	sp, err := ceremony.NewSignPlan(key, ceremony.CurveSecp256k1, 2, []ceremony.Card{cards[1], cards[2]}, msgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	shares := [][]byte{res[1].Share, res[2].Share}
	start = time.Now()
	sres := runAll(t, sp, []*ceremony.Identity{ids[1], ids[2]}, func(i int, r *ceremony.Runner) { r.Share = shares[i] })
	t.Logf("sign %s", time.Since(start))
	if err := sres[0].Transcript.Verify(); err != nil {
		t.Fatal(err)
	}
}
