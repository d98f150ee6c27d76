package bench

// The QR figures of `make bench` (see doc.go, "QR"): the scanner against
// zbarimg on simulated webcam frames, the effective throughput of the
// default preset through the image channel, and the frames and face-offs
// whole QR ceremonies take.

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/coldtss/coldtss/internal/testpsbt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/transport"
	"github.com/coldtss/coldtss/chains/payload"
	"github.com/coldtss/coldtss/qr/camsim"
	"github.com/coldtss/coldtss/qr/camsim/lens"
	"github.com/coldtss/coldtss/qr/display"
	"github.com/coldtss/coldtss/qr/scan"
)

// The QR knobs and targets.
const (
	qrLoss          = 0.3  // frames lost before the camera in the lossy runs
	qrScanTarget    = 0.95 // our per-frame decode rate / zbarimg's, at the default preset
	qrSpeedTarget   = 2.0  // default preset's delivered bytes per second / the 400-byte 5 fps setting's
	qrRateTarget    = 4000 // bytes per second the default preset delivers at 30% loss through the cameras
	qrScanFrames    = 40   // camsim frames per preset for the scanner comparison
	qrSignInputs    = 100  // inputs of the PSBT signed
	qrHubSignInputs = 4    // inputs signed by three stations with a hub (for the face-offs)
)

// qrWallet400 is what common wallets use: 400-byte fragments at 5 fps.
var qrWallet400 = display.Preset{Name: "400 B / 5 fps", Fragment: 400, Level: display.L, FPS: 5, Module: 5}

// --- a room whose world stands still while the stations compute

// qrRoom runs one ceremony in a simulated room (transport.QRWorld). The
// world ticks only when every station still in the ceremony waits for a
// packet it has not got yet, so ticks and frames count the transfer, not
// how fast this machine runs tss-lib.
type qrRoom struct {
	Hub      string
	Drop     float64
	Fragment int
	Seed     int64
}

type qrOutcome struct {
	results  []*ceremony.Result
	qrs      []*transport.QR
	ticks    int // ticks until every runner returned
	frames   int // frames shown on every screen until then
	faceOffs int // the hub's turns
	steps    [][]byte
	wall     time.Duration
}

type qrGate struct {
	mu       sync.Mutex
	busy     map[string]bool
	awaiting map[string]map[qrKey]bool
	qrs      map[string]*transport.QR
}

type qrKey struct {
	step    int
	station string
}

type qrGated struct {
	ceremony.Transport
	g    *qrGate
	name string
	put  func(step int, data []byte)
}

func (t qrGated) Put(ctx context.Context, step int, station string, data []byte) error {
	t.g.mu.Lock()
	t.g.busy[t.name] = true
	t.g.mu.Unlock()
	if t.put != nil {
		t.put(step, data)
	}
	return t.Transport.Put(ctx, step, station, data)
}

func (t qrGated) Get(step int, station string) ([]byte, string, error) {
	t.g.mu.Lock()
	defer t.g.mu.Unlock()
	data, where, err := t.Transport.Get(step, station)
	if aw := t.g.awaiting[t.name]; aw != nil {
		if errors.Is(err, ceremony.ErrNotYet) {
			t.g.busy[t.name] = false
			aw[qrKey{step, station}] = true
		} else {
			t.g.busy[t.name] = true
			delete(aw, qrKey{step, station})
		}
	}
	return data, where, err
}

// tick ticks the world when nobody computes, then marks busy a station
// that now holds a packet it asked for (it takes it at its next poll).
func (g *qrGate) tick(w *transport.QRWorld) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, b := range g.busy {
		if b {
			return false
		}
	}
	w.Tick()
	for name, keys := range g.awaiting {
		for k := range keys {
			if _, _, err := g.qrs[name].Get(k.step, k.station); err == nil {
				g.busy[name] = true
			}
		}
	}
	return true
}

func (room qrRoom) run(b *testing.B, plan *ceremony.Plan, ids []*ceremony.Identity, setup func(i int, r *ceremony.Runner)) qrOutcome {
	b.Helper()
	w := &transport.QRWorld{Stations: map[string]*transport.QR{}, Drop: room.Drop, Seed: room.Seed}
	g := &qrGate{busy: map[string]bool{}, awaiting: map[string]map[qrKey]bool{}, qrs: w.Stations}
	var qrs []*transport.QR
	for _, id := range ids {
		q, err := transport.NewQR(transport.QROptions{Session: plan.SessionBytes(), Self: id.Name, Stations: plan.Names(), Hub: room.Hub, Fragment: room.Fragment})
		if err != nil {
			b.Fatal(err)
		}
		w.Stations[id.Name] = q
		g.busy[id.Name] = true
		g.awaiting[id.Name] = map[qrKey]bool{}
		qrs = append(qrs, q)
	}
	ctx, cancel := context.WithTimeout(context.Background(), benchProcessTimeout)
	defer cancel()
	start := time.Now()
	worldDone := make(chan struct{})
	go func() {
		defer close(worldDone)
		for ctx.Err() == nil {
			if !g.tick(w) {
				time.Sleep(200 * time.Microsecond)
			}
		}
	}()
	out := qrOutcome{results: make([]*ceremony.Result, len(ids)), qrs: qrs}
	var stepsMu sync.Mutex
	errs := make([]error, len(ids))
	var wg, runners sync.WaitGroup
	for i, id := range ids {
		gt := qrGated{Transport: qrs[i], g: g, name: id.Name}
		if i == 0 {
			gt.put = func(step int, data []byte) {
				stepsMu.Lock()
				out.steps = append(out.steps, data)
				stepsMu.Unlock()
			}
		}
		r := &ceremony.Runner{Plan: plan, ID: id, Transport: gt, Timeout: benchProcessTimeout, Poll: 2 * time.Millisecond,
			Save: func(*ceremony.Result) error { return nil }}
		if setup != nil {
			setup(i, r)
		}
		wg.Add(1)
		runners.Add(1)
		go func(i int, r *ceremony.Runner) {
			defer wg.Done()
			out.results[i], errs[i] = r.Run(ctx)
			g.mu.Lock()
			delete(g.busy, ids[i].Name)
			delete(g.awaiting, ids[i].Name)
			g.mu.Unlock()
			runners.Done()
			if errs[i] != nil {
				return
			}
			qrs[i].Finish()
			for !qrs[i].CanLeave() && ctx.Err() == nil {
				time.Sleep(time.Millisecond)
			}
		}(i, r)
	}
	runners.Wait()
	// Every runner returned: the ceremony's frames are counted here, the
	// done marks that let screens stop are not.
	g.mu.Lock()
	out.ticks = w.Ticks()
	for _, q := range qrs {
		out.frames += q.Stats().Frames
	}
	out.faceOffs = qrs[0].Stats().FaceOffs
	g.mu.Unlock()
	wg.Wait()
	cancel()
	<-worldDone
	out.wall = time.Since(start)
	if err := errors.Join(errs...); err != nil {
		b.Fatalf("QR ceremony: %v", err)
	}
	return out
}

// --- what the figures are measured on

var qrFix struct {
	once   sync.Once
	ids    []*ceremony.Identity
	cards  []ceremony.Card
	keygen qrOutcome // without loss
	packet []byte    // alice's first-step packet of that keygen
}

// qrPreParams reads the test-only pre-parameter sets of ceremony/testdata
// (public: they serve tests and these counts, never a real key).
func qrPreParams(b *testing.B) [][]byte {
	var out [][]byte
	for i := range len(benchNames) {
		p, err := os.ReadFile(filepath.Join("..", "..", "ceremony", "testdata", "preparams", fmt.Sprintf("test-only-%d.json", i)))
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// qrKeygen runs a 2-of-3 secp256k1 keygen with a hub in a room without
// loss, text level, once: its key signs, its first-step packet is the
// large packet the figures carry.
func qrKeygen(b *testing.B, loss float64, seed int64) qrOutcome {
	b.Helper()
	if qrFix.ids == nil {
		for _, n := range benchNames {
			id, err := ceremony.NewIdentity(n)
			if err != nil {
				b.Fatal(err)
			}
			qrFix.ids, qrFix.cards = append(qrFix.ids, id), append(qrFix.cards, id.Card())
		}
	}
	plan, err := ceremony.NewKeygenPlan(qrFix.cards, 2, ceremony.CurveSecp256k1, "bench qr")
	if err != nil {
		b.Fatal(err)
	}
	pps := qrPreParams(b)
	room := qrRoom{Hub: benchNames[0], Drop: loss, Fragment: display.Default.Fragment, Seed: seed}
	out := room.run(b, plan, qrFix.ids, func(i int, r *ceremony.Runner) { r.PreParams = pps[i] })
	for _, r := range out.results[1:] {
		if !bytes.Equal(r.PublicKey, out.results[0].PublicKey) {
			b.Fatal("the keygen's stations disagree on the public key")
		}
	}
	return out
}

func qrFixture(b *testing.B) {
	b.Helper()
	qrFix.once.Do(func() {
		qrFix.keygen = qrKeygen(b, 0, 1)
		qrFix.packet = qrFix.keygen.steps[0]
	})
	if qrFix.packet == nil {
		b.Fatal("the keygen every QR figure uses failed in an earlier benchmark")
	}
}

// qrParts returns a function giving the parts a station's screen shows
// for one packet, as its QR transport makes them.
func qrParts(pkt []byte, fragment int) (func() string, error) {
	q, err := transport.NewQR(transport.QROptions{Session: bytes.Repeat([]byte{0x5e}, 16), Self: "alice", Stations: []string{"alice", "bob"}, Fragment: fragment})
	if err != nil {
		return nil, err
	}
	if err := q.Put(context.Background(), 1, "alice", pkt); err != nil {
		return nil, err
	}
	return q.Next, nil
}

// qrTransfer shows one packet on alice's screen to bob's camera and counts
// the frames alice showed until bob's transport decoded it. A channel
// (pictures) runs Pipelined and SkipHeld, each camera handing over what it
// read one frame late, like a real capture pipeline.
func qrTransfer(pkt []byte, p display.Preset, loss float64, channel func(from, to, part string) (string, bool), seed int64) (int, error) {
	session := bytes.Repeat([]byte{0x5e}, 16)
	names := []string{"alice", "bob"}
	w := &transport.QRWorld{Stations: map[string]*transport.QR{}, Drop: loss, Seed: seed, Channel: channel, Pipelined: true, SkipHeld: true}
	defer w.Wait()
	for _, n := range names {
		q, err := transport.NewQR(transport.QROptions{Session: session, Self: n, Stations: names, Fragment: p.Fragment})
		if err != nil {
			return 0, err
		}
		w.Stations[n] = q
	}
	if err := w.Stations["alice"].Put(context.Background(), 1, "alice", pkt); err != nil {
		return 0, err
	}
	for w.Ticks() < 100_000 {
		w.Tick()
		if _, _, err := w.Stations["bob"].Get(1, "alice"); err == nil {
			return w.Stations["alice"].Stats().Frames, nil
		}
	}
	return 0, fmt.Errorf("%d-byte packet at %s: not decoded after 100000 frames", len(pkt), p.Name)
}

// qrParallel runs the jobs two at a time (the machine has two CPUs).
func qrParallel(jobs ...func() error) error {
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = j()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func qrVerdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// --- the scanner against zbarimg

// qrZbar returns a reader running zbarimg on a picture, or nil when
// zbarimg is missing (a failure with COLDTSS_REQUIRE_INTEROP=1).
func qrZbar(b *testing.B) func(img image.Image) (string, bool, error) {
	path, err := exec.LookPath("zbarimg")
	if err != nil {
		if os.Getenv("COLDTSS_REQUIRE_INTEROP") == "1" {
			b.Fatal("zbarimg is not installed (Debian zbar-tools; scripts/install-test-deps.sh installs it), and COLDTSS_REQUIRE_INTEROP=1")
		}
		return nil
	}
	dir := b.TempDir()
	var n int
	var mu sync.Mutex
	return func(img image.Image) (string, bool, error) {
		mu.Lock()
		n++
		f := filepath.Join(dir, fmt.Sprintf("frame-%d.png", n))
		mu.Unlock()
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return "", false, err
		}
		if err := os.WriteFile(f, buf.Bytes(), 0o600); err != nil {
			return "", false, err
		}
		defer os.Remove(f)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, path, "--raw", "-q", "-Sdisable", "-Sqrcode.enable", f).Output()
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 4 { // no symbol found
			return "", false, nil
		}
		if err != nil {
			return "", false, fmt.Errorf("zbarimg: %v", err)
		}
		return strings.TrimSuffix(string(out), "\n"), true, nil
	}
}

type qrScanRate struct {
	preset       display.Preset
	chars        int
	ours, zbar   int
	frames       int
	oursMS, zbMS float64
}

func (r qrScanRate) ratio() float64 { return float64(r.ours) / float64(max(r.zbar, 1)) }

// qrScanPreset shoots n frames of parts of the packet at a preset and
// counts what each reader decodes exactly. Frames the camera lost count
// as failures for both.
func qrScanPreset(pkt []byte, p display.Preset, n int, zbar func(image.Image) (string, bool, error)) (qrScanRate, error) {
	next, err := qrParts(pkt, p.Fragment)
	if err != nil {
		return qrScanRate{}, err
	}
	cam := camsim.New(camsim.Typical, int64(p.Fragment))
	s := scan.New()
	r := qrScanRate{preset: p, frames: n}
	var ours, theirs time.Duration
	for range n {
		part := next()
		r.chars = max(r.chars, len(part))
		img, err := display.Image(part, p)
		if err != nil {
			return r, err
		}
		pic, _ := cam.Shoot(img)
		t0 := time.Now()
		txt, err := s.Scan(pic)
		ours += time.Since(t0)
		if err == nil && txt == part {
			r.ours++
		}
		t0 = time.Now()
		txt, ok, err := zbar(pic)
		theirs += time.Since(t0)
		if err != nil {
			return r, err
		}
		if ok && txt == part {
			r.zbar++
		}
	}
	r.oursMS = float64(ours.Milliseconds()) / float64(n)
	r.zbMS = float64(theirs.Milliseconds()) / float64(n)
	return r, nil
}

// BenchmarkQRScan: the share of simulated webcam frames (camsim Typical)
// that qr/scan and zbarimg decode, per preset, on the same pictures of the
// parts a station shows for a real 134 KB keygen packet.
func BenchmarkQRScan(b *testing.B) {
	zbar := qrZbar(b)
	if zbar == nil {
		b.Skip("zbarimg is not installed (Debian zbar-tools): the scanner comparison is skipped")
	}
	qrFixture(b)
	rates := make([]qrScanRate, len(display.Presets))
	b.ResetTimer()
	for range b.N {
		var jobs []func() error
		for i, p := range display.Presets {
			jobs = append(jobs, func() (err error) {
				rates[i], err = qrScanPreset(qrFix.packet, p, qrScanFrames, zbar)
				return err
			})
		}
		if err := qrParallel(jobs...); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	fmt.Printf("\n=== QR: per-frame decode, qr/scan vs zbarimg: %d camsim Typical frames per preset, the parts a screen shows of a %d-byte keygen packet ===\n",
		qrScanFrames, len(qrFix.packet))
	fmt.Printf("%-8s %9s %6s %5s | %8s %8s %11s | %11s %11s\n", "preset", "fragment", "level", "chars", "qr/scan", "zbarimg", "scan/zbar", "ms per Scan", "ms zbarimg")
	var def qrScanRate
	for _, r := range rates {
		fmt.Printf("%-8s %7d B %6v %5d | %7.0f%% %7.0f%% %11.2f | %11.0f %11.0f\n", r.preset.Name, r.preset.Fragment, r.preset.Level, r.chars,
			100*float64(r.ours)/float64(r.frames), 100*float64(r.zbar)/float64(r.frames), r.ratio(), r.oursMS, r.zbMS)
		if r.preset.Name == display.Default.Name {
			def = r
		}
	}
	fmt.Printf("Target at the default preset, qr/scan / zbarimg >= %.2f: %.2f, %s. (ms zbarimg includes writing the PNG and starting the process.)\n",
		qrScanTarget, def.ratio(), qrVerdict(def.ratio() >= qrScanTarget))
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(def.ours)/float64(def.frames), "scan-default")
	b.ReportMetric(float64(def.zbar)/float64(def.frames), "zbar-default")
	b.ReportMetric(def.ratio(), "scan/zbar-default")
}

// BenchmarkQRThroughput: the 134 KB packet through the image channel with
// 30% of the frames lost before the camera, at the default preset and at
// the 400-byte 5 fps setting common wallets use.
func BenchmarkQRThroughput(b *testing.B) {
	qrFixture(b)
	pkt := qrFix.packet
	presets := []display.Preset{display.Default, qrWallet400}
	frames := make([]int, len(presets))
	reads := make([]float64, len(presets))
	b.ResetTimer()
	for range b.N {
		var jobs []func() error
		for i, p := range presets {
			jobs = append(jobs, func() error {
				// One camsim Typical camera per pair of stations (its
				// own lost frames on top of the 30%), as in
				// ceremony/transport's qrsim_test.go.
				cam := lens.NewPairs(camsim.Typical, 7, p)
				n, err := qrTransfer(pkt, p, qrLoss, cam.Channel, 7)
				frames[i] = n
				st := cam.Stats()
				reads[i] = float64(st.Read) / float64(max(st.Shot, 1))
				return errors.Join(err, cam.Err())
			})
		}
		if err := qrParallel(jobs...); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	fmt.Printf("\n=== QR: effective throughput through the cameras: a %d-byte packet, %.0f%% of frames lost before the camera, camsim Typical, qr/scan ===\n",
		len(pkt), 100*qrLoss)
	fmt.Printf("%-14s %9s %4s | %7s %10s | %14s %10s | %s\n", "preset", "fragment", "fps", "frames", "read/shot", "B per frame", "B/s", "seconds at fps")
	var perFrame, perSec [2]float64
	for i, p := range presets {
		perFrame[i] = float64(len(pkt)) / float64(frames[i])
		perSec[i] = perFrame[i] * float64(p.FPS)
		fmt.Printf("%-14s %7d B %4d | %7d %9.0f%% | %14.0f %10.0f | %.1f\n", p.Name, p.Fragment, p.FPS, frames[i], 100*reads[i], perFrame[i], perSec[i], float64(frames[i])/float64(p.FPS))
	}
	ratio := perSec[0] / perSec[1]
	fmt.Printf("Targets: default / %s >= %.1fx: %.2fx, %s; default >= %d B/s: %.0f B/s, %s. (read/shot: frames the camera took that the\n"+
		"scanner read; the rest were lost by the camera or unreadable. B per frame: packet bytes / frames shown until decoded.)\n",
		qrWallet400.Name, qrSpeedTarget, ratio, qrVerdict(ratio >= qrSpeedTarget), qrRateTarget, perSec[0], qrVerdict(perSec[0] >= qrRateTarget))
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(perFrame[0], "B/frame-default")
	b.ReportMetric(perSec[0], "B/s-default")
	b.ReportMetric(perSec[1], "B/s-400B5fps")
	b.ReportMetric(ratio, "speed-ratio")
}

// --- whole ceremonies

// qrPSBT makes the n-input PSBT of testpsbt.Spend for the key, and the signing plan
// `coldtss plan sign --psbt` makes of it; it returns the plan and the
// review that finishes it.
func qrPSBT(b *testing.B, key qrOutcome, n int, signers []ceremony.Card) (*ceremony.Plan, payload.Reviewed) {
	b.Helper()
	pub, cc := key.results[0].PublicKey, key.results[0].ChainCode
	raw, _ := testpsbt.Spend(b, pub, cc, n)
	pl, err := payload.FromPSBT(raw, "regtest")
	if err != nil {
		b.Fatal(err)
	}
	rv, err := payload.Review(pl, pub, cc, payload.Policy{Network: "regtest", MaxFeeRate: 10, MaxFee: 1_000_000})
	if err != nil {
		b.Fatal(err)
	}
	var reqs []ceremony.SignRequest
	for _, r := range rv.Requests() {
		reqs = append(reqs, ceremony.SignRequest{Data: r.Data, Path: r.Path})
	}
	pk2 := ceremony.PlanKey{ID: "0123456789abcdef", PublicKey: hex.EncodeToString(pub), ChainCode: hex.EncodeToString(cc), Holders: benchNames}
	plan, err := ceremony.NewSignPlan(pk2, ceremony.CurveSecp256k1, 2, ceremony.SortedCards(signers), reqs, pl)
	if err != nil {
		b.Fatal(err)
	}
	if err := payload.Check(plan, rv); err != nil {
		b.Fatal(err)
	}
	return plan, rv
}

// qrSign signs the plan by the stations named (indexes into benchNames).
func qrSign(b *testing.B, key qrOutcome, n int, who []int, hub string, loss float64, seed int64) qrOutcome {
	b.Helper()
	var ids []*ceremony.Identity
	var cards []ceremony.Card
	var shares [][]byte
	for _, i := range who {
		ids, cards, shares = append(ids, qrFix.ids[i]), append(cards, qrFix.cards[i]), append(shares, key.results[i].Share)
	}
	plan, rv := qrPSBT(b, key, n, cards)
	room := qrRoom{Hub: hub, Drop: loss, Fragment: display.Default.Fragment, Seed: seed}
	out := room.run(b, plan, ids, func(i int, r *ceremony.Runner) { r.Share = shares[i] })
	files, err := rv.Finish(out.results[0].Signatures)
	if err != nil {
		b.Fatalf("finishing the PSBT: %v", err)
	}
	if len(files) < 2 {
		b.Fatal("the PSBT did not finalize: some input is not signed")
	}
	return out
}

// BenchmarkQRCeremony counts the frames shown until decoded (text level:
// every frame the camera sees is read, or lost at random before it) and
// the hub's turns, for the 134 KB keygen packet alone and whole
// ceremonies, without loss and with 30% lost.
func BenchmarkQRCeremony(b *testing.B) {
	qrFixture(b)
	type row struct {
		what   string
		loss   float64
		o      qrOutcome
		frames int // one packet: frames shown
		hub    bool
		wall   time.Duration
	}
	var rows []row
	b.ResetTimer()
	for range b.N {
		rows = rows[:0]
		for i, loss := range []float64{0, qrLoss} {
			n, err := qrTransfer(qrFix.packet, display.Default, loss, nil, int64(i+1))
			if err != nil {
				b.Fatal(err)
			}
			rows = append(rows, row{what: fmt.Sprintf("keygen step-1 packet (%d B), one screen", len(qrFix.packet)), loss: loss, frames: n})
		}
		rows = append(rows, row{what: "keygen 2-of-3, hub", loss: 0, o: qrFix.keygen, hub: true})
		rows = append(rows, row{what: "keygen 2-of-3, hub", loss: qrLoss, o: qrKeygen(b, qrLoss, 2), hub: true})
		for i, loss := range []float64{0, qrLoss} {
			rows = append(rows, row{what: fmt.Sprintf("sign %d-input PSBT, face to face", qrSignInputs), loss: loss,
				o: qrSign(b, qrFix.keygen, qrSignInputs, benchSigners, "", loss, int64(3+i))})
		}
		for i, loss := range []float64{0, qrLoss} {
			rows = append(rows, row{what: fmt.Sprintf("sign %d-input PSBT, 3 signers, hub", qrHubSignInputs), loss: loss, hub: true,
				o: qrSign(b, qrFix.keygen, qrHubSignInputs, []int{0, 1, 2}, benchNames[0], loss, int64(5+i))})
		}
	}
	b.StopTimer()
	fps := float64(display.Default.FPS)
	fmt.Printf("\n=== QR: frames until decoded, preset %s (%d B, %d fps), text level (a frame is read, or lost at random) ===\n",
		display.Default.Name, display.Default.Fragment, display.Default.FPS)
	fmt.Printf("%-44s %5s | %7s %9s | %14s %9s | %s\n", "what", "loss", "ticks", "s at fps", "frames (all)", "face-offs", "wall s (tss-lib included)")
	for _, r := range rows {
		if r.o.qrs == nil {
			fmt.Printf("%-44s %4.0f%% | %7d %9.1f | %14d %9s |\n", r.what, 100*r.loss, r.frames, float64(r.frames)/fps, r.frames, "-")
			continue
		}
		turns := "-"
		if r.hub {
			turns = fmt.Sprint(r.o.faceOffs)
		}
		fmt.Printf("%-44s %4.0f%% | %7d %9.1f | %14d %9s | %.1f\n", r.what, 100*r.loss, r.o.ticks, float64(r.o.ticks)/fps, r.o.frames, turns, r.o.wall.Seconds())
	}
	fmt.Printf("ticks: frames each screen showed until every station finished, the world standing still while a station computes\n" +
		"(add the stations' compute time for the ceremony's real length); frames (all): every screen's frames summed. The hub\n" +
		"faces one station at a time: face-offs are its turns.\n")
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(rows[0].frames), "frames-packet")
	b.ReportMetric(float64(rows[1].frames), "frames-packet-loss")
	b.ReportMetric(float64(rows[2].o.ticks), "ticks-keygen")
	b.ReportMetric(float64(rows[3].o.ticks), "ticks-keygen-loss")
	b.ReportMetric(float64(rows[3].o.faceOffs), "faceoffs-keygen-loss")
	b.ReportMetric(float64(rows[4].o.ticks), "ticks-sign100")
	b.ReportMetric(float64(rows[5].o.ticks), "ticks-sign100-loss")
	b.ReportMetric(float64(rows[7].o.faceOffs), "faceoffs-hubsign-loss")
}
