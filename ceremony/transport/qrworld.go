package transport

import (
	"context"
	"fmt"
	"math/rand"
	"sync"
	"time"
)

// QRWorld simulates stations facing each other in one room, for tests,
// demos and benchmarks: at every tick each screen shows its next part, and
// each camera that faces a screen facing it back reads that part through
// Channel (which may render it as an image, photograph it and scan it, or
// lose it). Two stations see each other only while each faces the other,
// as in the room.
type QRWorld struct {
	Stations map[string]*QR
	// Channel carries one shown part to a camera: it returns what the
	// camera read, and false when the frame was lost. Nil: the text passes
	// unchanged.
	Channel func(from, to, part string) (string, bool)
	// Drop is the fraction of frames lost before Channel, at random.
	Drop float64
	Seed int64

	mu    sync.Mutex
	ticks int
	shown map[string]int
	rng   *rand.Rand
}

// Tick shows one frame on every screen.
func (w *QRWorld) Tick() {
	w.mu.Lock()
	if w.rng == nil {
		w.rng = rand.New(rand.NewSource(w.Seed))
		w.shown = map[string]int{}
	}
	w.ticks++
	type view struct {
		from, to, part string
		frame          int
	}
	var views []view
	for name, q := range w.Stations {
		part := q.Next()
		if part == "" {
			continue
		}
		w.shown[name]++
		peer := q.Facing()
		if p := w.Stations[peer]; p != nil && p.Facing() == name && w.rng.Float64() >= w.Drop {
			views = append(views, view{name, peer, part, w.shown[name]})
		}
	}
	w.mu.Unlock()
	for _, v := range views {
		text, ok := v.part, true
		if w.Channel != nil {
			text, ok = w.Channel(v.from, v.to, v.part)
		}
		if ok {
			w.Stations[v.to].Feed(text, fmt.Sprintf("frame %d of %s's screen", v.frame, v.from))
		}
	}
}

// Run ticks until ctx ends, pausing between ticks (0: none).
func (w *QRWorld) Run(ctx context.Context, pause time.Duration) {
	for ctx.Err() == nil {
		w.Tick()
		if pause > 0 {
			time.Sleep(pause)
		}
	}
}

// Ticks is the number of frames shown on every screen so far.
func (w *QRWorld) Ticks() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ticks
}
