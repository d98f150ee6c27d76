//go:build unix

package bench

// The two benchmarks and what they share: the knobs and targets, the
// stations' names, and the pre-parameters (see doc.go for what is measured).

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/coldtss/coldtss/backup/vault"
	"github.com/coldtss/coldtss/ceremony"
)

// The knobs, and the targets the ratios are held to (see doc.go).
const (
	benchPoll           = "20ms"
	benchKeygenTarget   = 1.10
	benchSignTarget     = 1.5
	benchBytesTarget    = 1.05
	benchHPKEOverhead   = 32 + 16 // X25519 encapsulated key + ChaCha20-Poly1305 tag
	benchTypeNumber     = 1       // a TSS payload's type number, before the tss-lib message
	benchKeygenRounds   = 3
	benchSignRounds     = 9
	benchProcessTimeout = 10 * time.Minute
	benchKeygenReps     = 1 // per benchmark iteration; a keygen takes tens of seconds
	benchSignReps       = 3 // signing is short and noisy: medians of three
)

var benchNames = []string{"alice", "bob", "carol"}

// benchSigners are the signing stations (indexes into benchNames): 2 of 3.
var benchSigners = []int{0, 2}

// --- setup shared by the benchmarks (never timed)

var (
	benchPPOnce sync.Once
	benchPPSets [][]byte
	benchPPErr  error
)

// benchPreParams generates one pre-parameter set per station, once, in parallel.
func benchPreParams(b *testing.B) [][]byte {
	b.Helper()
	benchPPOnce.Do(func() {
		start := time.Now()
		fmt.Printf("bench: generating %d pre-parameter sets in parallel (once, not timed; from under a minute to a few minutes)...\n", len(benchNames))
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
		defer cancel()
		sets := make([][]byte, len(benchNames))
		errs := make([]error, len(sets))
		var wg sync.WaitGroup
		for i := range sets {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				sets[i], errs[i] = ceremony.GeneratePreParams(ctx)
			}(i)
		}
		wg.Wait()
		benchPPSets, benchPPErr = sets, errors.Join(errs...)
		fmt.Printf("bench: pre-parameters ready in %.1f s\n", time.Since(start).Seconds())
	})
	if benchPPErr != nil {
		b.Fatalf("pre-parameters: %v", benchPPErr)
	}
	return benchPPSets
}

// --- the benchmarks

// benchKeygenOurs runs one keygen with coldtss processes and returns the key id.
func benchKeygenOurs(b *testing.B, bin, work string, sts []benchStation, pps [][]byte, iter int) (benchProcs, []benchStep, string) {
	b.Helper()
	stick := filepath.Join(work, "stick")
	if err := os.MkdirAll(stick, 0o755); err != nil {
		b.Fatal(err)
	}
	benchInstallPreParams(b, sts, pps)
	args := []string{"keygen", "--threshold", "2", "--curve", ceremony.CurveSecp256k1, "--label", "bench"}
	for _, st := range sts {
		args = append(args, "--card", vault.Home{Dir: st.home}.CardPath())
	}
	planPath := filepath.Join(stick, fmt.Sprintf("keygen-%d.json", iter))
	plan, pj := benchPlan(b, bin, planPath, args...)
	res := benchRunJoin(b, bin, planPath, stick, pj.Words, sts)
	var id, pub string
	for i, out := range res.outs {
		var k struct {
			ID        string `json:"id"`
			PublicKey string `json:"public_key"`
		}
		if err := json.Unmarshal(out, &k); err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			id, pub = k.ID, k.PublicKey
		} else if k.ID != id || k.PublicKey != pub {
			b.Fatalf("stations disagree on the key: %s %s vs %s %s", id, pub, k.ID, k.PublicKey)
		}
	}
	return res, benchStick(b, stick, plan), id
}

// BenchmarkKeygen2of3 compares a 2-of-3 secp256k1 keygen.
func BenchmarkKeygen2of3(b *testing.B) {
	bin := benchBuild(b)
	pps := benchPreParams(b)
	work := b.TempDir()
	sts := benchStations(b, bin, work)
	var reps []benchRep
	b.ResetTimer()
	for range b.N {
		for range benchKeygenReps {
			load0, t0 := benchSampleLoad(), time.Now()
			base, key, err := benchBaselineKeygen(pps)
			if err != nil {
				b.Fatal(err)
			}
			benchKeysMu.Lock()
			if benchBaseKeys == nil {
				benchBaseKeys = key
			}
			benchKeysMu.Unlock()
			unlock := benchUnlock(b, bin, sts)
			ours, steps, _ := benchKeygenOurs(b, bin, work, sts, pps, len(reps))
			reps = append(reps, benchRep{base: base, unlock: unlock, ours: ours, steps: steps, other: benchForeign(load0, benchSampleLoad(), time.Since(t0))})
		}
	}
	b.StopTimer()
	benchReport(b, fmt.Sprintf("keygen 2-of-3 secp256k1: %d coldtss join processes over usb:DIR (poll %s) vs tss-lib parties in one process",
		len(sts), benchPoll), benchKeygenTarget, reps)
}

// BenchmarkSign2of3 compares signing one digest by 2 of the 3 holders.
func BenchmarkSign2of3(b *testing.B) {
	bin := benchBuild(b)
	pps := benchPreParams(b)
	work := b.TempDir()
	sts := benchStations(b, bin, work)
	baseKey := benchBaselineKeyFor(b, pps)
	_, _, keyID := benchKeygenOurs(b, bin, work, sts, pps, 0)
	var signers []benchStation
	for _, i := range benchSigners {
		signers = append(signers, sts[i])
	}
	stick := filepath.Join(work, "stick")
	var reps []benchRep
	b.ResetTimer()
	for range b.N {
		for range benchSignReps {
			digest := make([]byte, 32)
			if _, err := rand.Read(digest); err != nil {
				b.Fatal(err)
			}
			load0, t0 := benchSampleLoad(), time.Now()
			base, err := benchBaselineSign(baseKey, benchSigners, digest)
			if err != nil {
				b.Fatal(err)
			}
			args := []string{"sign", "--home", signers[0].home, "--key", keyID, "--digest", hex.EncodeToString(digest)}
			for _, st := range signers {
				args = append(args, "--signer", st.name)
			}
			planPath := filepath.Join(stick, fmt.Sprintf("sign-%d.json", len(reps)))
			plan, pj := benchPlan(b, bin, planPath, args...)
			unlock := benchUnlock(b, bin, signers)
			ours := benchRunJoin(b, bin, planPath, stick, pj.Words, signers)
			for k, out := range ours.outs {
				var sf benchSignatures
				if err := json.Unmarshal(out, &sf); err != nil || len(sf.Signatures) != 1 || sf.Signatures[0].Data != hex.EncodeToString(digest) {
					b.Fatalf("%s: unexpected signing output (%v):\n%s", signers[k].name, err, out)
				}
			}
			other := benchForeign(load0, benchSampleLoad(), time.Since(t0))
			reps = append(reps, benchRep{base: base, unlock: unlock, ours: ours, steps: benchStick(b, stick, plan), other: other})
		}
	}
	b.StopTimer()
	benchReport(b, fmt.Sprintf("sign 2-of-3 secp256k1, one digest: %d coldtss join processes over usb:DIR (poll %s) vs tss-lib parties in one process",
		len(signers), benchPoll), benchSignTarget, reps)
}
