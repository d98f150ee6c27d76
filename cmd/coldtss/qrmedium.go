package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/backup/vault"
	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/transport"
	"github.com/coldtss/coldtss/internal/cliutil"
	"github.com/coldtss/coldtss/internal/untrusted"
	"github.com/coldtss/coldtss/qr/camsim"
	"github.com/coldtss/coldtss/qr/camsim/lens"
	"github.com/coldtss/coldtss/qr/display"
	"github.com/coldtss/coldtss/qr/scan"
)

// qrMedium runs a ceremony over screens and cameras: this station's
// screen loops through what the others may still need (a fountain-coded
// animation), and its camera (or zbarcam on standard input) feeds what it
// reads to the transport. With qr-sim:DIR the screen is a PNG file in
// DIR/<station>/ and the camera a simulated webcam looking at the screen
// of the station faced (qr/camsim), for demos and tests.
type qrMedium struct {
	q       *transport.QR
	preset  display.Preset
	via     string
	device  string
	simDir  string
	simDrop float64
	self    string
	outDir  string
	keepOut string // --out, for signatures.json

	player *display.Player
	st     *cliutil.StatusLine

	mu      sync.Mutex
	status  string
	warning string
	camErr  string
	lastKey string // the status line shown last, without its receiving percent
	stop    context.CancelFunc
	wg      sync.WaitGroup
}

func newQRMedium(c *cli.Context, h vault.Home, plan *ceremony.Plan, self string) (*qrMedium, error) {
	p, err := display.PresetByName(c.String("preset"))
	if err != nil {
		return nil, usageError{Err: fmt.Errorf("--preset: %v", err)}
	}
	p = p.With(c.Int("fragment"), 0, c.Int("fps"))
	if err := p.Validate(); err != nil {
		return nil, usageError{Err: fmt.Errorf("--fragment/--fps: %v", err)}
	}
	q, err := transport.NewQR(transport.QROptions{Session: plan.SessionBytes(), Self: self, Stations: plan.Names(), Hub: c.String("hub"), Fragment: p.Fragment})
	if err != nil {
		return nil, usageError{Err: err}
	}
	m := &qrMedium{q: q, preset: p, via: c.String("via"), device: c.String("camera"), self: self,
		simDrop: c.Float64("sim-drop"), outDir: outputsDir(h, plan), keepOut: c.String("out")}
	if dir, ok := strings.CutPrefix(m.via, "qr-sim:"); ok {
		m.simDir = dir
		if err := os.MkdirAll(filepath.Join(dir, self), 0o755); err != nil {
			return nil, fmt.Errorf("--via %s: %v", untrusted.Quote(m.via), err)
		}
		if m.simDrop < 0 || m.simDrop >= 1 {
			return nil, usageError{Err: fmt.Errorf("--sim-drop %g: give a fraction from 0 up to (not including) 1", m.simDrop)}
		}
	} else if m.via == "qr" {
		// Fail now, not in the middle of the ceremony, if there is no camera.
		src, err := scan.Camera(m.device, scan.CameraOptions{})
		if err != nil {
			return nil, err
		}
		src.Close()
	}
	return m, nil
}

func (m *qrMedium) Transport() ceremony.Transport { return m.q }

func (m *qrMedium) Where() string { return "over QR" }

func (m *qrMedium) Write(_ context.Context, name string, data []byte) (string, error) {
	if m.keepOut != "" {
		// --out names signatures.json; the other outputs go beside it.
		if name == "signatures.json" {
			name = filepath.Base(m.keepOut)
		}
		return writeOutput(filepath.Dir(m.keepOut), name, data)
	}
	return writeOutput(m.outDir, name, data)
}

// Start shows this station's codes and watches for the others'.
func (m *qrMedium) Start(ctx context.Context) {
	ctx, m.stop = context.WithCancel(ctx)
	if m.simDir != "" {
		m.st = cliutil.NewStatusLine()
		m.goRun(func() { m.simScreen(ctx) })
		m.goRun(func() { m.simCamera(ctx) })
		return
	}
	m.player = display.NewPlayer(os.Stderr, m.preset, m.q.Next)
	m.refresh()
	m.goRun(func() {
		if err := m.player.Run(ctx); err != nil {
			m.fail(err)
		}
	})
	var src scan.Source
	if m.via == "qr-stdin" {
		src = scan.Lines(os.Stdin, "stdin")
	} else {
		var err error
		if src, err = scan.Camera(m.device, scan.CameraOptions{}); err != nil {
			m.fail(err)
			return
		}
	}
	m.goRun(func() { m.watch(ctx, src) })
}

func (m *qrMedium) goRun(f func()) {
	m.wg.Add(1)
	go func() { defer m.wg.Done(); f() }()
}

// fail records a screen or camera failure; the ceremony times out on it,
// and the reason is shown.
func (m *qrMedium) fail(err error) {
	m.mu.Lock()
	m.camErr = err.Error()
	m.mu.Unlock()
	m.refresh()
}

// watch feeds what the camera (or zbarcam) reads to the transport.
func (m *qrMedium) watch(ctx context.Context, src scan.Source) {
	defer src.Close()
	for ctx.Err() == nil {
		text, where, err := src.Next(ctx)
		switch {
		case errors.Is(err, io.EOF):
			m.fail(errors.New("the QR input ended (zbarcam stopped?): restart the ceremony with a new plan"))
			return
		case errors.Is(err, scan.ErrNoCode):
			continue // a camera frame without a readable code: normal
		case err != nil:
			if ctx.Err() == nil {
				m.fail(err)
			}
			time.Sleep(200 * time.Millisecond)
			continue
		}
		m.q.Feed(text, where)
		m.refresh()
	}
}

// Progress shows the ceremony's status under the code.
func (m *qrMedium) Progress(s ceremony.Status) {
	m.mu.Lock()
	if s.Warning != "" {
		m.warning = "WARNING: " + untrusted.Text(s.Warning)
	} else {
		m.status = s.String()
	}
	m.mu.Unlock()
	m.refresh()
}

func (m *qrMedium) refresh() {
	m.mu.Lock()
	lines := []string{m.status, m.q.Instruction()}
	if w := m.q.Warning(); w != "" {
		lines = append(lines, "camera: "+w)
	}
	if m.warning != "" {
		lines = append(lines, m.warning)
	}
	if m.camErr != "" {
		lines = append(lines, "ERROR: "+m.camErr)
	}
	m.mu.Unlock()
	if m.player != nil {
		m.player.SetStatus(lines...)
	} else if m.st != nil {
		line := strings.Join(slices.DeleteFunc(lines, func(l string) bool { return l == "" }), " | ")
		// A new step, turn or warning is shown at once; the receiving
		// percent alone changes every frame, so a log gets it now and then.
		key, _, _ := strings.Cut(line, "; receiving")
		m.mu.Lock() // the status line is written from the screen and the runner
		defer m.mu.Unlock()
		if key != m.lastKey {
			m.lastKey = key
			m.st.Set(line)
		} else {
			m.st.Tick(line)
		}
	}
}

// Finished keeps this station's last packets showing until every station
// has said it finished, or the operator presses Enter (or Ctrl-C): the
// ceremony itself is over here.
func (m *qrMedium) Finished(ctx context.Context) {
	m.q.Finish()
	m.mu.Lock()
	m.status = "done here: keep this screen facing the others until every station says done"
	if m.via == "qr" && cliutil.IsTerminal(os.Stdin) {
		m.status += " (or press Enter to close)"
	}
	m.mu.Unlock()
	m.refresh()
	enter := make(chan struct{})
	if m.via == "qr" && cliutil.IsTerminal(os.Stdin) {
		go func() { _, _ = bufio.NewReader(os.Stdin).ReadString('\n'); close(enter) }()
	}
	for !m.q.CanLeave() {
		select {
		case <-ctx.Done():
			return
		case <-enter:
			return
		case <-time.After(50 * time.Millisecond):
		}
		m.refresh()
	}
}

// Stop ends the display and the camera.
func (m *qrMedium) Stop() {
	if m.stop != nil {
		m.stop()
	}
	m.wg.Wait()
	if m.st != nil {
		m.st.Done()
	}
}

// simScreen writes the frame this station shows to DIR/<station>/screen.png
// (and whom it faces to DIR/<station>/facing) at the preset's rate.
func (m *qrMedium) simScreen(ctx context.Context) {
	dir := filepath.Join(m.simDir, m.self)
	tick := time.NewTicker(time.Second / time.Duration(m.preset.FPS))
	defer tick.Stop()
	facing := ""
	for {
		if f := m.q.Facing(); f != facing {
			facing = f
			_ = replaceFile(filepath.Join(dir, "facing"), []byte(f+"\n"))
		}
		if part := m.q.Next(); part != "" {
			if b, err := display.PNG(part, m.preset); err == nil {
				_ = replaceFile(filepath.Join(dir, "screen.png"), b)
			}
		}
		m.refresh()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// simCamera looks at the screen of the station faced, when that station
// faces this one, and photographs each new frame with a simulated webcam
// (which loses --sim-drop of them) and scans it (qr/camsim/lens).
func (m *qrMedium) simCamera(ctx context.Context) {
	cam := lens.New(withDrop(camsim.Typical, m.simDrop), int64(len(m.self))*7919+time.Now().UnixNano()%1000, m.preset)
	// Like a webcam, it takes a picture at its own rate whether or not the
	// screen changed: a screen that shows one code (a short packet) for a
	// while is photographed again and again, each picture with its own
	// blur and noise, until one reads.
	tick := time.NewTicker(time.Second / time.Duration(m.preset.FPS))
	defer tick.Stop()
	n := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		peer := m.q.Facing()
		back, _ := os.ReadFile(filepath.Join(m.simDir, peer, "facing"))
		b, err := os.ReadFile(filepath.Join(m.simDir, peer, "screen.png"))
		if err != nil || strings.TrimSpace(string(back)) != m.self {
			continue
		}
		n++
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			continue
		}
		if text, o := cam.Look(img); o.Seen() {
			m.q.Feed(text, fmt.Sprintf("camera frame %d of %s's screen", n, peer))
		}
	}
}

func withDrop(o camsim.Options, drop float64) camsim.Options {
	o.Drop = drop
	return o
}

// replaceFile replaces a file of the simulated room in one rename, so a
// reader never sees half a frame.
func replaceFile(p string, data []byte) error {
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}
