//go:build unix

package main

// Benchmarks of real ceremonies: separate `coldtss join` processes passing
// packets through a folder (the USB transport), against the same tss-lib
// protocol run by plain tss-lib LocalParty objects wired together by
// channels in one process (no coldtss code at all: the honest baseline).
//
//	go test ./cmd/coldtss -run '^$' -bench . -benchtime 1x -timeout 30m
//
// Each benchmark prints a table and reports, with b.ReportMetric (medians
// over the repetitions for the ratios of time):
//
//	proto-ratio          coldtss protocol-only time / tss-lib time (the time target)
//	wall-ratio           coldtss whole-process wall time / tss-lib time
//	wall-unlock-ratio    (whole wall time - wall time of as many `coldtss init` at once) / tss-lib time
//	cpu-ratio            (coldtss processes' CPU time - that of the `coldtss init`s) / tss-lib CPU time
//	stick/wire           bytes written to the stick / tss-lib wire bytes, protocol steps (the byte target)
//	stick/wire-all       the same with coldtss's final confirmation step included
//	max-step-stick/wire  the worst protocol step
//
// Pre-parameters are generated once, before any timing, and the same sets
// serve the baseline and the coldtss stations. Unix only (CPU accounting).

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/bnb-chain/tss-lib/v3/common"
	ecdsakeygen "github.com/bnb-chain/tss-lib/v3/ecdsa/keygen"
	ecdsasigning "github.com/bnb-chain/tss-lib/v3/ecdsa/signing"
	"github.com/bnb-chain/tss-lib/v3/tss"
	"github.com/btcsuite/btcd/btcutil/bech32"

	"github.com/coldtss/coldtss/backup/vault"
	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/keys"
	"github.com/coldtss/coldtss/ceremony/transport"
)

const (
	benchPoll           = "20ms"
	benchKeygenTarget   = 1.10
	benchSignTarget     = 1.5
	benchBytesTarget    = 1.05
	benchHPKEOverhead   = 32 + 16 // X25519 encapsulated key + ChaCha20-Poly1305 tag
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

	benchKeysMu   sync.Mutex
	benchBaseKeys *benchBaselineKey // a baseline keygen's output, for the baseline signing
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

// benchBuild builds the coldtss binary into a temporary folder.
func benchBuild(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "coldtss")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// benchExec runs one coldtss command and returns its standard output.
func benchExec(bin string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), benchProcessTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("coldtss %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// benchStation is one simulated station: its own home folder and passphrase.
type benchStation struct {
	name, home, pass string
	card             ceremony.Card
}

// benchStations creates fresh station homes with `coldtss init` (in parallel).
func benchStations(b *testing.B, bin, work string) []benchStation {
	b.Helper()
	sts := make([]benchStation, len(benchNames))
	errs := make([]error, len(sts))
	var wg sync.WaitGroup
	for i, name := range benchNames {
		sts[i] = benchStation{name: name, home: filepath.Join(work, name), pass: filepath.Join(work, name+".pass")}
		if err := os.WriteFile(sts[i].pass, []byte("bench passphrase for "+name+"\n"), 0o600); err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		go func(st *benchStation) {
			defer wg.Done()
			_, errs[i] = benchExec(bin, "init", "--name", st.name, "--home", st.home, "--passphrase-file", st.pass)
		}(&sts[i])
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		b.Fatal(err)
	}
	for i := range sts {
		raw, err := vault.Home{Dir: sts[i].home}.ReadCard()
		if err != nil {
			b.Fatal(err)
		}
		if sts[i].card, err = ceremony.ParseCard(raw); err != nil {
			b.Fatal(err)
		}
	}
	return sts
}

// benchRecipient is the age recipient of a station's own secrets, from its
// public card: the X25519 key of Identity.AgeIdentity(). It saves unlocking
// the identity (scrypt) just to store pre-parameters.
func benchRecipient(card ceremony.Card) (age.Recipient, error) {
	pub, err := card.SealPublic()
	if err != nil {
		return nil, err
	}
	conv, err := bech32.ConvertBits(pub.Bytes(), 8, 5, true)
	if err != nil {
		return nil, err
	}
	s, err := bech32.Encode("age", conv)
	if err != nil {
		return nil, err
	}
	return age.ParseX25519Recipient(s)
}

// benchInstallPreParams gives every station one of the shared sets.
func benchInstallPreParams(b *testing.B, sts []benchStation, pps [][]byte) {
	b.Helper()
	for i, st := range sts {
		rec, err := benchRecipient(st.card)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := (vault.Home{Dir: st.home}).AddPreParams(pps[i], rec); err != nil {
			b.Fatal(err)
		}
	}
}

// --- the baseline: plain tss-lib parties in one process

// benchBaseline is one in-process tss-lib run.
type benchBaseline struct {
	dur  time.Duration
	cpu  time.Duration // this process's CPU time meanwhile
	wire []int         // per round: tss-lib wire bytes, a point-to-point message counted once per recipient
}

// benchBaselineKey is a baseline keygen's result.
type benchBaselineKey struct {
	pids tss.SortedPartyIDs
	keys []ecdsakeygen.LocalPartySaveData // by keygen party index
}

var benchRoundRE = regexp.MustCompile(`Round(\d+)Message`)

// benchRoute starts the parties and passes their messages to each other as
// serialized tss-lib wire bytes (as tss-lib's own tests do) until ended has
// fired once per party. It counts each round's wire bytes.
func benchRoute(parties []tss.Party, out <-chan tss.Message, ended <-chan struct{}, rounds int) ([]int, error) {
	wire := make([]int, rounds)
	errCh := make(chan *tss.Error, 16*len(parties))
	for _, p := range parties {
		go func(p tss.Party) {
			if err := p.Start(); err != nil {
				errCh <- err
			}
		}(p)
	}
	deliver := func(p tss.Party, bz []byte, from *tss.PartyID, broadcast bool) {
		go func() {
			if _, err := p.UpdateFromBytes(bz, from, broadcast); err != nil {
				errCh <- err
			}
		}()
	}
	timeout := time.After(benchProcessTimeout)
	for finished := 0; finished < len(parties); {
		select {
		case err := <-errCh:
			return nil, err
		case <-ended:
			finished++
		case <-timeout:
			return nil, errors.New("tss-lib baseline timed out")
		case m := <-out:
			bz, routing, err := m.WireBytes()
			if err != nil {
				return nil, err
			}
			sm := benchRoundRE.FindStringSubmatch(m.Type())
			if sm == nil {
				return nil, fmt.Errorf("tss-lib message type %q names no round", m.Type())
			}
			r, _ := strconv.Atoi(sm[1])
			if r < 1 || r > rounds {
				return nil, fmt.Errorf("tss-lib message type %q: round %d of %d", m.Type(), r, rounds)
			}
			if routing.IsBroadcast {
				wire[r-1] += len(bz)
				for _, p := range parties {
					if p.PartyID().Index != routing.From.Index {
						deliver(p, bz, routing.From, true)
					}
				}
				continue
			}
			for _, to := range routing.To {
				wire[r-1] += len(bz)
				deliver(parties[to.Index], bz, routing.From, false)
			}
		}
	}
	return wire, nil
}

// benchLoad samples the machine's busy CPU time (Linux /proc/stat, steal
// included) and the CPU time of this process and its finished children, so
// that the CPU other work took during a measurement can be told.
type benchLoad struct {
	busy, ours time.Duration
	ok         bool
}

func benchSampleLoad() benchLoad {
	var self, kids syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	l := benchLoad{ours: time.Duration(self.Utime.Nano() + self.Stime.Nano() + kids.Utime.Nano() + kids.Stime.Nano())}
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return l
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(f) < 9 || f[0] != "cpu" {
		return l
	}
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		v, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return l
		}
		ticks += v
	}
	l.busy, l.ok = time.Duration(ticks)*time.Second/100, true // USER_HZ
	return l
}

// benchForeign is the share of the machine's CPUs that other work took
// between two samples, or -1 if unknown.
func benchForeign(from, to benchLoad, wall time.Duration) float64 {
	if !from.ok || !to.ok {
		return -1
	}
	other := (to.busy - from.busy) - (to.ours - from.ours)
	return max(0, other.Seconds()/(wall.Seconds()*float64(runtime.NumCPU())))
}

// benchCPU is the CPU time this process has used.
func benchCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchNonce() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 256))
	if err != nil {
		panic(err)
	}
	return n
}

// benchBaselineKeygen runs a 2-of-3 secp256k1 keygen with tss-lib alone.
func benchBaselineKeygen(pps [][]byte) (benchBaseline, *benchBaselineKey, error) {
	tss.SetCurve(tss.S256())
	n := len(pps)
	pre := make([]ecdsakeygen.LocalPreParams, n)
	var un tss.UnSortedPartyIDs
	for i := range pps {
		if err := json.Unmarshal(pps[i], &pre[i]); err != nil {
			return benchBaseline{}, nil, err
		}
		un = append(un, tss.NewPartyID(benchNames[i], benchNames[i], benchNonce()))
	}
	pids := tss.SortPartyIDs(un)
	peers := tss.NewPeerContext(pids)
	nonce := benchNonce()
	out := make(chan tss.Message, 8*n)
	end := make(chan *ecdsakeygen.LocalPartySaveData, n)
	ended := make(chan struct{}, n)
	saves := make([]*ecdsakeygen.LocalPartySaveData, 0, n)
	go func() {
		for range n {
			saves = append(saves, <-end)
			ended <- struct{}{}
		}
	}()

	cpu0 := benchCPU()
	start := time.Now()
	parties := make([]tss.Party, n)
	for i, pid := range pids {
		params := tss.NewParameters(tss.S256(), peers, pid, n, 1)
		params.SetSessionNonce(nonce)
		parties[i] = ecdsakeygen.NewLocalParty(params, out, end, pre[i])
	}
	wire, err := benchRoute(parties, out, ended, benchKeygenRounds)
	dur, cpu := time.Since(start), benchCPU()-cpu0
	if err != nil {
		return benchBaseline{}, nil, err
	}

	key := &benchBaselineKey{pids: pids, keys: make([]ecdsakeygen.LocalPartySaveData, n)}
	for _, s := range saves {
		i, err := s.OriginalIndex()
		if err != nil {
			return benchBaseline{}, nil, err
		}
		key.keys[i] = *s
	}
	for _, k := range key.keys[1:] {
		if !k.ECDSAPub.Equals(key.keys[0].ECDSAPub) {
			return benchBaseline{}, nil, errors.New("tss-lib baseline: parties disagree on the public key")
		}
	}
	return benchBaseline{dur: dur, cpu: cpu, wire: wire}, key, nil
}

// benchBaselineSign signs one digest with tss-lib alone, by the signers.
func benchBaselineSign(key *benchBaselineKey, signers []int, digest []byte) (benchBaseline, error) {
	tss.SetCurve(tss.S256())
	var un tss.UnSortedPartyIDs
	orig := map[string]int{}
	for _, i := range signers {
		p := key.pids[i]
		un = append(un, tss.NewPartyID(p.Id, p.Moniker, p.KeyInt()))
		orig[p.Id] = i
	}
	pids := tss.SortPartyIDs(un)
	peers := tss.NewPeerContext(pids)
	n := len(pids)
	// tss-lib's signing party mutates its key data: give each a deep copy.
	keys := make([]ecdsakeygen.LocalPartySaveData, n)
	for j, pid := range pids {
		raw, err := json.Marshal(key.keys[orig[pid.Id]])
		if err != nil {
			return benchBaseline{}, err
		}
		if err := json.Unmarshal(raw, &keys[j]); err != nil {
			return benchBaseline{}, err
		}
	}
	nonce := benchNonce()
	out := make(chan tss.Message, 8*n)
	end := make(chan *common.SignatureData, n)
	ended := make(chan struct{}, n)
	sigs := make([]*common.SignatureData, 0, n)
	go func() {
		for range n {
			sigs = append(sigs, <-end)
			ended <- struct{}{}
		}
	}()

	cpu0 := benchCPU()
	start := time.Now()
	parties := make([]tss.Party, n)
	for j, pid := range pids {
		params := tss.NewParameters(tss.S256(), peers, pid, n, 1)
		params.SetSessionNonce(nonce)
		parties[j] = ecdsasigning.NewLocalParty(new(big.Int).SetBytes(digest), params, keys[j], out, end, len(digest))
	}
	wire, err := benchRoute(parties, out, ended, benchSignRounds)
	dur, cpu := time.Since(start), benchCPU()-cpu0
	if err != nil {
		return benchBaseline{}, err
	}

	pub := key.keys[0].ECDSAPub
	pk := &ecdsa.PublicKey{Curve: tss.S256(), X: pub.X(), Y: pub.Y()}
	for _, s := range sigs {
		if !ecdsa.Verify(pk, digest, new(big.Int).SetBytes(s.R), new(big.Int).SetBytes(s.S)) {
			return benchBaseline{}, errors.New("tss-lib baseline: the signature does not verify")
		}
	}
	return benchBaseline{dur: dur, cpu: cpu, wire: wire}, nil
}

func benchBaselineKeyFor(b *testing.B, pps [][]byte) *benchBaselineKey {
	b.Helper()
	benchKeysMu.Lock()
	defer benchKeysMu.Unlock()
	if benchBaseKeys == nil {
		_, key, err := benchBaselineKeygen(pps)
		if err != nil {
			b.Fatal(err)
		}
		benchBaseKeys = key
	}
	return benchBaseKeys
}

// --- coldtss: one process per station over the USB transport

// benchProcs is a set of coldtss processes run at once.
type benchProcs struct {
	wall    time.Duration // from starting the first process to the last one's exit
	cpu     time.Duration // their CPU time, all together
	seconds []float64     // join: each station's own ceremony time (join --json "seconds")
	outs    [][]byte      // each one's standard output
}

// benchRunProcs starts the commands at once and waits for all of them.
func benchRunProcs(b *testing.B, bin string, argv [][]string) benchProcs {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), benchProcessTimeout)
	defer cancel()
	n := len(argv)
	cmds := make([]*exec.Cmd, n)
	stdout := make([]bytes.Buffer, n)
	stderr := make([]bytes.Buffer, n)
	for i, args := range argv {
		cmds[i] = exec.CommandContext(ctx, bin, args...)
		cmds[i].Stdout, cmds[i].Stderr = &stdout[i], &stderr[i]
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i, cmd := range cmds {
		if err := cmd.Start(); err != nil {
			b.Fatal(err) // cancel kills those already started
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = cmds[i].Wait()
		}(i)
	}
	wg.Wait()
	res := benchProcs{wall: time.Since(start)}
	for i, cmd := range cmds {
		if errs[i] != nil {
			b.Fatalf("coldtss %s: %v\n%s", strings.Join(argv[i], " "), errs[i], stderr[i].String())
		}
		res.cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		res.outs = append(res.outs, stdout[i].Bytes())
	}
	return res
}

// benchRunJoin runs one `coldtss join` per station, all at once.
func benchRunJoin(b *testing.B, bin, planPath, stick, words string, sts []benchStation) benchProcs {
	b.Helper()
	var argv [][]string
	for _, st := range sts {
		argv = append(argv, []string{"join", planPath, "--via", "usb:" + stick, "--home", st.home,
			"--passphrase-file", st.pass, "--poll", benchPoll, "--timeout", "5m", "--expect-fingerprint", words, "--json", "--allow-raw"})
	}
	res := benchRunProcs(b, bin, argv)
	for i, out := range res.outs {
		var v struct {
			Seconds *float64 `json:"seconds"`
		}
		if err := json.Unmarshal(out, &v); err != nil || v.Seconds == nil {
			b.Fatalf("%s: join --json gave no seconds (%v):\n%s", sts[i].name, err, out)
		}
		res.seconds = append(res.seconds, *v.Seconds)
	}
	return res
}

// benchUnlock measures what the join processes spend outside the protocol:
// as many `coldtss init` at once in throwaway homes. Each starts a process
// and runs scrypt once with the same cost as a join's passphrase unlock.
func benchUnlock(b *testing.B, bin string, sts []benchStation) benchProcs {
	b.Helper()
	dir := b.TempDir()
	var argv [][]string
	for i, st := range sts {
		argv = append(argv, []string{"init", "--name", st.name, "--home", filepath.Join(dir, strconv.Itoa(i)), "--passphrase-file", st.pass})
	}
	return benchRunProcs(b, bin, argv)
}

// benchPlan runs a `coldtss plan ...` command and reads the plan it wrote.
func benchPlan(b *testing.B, bin, path string, args ...string) (*ceremony.Plan, planJSON) {
	b.Helper()
	out, err := benchExec(bin, append(append([]string{"plan"}, args...), "--out", path, "--json")...)
	if err != nil {
		b.Fatal(err)
	}
	var pj planJSON
	if err := json.Unmarshal(out, &pj); err != nil {
		b.Fatalf("plan --json: %v\n%s", err, out)
	}
	plan, err := readPlan(path)
	if err != nil {
		b.Fatal(err)
	}
	return plan, pj
}

// benchStep is what one step left on the stick.
type benchStep struct {
	stick   int       // size of every station's packet file
	wire    int       // the tss-lib payloads inside (sealed ones less the HPKE overhead)
	sig     int       // packet signatures
	echo    int       // echo digests
	hpke    int       // HPKE overhead of sealed point-to-point payloads
	coldtss int       // coldtss's own payloads: chain-code commit/reveal, confirmation signature
	first   time.Time // when the step's first and last packets were written (file times)
	last    time.Time
}

// framing is what the stick holds beyond payloads, signatures and echoes:
// CBOR headers, session id, step, sender, envelope fields.
func (s benchStep) framing() int {
	return s.stick - s.wire - s.sig - s.echo - s.hpke - s.coldtss
}

// benchStick reads and checks every packet of a ceremony on the stick.
func benchStick(b *testing.B, stick string, plan *ceremony.Plan) []benchStep {
	b.Helper()
	usb := &transport.USB{Root: stick, Session: plan.Session}
	total := ceremony.StepsFor(plan.Kind, plan.Curve) + 1
	steps := make([]benchStep, total)
	for step := 1; step <= total; step++ {
		s := &steps[step-1]
		for j, name := range plan.Names() {
			path := usb.PacketPath(step, name)
			raw, err := os.ReadFile(path)
			if err != nil {
				b.Fatal(err)
			}
			p, err := ceremony.DecodePacket(plan, raw, path, step, j)
			if err != nil {
				b.Fatal(err)
			}
			if fi, err := os.Stat(path); err == nil {
				if s.first.IsZero() || fi.ModTime().Before(s.first) {
					s.first = fi.ModTime()
				}
				if fi.ModTime().After(s.last) {
					s.last = fi.ModTime()
				}
			}
			s.stick += len(raw)
			s.sig += len(p.Signature)
			for _, e := range p.Echo {
				s.echo += len(e)
			}
			for _, e := range p.Envelopes {
				switch {
				case e.Kind != ceremony.EnvTSS:
					s.coldtss += len(e.Payload)
				case e.To == ceremony.Broadcast:
					s.wire += len(e.Payload)
				default:
					s.wire += len(e.Payload) - benchHPKEOverhead
					s.hpke += benchHPKEOverhead
				}
			}
		}
		if entries, _ := os.ReadDir(filepath.Dir(usb.PacketPath(step, "x"))); len(entries) != len(plan.Stations) {
			b.Fatalf("step %d: %d files on the stick, want %d packets", step, len(entries), len(plan.Stations))
		}
	}
	return steps
}

// --- reporting

// benchRep is one repetition: the baseline, then the coldtss processes.
type benchRep struct {
	base   benchBaseline
	unlock benchProcs // as many `coldtss init` at once: process start and one scrypt each
	ours   benchProcs
	steps  []benchStep
	other  float64 // share of the CPUs other work on the machine took meanwhile (-1: unknown)
}

// protoSeconds is the protocol-only time: the ceremony clock (join --json
// "seconds") of the station that entered the ceremony last. It leaves out
// process start, the scrypt unlock and reading the station's secrets; every
// station ends within one poll of the others, at the confirmation step. The
// other stations' clocks also count their wait for the slower unlocks.
func (r benchRep) protoSeconds() float64 { return slices.Min(r.ours.seconds) }
func (r benchRep) protoRatio() float64   { return r.protoSeconds() / r.base.dur.Seconds() }
func (r benchRep) wallRatio() float64    { return r.ours.wall.Seconds() / r.base.dur.Seconds() }
func (r benchRep) lessUnlock() float64   { return (r.ours.wall - r.unlock.wall).Seconds() }
func (r benchRep) lessUnlockRatio() float64 {
	return r.lessUnlock() / r.base.dur.Seconds()
}
func (r benchRep) cpuLessUnlock() float64 { return (r.ours.cpu - r.unlock.cpu).Seconds() }
func (r benchRep) cpuRatio() float64      { return r.cpuLessUnlock() / r.base.cpu.Seconds() }

func benchMedian(reps []benchRep, f func(benchRep) float64) float64 {
	v := make([]float64, len(reps))
	for i, r := range reps {
		v[i] = f(r)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func benchVerdict(ratio, target float64) string {
	if ratio <= target {
		return fmt.Sprintf("target <= %.2f: met", target)
	}
	return fmt.Sprintf("target <= %.2f: NOT met", target)
}

// benchReport prints the tables and reports the metrics.
func benchReport(b *testing.B, title string, target float64, reps []benchRep) {
	stations := len(reps[0].ours.seconds)
	fmt.Printf("\n=== %s ===\n", title)
	fmt.Printf("%-6s %9s | %-16s | %-16s | %-18s | %-13s | %-30s | %s\n", "run", "tss-lib s",
		"protocol only s", "whole wall s", "whole - unlock s", "clocks s", "CPU s: tss-lib, coldtss-unlock", "other load")
	var busy []string
	for i, r := range reps {
		base, proto, wall, less := r.base.dur.Seconds(), r.protoSeconds(), r.ours.wall.Seconds(), r.lessUnlock()
		other := "?"
		if r.other >= 0 {
			other = fmt.Sprintf("%.0f%%", 100*r.other)
			if r.other > 0.05 {
				busy = append(busy, fmt.Sprintf("run %d: %s", i+1, other))
			}
		}
		fmt.Printf("%-6d %9.3f | %7.3f %7.2fx | %7.3f %7.2fx | %8.3f %8.2fx | %-13s | %6.2f %6.2f %6.2fx         | %s\n",
			i+1, base, proto, proto/base, wall, wall/base, less, less/base,
			fmt.Sprintf("%.2f..%.2f", slices.Min(r.ours.seconds), slices.Max(r.ours.seconds)),
			r.base.cpu.Seconds(), r.cpuLessUnlock(), r.cpuRatio(), other)
	}
	med := func(f func(benchRep) float64) float64 { return benchMedian(reps, f) }
	protoRatio := med(benchRep.protoRatio)
	if len(reps) > 1 {
		fmt.Printf("median ratios:   | %15.2fx | %15.2fx | %17.2fx |               | %20.2fx\n",
			protoRatio, med(benchRep.wallRatio), med(benchRep.lessUnlockRatio), med(benchRep.cpuRatio))
	}
	fmt.Printf("Time target, coldtss/tss-lib <= %.2f, applies to the protocol-only time: %.2fx, %s.\n", target, protoRatio, benchVerdict(protoRatio, target))
	fmt.Printf("  protocol only: `coldtss join --json` seconds (after the passphrase unlock) of the station that entered the\n" +
		"    ceremony last; pre-parameters are precomputed on both sides, and the stations end within one poll of each other.\n" +
		"  whole wall: starting the processes to the last exit: process start, scrypt unlock (~1 s CPU per station),\n" +
		"    reading secrets and saving results included.\n" +
		"  whole - unlock: whole wall minus the wall time of as many `coldtss init` at once (process start and one scrypt\n" +
		"    each), a cross-check of protocol only; CPU: the processes' CPU time minus the `coldtss init`s', against the\n" +
		"    baseline process's.\n" +
		"  clocks: every station's own ceremony clock; the longer ones include waiting for the others' unlock.\n" +
		"  other load: the share of the machine's CPUs that other work took during the run (Linux /proc/stat).\n")
	if len(busy) > 0 {
		fmt.Printf("  WARNING: other work ran on this machine (%s): those times are skewed; rerun on a quiet machine.\n", strings.Join(busy, ", "))
	}
	if stations > runtime.NumCPU() {
		fmt.Printf("  Caveat: %d processes on %d CPUs. While the last station still runs scrypt the others already compute their\n"+
			"  first step, so protocol only somewhat flatters coldtss here; whole - unlock and CPU do not have that bias.\n", stations, runtime.NumCPU())
	}

	last := reps[len(reps)-1].steps
	fmt.Printf("Stick timeline of run %d, ms after the first step-1 packet until each step's first/last packet was written:\n ", len(reps))
	for i, s := range last {
		fmt.Printf(" %d: %d/%d", i+1, s.first.Sub(last[0].first).Milliseconds(), s.last.Sub(last[0].first).Milliseconds())
	}
	fmt.Println()

	// Bytes, summed over the runs.
	total := len(last)
	steps := make([]benchStep, total)
	wire := make([]int, total-1)
	for _, r := range reps {
		for i, s := range r.steps {
			t := &steps[i]
			t.stick += s.stick
			t.wire += s.wire
			t.sig += s.sig
			t.echo += s.echo
			t.hpke += s.hpke
			t.coldtss += s.coldtss
			if i < total-1 {
				wire[i] += r.base.wire[i]
			}
		}
	}
	summed := ""
	if len(reps) > 1 {
		summed = fmt.Sprintf(" (sum of %d runs)", len(reps))
	}
	fmt.Printf("\nBytes per step%s: stick = every station's packet file; wire = the baseline's tss-lib wire bytes\n"+
		"(a point-to-point message counted once per recipient). Overhead: what the stick holds beyond this run's own\n"+
		"tss-lib bytes (which differ from the baseline's by a few bytes: big integers of random size).\n", summed)
	fmt.Printf("%-10s %9s %9s %10s | %s\n", "step", "stick B", "wire B", "stick/wire", "overhead B: signature  echo  HPKE  coldtss  framing | own wire B  stick/own")
	var over []string
	sumStick, sumWire, worst := 0, 0, 0.0
	for i, s := range steps[:total-1] {
		r := float64(s.stick) / float64(wire[i])
		flag := ""
		if r > benchBytesTarget {
			flag = "  over"
			over = append(over, fmt.Sprintf("step %d (%.3f): %d B of tss-lib messages; %d B signatures, %d B echoes, %d B HPKE, %d B coldtss payloads, %d B framing",
				i+1, r, s.wire, s.sig, s.echo, s.hpke, s.coldtss, s.framing()))
		}
		fmt.Printf("%-10d %9d %9d %10.3f | %20d %5d %5d %8d %8d | %10d %9.3f%s\n",
			i+1, s.stick, wire[i], r, s.sig, s.echo, s.hpke, s.coldtss, s.framing(), s.wire, float64(s.stick)/float64(s.wire), flag)
		sumStick += s.stick
		sumWire += wire[i]
		worst = max(worst, r)
	}
	c := steps[total-1]
	fmt.Printf("%-10s %9d %9s %10s | %20d %5d %5d %8d %8d | (coldtss's confirmation step: no tss-lib counterpart)\n",
		fmt.Sprintf("%d confirm", total), c.stick, "-", "-", c.sig, c.echo, c.hpke, c.coldtss, c.framing())
	tr := float64(sumStick) / float64(sumWire)
	ta := float64(sumStick+c.stick) / float64(sumWire)
	fmt.Printf("%-10s %9d %9d %10.3f  <- byte target: total over the tss-lib steps, %s\n", "total", sumStick, sumWire, tr, benchVerdict(tr, benchBytesTarget))
	fmt.Printf("%-10s %9d %9d %10.3f  (with the confirmation step)\n", "all steps", sumStick+c.stick, sumWire, ta)
	if len(over) > 0 {
		fmt.Printf("Steps over %.2f: every packet has a fixed cost (a 64-byte Ed25519 signature; from step 2 one 32-byte echo digest\n"+
			"per station; CBOR framing with the 16-byte session id; 48 bytes of HPKE per sealed message) that dominates small steps:\n", benchBytesTarget)
		for _, o := range over {
			fmt.Printf("  %s\n", o)
		}
	}

	var base, proto, wall float64
	for _, r := range reps {
		base += r.base.dur.Seconds()
		proto += r.protoSeconds()
		wall += r.ours.wall.Seconds()
	}
	n := float64(len(reps))
	b.ReportMetric(0, "ns/op") // meaningless here: the metrics below say it all
	b.ReportMetric(protoRatio, "proto-ratio")
	b.ReportMetric(med(benchRep.wallRatio), "wall-ratio")
	b.ReportMetric(med(benchRep.lessUnlockRatio), "wall-unlock-ratio")
	b.ReportMetric(med(benchRep.cpuRatio), "cpu-ratio")
	b.ReportMetric(tr, "stick/wire")
	b.ReportMetric(ta, "stick/wire-all")
	b.ReportMetric(worst, "max-step-stick/wire")
	b.ReportMetric(base/n, "tsslib-s")
	b.ReportMetric(proto/n, "proto-s")
	b.ReportMetric(wall/n, "wall-s")
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
				var sf keys.SignatureFile
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
