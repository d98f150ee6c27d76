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
	// Pipelined: each camera hands over what it read one tick late, as a
	// real camera's capture pipeline does. Channel then runs in the
	// background while the world goes on, one call at a time per pair of
	// stations but the pairs at once (it must be safe for that), so that
	// pictures of two pairs facing each other use two CPUs. Call Wait
	// before reading what Channel counted. Only with a Channel.
	Pipelined bool
	// SkipHeld: a part of a message its camera's station already decoded
	// (QR.Holds) is not passed to Channel: the station would ignore it
	// unread, and drawing it would change nothing. Such parts are up to
	// half of a hub ceremony's frames. Held counts them. Only with a
	// Channel.
	SkipHeld bool

	mu      sync.Mutex
	ticks   int
	held    int
	shown   map[string]int
	rng     *rand.Rand
	pending map[[2]string]chan qrRead // Pipelined: the frame each pair's camera is reading
	carry   sync.WaitGroup
}

// qrRead is what a camera read of one frame.
type qrRead struct {
	text, where string
	ok          bool
}

// Tick shows one frame on every screen.
func (w *QRWorld) Tick() {
	w.mu.Lock()
	if w.rng == nil {
		w.rng = rand.New(rand.NewSource(w.Seed))
		w.shown = map[string]int{}
		w.pending = map[[2]string]chan qrRead{}
	}
	w.ticks++
	type view struct {
		from, to, part, where string
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
			views = append(views, view{name, peer, part, fmt.Sprintf("frame %d of %s's screen", w.shown[name], name)})
		}
	}
	pending := w.pending
	w.pending = map[[2]string]chan qrRead{}
	w.mu.Unlock()
	if w.Channel == nil {
		for _, v := range views {
			w.Stations[v.to].Feed(v.part, v.where)
		}
		return
	}
	// What the cameras read of the previous frames reaches their stations
	// first.
	for pair, ch := range pending {
		if r := <-ch; r.ok {
			w.Stations[pair[1]].Feed(r.text, r.where)
		}
	}
	for _, v := range views {
		if w.SkipHeld && w.Stations[v.to].Holds(v.part) {
			w.mu.Lock()
			w.held++
			w.mu.Unlock()
			continue
		}
		if !w.Pipelined {
			if text, ok := w.Channel(v.from, v.to, v.part); ok {
				w.Stations[v.to].Feed(text, v.where)
			}
			continue
		}
		ch := make(chan qrRead, 1)
		w.mu.Lock()
		w.pending[[2]string{v.from, v.to}] = ch
		w.mu.Unlock()
		w.carry.Add(1)
		go func() {
			defer w.carry.Done()
			text, ok := w.Channel(v.from, v.to, v.part)
			ch <- qrRead{text, v.where, ok}
		}()
	}
}

// Wait waits until Channel has returned for every frame a Pipelined world
// handed it; what those frames read is not fed. Call it after the last
// Tick.
func (w *QRWorld) Wait() { w.carry.Wait() }

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

// Held is the number of frames SkipHeld kept from Channel.
func (w *QRWorld) Held() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.held
}
