package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/internal/untrusted"
	"github.com/coldtss/coldtss/qr/ur"
	"github.com/fxamacker/cbor/v2"
)

// URTypePacket is the UR type of one item a station shows on its screen
// during a ceremony: a packet, an abort notice or a "done" mark, with the
// ceremony's session and the station and step it belongs to (see
// docs/formats.md, "QR ceremony frames").
const URTypePacket = "coldtss-packet"

// Kinds of QR items.
const (
	qrPacket = 0 // a signed ceremony packet (ceremony.Packet)
	qrAbort  = 1 // a signed abort notice
	qrDone   = 2 // the station finished; Data lists the stations it knows finished
)

// qrItem is the CBOR of a coldtss-packet UR.
type qrItem struct {
	_       struct{} `cbor:",toarray"`
	Kind    uint8
	Session []byte
	Step    int
	Station string
	Data    []byte
}

const (
	maxQRStep      = 64
	maxQRDecoders  = 16 // messages decoded at once; the oldest is dropped beyond
	maxStationName = 64
	maxQRItems     = 4096 // items kept; a screen showing endless made-up items cannot fill memory
	maxQRConflicts = 3    // contradicting parts before a message is decoded again from scratch
	// LingerFrames is how many frames a station that is not the hub keeps
	// showing once it knows every station finished, so that the hub sees
	// it knows.
	LingerFrames = 24
)

var (
	qrDec = must(cbor.DecOptions{DupMapKey: cbor.DupMapKeyEnforcedAPF, MaxArrayElements: 16, MaxNestedLevels: 4}.DecMode())
	qrEnc = must(cbor.CanonicalEncOptions().EncMode())
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// QROptions describes one station's side of a QR ceremony.
type QROptions struct {
	Session  []byte   // the plan's session (16 bytes): frames of other ceremonies are ignored
	Self     string   // this station's name
	Stations []string // every station of the plan, in plan order
	// Hub is the station every other one faces, which relays each step's
	// packets (still signed and sealed end to end). With two stations
	// they face each other and Hub does not matter.
	Hub      string
	Fragment int // UR fragment length in bytes (see qr/display presets)
}

// QR carries a ceremony over screens and cameras. It is a
// ceremony.Transport that keeps what it receives in memory: a camera
// feeds it the QR texts it reads (Feed), and a screen shows the parts
// Next returns, endlessly, as a fountain-coded animation of every item
// the peer it faces may still need. It knows nothing of displays and
// cameras itself (see cmd/coldtss for the drivers and QRWorld for the
// simulation).
//
// With more than two stations one station is the hub: the others face it
// in turn, and it shows them every packet of the step they need. The hub
// is told whom to face next (Instruction); it keeps facing a station
// while either still needs something from the other.
type QR struct {
	o QROptions

	mu       sync.Mutex
	items    map[qrKey]*qrEntry
	order    []qrKey
	decoders map[string]*qrDecoding
	decoded  map[string]bool // message ids already decoded (their parts are skipped)
	tick     int             // parts fed, for decoder age
	step     int             // highest step this station has put
	known    map[string]int  // station -> highest step of its packets held
	facing   string
	faceoffs int
	show     []*qrEntry
	warning  string
	frames   int // parts shown
	lastRecv string
	complete int // frames shown since this station knew every station finished (-1: not yet)
}

type qrKey struct {
	kind    uint8
	step    int
	station string
}

type qrEntry struct {
	key   qrKey
	item  qrItem
	where string
	enc   *ur.Encoder
	sent  int
}

type qrDecoding struct {
	d         *ur.Decoder
	born      int
	from      string // where the first part was seen
	conflicts int    // parts refused as contradicting this decoder
}

// NewQR returns the QR transport of one station.
func NewQR(o QROptions) (*QR, error) {
	if len(o.Session) == 0 {
		return nil, errors.New("qr transport: no session")
	}
	if !slices.Contains(o.Stations, o.Self) {
		return nil, fmt.Errorf("qr transport: %s is not one of the stations %s", o.Self, strings.Join(o.Stations, ", "))
	}
	if o.Hub == "" {
		o.Hub = o.Stations[0]
	}
	if !slices.Contains(o.Stations, o.Hub) {
		return nil, fmt.Errorf("--hub %s is not one of the plan's stations (%s): name one of them", untrusted.Text(o.Hub), strings.Join(o.Stations, ", "))
	}
	if o.Fragment <= 0 {
		o.Fragment = 1000
	}
	q := &QR{o: o, items: map[qrKey]*qrEntry{}, decoders: map[string]*qrDecoding{}, decoded: map[string]bool{},
		known: map[string]int{}, complete: -1}
	q.recompute()
	return q, nil
}

func (q *QR) isHub() bool { return len(q.o.Stations) > 2 && q.o.Self == q.o.Hub }

// Put shows this station's packet for a step from now on.
func (q *QR) Put(_ context.Context, step int, station string, data []byte) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.add(qrItem{Kind: qrPacket, Session: q.o.Session, Step: step, Station: station, Data: data}, "this station"); err != nil {
		return err
	}
	if step > q.step {
		q.step = step
	}
	q.recompute()
	return nil
}

// Get returns a station's packet for a step once it has been decoded.
func (q *QR) Get(step int, station string) ([]byte, string, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	e := q.items[qrKey{qrPacket, step, station}]
	if e == nil {
		return nil, fmt.Sprintf("qr: %s's step %d", station, step), ceremony.ErrNotYet
	}
	return e.item.Data, e.where, nil
}

// Strays lists the senders of packets of a step that are not stations of
// the plan (signed with the plan's session, shown by someone else).
func (q *QR) Strays(step int, known []string) []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []string
	for _, k := range q.order {
		if k.kind == qrPacket && k.step == step && !slices.Contains(known, k.station) {
			out = append(out, k.station)
		}
	}
	return out
}

// Abort shows this station's signed abort notice from now on.
func (q *QR) Abort(station string, notice []byte) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	err := q.add(qrItem{Kind: qrAbort, Session: q.o.Session, Station: station, Data: notice}, "this station")
	q.recompute()
	return err
}

// Notices returns every abort notice decoded or shown.
func (q *QR) Notices() []ceremony.Notice {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []ceremony.Notice
	for _, k := range q.order {
		if k.kind == qrAbort {
			e := q.items[k]
			out = append(out, ceremony.Notice{Station: k.station, Where: e.where, Data: e.item.Data})
		}
	}
	return out
}

// Finish marks this station as finished: it shows a "done" mark from now
// on, so the others know they may stop showing their last packets.
func (q *QR) Finish() {
	q.mu.Lock()
	defer q.mu.Unlock()
	k := qrKey{qrDone, 0, q.o.Self}
	if q.items[k] == nil {
		q.items[k] = &qrEntry{key: k, item: qrItem{Kind: qrDone, Session: q.o.Session, Station: q.o.Self, Data: []byte(q.o.Self)}, where: "this station"}
		q.order = append(q.order, k)
	}
	q.updateDone()
	q.recompute()
}

// doneBy returns the stations a station's done mark lists.
func (q *QR) doneBy(station string) []string {
	e := q.items[qrKey{qrDone, 0, station}]
	if e == nil {
		return nil
	}
	return strings.Split(string(e.item.Data), ",")
}

// knownDone is every station this station knows finished.
func (q *QR) knownDone() []string {
	var all []string
	for _, st := range q.o.Stations {
		for _, d := range q.doneBy(st) {
			if slices.Contains(q.o.Stations, d) && !slices.Contains(all, d) {
				all = append(all, d)
			}
		}
	}
	sort.Strings(all)
	return all
}

// updateDone rewrites this station's done mark, once it has one, with
// every station it knows finished.
func (q *QR) updateDone() {
	e := q.items[qrKey{qrDone, 0, q.o.Self}]
	if e == nil {
		return
	}
	list := []byte(strings.Join(q.knownDone(), ","))
	if !bytes.Equal(list, e.item.Data) {
		e.item.Data = list
		e.enc = nil
	}
}

// CanLeave reports whether this station, having finished, may stop
// showing: every station is known to have finished and (the hub) every
// other station knows it too, or (the others) the hub has had time to
// see that this station knows.
func (q *QR) CanLeave() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.knownDone()) < len(q.o.Stations) || q.items[qrKey{qrDone, 0, q.o.Self}] == nil {
		return false
	}
	if q.isHub() {
		for _, st := range q.o.Stations {
			if len(q.doneBy(st)) < len(q.o.Stations) {
				return false
			}
		}
		return true
	}
	return q.complete >= LingerFrames
}

// add stores an item; the first one of each kind, step and station wins.
func (q *QR) add(it qrItem, where string) error {
	k := qrKey{it.Kind, it.Step, it.Station}
	if old := q.items[k]; old != nil {
		if it.Kind == qrPacket && !bytes.Equal(old.item.Data, it.Data) {
			if where == "this station" {
				return fmt.Errorf("qr: step %d already shown with other content", it.Step)
			}
			q.warning = fmt.Sprintf("%s: a second, different packet of %s for step %d was shown and ignored: the first one stays", where, untrusted.Text(it.Station), it.Step)
		}
		return nil
	}
	if len(q.items) >= maxQRItems {
		q.warning = fmt.Sprintf("%s: more than %d different items seen: ignored; a screen in view is showing made-up frames, turn it away", where, maxQRItems)
		return nil
	}
	q.items[k] = &qrEntry{key: k, item: it, where: where}
	q.order = append(q.order, k)
	if it.Kind == qrPacket && it.Step > q.known[it.Station] {
		q.known[it.Station] = it.Step
	}
	return nil
}

// Feed takes one text read by the camera (or a zbarcam line); where names
// it for messages ("camera frame 812"). Anything that is not a part of
// this ceremony is ignored with a warning: a screen may show anything, and
// packets are checked by signature later anyway.
func (q *QR) Feed(text, where string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.tick++
	info, err := ur.Inspect(text)
	if err != nil {
		q.warning = fmt.Sprintf("%s: not a part of a ceremony code (%s): point the camera at the other station's screen only", where, untrusted.Text(err.Error()))
		return
	}
	if info.Type != URTypePacket {
		q.warning = fmt.Sprintf("%s: a ur:%s code, not a coldtss ceremony frame: point the camera at the other station's screen only", where, untrusted.Text(info.Type))
		return
	}
	id := info.MessageID()
	if q.decoded[id] {
		return
	}
	dc := q.decoders[id]
	if dc == nil {
		if len(q.decoders) >= maxQRDecoders {
			q.dropOldestDecoder()
		}
		dc = &qrDecoding{d: ur.NewDecoder(ur.ExpectType(URTypePacket)), born: q.tick, from: where}
		q.decoders[id] = dc
	}
	if err := dc.d.Receive(text); err != nil {
		q.warning = fmt.Sprintf("%s: part ignored: %s", where, untrusted.Text(err.Error()))
		if errors.Is(err, ur.ErrConflict) {
			// A part that contradicts what this message's decoder holds:
			// either it or an earlier part is forged or misread. After a
			// few, start the message again rather than keep a bad part.
			if dc.conflicts++; dc.conflicts > maxQRConflicts {
				delete(q.decoders, id)
			}
		}
		return
	}
	q.lastRecv = id
	if !dc.d.Done() {
		return
	}
	delete(q.decoders, id)
	_, body, err := dc.d.Result()
	if err != nil {
		// The parts did not add up to the message they claim (a forged
		// or misread part got in): forget them and decode the message
		// again from the parts still to come.
		q.warning = fmt.Sprintf("%s: %s; decoding that message again", where, untrusted.Text(err.Error()))
		return
	}
	q.decoded[id] = true
	q.accept(body, where)
	q.recompute()
}

// Holds reports whether text is a part of a message this station has
// already decoded: Feed would ignore it unread.
func (q *QR) Holds(text string) bool {
	info, err := ur.Inspect(text)
	if err != nil || info.Type != URTypePacket {
		return false
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.decoded[info.MessageID()]
}

func (q *QR) dropOldestDecoder() {
	oldest, age := "", math.MaxInt
	for id, d := range q.decoders {
		if d.born < age {
			oldest, age = id, d.born
		}
	}
	delete(q.decoders, oldest)
}

// accept checks a decoded item and keeps it.
func (q *QR) accept(body []byte, where string) {
	var it qrItem
	if err := qrDec.Unmarshal(body, &it); err != nil {
		q.warning = fmt.Sprintf("%s: a ceremony frame that is not [kind, session, step, station, data]: ignored; is the other station running the same coldtss version?", where)
		return
	}
	if !bytes.Equal(it.Session, q.o.Session) {
		q.warning = fmt.Sprintf("%s: frames of another ceremony (session %x, this one is %x) are in view and ignored: point the camera only at a screen of this ceremony", where, it.Session, q.o.Session)
		return
	}
	name := untrusted.Text(it.Station)
	switch {
	case it.Station == "" || len(it.Station) > maxStationName:
		q.warning = fmt.Sprintf("%s: a frame with a station name of %d bytes: ignored", where, len(it.Station))
		return
	case it.Station == q.o.Self:
		return // our own item, relayed back
	case it.Kind == qrPacket && (it.Step < 1 || it.Step > maxQRStep):
		q.warning = fmt.Sprintf("%s: a packet of %s for step %d, which no ceremony has: ignored", where, name, it.Step)
		return
	case it.Kind == qrAbort && len(it.Data) > ceremony.MaxNoticeSize:
		q.warning = fmt.Sprintf("%s: an abort notice of %s of %d bytes, more than %d: ignored", where, name, len(it.Data), ceremony.MaxNoticeSize)
		return
	case it.Kind == qrDone:
		if len(it.Data) > len(q.o.Stations)*(maxStationName+1) {
			return
		}
		k := qrKey{qrDone, 0, it.Station}
		if old := q.items[k]; old != nil {
			if len(strings.Split(string(it.Data), ",")) > len(strings.Split(string(old.item.Data), ",")) {
				old.item.Data, old.enc = it.Data, nil
			}
		} else {
			it.Step = 0
			_ = q.add(it, where)
		}
		q.updateDone()
		return
	case it.Kind > qrDone:
		q.warning = fmt.Sprintf("%s: a ceremony frame of unknown kind %d: ignored; is the other station running the same coldtss version?", where, it.Kind)
		return
	}
	_ = q.add(it, fmt.Sprintf("qr: %s of %s, step %d (first part %s)", kindName(it.Kind), name, it.Step, where))
}

func kindName(k uint8) string {
	switch k {
	case qrAbort:
		return "abort notice"
	case qrDone:
		return "done mark"
	}
	return "packet"
}

// recompute chooses whom the hub faces and what this station shows.
func (q *QR) recompute() {
	others := slices.DeleteFunc(slices.Clone(q.o.Stations), func(s string) bool { return s == q.o.Self })
	switch {
	case len(q.o.Stations) == 2:
		q.facing = others[0]
	case !q.isHub():
		q.facing = q.o.Hub
	case q.facing == "" || !q.worthFacing(q.facing):
		next := q.facing
		start := slices.Index(others, q.facing) // -1 when none yet
		for i := 1; i <= len(others); i++ {
			cand := others[(start+i)%len(others)]
			if q.worthFacing(cand) {
				next = cand
				break
			}
		}
		if next == "" {
			next = others[0]
		}
		if next != q.facing {
			q.facing = next
			q.faceoffs++
		}
	}
	// What the faced station may still need: items of steps it has not
	// gone past (having shown its packet of step j, it holds every packet
	// of step j-1), never its own.
	peer := q.facing
	need := q.known[peer]
	var show []*qrEntry
	for _, k := range q.order {
		e := q.items[k]
		if k.station != q.o.Self && (!q.isHub() || k.station == peer) {
			continue
		}
		switch k.kind {
		case qrPacket:
			if k.step < need || k.step < q.step-1 {
				continue
			}
		case qrDone:
			if k.station != q.o.Self {
				continue // each mark lists what its station knows: no need to relay
			}
		}
		show = append(show, e)
	}
	q.show = show
}

// worthFacing: the hub keeps facing a station that lacks this step's
// packets or whose packet of this step the hub lacks (the same thing: the
// hub holds every packet of the steps before its own); once the hub has
// finished, one that has not, or that knows of fewer stations finished
// than the hub does.
func (q *QR) worthFacing(st string) bool {
	if q.step > 0 && q.known[st] < q.step {
		return true
	}
	if q.items[qrKey{qrDone, 0, q.o.Self}] != nil {
		// It has not finished, or the hub knows of more that have.
		theirs := q.doneBy(st)
		return theirs == nil || len(q.knownDone()) > len(theirs)
	}
	return false
}

// Next returns the next part to show (upper-case UR text), or "" when
// there is nothing to show yet. Parts of the items shown are interleaved
// in proportion to their sizes, so that all of them finish together.
func (q *QR) Next() string {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.show) == 0 {
		return ""
	}
	var best *qrEntry
	bestRatio := math.Inf(1)
	for _, e := range q.show {
		if e.enc == nil {
			b, err := qrEnc.Marshal(&e.item)
			if err != nil {
				continue
			}
			e.enc, e.sent = ur.NewEncoder(URTypePacket, b, q.o.Fragment), 0
		}
		if r := float64(e.sent) / float64(e.enc.SeqLen()); r < bestRatio {
			best, bestRatio = e, r
		}
	}
	if best == nil {
		return ""
	}
	best.sent++
	q.frames++
	if q.complete >= 0 {
		q.complete++
	} else if len(q.knownDone()) == len(q.o.Stations) && q.items[qrKey{qrDone, 0, q.o.Self}] != nil {
		q.complete = 0
	}
	return best.enc.NextPart()
}

// Facing is the station this station's screen and camera should face now.
func (q *QR) Facing() string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.facing
}

// QRStats counts what a station did over QR.
type QRStats struct {
	Frames   int // parts shown
	FaceOffs int // times the hub turned to another station
}

// Stats returns the counts so far.
func (q *QR) Stats() QRStats {
	q.mu.Lock()
	defer q.mu.Unlock()
	return QRStats{Frames: q.frames, FaceOffs: q.faceoffs}
}

// Instruction is what the station's operator should do now, for the
// screen: whom to face, and how far receiving has got.
func (q *QR) Instruction() string {
	q.mu.Lock()
	defer q.mu.Unlock()
	var b strings.Builder
	switch {
	case len(q.o.Stations) == 2:
		fmt.Fprintf(&b, "keep facing %s", q.facing)
	case q.isHub():
		fmt.Fprintf(&b, "turn to %s", q.facing)
		if q.step > 0 && q.known[q.facing] < q.step {
			fmt.Fprintf(&b, " (needs step %d from them)", q.step)
		}
	default:
		fmt.Fprintf(&b, "face %s (the hub) when they turn to you", q.o.Hub)
	}
	if dc := q.decoders[q.lastRecv]; dc != nil {
		p := dc.d.Progress()
		fmt.Fprintf(&b, "; receiving %.0f%% (%d of %d fragments, %d parts seen)", 100*p.Fraction, p.Recovered, p.Fragments, p.PartsSeen)
	}
	return b.String()
}

// Warning returns the latest warning about what the camera saw, or "".
func (q *QR) Warning() string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.warning
}
