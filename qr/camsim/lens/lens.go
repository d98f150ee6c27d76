// Package lens is the whole way of a QR frame from one station's screen to
// another's scanner, simulated: the part is drawn as the screen shows it
// (qr/display), photographed by a simulated webcam (qr/camsim) and read
// back by the scanner (qr/scan). A frame the camera loses or the scanner
// cannot read is lost; every frame is counted (Stats).
//
// A Lens is one camera facing one screen. Pairs is one Lens per ordered
// pair of stations, seeded from the pair's names: its Channel method is a
// ready ceremony/transport QRWorld Channel, for tests and benchmarks of
// whole QR ceremonies through pictures.
//
// It lives apart from qr/camsim because qr/scan's own tests use camsim:
// camsim cannot import the scanner.
package lens

import (
	"fmt"
	"hash/fnv"
	"image"
	"sync"

	"github.com/coldtss/coldtss/qr/camsim"
	"github.com/coldtss/coldtss/qr/display"
	"github.com/coldtss/coldtss/qr/scan"
)

// Outcome is what became of one frame.
type Outcome int

const (
	Read    Outcome = iota // read exactly
	Misread                // read as another text (still worth feeding: the UR checks catch it)
	Unread                 // the scanner found no code in the picture
	Dropped                // lost by the camera (camsim's Drop: motion, a missed frame)
)

// Seen reports whether the scanner returned a text (exact or not).
func (o Outcome) Seen() bool { return o == Read || o == Misread }

// Stats counts frames by outcome. Shot is every frame photographed.
type Stats struct {
	Shot, Read, Misread, Unread, Dropped int
}

// Plus is the sum of two counts.
func (s Stats) Plus(t Stats) Stats {
	return Stats{s.Shot + t.Shot, s.Read + t.Read, s.Misread + t.Misread, s.Unread + t.Unread, s.Dropped + t.Dropped}
}

func (s Stats) String() string {
	return fmt.Sprintf("%d frames shot: %d read (%.0f%%), %d lost by the camera, %d unreadable, %d misread",
		s.Shot, s.Read, 100*float64(s.Read)/float64(max(s.Shot, 1)), s.Dropped, s.Unread, s.Misread)
}

// Lens is one simulated camera facing one screen. Its calls are
// serialised: use one Lens per camera.
type Lens struct {
	preset display.Preset

	mu    sync.Mutex
	cam   *camsim.Camera
	scan  *scan.Scanner
	stats Stats
}

// New returns a lens whose camera has the options and seed given, looking
// at a screen that draws parts at the preset.
func New(opts camsim.Options, seed int64, preset display.Preset) *Lens {
	return &Lens{preset: preset, cam: camsim.New(opts, seed), scan: scan.New()}
}

// See draws part as the screen shows it, photographs it and scans it. The
// text is the one read when the outcome is Seen. The error says the part
// cannot be drawn at the preset (too long for one code).
func (l *Lens) See(part string) (string, Outcome, error) {
	img, err := display.Image(part, l.preset)
	if err != nil {
		return "", Unread, fmt.Errorf("lens: a %d-character part at preset %s: %v", len(part), l.preset.Name, err)
	}
	text, o := l.look(img, part)
	return text, o, nil
}

// Look photographs a screen showing the picture given and scans it. It
// cannot tell a misread: a text read counts as Read.
func (l *Lens) Look(screen image.Image) (string, Outcome) {
	return l.look(screen, "")
}

func (l *Lens) look(screen image.Image, want string) (string, Outcome) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stats.Shot++
	pic, dropped := l.cam.Shoot(screen)
	if dropped {
		l.stats.Dropped++
		return "", Dropped
	}
	text, err := l.scan.Scan(pic)
	switch {
	case err != nil:
		l.stats.Unread++
		return "", Unread
	case want != "" && text != want:
		l.stats.Misread++
		return text, Misread
	}
	l.stats.Read++
	return text, Read
}

// Stats returns the frames counted so far.
func (l *Lens) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stats
}

// Pairs is one Lens per ordered pair of stations (from's screen, to's
// camera), each made on first use with the options and preset given and a
// seed drawn from the Pairs' seed and the two names.
type Pairs struct {
	opts   camsim.Options
	seed   int64
	preset display.Preset

	mu     sync.Mutex
	lenses map[string]*Lens
	err    error
}

// NewPairs returns the lenses of a room.
func NewPairs(opts camsim.Options, seed int64, preset display.Preset) *Pairs {
	return &Pairs{opts: opts, seed: seed, preset: preset, lenses: map[string]*Lens{}}
}

// Channel carries one part from from's screen to to's camera through that
// pair's Lens: what was read, and false when the frame was lost. It is a
// QRWorld Channel, safe for concurrent use by different pairs. A part
// that cannot be drawn is lost, and Err says why.
func (p *Pairs) Channel(from, to, part string) (string, bool) {
	key := from + " -> " + to
	p.mu.Lock()
	l := p.lenses[key]
	if l == nil {
		h := fnv.New64a()
		h.Write([]byte(key))
		l = New(p.opts, p.seed^int64(h.Sum64()), p.preset)
		p.lenses[key] = l
	}
	p.mu.Unlock()
	text, o, err := l.See(part)
	if err != nil {
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
	}
	return text, o.Seen()
}

// Stats sums the counts of every pair.
func (p *Pairs) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	var s Stats
	for _, l := range p.lenses {
		s = s.Plus(l.Stats())
	}
	return s
}

// Err is the last part that could not be drawn, or nil.
func (p *Pairs) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}
