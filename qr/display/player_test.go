package display

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coldtss/coldtss/qr/ur"
)

// screen is a small terminal: it applies what a Player writes (text, CR,
// LF, and the CSI sequences A, K, J, ?25l and ?25h) to a grid of lines that
// grows downwards, and refuses anything else, so a test sees what a person
// would see.
type screen struct {
	t         *testing.T
	mu        sync.Mutex
	rows      [][]rune
	row, col  int
	cursorOff bool
	shots     []string // the screen after each write
}

var csi = regexp.MustCompile(`^\x1b\[(\??)(\d*)([A-Za-z])`)

func (s *screen) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() { s.shots = append(s.shots, s.text()) }()
	in := string(b)
	for len(in) > 0 {
		if m := csi.FindStringSubmatch(in); m != nil {
			n, _ := strconv.Atoi(m[2])
			switch m[1] + m[3] {
			case "A":
				s.row = max(s.row-max(n, 1), 0)
			case "K":
				s.line()
				s.rows[s.row] = s.rows[s.row][:min(s.col, len(s.rows[s.row]))]
			case "J":
				s.line()
				s.rows[s.row] = s.rows[s.row][:min(s.col, len(s.rows[s.row]))]
				s.rows = s.rows[:s.row+1]
			case "?l", "?h":
				if m[2] != "25" {
					s.t.Fatalf("unexpected sequence %q", m[0])
				}
				s.cursorOff = m[3] == "l"
			default:
				s.t.Fatalf("unexpected sequence %q", m[0])
			}
			in = in[len(m[0]):]
			continue
		}
		r, size := utf8.DecodeRuneInString(in)
		in = in[size:]
		switch {
		case r == '\r':
			s.col = 0
		case r == '\n': // a terminal's output processing makes it CR LF
			s.row, s.col = s.row+1, 0
		case r < 0x20 || r == 0x7f:
			s.t.Fatalf("unexpected control character %q", r)
		default:
			s.line()
			for len(s.rows[s.row]) <= s.col {
				s.rows[s.row] = append(s.rows[s.row], ' ')
			}
			s.rows[s.row][s.col] = r
			s.col++
		}
	}
	return len(b), nil
}

func (s *screen) line() {
	for len(s.rows) <= s.row {
		s.rows = append(s.rows, nil)
	}
}

// shot is the screen after write i (from 0).
func (s *screen) shot(i int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i >= len(s.shots) {
		s.t.Fatalf("%d writes, not %d", len(s.shots), i+1)
	}
	return s.shots[i]
}

// text is the screen's content, trailing empty lines left out.
func (s *screen) text() string {
	var b strings.Builder
	for _, r := range s.rows {
		b.WriteString(string(r))
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n")
}

// fakeClock is the ticker of a Player under test: the test ticks it.
type fakeClock struct {
	c       chan time.Time
	period  time.Duration
	stopped bool
	mu      sync.Mutex
}

func (f *fakeClock) ticker(d time.Duration) (<-chan time.Time, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.period = d
	return f.c, func() { f.mu.Lock(); f.stopped = true; f.mu.Unlock() }
}

// A part source, and the frames it would show.
func parts(msg []byte, p Preset) func() string {
	e := ur.NewEncoder("bytes", msg, p.Fragment)
	return e.NextPart
}

// Frames are drawn in place: after many frames and a status change the
// screen holds exactly the last frame, its counter and the new status, the
// cursor is hidden, and each frame was one write that moved up over the
// one before. Cancelling erases it all and shows the cursor.
func TestPlayerInPlace(t *testing.T) {
	p := Presets[0].With(20, L, 0) // small frames
	msg := message(100, 9)
	scr := &screen{t: t}
	pl := NewPlayer(scr, p, parts(msg, p))
	clock := &fakeClock{c: make(chan time.Time)}
	pl.ticker = clock.ticker
	pl.SetStatus("peer: 0 of 5 fragments")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- pl.Run(ctx) }()
	// Run draws frame 1 at once, then frame n+1 on tick n; the clock is
	// unbuffered, so sending tick n returns once frame n has been drawn
	// (frame n+1 may be being drawn).
	const ticks = 8
	for i := 1; i <= ticks; i++ {
		if i == 5 {
			pl.SetStatus("peer: 3 of 5 fragments", "second line")
		}
		clock.c <- time.Now()
	}
	shown := scr.shot(ticks - 1) // frame 8; frame 9 may be being drawn
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if clock.period != time.Second/time.Duration(p.FPS) || !clock.stopped {
		t.Fatalf("ticker period %v (stopped %v), want %v", clock.period, clock.stopped, time.Second/time.Duration(p.FPS))
	}

	// Frame 8 is on screen, alone, with the status set before tick 5.
	e := ur.NewEncoder("bytes", msg, p.Fragment)
	var last string
	for i := 0; i < ticks; i++ {
		last = e.NextPart()
	}
	code, _ := Terminal(last, p)
	want := code + "part 8 (of 5 fragments)\npeer: 3 of 5 fragments\nsecond line"
	if shown != want {
		t.Fatalf("screen after 8 frames:\n%s\nwant:\n%s", shown, want)
	}
	if !strings.HasSuffix(scr.shot(3), "\npeer: 0 of 5 fragments") || !strings.HasSuffix(scr.shot(5), "\nsecond line") {
		t.Fatalf("status of frames 4 and 6:\n%s\n%s", scr.shot(3), scr.shot(5))
	}
	// One write per frame (9: the tick after the 8th was drawn), one to erase.
	if len(scr.shots) != ticks+2 || scr.text() != "" || scr.cursorOff {
		t.Fatalf("%d writes; after cancel the screen shows %q, cursor hidden %v", len(scr.shots), scr.text(), scr.cursorOff)
	}
}

// A frame of another size (SetFrames) leaves nothing of the larger one, and
// status text cannot move the cursor or wrap.
func TestPlayerSetFramesAndStatus(t *testing.T) {
	p := Presets[0]
	scr := &screen{t: t}
	big := URFrames("bytes", message(600, 2), p, 1)
	pl := NewPlayer(scr, p, func() string { return big[0] })
	pl.SetStatus("\x1b[2J\x1b[Hpeer \"Bob\"\r\nsays hi " + strings.Repeat("x", 200))
	if err := pl.Draw(); err != nil {
		t.Fatal(err)
	}
	first := scr.text()
	pl.SetFrames(func() string { return "UR:BYTES/AEADAOLSNBLL" })
	pl.SetStatus()
	if err := pl.Draw(); err != nil {
		t.Fatal(err)
	}
	code, _ := Terminal("UR:BYTES/AEADAOLSNBLL", p)
	if want := code + "single-part UR"; scr.text() != want {
		t.Fatalf("screen after a smaller frame:\n%s\nwant:\n%s", scr.text(), want)
	}
	lines := strings.Split(first, "\n")
	status := lines[len(lines)-1]
	if !strings.HasPrefix(status, `\x1b[2J\x1b[Hpeer "Bob"\r\nsays hi xxx`) || !strings.HasSuffix(status, "…") {
		t.Fatalf("status line shown as %q", status)
	}
	s, _ := Encode(big[0], p.Level)
	if n := utf8.RuneCountInString(status); n != s.Size() {
		t.Fatalf("status line of %d columns, the code is %d", n, s.Size())
	}
	if c := counter("B$2P0C01abcdef"); c != "part 2 of 12" {
		t.Fatalf("BBQr counter %q", c)
	}
}

// A frame larger than the terminal, or too long for a QR code, stops Run
// with an error that says what to do, and leaves the cursor shown.
func TestPlayerRefuses(t *testing.T) {
	p := Default
	scr := &screen{t: t}
	next := parts(message(5*p.Fragment, 4), p)
	s, _ := Encode(URFrames("bytes", message(5*p.Fragment, 4), p, 1)[0], p.Level)
	pl := NewPlayer(scr, p, next)
	pl.size = func() (int, int, bool) { return 80, 25, true }
	err := pl.Run(context.Background())
	// The code's lines, the counter, and the line the cursor is left on.
	want := fmt.Sprintf("%d columns and %d lines, this one has 80 and 25", s.Size(), (s.Size()+1)/2+2)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Run on an 80×25 terminal: %v", err)
	}
	pl = NewPlayer(scr, p, func() string { return strings.Repeat("a", 3000) })
	if err := pl.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "smaller fragment") {
		t.Fatalf("Run with a frame too long: %v", err)
	}
	if err := NewPlayer(scr, p, nil).Draw(); err == nil {
		t.Fatal("Draw without frames succeeded")
	}
	if err := NewPlayer(scr, Preset{FPS: 0}, func() string { return "X" }).Run(context.Background()); err == nil {
		t.Fatal("Run at 0 fps succeeded")
	}
}

// With the real clock at a small fps into a buffer: frames come at about
// p.FPS, methods may be called while it runs, cancelling stops it, and no
// goroutine is left behind.
func TestPlayerRealClock(t *testing.T) {
	before := runtime.NumGoroutine()
	p := Presets[0].With(20, L, 25)
	var mu sync.Mutex
	var buf bytes.Buffer
	w := writerFunc(func(b []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return buf.Write(b) })
	pl := NewPlayer(w, p, parts(message(200, 1), p))
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			pl.SetStatus("status " + time.Now().String())
			time.Sleep(time.Millisecond)
		}
	}()
	if err := pl.Run(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	mu.Lock()
	frames := strings.Count(buf.String(), "part ")
	mu.Unlock()
	if frames < 3 || frames > 12 { // 10 at 25 fps in 0.4 s
		t.Fatalf("%d frames in 0.4 s at 25 fps", frames)
	}
	if err := pl.Run(ctx); err != nil { // a done context: one frame, erased
		t.Fatal(err)
	}
	for i := 0; runtime.NumGoroutine() > before; i++ {
		if i == 100 {
			t.Fatalf("%d goroutines after Run returned, %d before", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }
