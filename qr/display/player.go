package display

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/coldtss/coldtss/internal/untrusted"
)

// ANSI sequences that the Linux console (TERM=linux) and every terminal
// emulator understand; no terminfo is needed.
const (
	ansiHideCursor = "\x1b[?25l"
	ansiShowCursor = "\x1b[?25h"
	ansiEraseLine  = "\x1b[K" // from the cursor to the end of the line
	ansiEraseBelow = "\x1b[J" // from the cursor to the end of the screen
)

// ansiUp moves the cursor to the first column, n lines up.
func ansiUp(n int) string { return "\r\x1b[" + strconv.Itoa(n) + "A" }

// Player shows an endless sequence of QR codes in place on a terminal, at
// the preset's frames per second, with status lines under the code: a part
// counter ("part 12 (of 40 fragments)") and the caller's status text. Each
// frame overwrites the one before; nothing scrolls. Its methods are safe for
// concurrent use.
type Player struct {
	w     io.Writer
	fps   int
	level Level

	mu      sync.Mutex
	next    func() string
	status  []string
	lines   int  // lines on screen from the last draw, to move back over
	running bool // Run is running

	// Tests replace these: the frame clock, and the terminal's size.
	ticker func(time.Duration) (<-chan time.Time, func())
	size   func() (cols, rows int, ok bool)
}

// NewPlayer returns a player that draws on w the texts next returns, one per
// frame (next is called from Run's goroutine, once a frame), at p.FPS and p.Level.
// When w is a terminal, a frame larger than it is refused.
func NewPlayer(w io.Writer, p Preset, next func() string) *Player {
	pl := &Player{w: w, fps: p.FPS, level: p.Level, next: next}
	pl.ticker = func(d time.Duration) (<-chan time.Time, func()) {
		t := time.NewTicker(d)
		return t.C, t.Stop
	}
	pl.size = func() (int, int, bool) { return 0, 0, false }
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		pl.size = func() (int, int, bool) {
			c, r, err := term.GetSize(int(f.Fd()))
			return c, r, err == nil && c > 0 && r > 0
		}
	}
	return pl
}

// SetFrames replaces the source of frames from the next frame on.
func (pl *Player) SetFrames(next func() string) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.next = next
}

// SetStatus replaces the status lines under the part counter from the next
// frame on. Each line is shown through untrusted.Text, and cut to the width
// of the code, so it cannot move the cursor or wrap.
func (pl *Player) SetStatus(lines ...string) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.status = append([]string(nil), lines...)
}

// Run draws a frame at once and then p.FPS frames a second until ctx is
// done, then erases what it drew and returns nil; or it stops at the first
// frame that cannot be drawn (too long for one QR code, larger than the
// terminal, or a write error) and returns why, the last frame left on screen.
func (pl *Player) Run(ctx context.Context) error {
	pl.mu.Lock()
	if pl.running {
		pl.mu.Unlock()
		return errors.New("QR player: Run is already running; run one player at a time")
	}
	if pl.fps < 1 || pl.fps > MaxFPS {
		pl.mu.Unlock()
		return fmt.Errorf("QR player: %d frames per second is out of range; use 1 to %d", pl.fps, MaxFPS)
	}
	pl.running = true
	pl.mu.Unlock()
	defer func() {
		pl.mu.Lock()
		pl.running = false
		pl.mu.Unlock()
	}()

	tick, stop := pl.ticker(time.Second / time.Duration(pl.fps))
	defer stop()
	for {
		if err := pl.Draw(); err != nil {
			pl.restoreCursor()
			return err
		}
		select {
		case <-ctx.Done():
			return pl.Clear()
		case <-tick:
		}
	}
}

// Draw draws the next frame now, over the last one. Run calls it at p.FPS.
func (pl *Player) Draw() error {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.next == nil {
		return errors.New("QR player: no frames to show; give NewPlayer or SetFrames a source of frames")
	}
	text := pl.next()
	s, err := Encode(text, pl.level)
	if err != nil {
		return fmt.Errorf("QR player: frame %s: %w", counter(text), err)
	}
	code := s.Terminal()
	width := s.Size()
	out := strings.Split(strings.TrimSuffix(code, "\n"), "\n")
	out = append(out, cut(counter(text), width))
	for _, l := range pl.status {
		out = append(out, cut(untrusted.Text(l), width))
	}
	if c, r, ok := pl.size(); ok && (c < width || r < len(out)+1) {
		return fmt.Errorf("QR player: the QR code needs a terminal of %d columns and %d lines, this one has %d and %d; make the window larger or the font smaller, or choose a preset with smaller fragments", width, len(out)+1, c, r)
	}

	var b strings.Builder
	if pl.lines > 0 {
		b.WriteString(ansiUp(pl.lines))
	} else {
		b.WriteString(ansiHideCursor)
	}
	for _, l := range out {
		b.WriteString(l)
		b.WriteString(ansiEraseLine)
		b.WriteByte('\n')
	}
	b.WriteString(ansiEraseBelow)
	if _, err := io.WriteString(pl.w, b.String()); err != nil {
		return fmt.Errorf("QR player: writing to the terminal: %v; check the terminal, or show the code as a file instead", err)
	}
	pl.lines = len(out)
	return nil
}

// Clear erases what the player drew and shows the cursor again.
func (pl *Player) Clear() error {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.lines == 0 {
		return nil
	}
	_, err := io.WriteString(pl.w, ansiUp(pl.lines)+ansiEraseBelow+ansiShowCursor)
	pl.lines = 0
	if err != nil {
		return fmt.Errorf("QR player: writing to the terminal: %v; check the terminal", err)
	}
	return nil
}

// restoreCursor shows the cursor again, leaving the last frame on screen.
func (pl *Player) restoreCursor() {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.lines > 0 {
		io.WriteString(pl.w, ansiShowCursor)
		pl.lines = 0
	}
}

// counter describes a frame: a UR part's or a BBQr part's number, if it is one.
func counter(text string) string {
	if n, m, ok := urSeq(text); ok {
		return fmt.Sprintf("part %d (of %d fragments)", n, m)
	}
	if len(text) > 3 && strings.EqualFold(text[:3], "UR:") {
		return "single-part UR"
	}
	if len(text) >= 8 && text[:2] == "B$" {
		total, err1 := strconv.ParseUint(text[4:6], 36, 16)
		idx, err2 := strconv.ParseUint(text[6:8], 36, 16)
		if err1 == nil && err2 == nil && total > 0 {
			return fmt.Sprintf("part %d of %d", idx+1, total)
		}
	}
	return fmt.Sprintf("single code of %d characters", len(text))
}

// urSeq reads "UR:TYPE/N-M/..." (any case).
func urSeq(text string) (n, m uint64, ok bool) {
	if len(text) < 3 || !strings.EqualFold(text[:3], "UR:") {
		return 0, 0, false
	}
	f := strings.SplitN(text[3:], "/", 3)
	if len(f) != 3 {
		return 0, 0, false
	}
	a, b, found := strings.Cut(f[1], "-")
	if !found {
		return 0, 0, false
	}
	n, err1 := strconv.ParseUint(a, 10, 32)
	m, err2 := strconv.ParseUint(b, 10, 32)
	return n, m, err1 == nil && err2 == nil
}

// cut shortens s to at most width columns, ending it with "…" when it had
// to be cut. A rune from U+1100 on counts as two columns, at least what any
// terminal gives it.
func cut(s string, width int) string {
	if columns(s) <= width {
		return s
	}
	cols := 0
	for i, r := range s {
		if cols += runeColumns(r); cols > width-1 {
			return s[:i] + "…"
		}
	}
	return s
}

func columns(s string) int {
	n := 0
	for _, r := range s {
		n += runeColumns(r)
	}
	return n
}

func runeColumns(r rune) int {
	if r >= 0x1100 {
		return 2
	}
	return 1
}
