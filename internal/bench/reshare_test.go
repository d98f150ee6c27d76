//go:build unix

package bench

// The resharing benchmark: a 2-of-3 secp256k1 key of alice, bob and carol
// (made by a coldtss keygen, not timed) reshared by alice and bob to alice,
// bob and dave, 2-of-3, with one `coldtss join` process per station over a
// USB folder, against the same resharing run by tss-lib's resharing
// parties wired by channels in one process (see doc.go).

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bnb-chain/tss-lib/v3/crypto"
	ecdsakeygen "github.com/bnb-chain/tss-lib/v3/ecdsa/keygen"
	ecdsaresharing "github.com/bnb-chain/tss-lib/v3/ecdsa/resharing"
	"github.com/bnb-chain/tss-lib/v3/tss"

	"github.com/coldtss/coldtss/backup/vault"
	"github.com/coldtss/coldtss/ceremony"
)

const (
	benchReshareTarget = 1.10
	benchReshareRounds = 4
	benchReshareReps   = 1 // per benchmark iteration; each needs a fresh key (a keygen, not timed)
	benchNewStation    = "dave"
)

// The committees, as indexes into the stations alice, bob, carol, dave:
// carol is replaced by dave.
var (
	benchReshareOld = []int{0, 1}
	benchReshareNew = []int{0, 1, 3}
)

// benchReshareSets says which test-only pre-parameter set each station's
// party takes: at the keygen (alice, bob, carol) and at the resharing, for
// the new committee's parties (alice, bob, dave). No station takes the same
// set twice, and the baseline's parties take the same sets as the stations.
var (
	benchKeygenSets  = []int{0, 1, 2}
	benchReshareSets = []int{3, 2, 0}
)

var (
	benchTestPPOnce sync.Once
	benchTestPPSets [][]byte
	benchTestPPErr  error
)

// benchTestPreParams reads the test-only pre-parameter sets of
// ceremony/testdata/preparams (public: for tests and benchmarks only).
func benchTestPreParams(b *testing.B) [][]byte {
	b.Helper()
	benchTestPPOnce.Do(func() {
		for i := range 4 {
			p, err := os.ReadFile(filepath.Join("..", "..", "ceremony", "testdata", "preparams", "test-only-"+strconv.Itoa(i)+".json"))
			if err != nil {
				benchTestPPErr = fmt.Errorf("%v: the test-only pre-parameters are part of the repository; restore ceremony/testdata/preparams", err)
				return
			}
			benchTestPPSets = append(benchTestPPSets, p)
		}
	})
	if benchTestPPErr != nil {
		b.Fatal(benchTestPPErr)
	}
	return benchTestPPSets
}

func benchPick(pps [][]byte, idx []int) [][]byte {
	out := make([][]byte, len(idx))
	for i, j := range idx {
		out[i] = pps[j]
	}
	return out
}

// benchAddStation creates one more station home with `coldtss init`.
func benchAddStation(b *testing.B, bin, work, name string) benchStation {
	b.Helper()
	st := benchStation{name: name, home: filepath.Join(work, name), pass: filepath.Join(work, name+".pass")}
	if err := os.WriteFile(st.pass, []byte("bench passphrase for "+name+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	if _, err := benchExec(bin, "init", "--name", name, "--home", st.home, "--passphrase-file", st.pass); err != nil {
		b.Fatal(err)
	}
	raw, err := vault.Home{Dir: st.home}.ReadCard()
	if err != nil {
		b.Fatal(err)
	}
	if st.card, err = ceremony.ParseCard(raw); err != nil {
		b.Fatal(err)
	}
	return st
}

// benchReshareOurs reshares key id (alice, bob, carol) from alice and bob
// to alice, bob and dave with one `coldtss join` per station, and checks
// that every station kept the key and holds a share of epoch 2.
func benchReshareOurs(b *testing.B, bin, work string, sts []benchStation, pps [][]byte, id, pub string, iter int) (benchProcs, []benchStep) {
	b.Helper()
	stick := filepath.Join(work, "stick")
	var committee []benchStation
	for _, i := range benchReshareNew {
		committee = append(committee, sts[i])
	}
	benchInstallPreParams(b, committee, benchPick(pps, benchReshareSets))
	args := []string{"reshare", "--home", sts[0].home, "--key", id}
	for _, i := range benchReshareOld {
		args = append(args, "--old", sts[i].name)
	}
	for _, i := range benchReshareNew {
		if i < len(benchNames) {
			args = append(args, "--new", sts[i].name)
		} else {
			args = append(args, "--card", vault.Home{Dir: sts[i].home}.CardPath())
		}
	}
	planPath := filepath.Join(stick, fmt.Sprintf("reshare-%d.json", iter))
	plan, pj := benchPlan(b, bin, planPath, args...)
	if len(plan.Stations) != len(committee) {
		b.Fatalf("the resharing plan has %d stations, want %d", len(plan.Stations), len(committee))
	}
	res := benchRunJoin(b, bin, planPath, stick, pj.Words, committee)
	var names []string
	for _, st := range committee {
		names = append(names, st.name)
	}
	for i, out := range res.outs {
		var k struct {
			ID        string   `json:"id"`
			PublicKey string   `json:"public_key"`
			Epoch     int      `json:"epoch"`
			Stations  []string `json:"stations"`
		}
		if err := json.Unmarshal(out, &k); err != nil {
			b.Fatal(err)
		}
		if k.ID != id || k.PublicKey != pub || k.Epoch != 2 || strings.Join(k.Stations, ",") != strings.Join(names, ",") {
			b.Fatalf("%s: key after the resharing: %s %s epoch %d stations %v, want %s %s epoch 2 stations %v", committee[i].name, k.ID, k.PublicKey, k.Epoch, k.Stations, id, pub, names)
		}
	}
	return res, benchStick(b, stick, plan)
}

// benchReshareWire is the baseline resharing's wire bytes per round: all
// of them, and those between stations (benchBaseline.wire): a station in
// both committees runs two tss-lib parties, whose messages to each other
// never leave it.
type benchReshareWire struct {
	all, between []int
}

// benchBaselineReshare reshares a baseline key with tss-lib alone: the old
// committee's parties (the keygen parties of the stations benchReshareOld)
// and one new party per station of benchReshareNew, each with its
// pre-parameter set, all in one process. A party's id is its station's
// name, so that messages between two parties of one station can be told.
func benchBaselineReshare(key *benchBaselineKey, pps [][]byte) (benchBaseline, benchReshareWire, error) {
	tss.SetCurve(tss.S256())
	var oldUn, newUn tss.UnSortedPartyIDs
	oldKey := map[string]int{}
	for _, i := range benchReshareOld {
		p := key.pids[i]
		oldUn = append(oldUn, tss.NewPartyID(p.Id, p.Moniker+"/old", p.KeyInt()))
		oldKey[p.Id] = i
	}
	names := append(append([]string(nil), benchNames...), benchNewStation)
	pre := map[string]ecdsakeygen.LocalPreParams{}
	for j, i := range benchReshareNew {
		var pp ecdsakeygen.LocalPreParams
		if err := json.Unmarshal(pps[benchReshareSets[j]], &pp); err != nil {
			return benchBaseline{}, benchReshareWire{}, err
		}
		pre[names[i]] = pp
		newUn = append(newUn, tss.NewPartyID(names[i], names[i]+"/new", benchNonce()))
	}
	oldPIDs, newPIDs := tss.SortPartyIDs(oldUn), tss.SortPartyIDs(newUn)
	oldCtx, newCtx := tss.NewPeerContext(oldPIDs), tss.NewPeerContext(newPIDs)
	// The old party zeroes the key data it was given: a deep copy each.
	oldKeys := make([]ecdsakeygen.LocalPartySaveData, len(oldPIDs))
	for j, pid := range oldPIDs {
		raw, err := json.Marshal(key.keys[oldKey[pid.Id]])
		if err != nil {
			return benchBaseline{}, benchReshareWire{}, err
		}
		if err := json.Unmarshal(raw, &oldKeys[j]); err != nil {
			return benchBaseline{}, benchReshareWire{}, err
		}
	}
	n := len(oldPIDs) + len(newPIDs)
	nonce := benchNonce()
	out := make(chan tss.Message, 8*n)
	end := make(chan *ecdsakeygen.LocalPartySaveData, n)

	cpu0 := benchCPU()
	start := time.Now()
	params := func(pid *tss.PartyID) *tss.ReSharingParameters {
		rp := tss.NewReSharingParameters(tss.S256(), oldCtx, newCtx, pid, len(oldPIDs), 1, len(newPIDs), 1)
		rp.SetSessionNonce(nonce)
		return rp
	}
	parties := map[string]tss.Party{} // by party key (hex)
	var newParties, oldParties []tss.Party
	for _, pid := range newPIDs {
		save := ecdsakeygen.NewLocalPartySaveData(len(newPIDs))
		save.LocalPreParams = pre[pid.Id]
		p := ecdsaresharing.NewLocalParty(params(pid), save, out, end)
		parties[hex.EncodeToString(pid.Key)] = p
		newParties = append(newParties, p)
	}
	for j, pid := range oldPIDs {
		p := ecdsaresharing.NewLocalParty(params(pid), oldKeys[j], out, end)
		parties[hex.EncodeToString(pid.Key)] = p
		oldParties = append(oldParties, p)
	}
	// The new parties first: they only wait.
	wire, saves, err := benchRouteReshare(append(newParties, oldParties...), parties, out, end)
	dur, cpu := time.Since(start), benchCPU()-cpu0
	if err != nil {
		return benchBaseline{}, benchReshareWire{}, err
	}

	want := key.keys[0].ECDSAPub
	got := 0
	for _, s := range saves {
		if s.Xi == nil {
			continue // an old party: its share is zeroed
		}
		got++
		if !s.ECDSAPub.Equals(want) {
			return benchBaseline{}, benchReshareWire{}, errors.New("tss-lib baseline: the resharing changed the public key")
		}
		j, err := s.OriginalIndex()
		if err != nil {
			return benchBaseline{}, benchReshareWire{}, err
		}
		if !crypto.ScalarBaseMult(tss.S256(), s.Xi).Equals(s.BigXj[j]) {
			return benchBaseline{}, benchReshareWire{}, errors.New("tss-lib baseline: a new share does not match its public share")
		}
	}
	if got != len(newPIDs) {
		return benchBaseline{}, benchReshareWire{}, fmt.Errorf("tss-lib baseline: %d new shares, want %d", got, len(newPIDs))
	}
	return benchBaseline{dur: dur, cpu: cpu, wire: wire.between}, wire, nil
}

// benchRouteReshare starts the parties and passes their messages, as
// serialized tss-lib wire bytes, to the parties they are addressed to
// (found by party key: the old and new committees' keys differ), until
// every party has ended. A broadcast counts once, a point-to-point message
// once per recipient; between stations only if it goes to a party of
// another station.
func benchRouteReshare(start []tss.Party, parties map[string]tss.Party, out <-chan tss.Message, end <-chan *ecdsakeygen.LocalPartySaveData) (benchReshareWire, []*ecdsakeygen.LocalPartySaveData, error) {
	wire := benchReshareWire{all: make([]int, benchReshareRounds), between: make([]int, benchReshareRounds)}
	errCh := make(chan *tss.Error, 16*len(parties))
	for _, p := range start {
		go func(p tss.Party) {
			if err := p.Start(); err != nil {
				errCh <- err
			}
		}(p)
	}
	var saves []*ecdsakeygen.LocalPartySaveData
	timeout := time.After(benchProcessTimeout)
	for len(saves) < len(parties) {
		select {
		case err := <-errCh:
			return wire, nil, err
		case s := <-end:
			saves = append(saves, s)
		case <-timeout:
			return wire, nil, errors.New("tss-lib baseline resharing timed out")
		case m := <-out:
			bz, routing, err := m.WireBytes()
			if err != nil {
				return wire, nil, err
			}
			sm := benchRoundRE.FindStringSubmatch(m.Type())
			if sm == nil {
				return wire, nil, fmt.Errorf("tss-lib message type %q names no round", m.Type())
			}
			r, _ := strconv.Atoi(sm[1])
			if r < 1 || r > benchReshareRounds {
				return wire, nil, fmt.Errorf("tss-lib message type %q: round %d of %d", m.Type(), r, benchReshareRounds)
			}
			from := routing.From
			if routing.IsBroadcast {
				wire.all[r-1] += len(bz)
			}
			crosses := false
			for _, to := range routing.To {
				if to.KeyInt().Cmp(from.KeyInt()) == 0 {
					continue // tss-lib's own tests never hand a party its own message
				}
				p, ok := parties[hex.EncodeToString(to.Key)]
				if !ok {
					return wire, nil, fmt.Errorf("tss-lib addressed a %s to no party", m.Type())
				}
				if !routing.IsBroadcast {
					wire.all[r-1] += len(bz)
					if to.Id != from.Id {
						wire.between[r-1] += len(bz)
					}
				}
				crosses = crosses || to.Id != from.Id
				go func() {
					if _, err := p.UpdateFromBytes(bz, from, routing.IsBroadcast); err != nil {
						errCh <- err
					}
				}()
			}
			if routing.IsBroadcast && crosses {
				wire.between[r-1] += len(bz)
			}
		}
	}
	return wire, saves, nil
}

// BenchmarkReshare2of3 compares resharing a 2-of-3 secp256k1 key to a new
// 2-of-3 committee that replaces one station.
func BenchmarkReshare2of3(b *testing.B) {
	bin := benchBuild(b)
	pps := benchTestPreParams(b)
	work := b.TempDir()
	sts := append(benchStations(b, bin, work), benchAddStation(b, bin, work, benchNewStation))
	_, baseKey, err := benchBaselineKeygen(benchPick(pps, benchKeygenSets))
	if err != nil {
		b.Fatal(err)
	}
	var reps []benchRep
	var wires []benchReshareWire
	b.ResetTimer()
	for range b.N {
		for range benchReshareReps {
			b.StopTimer()
			_, _, id := benchKeygenOurs(b, bin, work, sts[:len(benchNames)], benchPick(pps, benchKeygenSets), len(reps))
			pub := benchKeyPub(b, sts[0], id)
			b.StartTimer()
			load0, t0 := benchSampleLoad(), time.Now()
			base, wire, err := benchBaselineReshare(baseKey, pps)
			if err != nil {
				b.Fatal(err)
			}
			var committee []benchStation
			for _, i := range benchReshareNew {
				committee = append(committee, sts[i])
			}
			unlock := benchUnlock(b, bin, committee)
			ours, steps := benchReshareOurs(b, bin, work, sts, pps, id, pub, len(reps))
			reps = append(reps, benchRep{base: base, unlock: unlock, ours: ours, steps: steps, other: benchForeign(load0, benchSampleLoad(), time.Since(t0))})
			wires = append(wires, wire)
		}
	}
	b.StopTimer()
	benchReport(b, fmt.Sprintf("reshare 2-of-3 -> 2-of-3 secp256k1 (old: alice, bob; new: alice, bob, dave): %d coldtss join processes over usb:DIR (poll %s) vs tss-lib parties (%d old, %d new) in one process",
		len(benchReshareNew), benchPoll, len(benchReshareOld), len(benchReshareNew)), benchReshareTarget, reps)
	benchReportIntraStation(b, reps, wires)
}

// benchKeyPub reads a key's public key from a station's record.
func benchKeyPub(b *testing.B, st benchStation, id string) string {
	b.Helper()
	rec, err := vault.Home{Dir: st.home}.Key(id)
	if err != nil {
		b.Fatal(err)
	}
	return rec.PublicKey
}
