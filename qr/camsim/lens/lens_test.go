package lens

import (
	"bytes"
	"image"
	"strings"
	"testing"

	"github.com/coldtss/coldtss/qr/camsim"
	"github.com/coldtss/coldtss/qr/display"
	"github.com/coldtss/coldtss/qr/ur"
)

// parts returns the first n parts of a UR of a message of size bytes, at
// the wallet preset's fragment.
func parts(size, n int) []string {
	e := ur.NewEncoder("bytes", append([]byte{0x59, byte(size >> 8), byte(size)}, bytes.Repeat([]byte{0xa5}, size)...), display.Presets[0].Fragment)
	out := make([]string, n)
	for i := range out {
		out[i] = e.NextPart()
	}
	return out
}

// TestSee: parts drawn at the wallet preset, shot by a Mild camera that
// loses no frame, are read back exactly, and each frame is counted once.
func TestSee(t *testing.T) {
	l := New(camsim.Mild, 1, display.Presets[0])
	ps := parts(1000, 6)
	for i, p := range ps {
		text, o, err := l.See(p)
		if err != nil {
			t.Fatal(err)
		}
		if o == Dropped {
			t.Fatalf("frame %d dropped by a camera with Drop 0", i)
		}
		if o.Seen() != (text != "") || (o == Read) != (text == p) {
			t.Errorf("frame %d: outcome %d with text %.20q...: they disagree", i, o, text)
		}
	}
	s := l.Stats()
	if s.Shot != len(ps) || s.Read+s.Misread+s.Unread+s.Dropped != s.Shot {
		t.Fatalf("stats %+v for %d frames: each frame must be shot and counted once", s, len(ps))
	}
	if s.Read < len(ps)-1 {
		t.Errorf("a Mild camera read %d of %d frames exactly: %s", s.Read, len(ps), s)
	}
}

// TestSeeDropped: a camera that loses every frame reads nothing.
func TestSeeDropped(t *testing.T) {
	opts := camsim.Mild
	opts.Drop = 1
	l := New(opts, 1, display.Presets[0])
	for _, p := range parts(500, 3) {
		if text, o, err := l.See(p); err != nil || o != Dropped || text != "" {
			t.Fatalf("See with Drop 1: %q, outcome %d, %v; want nothing, Dropped", text, o, err)
		}
	}
	if s := l.Stats(); s.Dropped != 3 || s.Shot != 3 {
		t.Fatalf("stats %+v, want 3 shot and 3 dropped", s)
	}
}

// TestSeeTooLong: a part no QR code at the preset can hold is an error
// naming the preset, and no frame is counted.
func TestSeeTooLong(t *testing.T) {
	l := New(camsim.Mild, 1, display.Presets[0])
	_, o, err := l.See(strings.Repeat("A", 8000))
	if err == nil || o.Seen() {
		t.Fatalf("an 8000-character part was drawn (%v, outcome %d)", err, o)
	}
	if !strings.Contains(err.Error(), "preset wallet") || strings.Contains(err.Error(), "\n") {
		t.Errorf("the error does not name the preset in one line: %v", err)
	}
	if s := l.Stats(); s.Shot != 0 {
		t.Errorf("stats %+v: a part never drawn was counted", s)
	}
}

// TestLookBlank: a screen without a code is unread.
func TestLookBlank(t *testing.T) {
	l := New(camsim.Mild, 1, display.Presets[0])
	white := image.NewGray(image.Rect(0, 0, 400, 400))
	for i := range white.Pix {
		white.Pix[i] = 255
	}
	if text, o := l.Look(white); o != Unread || text != "" {
		t.Fatalf("a blank screen: %q, outcome %d; want Unread", text, o)
	}
}

// TestPairs: each ordered pair has its own camera, seeded from the pair's
// names, so the same room sees the same frames again, and the counts of
// every pair add up.
func TestPairs(t *testing.T) {
	opts := camsim.Typical
	opts.Drop = 0.5
	ps := parts(800, 6)
	run := func() (got []string, s Stats) {
		p := NewPairs(opts, 3, display.Presets[0])
		for i, part := range ps {
			from, to := "alice", "bob"
			if i%2 == 1 {
				from, to = to, from
			}
			text, ok := p.Channel(from, to, part)
			if ok != (text != "") {
				t.Fatalf("Channel returned %q with ok %v", text, ok)
			}
			got = append(got, text)
		}
		if err := p.Err(); err != nil {
			t.Fatal(err)
		}
		return got, p.Stats()
	}
	a, sa := run()
	b, sb := run()
	if strings.Join(a, "|") != strings.Join(b, "|") || sa != sb {
		t.Fatalf("the same room saw different frames: %s, then %s", sa, sb)
	}
	if sa.Shot != len(ps) || sa.Read+sa.Misread+sa.Unread+sa.Dropped != sa.Shot {
		t.Fatalf("stats %+v for %d frames over two pairs", sa, len(ps))
	}
	if sa.Dropped == 0 || sa.Read == 0 {
		t.Errorf("with Drop 0.5 the cameras read %d and lost %d of %d frames: both should happen", sa.Read, sa.Dropped, len(ps))
	}
}
