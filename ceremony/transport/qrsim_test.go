package transport_test

// QR ceremonies through the camera simulator: every frame a screen shows
// is drawn as the QR image that screen would show (qr/display), shot by a
// simulated webcam held by hand (qr/camsim Typical) and read back by the
// scanner (qr/scan); a frame the camera loses or the scanner cannot read
// is a lost frame. Then, at text level, the bad input a camera meets.

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/btcsuite/btcd/wire"
	"github.com/coldtss/coldtss/internal/testpsbt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/txscript"
	"github.com/fxamacker/cbor/v2"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/transport"
	"github.com/coldtss/coldtss/chains/bitcoin"
	"github.com/coldtss/coldtss/chains/payload"
	"github.com/coldtss/coldtss/qr/bytewords"
	"github.com/coldtss/coldtss/qr/camsim"
	"github.com/coldtss/coldtss/qr/camsim/lens"
	"github.com/coldtss/coldtss/qr/display"
	"github.com/coldtss/coldtss/qr/ur"
)

// --- the image channel

// newCameraChannel carries frames as pictures (lens.Pairs): the part is drawn
// as the screen shows it, shot by one simulated camera per pair of
// stations (camsim Typical: its own lost frames on top of the world's
// Drop) and scanned. The room runs its world Pipelined (each camera hands
// over its picture one frame late, so two pairs facing each other use two
// CPUs) and SkipHeld (a part of a message the station already decoded is
// not drawn).
func newCameraChannel(p display.Preset, seed int64) *lens.Pairs {
	return lens.NewPairs(camsim.Typical, seed, p)
}

// cameraStats is what the cameras saw, and the frames not drawn.
type cameraStats struct {
	lens.Stats
	Held int // frames of a message the station already held: not drawn
}

func (s cameraStats) String() string {
	return fmt.Sprintf("%s; %d not drawn (already held)", s.Stats, s.Held)
}

func cameraResult(ch *lens.Pairs, out simOutcome) (cameraStats, error) {
	s := cameraStats{Stats: ch.Stats()}
	if out.world != nil {
		s.Held = out.world.Held()
	}
	return s, ch.Err()
}

// --- a room whose world waits for the stations' computations

// simRoom runs one ceremony over a simulated room, like qrRoom, but the
// world stands still while a station computes: it ticks only when every
// station still in the ceremony is waiting for a packet it has not got.
// Frames and ticks then count what the transfer takes, not how fast this
// machine runs tss-lib, and the image channel does not compete with
// tss-lib for the CPUs. It has its own time limit (qrRoom's is three
// minutes: too short for pictures).
type simRoom struct {
	Hub      string
	Drop     float64
	Fragment int
	Channel  func(from, to, part string) (string, bool)
	Timeout  time.Duration
	OnWorld  func(w *transport.QRWorld) // called once the stations are made
	Seed     int64
	Pictures bool // Channel draws pictures: the world runs Pipelined and SkipHeld
}

type simOutcome struct {
	results []*ceremony.Result
	errs    []error
	world   *transport.QRWorld
	qrs     []*transport.QR
	ticks   int // ticks until every runner returned
	wall    time.Duration
}

// gate knows which stations are busy (computing) and which wait.
type gate struct {
	mu       sync.Mutex
	busy     map[string]bool
	awaiting map[string]map[[2]string]bool // station -> (step, sender) it asked for and did not get
	qrs      map[string]*transport.QR
}

type gatedTransport struct {
	ceremony.Transport
	g    *gate
	name string
}

func (t gatedTransport) Put(ctx context.Context, step int, station string, data []byte) error {
	t.g.mu.Lock()
	t.g.busy[t.name] = true
	t.g.mu.Unlock()
	return t.Transport.Put(ctx, step, station, data)
}

func (t gatedTransport) Get(step int, station string) ([]byte, string, error) {
	t.g.mu.Lock()
	defer t.g.mu.Unlock()
	data, where, err := t.Transport.Get(step, station)
	k := [2]string{fmt.Sprint(step), station}
	if errors.Is(err, ceremony.ErrNotYet) {
		t.g.busy[t.name] = false
		t.g.awaiting[t.name][k] = true
	} else {
		t.g.busy[t.name] = true
		delete(t.g.awaiting[t.name], k)
	}
	return data, where, err
}

// tick ticks the world if every station waits, and marks busy a station
// that now holds a packet it asked for (it takes it at its next poll).
func (g *gate) tick(w *transport.QRWorld) bool {
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
			var step int
			fmt.Sscan(k[0], &step)
			if _, _, err := g.qrs[name].Get(step, k[1]); err == nil {
				g.busy[name] = true
			}
		}
	}
	return true
}

func (room simRoom) run(plan *ceremony.Plan, ids []*ceremony.Identity, setup func(i int, r *ceremony.Runner)) (simOutcome, error) {
	w := &transport.QRWorld{Stations: map[string]*transport.QR{}, Drop: room.Drop, Seed: room.Seed, Channel: room.Channel,
		Pipelined: room.Pictures, SkipHeld: room.Pictures}
	g := &gate{busy: map[string]bool{}, awaiting: map[string]map[[2]string]bool{}, qrs: w.Stations}
	var qrs []*transport.QR
	for _, id := range ids {
		q, err := transport.NewQR(transport.QROptions{Session: plan.SessionBytes(), Self: id.Name, Stations: plan.Names(), Hub: room.Hub, Fragment: room.Fragment})
		if err != nil {
			return simOutcome{}, err
		}
		w.Stations[id.Name] = q
		g.busy[id.Name] = true
		g.awaiting[id.Name] = map[[2]string]bool{}
		qrs = append(qrs, q)
	}
	if room.OnWorld != nil {
		room.OnWorld(w)
	}
	timeout := room.Timeout
	if timeout == 0 {
		timeout = 3 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	var runners sync.WaitGroup
	ticksAtEnd := make(chan int, 1)
	worldDone := make(chan struct{})
	go func() {
		defer close(worldDone)
		for ctx.Err() == nil {
			if !g.tick(w) {
				time.Sleep(200 * time.Microsecond)
			}
		}
	}()
	out := simOutcome{results: make([]*ceremony.Result, len(ids)), errs: make([]error, len(ids)), world: w, qrs: qrs}
	var wg sync.WaitGroup
	for i, id := range ids {
		r := &ceremony.Runner{Plan: plan, ID: id, Transport: gatedTransport{qrs[i], g, id.Name}, Timeout: timeout, Poll: 2 * time.Millisecond,
			Save: func(*ceremony.Result) error { return nil }}
		if setup != nil {
			setup(i, r)
		}
		wg.Add(1)
		runners.Add(1)
		go func(i int, r *ceremony.Runner) {
			defer wg.Done()
			out.results[i], out.errs[i] = r.Run(ctx)
			g.mu.Lock()
			delete(g.busy, ids[i].Name) // out of the ceremony: the world no longer waits for it
			delete(g.awaiting, ids[i].Name)
			g.mu.Unlock()
			runners.Done()
			if out.errs[i] != nil {
				return
			}
			qrs[i].Finish()
			for !qrs[i].CanLeave() && ctx.Err() == nil {
				time.Sleep(time.Millisecond)
			}
		}(i, r)
	}
	go func() { runners.Wait(); ticksAtEnd <- w.Ticks() }()
	wg.Wait()
	cancel()
	<-worldDone
	w.Wait()
	out.ticks = <-ticksAtEnd
	out.wall = time.Since(start)
	if err := errors.Join(out.errs...); err != nil {
		return out, err
	}
	for i, q := range qrs {
		if !q.CanLeave() {
			return out, fmt.Errorf("%s never learnt that every station finished", ids[i].Name)
		}
	}
	return out, nil
}

// frames sums the frames every screen showed.
func (o simOutcome) frames() (total int, each []int) {
	for _, q := range o.qrs {
		each = append(each, q.Stats().Frames)
		total += q.Stats().Frames
	}
	return total, each
}

// --- a 2-of-3 ECDSA key made through the cameras, once per test binary

var cameraKey struct {
	once  sync.Once
	ids   []*ceremony.Identity
	cards []ceremony.Card
	plan  *ceremony.Plan
	out   simOutcome
	stats cameraStats
	err   error
}

// cameraKeygen runs the 2-of-3 secp256k1 keygen with a hub through the
// image channel at the default preset with 30% of the frames lost, once;
// TestQRKeygenThroughCamera checks it and the signing test uses its key.
func cameraKeygen(t *testing.T) {
	t.Helper()
	k := &cameraKey
	k.once.Do(func() {
		names := []string{"alice", "bob", "carol"}
		for _, n := range names {
			id, err := ceremony.NewIdentity(n)
			if err != nil {
				k.err = err
				return
			}
			k.ids, k.cards = append(k.ids, id), append(k.cards, id.Card())
		}
		k.plan, k.err = ceremony.NewKeygenPlan(k.cards, 2, ceremony.CurveSecp256k1, "qr camera")
		if k.err != nil {
			return
		}
		pps := testPreParams(t, 3)
		ch := newCameraChannel(display.Default, 1)
		room := simRoom{Hub: "alice", Drop: 0.3, Fragment: display.Default.Fragment, Channel: ch.Channel, Pictures: true, Timeout: 15 * time.Minute, Seed: 1}
		k.out, k.err = room.run(k.plan, k.ids, func(i int, r *ceremony.Runner) { r.PreParams = pps[i] })
		stats, err := cameraResult(ch, k.out)
		k.stats, k.err = stats, errors.Join(k.err, err)
	})
	if k.err != nil {
		t.Fatalf("keygen through the cameras: %v", k.err)
	}
}

// TestQRKeygenThroughCamera: a 2-of-3 secp256k1 keygen, the hub relaying,
// every frame drawn, photographed and scanned, 30% of the frames lost on
// top of what the camera and the scanner lose. Measured: about 6600 ticks
// (14 minutes of screens at 8 fps), 3900 pictures, 290 s of CPU (under a
// minute of it tss-lib): a few minutes on two CPUs. Skipped with -short.
func TestQRKeygenThroughCamera(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a keygen through the camera simulator takes minutes")
	}
	cameraKeygen(t)
	k := &cameraKey
	res := k.out.results
	for i, r := range res[1:] {
		if !bytes.Equal(r.PublicKey, res[0].PublicKey) || !bytes.Equal(r.ChainCode, res[0].ChainCode) {
			t.Fatalf("%s's public key or chain code differs from alice's", k.ids[i+1].Name)
		}
	}
	if len(res[0].PublicKey) != 33 {
		t.Fatalf("public key of %d bytes, want 33 (compressed secp256k1)", len(res[0].PublicKey))
	}
	total, each := k.out.frames()
	hub := k.out.qrs[0].Stats()
	t.Logf("keygen through the cameras (preset %s, 30%% lost before the camera): %d ticks (%.0f s at %d fps), frames shown %d (alice the hub, bob, carol: %v), hub turned %d times; %s; %.1f s wall",
		display.Default.Name, k.out.ticks, float64(k.out.ticks)/float64(display.Default.FPS), display.Default.FPS, total, each, hub.FaceOffs, k.stats, k.out.wall.Seconds())
	if k.stats.Read == 0 || k.stats.Unread+k.stats.Dropped == 0 {
		t.Fatalf("the cameras read %d frames and lost %d: the image channel did not run", k.stats.Read, k.stats.Unread+k.stats.Dropped)
	}
	if steps := ceremony.TotalSteps(ceremony.KindKeygen, ceremony.CurveSecp256k1); hub.FaceOffs > 2*steps+3 {
		t.Errorf("the hub turned %d times for %d steps: more than twice a step", hub.FaceOffs, steps)
	}
}

// --- the 100-input PSBT

const psbtInputs = 100

// verifyTx runs btcd's script engine on every input of a raw transaction.
func verifyTx(t *testing.T, txHex []byte, coins []bitcoin.UTXO) *wire.MsgTx {
	t.Helper()
	raw, err := hex.DecodeString(strings.TrimSpace(string(txHex)))
	if err != nil {
		t.Fatalf("tx.hex: %v", err)
	}
	tx := wire.NewMsgTx(2)
	if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
		t.Fatalf("tx.hex is not a transaction: %v", err)
	}
	prevs := map[wire.OutPoint]*wire.TxOut{}
	for _, c := range coins {
		prevs[c.OutPoint] = wire.NewTxOut(c.Value, c.PkScript)
	}
	fetcher := txscript.NewMultiPrevOutFetcher(prevs)
	hashes := txscript.NewTxSigHashes(tx, fetcher)
	for i, in := range tx.TxIn {
		prev := prevs[in.PreviousOutPoint]
		if prev == nil {
			t.Fatalf("input %d spends %s, not one of the coins", i, in.PreviousOutPoint)
		}
		vm, err := txscript.NewEngine(prev.PkScript, tx, i, txscript.StandardVerifyFlags, nil, hashes, prev.Value, fetcher)
		if err != nil {
			t.Fatal(err)
		}
		if err := vm.Execute(); err != nil {
			t.Fatalf("input %d: script engine: %v", i, err)
		}
	}
	return tx
}

// TestQRSignHundredInputsThroughCamera: a real 100-input PSBT for the key
// made through the cameras, planned as `plan sign --psbt` plans it (the
// payload reviewed, its digests the plan's), signed face to face by two
// stations through the image channel with 30% of the frames lost, finished
// with the signatures and checked by btcd's script engine.
//
// It takes too long for every run: about 9400 ticks (20 minutes of screens
// at 8 fps), 7700 pictures, 700 s of CPU on top of the keygen's, so it runs
// only with COLDTSS_QR_CAMERA_SIGN=1. internal/bench (BenchmarkQRCeremony)
// signs the same kind of PSBT over QR at text level in every `make bench`.
func TestQRSignHundredInputsThroughCamera(t *testing.T) {
	if os.Getenv("COLDTSS_QR_CAMERA_SIGN") != "1" {
		t.Skip("set COLDTSS_QR_CAMERA_SIGN=1 to sign a 100-input PSBT through the camera simulator (about 15 minutes of CPU with its keygen)")
	}
	cameraKeygen(t)
	k := &cameraKey
	res := k.out.results
	pub, cc := res[0].PublicKey, res[0].ChainCode
	raw, coins := testpsbt.Spend(t, pub, cc, psbtInputs)
	pl, err := payload.FromPSBT(raw, "regtest")
	if err != nil {
		t.Fatal(err)
	}
	pol := payload.Policy{Network: "regtest", MaxFeeRate: 10, MaxFee: 1_000_000}
	rv, err := payload.Review(pl, pub, cc, pol)
	if err != nil {
		t.Fatal(err)
	}
	var reqs []ceremony.SignRequest
	for _, r := range rv.Requests() {
		reqs = append(reqs, ceremony.SignRequest{Data: r.Data, Path: r.Path})
	}
	if len(reqs) != psbtInputs {
		t.Fatalf("the review asks for %d signatures, want %d", len(reqs), psbtInputs)
	}
	key := ceremony.PlanKey{ID: "0123456789abcdef", PublicKey: hex.EncodeToString(pub), ChainCode: hex.EncodeToString(cc), Holders: k.plan.Names()}
	signers := []*ceremony.Identity{k.ids[1], k.ids[2]}
	sp, err := ceremony.NewSignPlan(key, ceremony.CurveSecp256k1, 2, ceremony.SortedCards([]ceremony.Card{k.cards[1], k.cards[2]}), reqs, pl)
	if err != nil {
		t.Fatal(err)
	}
	// Every signing station reviews the payload itself, as join does.
	for _, id := range signers {
		mine, err := payload.Review(sp.Payload, pub, cc, pol)
		if err != nil {
			t.Fatalf("%s's review: %v", id.Name, err)
		}
		if err := payload.Check(sp, mine); err != nil {
			t.Fatalf("%s's check of the plan: %v", id.Name, err)
		}
	}
	shares := [][]byte{res[1].Share, res[2].Share}
	ch := newCameraChannel(display.Default, 2)
	room := simRoom{Drop: 0.3, Fragment: display.Default.Fragment, Channel: ch.Channel, Pictures: true, Timeout: 30 * time.Minute, Seed: 2}
	out, err := room.run(sp, signers, func(i int, r *ceremony.Runner) { r.Share = shares[i] })
	stats, cerr := cameraResult(ch, out)
	if err = errors.Join(err, cerr); err != nil {
		t.Fatalf("signing through the cameras: %v", err)
	}
	total, each := out.frames()
	t.Logf("%d-input signing through the cameras, face to face (preset %s, 30%% lost before the camera): %d ticks (%.0f s at %d fps), frames shown %d (bob, carol: %v); %s; %.1f s wall",
		psbtInputs, display.Default.Name, out.ticks, float64(out.ticks)/float64(display.Default.FPS), display.Default.FPS, total, each, stats, out.wall.Seconds())
	sigs := out.results[0].Signatures
	if len(sigs) != psbtInputs {
		t.Fatalf("%d signatures, want %d", len(sigs), psbtInputs)
	}
	for i, s := range out.results[1].Signatures {
		if !bytes.Equal(s, sigs[i]) {
			t.Fatalf("signature %d differs between the two stations", i)
		}
	}
	files, err := rv.Finish(sigs)
	if err != nil {
		t.Fatalf("finishing the PSBT: %v", err)
	}
	var txHex []byte
	for _, f := range files {
		if f.Name == "tx.hex" {
			txHex = f.Data
		}
	}
	if txHex == nil {
		t.Fatal("the PSBT did not finalize: no tx.hex, so some input is not signed")
	}
	tx := verifyTx(t, txHex, coins)
	if len(tx.TxIn) != psbtInputs {
		t.Fatalf("the transaction has %d inputs, want %d", len(tx.TxIn), psbtInputs)
	}
}

// --- bad input, at text level

// qrItemCBOR is the CBOR of a coldtss-packet item as qr.go writes it
// (docs/formats.md, "QR ceremony frames"): [kind, session, step, station, data].
func qrItemCBOR(t *testing.T, kind uint8, session []byte, step int, station string, data []byte) []byte {
	t.Helper()
	type item struct {
		_       struct{} `cbor:",toarray"`
		Kind    uint8
		Session []byte
		Step    int
		Station string
		Data    []byte
	}
	em, err := cbor.CanonicalEncOptions().EncMode()
	if err != nil {
		t.Fatal(err)
	}
	b, err := em.Marshal(&item{Kind: kind, Session: session, Step: step, Station: station, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// firstParts returns the first n parts of a UR of the CBOR.
func firstParts(typ string, cbor []byte, frag, n int) []string {
	e := ur.NewEncoder(typ, cbor, frag)
	out := make([]string, n)
	for i := range out {
		out[i] = e.NextPart()
	}
	return out
}

// rewritePart re-encodes a multipart UR part with its fields changed by f
// (the CBOR [seqNum, seqLen, messageLen, checksum, fragment]); the
// bytewords checksum is made anew, so the part is well formed.
func rewritePart(t *testing.T, part string, f func(p *urPart)) string {
	t.Helper()
	comps := strings.Split(strings.ToLower(part), "/")
	if len(comps) != 3 {
		t.Fatalf("%q is not a multipart UR part", part)
	}
	body, err := bytewords.Decode(bytewords.Minimal, comps[2])
	if err != nil {
		t.Fatal(err)
	}
	var p urPart
	if err := cbor.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	f(&p)
	nb, err := cbor.Marshal(&p)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ToUpper(fmt.Sprintf("%s/%d-%d/%s", comps[0], p.SeqNum, p.SeqLen, bytewords.Encode(bytewords.Minimal, nb)))
}

type urPart struct {
	_          struct{} `cbor:",toarray"`
	SeqNum     uint32
	SeqLen     uint64
	MessageLen uint64
	Checksum   uint32
	Data       []byte
}

func seqNum(t *testing.T, part string) (num, length int) {
	t.Helper()
	info, err := ur.Inspect(part)
	if err != nil {
		t.Fatal(err)
	}
	return info.SeqNum, info.SeqLen
}

// TestQRBadFrames: a 2-station keygen, face to face, while bob's camera
// also reads something that is not a frame of this ceremony. Each time the
// ceremony completes, and Warning says in one line what was wrong, naming
// the frame.
func TestQRBadFrames(t *testing.T) {
	const frag = 60 // small fragments: every packet takes several frames
	other := bytes.Repeat([]byte{0xee}, 16)
	cases := []struct {
		name string
		// bad returns what bob's camera reads besides the part shown
		// (the part it was shown, its session), or nil to wait.
		bad  func(t *testing.T, part string, session []byte) []string
		want []string
	}{
		{"garbage", func(t *testing.T, part string, _ []byte) []string {
			return []string{"HELLO \x1b]0;owned\x07 WORLD"}
		}, []string{"not a part of a ceremony code", `\x1b`}},
		{"truncated part", func(t *testing.T, part string, _ []byte) []string {
			return []string{part[:len(part)*2/3]}
		}, []string{"not a part of a ceremony code", "damaged"}},
		{"bytewords checksum", func(t *testing.T, part string, _ []byte) []string {
			// The last byte of the part's CRC-32 changed: every word is
			// still a byteword.
			for _, b := range []byte{0, 1} {
				w := bytewords.Word(b)
				if min := strings.ToUpper(w[:1] + w[3:]); !strings.HasSuffix(part, min) {
					return []string{part[:len(part)-2] + min}
				}
			}
			return nil
		}, []string{"not a part of a ceremony code", "checksum"}},
		{"wrong UR type", func(t *testing.T, part string, _ []byte) []string {
			return []string{ur.Encode("crypto-psbt", []byte{0x43, 1, 2, 3})}
		}, []string{"a ur:crypto-psbt code, not a coldtss ceremony frame"}},
		{"message checksum", func(t *testing.T, part string, session []byte) []string {
			// Every fragment of a message, its CRC-32 in the header wrong.
			msg := qrItemCBOR(t, 0, session, 1, "mallory", bytes.Repeat([]byte{7}, 300))
			var out []string
			for _, p := range firstParts(transport.URTypePacket, msg, frag, (len(msg)+frag-1)/frag) {
				out = append(out, rewritePart(t, p, func(p *urPart) { p.Checksum ^= 1 }))
			}
			return out
		}, []string{"do not match its checksum"}},
		{"two messages mixed", func(t *testing.T, part string, _ []byte) []string {
			// The header of the part just read (a pure fragment, already
			// recovered) with the fragment of another message.
			if n, l := seqNum(t, part); n >= l {
				return nil
			}
			return []string{rewritePart(t, part, func(p *urPart) {
				for i := range p.Data {
					p.Data[i] ^= 0x5a
				}
			})}
		}, []string{"part ignored", "differs from the one already recovered"}},
		{"a step no ceremony has", func(t *testing.T, part string, session []byte) []string {
			// This session, a station name that would clear the screen.
			msg := qrItemCBOR(t, 0, session, 99, "al\x1b[2Jice", []byte{1})
			return firstParts(transport.URTypePacket, msg, frag, 1)
		}, []string{`a packet of al\x1b[2Jice for step 99, which no ceremony has: ignored`}},
		{"another session", func(t *testing.T, part string, _ []byte) []string {
			msg := qrItemCBOR(t, 0, other, 1, "alice", bytes.Repeat([]byte{7}, 300))
			return firstParts(transport.URTypePacket, msg, frag, (len(msg)+frag-1)/frag)
		}, []string{"frames of another ceremony (session " + hex.EncodeToString(other)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ids, cards := qrIdentities(t, "alice", "bob")
			plan, err := ceremony.NewKeygenPlan(cards, 2, ceremony.CurveEd25519, "qr")
			if err != nil {
				t.Fatal(err)
			}
			var w *transport.QRWorld
			var warnings []string
			seen, injected := 0, false
			channel := func(from, to, part string) (string, bool) {
				if to != "bob" {
					return part, true
				}
				seen++
				if injected || seen < 3 {
					return part, true
				}
				bad := tc.bad(t, part, plan.SessionBytes())
				if bad == nil {
					return part, true
				}
				// The part just shown reaches bob first, then what
				// else its camera saw, each checked at once.
				bob := w.Stations["bob"]
				bob.Feed(part, fmt.Sprintf("frame %d of alice's screen", seen))
				for i, b := range bad {
					where := fmt.Sprintf("camera frame %d.%d", seen, i+1)
					bob.Feed(b, where)
					if i == len(bad)-1 {
						warnings = append(warnings, where+"|"+bob.Warning())
					}
				}
				injected = true
				return "", false
			}
			room := simRoom{Fragment: frag, Channel: channel, OnWorld: func(x *transport.QRWorld) { w = x }, Timeout: time.Minute}
			out, err := room.run(plan, ids, nil)
			if err != nil {
				t.Fatalf("the ceremony did not complete: %v", err)
			}
			if !bytes.Equal(out.results[0].PublicKey, out.results[1].PublicKey) {
				t.Fatal("public keys differ")
			}
			if !injected {
				t.Fatal("nothing was injected: the test did not run")
			}
			where, warning, _ := strings.Cut(warnings[0], "|")
			t.Logf("warning: %s", warning)
			if !strings.HasPrefix(warning, where+": ") {
				t.Errorf("the warning does not start with the frame (%s): %q", where, warning)
			}
			for _, f := range tc.want {
				if !strings.Contains(warning, f) {
					t.Errorf("the warning does not say %q: %q", f, warning)
				}
			}
			if strings.ContainsAny(warning, "\n\r\x1b\x07") {
				t.Errorf("the warning is not one plain line: %q", warning)
			}
		})
	}
}

// forgedFirstPacket returns a real step-1 packet "of alice" for a plan
// with the same session and stations' names, but made by an impostor: it
// is well formed, and its signature is not alice's for this plan.
func forgedFirstPacket(t *testing.T, plan *ceremony.Plan, bob ceremony.Card) []byte {
	t.Helper()
	impostor, err := ceremony.NewIdentity("alice")
	if err != nil {
		t.Fatal(err)
	}
	fake, err := ceremony.NewKeygenPlan([]ceremony.Card{impostor.Card(), bob}, 2, plan.Curve, plan.Label)
	if err != nil {
		t.Fatal(err)
	}
	fake.Session = plan.Session
	mem := transport.NewMemory()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		(&ceremony.Runner{Plan: fake, ID: impostor, Transport: mem, Timeout: time.Minute, Poll: time.Millisecond}).Run(ctx)
	}()
	for ctx.Err() == nil {
		if data, _, err := mem.Get(1, "alice"); err == nil {
			cancel()
			<-done
			return data
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("the impostor wrote no step-1 packet")
	return nil
}

// TestQRForgedPacketStops: a screen in view shows a packet of this very
// session, claiming to be alice's first step but made by an impostor for
// a plan of the same session. The transport keeps the first packet of a
// step it decodes, so bob takes the forgery: his runner must stop, naming
// the frame and the reason.
func TestQRForgedPacketStops(t *testing.T) {
	ids, cards := qrIdentities(t, "alice", "bob")
	plan, err := ceremony.NewKeygenPlan(cards, 2, ceremony.CurveEd25519, "qr")
	if err != nil {
		t.Fatal(err)
	}
	pkt := forgedFirstPacket(t, plan, cards[1])
	forged := firstParts(transport.URTypePacket, qrItemCBOR(t, 0, plan.SessionBytes(), 1, "alice", pkt), 4000, 1)
	var w *transport.QRWorld
	fed := false
	channel := func(from, to, part string) (string, bool) {
		if to == "bob" && !fed {
			w.Stations["bob"].Feed(forged[0], "camera frame 1")
			fed = true
		}
		return part, true
	}
	room := simRoom{Fragment: 200, Channel: channel, OnWorld: func(x *transport.QRWorld) { w = x }, Timeout: 20 * time.Second}
	// alice has no reason to stop: the room's time limit ends her.
	out, _ := room.run(plan, ids, nil)
	err = out.errs[1]
	var pe *ceremony.PacketError
	if !errors.As(err, &pe) {
		t.Fatalf("bob: %v, want a refused packet", err)
	}
	t.Logf("bob: %v", err)
	for _, f := range []string{"packet of alice, step 1 (first part camera frame 1)", "signature does not verify"} {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("bob's error does not say %q: %v", f, err)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("bob's error is not one line: %q", err)
	}
	if out.errs[0] == nil {
		t.Error("alice finished a keygen bob never finished")
	}
}

// TestQRPoisonedFragment: a screen in view shows one well-formed part that
// claims to be a fragment of a message bob is decoding, with other bytes.
// No decoder can tell it from the real fragment until the message is whole
// and fails its checksum; the transport must then decode that message
// again from the parts its peer keeps showing, and the ceremony complete.
func TestQRPoisonedFragment(t *testing.T) {
	ids, cards := qrIdentities(t, "alice", "bob")
	plan, err := ceremony.NewKeygenPlan(cards, 2, ceremony.CurveEd25519, "qr")
	if err != nil {
		t.Fatal(err)
	}
	var w *transport.QRWorld
	injected := false
	channel := func(from, to, part string) (string, bool) {
		if to != "bob" || injected {
			return part, true
		}
		if n, l := seqNum(t, part); n != 1 || l < 3 {
			return part, true
		}
		// Fragment 2 of the message whose first part this is, before
		// the real one.
		w.Stations["bob"].Feed(rewritePart(t, part, func(p *urPart) {
			p.SeqNum = 2
			for i := range p.Data {
				p.Data[i] ^= 0x33
			}
		}), "camera frame 1")
		injected = true
		return part, true
	}
	room := simRoom{Fragment: 60, Channel: channel, OnWorld: func(x *transport.QRWorld) { w = x }, Timeout: 30 * time.Second}
	out, err := room.run(plan, ids, nil)
	if !injected {
		t.Fatal("nothing was injected: the test did not run")
	}
	if err != nil {
		t.Fatalf("one forged part stopped the ceremony: %v (bob's warning: %s)", err, w.Stations["bob"].Warning())
	}
	if !bytes.Equal(out.results[0].PublicKey, out.results[1].PublicKey) {
		t.Fatal("public keys differ")
	}
}
