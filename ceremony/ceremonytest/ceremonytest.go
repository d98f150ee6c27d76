// Package ceremonytest runs real ceremonies in one test process: every
// station a ceremony.Runner with its own identity, all over one memory
// transport, tss-lib doing the protocol. A secp256k1 keygen uses the
// test-only pre-parameters of ceremony/testdata (their secrets are public:
// for tests only), so it takes seconds, not minutes.
package ceremonytest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/transport"
)

// Identities makes a new station identity for each name, and their cards.
func Identities(t testing.TB, names ...string) ([]*ceremony.Identity, []ceremony.Card) {
	t.Helper()
	var ids []*ceremony.Identity
	var cards []ceremony.Card
	for _, n := range names {
		id, err := ceremony.NewIdentity(n)
		if err != nil {
			t.Fatal(err)
		}
		ids, cards = append(ids, id), append(cards, id.Card())
	}
	return ids, cards
}

// Run runs one ceremony of plan with every identity in-process (setup, when
// not nil, fills in a station's runner: its share, pre-parameters) and
// returns the results; it fails the test when a station fails.
func Run(t testing.TB, plan *ceremony.Plan, ids []*ceremony.Identity, setup func(i int, r *ceremony.Runner)) []*ceremony.Result {
	t.Helper()
	tr := transport.NewMemory()
	res := make([]*ceremony.Result, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		r := &ceremony.Runner{Plan: plan, ID: id, Transport: tr, Timeout: 5 * time.Minute, Poll: 5 * time.Millisecond,
			Save: func(*ceremony.Result) error { return nil }}
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
	for i, err := range errs {
		if err != nil {
			t.Fatalf("station %s: %v", ids[i].Name, err)
		}
	}
	return res
}

// Keygen runs a keygen of a threshold-of-len(names) key of curve among new
// stations of those names and returns its plan, the stations' identities
// and their results.
func Keygen(t testing.TB, curve string, threshold int, description string, names ...string) (*ceremony.Plan, []*ceremony.Identity, []*ceremony.Result) {
	t.Helper()
	ids, cards := Identities(t, names...)
	plan, err := ceremony.NewKeygenPlan(cards, threshold, curve, description)
	if err != nil {
		t.Fatal(err)
	}
	res := Run(t, plan, ids, func(i int, r *ceremony.Runner) {
		if curve == ceremony.CurveSecp256k1 {
			r.PreParams = PreParams(t, i)
		}
	})
	return plan, ids, res
}

// PreParams returns the i-th set of test-only ECDSA pre-parameters of
// ceremony/testdata/preparams.
func PreParams(t testing.TB, i int) []byte {
	t.Helper()
	name := filepath.Join("ceremony", "testdata", "preparams", fmt.Sprintf("test-only-%d.json", i))
	b, err := os.ReadFile(filepath.Join(moduleRoot(), name))
	if err != nil {
		t.Fatalf("%v: the test-only pre-parameters are part of the repository; restore %s", err, name)
	}
	return b
}

// moduleRoot is the repository's root: two folders above this file, or
// (in a build without source paths) the first folder above the test's
// working directory that holds go.mod.
func moduleRoot() string {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		return filepath.Join(filepath.Dir(file), "..", "..")
	}
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}
