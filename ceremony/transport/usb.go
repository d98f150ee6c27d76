// Package transport holds the ways packets cross the air gap: a folder on a
// USB stick, and memory (for tests and benchmarks). QR lives in package qr.
package transport

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/internal/atomicfile"
)

// MaxPacketSize bounds a packet file on the stick. The largest honest
// packet is step 2 of a secp256k1 signing of ceremony.MaxMessages messages
// among ceremony.MaxStations signers: 256 × 15 point-to-point MtA messages
// of about 6.9 KB each, about 27 MB. (An ECDSA keygen step-1 packet is
// about 134 KB; a 2-of-3 signing of 256 messages, about 1.8 MB.)
const MaxPacketSize = 32 << 20

// StickMarker is the file at the root of the stick that names it: a random
// id written the first time a station uses the stick. A station writes
// only while the stick it started the ceremony on is there.
const StickMarker = ".coldtss-stick"

// maxMarkerSize bounds the marker file.
const maxMarkerSize = 4 << 10

// stickPoll is how often a write waiting for the stick looks for it again.
var stickPoll = 200 * time.Millisecond

// shortWait is how long a write without a context (Abort, WriteOutput)
// waits for the stick: short, so that Ctrl-C still ends a station within a
// second.
var shortWait = 300 * time.Millisecond

// advice ends every error about a file someone put on the stick.
const advice = "someone put it on the stick: remove it and find out who"

// USB is a folder shared by carrying a stick from station to station (or a
// folder all simulated stations see). Layout, one folder per ceremony so
// that several ceremonies can share one stick:
//
//	<root>/.coldtss-stick                      (the stick's id)
//	<root>/coldtss-<session>/step-01/alice.pkt
//	<root>/coldtss-<session>/abort-bob.json
//	<root>/coldtss-<session>/signatures.json   (WriteOutput)
//
// Nothing on the stick is trusted. Only regular files are read, opened
// without following links and without blocking (a named pipe cannot hang a
// station), and never more than a packet or notice can be. A ceremony or
// step folder that is a link is refused, for reading and writing, so a
// link cannot redirect where a station writes. Writes are atomic (temp
// file, fsync, rename), and happen only while the stick the station first
// wrote to (its marker file) is there: otherwise they wait for
// it, so a station never writes into the empty mount folder a pulled stick
// leaves on its own disk. Readers poll.
type USB struct {
	Root    string
	Session string
	// Waiting, if set, is told why a write is waiting for the stick, e.g.
	// "plug the stick back in to write step 3: ...", once each time the
	// reason changes.
	Waiting func(msg string)

	mu     sync.Mutex
	opened bool
	marker []byte // the stick's id, as read when first opened
}

// Dir is the ceremony's folder on the stick.
func (u *USB) Dir() string { return filepath.Join(u.Root, "coldtss-"+u.Session) }

func (u *USB) stepDir(step int) string { return filepath.Join(u.Dir(), fmt.Sprintf("step-%02d", step)) }

func (u *USB) markerPath() string { return filepath.Join(u.Root, StickMarker) }

// PacketPath is where a station's packet for a step lives.
func (u *USB) PacketPath(step int, station string) string {
	return filepath.Join(u.stepDir(step), station+".pkt")
}

// Open records which stick the ceremony runs on: the id in the stick's
// marker file (created, with a random id, if the stick has none). Every
// write later checks that the same stick is there. The device number is
// deliberately not compared: a stick plugged back in can come back as
// another device (sdb becomes sdc) and the station would wait for ever. The first write opens the stick if Open was not called;
// calling it first finds a missing stick, a read-only stick or a linked
// ceremony folder before the ceremony starts.
func (u *USB) Open() error { return u.open(context.Background()) }

func (u *USB) open(ctx context.Context) error {
	// A marker another station is still writing is there within moments.
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.opened {
		return nil
	}
	if st, err := os.Stat(u.Root); err != nil || !st.IsDir() {
		return fmt.Errorf("%s: no such folder; is the stick mounted?", u.Root)
	}
	_, err := u.readMarker()
	if errors.Is(err, fs.ErrNotExist) {
		err = u.createMarker()
	}
	if err != nil && !errors.Is(err, errEmptyMarker) {
		return err
	}
	// Whoever made it first, the marker now on the stick is the stick's id.
	id, err := u.awaitMarker(ctx)
	if err != nil {
		return err
	}
	if _, err := realDir(u.Dir(), "the ceremony folder"); err != nil {
		return err
	}
	u.marker, u.opened = id, true
	return nil
}

// readMarker reads the stick's id. An empty marker is errEmptyMarker:
// another station is writing it.
func (u *USB) readMarker() ([]byte, error) {
	b, err := readFile(u.markerPath(), maxMarkerSize, "the stick's marker")
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errEmptyMarker
	}
	return b, nil
}

var errEmptyMarker = errors.New("empty stick marker")

// awaitMarker reads the stick's id, waiting (until ctx ends) while another
// station is writing it.
func (u *USB) awaitMarker(ctx context.Context) ([]byte, error) {
	for {
		b, err := u.readMarker()
		if !errors.Is(err, errEmptyMarker) {
			return b, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%s: the stick's marker is empty: remove it and start again", u.markerPath())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// createMarker gives the stick a random id, atomically and without ever
// replacing one another station wrote first: the id is written to a
// temporary file and linked into place (a link fails if the marker
// exists). On file systems without links (FAT, exFAT) the marker is
// created exclusively, then written: a station that sees it still empty
// waits (awaitMarker).
func (u *USB) createMarker() error {
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return err
	}
	id := []byte("coldtss-stick " + hex.EncodeToString(raw[:]) + "\n")
	p := u.markerPath()
	cannot := func(err error) error {
		return fmt.Errorf("%s: cannot write the stick's marker (%v): is the stick writable?", p, err)
	}
	tmp, err := os.CreateTemp(u.Root, StickMarker+".tmp-*")
	if err != nil {
		return cannot(err)
	}
	defer os.Remove(tmp.Name())
	if err := writeSync(tmp, id); err != nil {
		return cannot(err)
	}
	err = os.Link(tmp.Name(), p)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		// No links on this file system.
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
		if err != nil {
			return cannot(err)
		}
		if err := writeSync(f, id); err != nil {
			os.Remove(p)
			return cannot(err)
		}
	}
	syncDir(u.Root)
	return nil
}

// writeSync writes data to f, flushes it to disk and closes f.
func writeSync(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// stickThere returns "" when the stick the ceremony started on is there,
// or why not.
func (u *USB) stickThere() string {
	st, err := os.Stat(u.Root)
	if err != nil || !st.IsDir() {
		return u.Root + " is not there"
	}
	id, err := u.readMarker()
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, errEmptyMarker):
		return u.markerPath() + " is not there"
	case err != nil:
		return err.Error()
	case !bytes.Equal(id, u.marker):
		return "the stick at " + u.Root + " is not the one this ceremony started on (its " + StickMarker + " differs)"
	}
	return ""
}

// waitStick returns once the ceremony's stick is there, or an error when
// ctx ends first. what says what is waiting, for the message.
func (u *USB) waitStick(ctx context.Context, what string) error {
	if err := u.open(ctx); err != nil {
		return err
	}
	last := ""
	for {
		why := u.stickThere()
		if why == "" {
			return nil
		}
		msg := "plug the stick back in to write " + what + ": " + why
		if msg != last && u.Waiting != nil {
			u.Waiting(msg)
		}
		last = msg
		select {
		case <-ctx.Done():
			return &StickGoneError{What: what, Why: why, Err: ctx.Err()}
		case <-time.After(stickPoll):
		}
	}
}

// Put writes a packet atomically. An existing packet for the same step is
// never replaced: a station writes each step once. It waits, until ctx
// ends, for the stick the ceremony started on.
func (u *USB) Put(ctx context.Context, step int, station string, data []byte) error {
	if err := plainName(station); err != nil {
		return err
	}
	if err := u.waitStick(ctx, fmt.Sprintf("step %d", step)); err != nil {
		return err
	}
	if err := makeDir(u.Dir(), "the ceremony folder"); err != nil {
		return err
	}
	if err := makeDir(u.stepDir(step), "the step folder"); err != nil {
		return err
	}
	p := u.PacketPath(step, station)
	if st, err := os.Lstat(p); err == nil {
		if !st.Mode().IsRegular() {
			return notRegular(p, st.Mode())
		}
		return fmt.Errorf("%s already exists: another process is running this plan as %s, or the plan was run before (make a new plan)", p, station)
	}
	return atomicfile.Write(p, data, 0o644)
}

// Get reads a packet, or returns ceremony.ErrNotYet.
func (u *USB) Get(step int, station string) ([]byte, string, error) {
	p := u.PacketPath(step, station)
	if err := plainName(station); err != nil {
		return nil, p, err
	}
	for _, d := range []struct{ path, what string }{{u.Dir(), "the ceremony folder"}, {u.stepDir(step), "the step folder"}} {
		ok, err := realDir(d.path, d.what)
		if err != nil {
			return nil, p, err
		}
		if !ok {
			return nil, p, ceremony.ErrNotYet
		}
	}
	b, err := readFile(p, MaxPacketSize, "a packet")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, p, ceremony.ErrNotYet
	}
	if err != nil {
		return nil, p, err
	}
	return b, p, nil
}

// Strays lists packet files of a step whose names are not known stations
// (links and other files included: they are not packets of the plan). A
// step folder that is a link is not listed: Get refuses it.
func (u *USB) Strays(step int, known []string) []string {
	if ok, err := realDir(u.Dir(), ""); !ok || err != nil {
		return nil
	}
	if ok, err := realDir(u.stepDir(step), ""); !ok || err != nil {
		return nil
	}
	entries, _ := os.ReadDir(u.stepDir(step))
	ok := map[string]bool{}
	for _, k := range known {
		ok[k+".pkt"] = true
	}
	var out []string
	for _, e := range entries {
		n := e.Name()
		if strings.HasSuffix(n, ".pkt") && !strings.HasPrefix(n, ".") && !ok[n] {
			out = append(out, filepath.Join(u.stepDir(step), n))
		}
	}
	sort.Strings(out)
	return out
}

// Abort leaves this station's signed notice for the other stations. It
// waits only briefly for the stick, and writes nothing if the ceremony's
// stick is not there.
func (u *USB) Abort(station string, notice []byte) error {
	if err := plainName(station); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), shortWait)
	defer cancel()
	return u.write(ctx, "abort-"+station+".json", "this station's abort notice", notice)
}

// WriteOutput writes a file of the ceremony's results (signatures.json,
// signed.psbt, tx.hex, transcript-<name>.json) into the ceremony folder.
// name must be a plain file name. An existing regular file of that name is
// replaced; a link or anything else is refused. Like Abort it waits only
// briefly for the stick: use WriteOutputContext to wait until it is back.
func (u *USB) WriteOutput(name string, data []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), shortWait)
	defer cancel()
	return u.WriteOutputContext(ctx, name, data)
}

// WriteOutputContext is WriteOutput waiting, until ctx ends, for the stick
// the ceremony started on.
func (u *USB) WriteOutputContext(ctx context.Context, name string, data []byte) error {
	if err := plainName(name); err != nil {
		return err
	}
	return u.write(ctx, name, name, data)
}

// OutputPath is where WriteOutput writes name.
func (u *USB) OutputPath(name string) string { return filepath.Join(u.Dir(), name) }

// write replaces a file in the ceremony folder, atomically, once the stick
// is there, never through a link.
func (u *USB) write(ctx context.Context, name, what string, data []byte) error {
	if err := u.waitStick(ctx, what); err != nil {
		return err
	}
	if err := makeDir(u.Dir(), "the ceremony folder"); err != nil {
		return err
	}
	p := filepath.Join(u.Dir(), name)
	if st, err := os.Lstat(p); err == nil && !st.Mode().IsRegular() {
		return notRegular(p, st.Mode())
	}
	return atomicfile.Write(p, data, 0o644)
}

// Notices returns every abort notice in the ceremony folder. A notice file
// that cannot be read as one (a link, a named pipe, too big) is returned
// with no data and with what is wrong in Where, so that the runner reports
// it as tampering. A ceremony folder that is a link holds no notices: Get
// and Put refuse it.
func (u *USB) Notices() []ceremony.Notice {
	if ok, err := realDir(u.Dir(), ""); !ok || err != nil {
		return nil
	}
	entries, _ := os.ReadDir(u.Dir())
	var out []ceremony.Notice
	for _, e := range entries {
		n := e.Name()
		if !strings.HasPrefix(n, "abort-") || !strings.HasSuffix(n, ".json") {
			continue
		}
		p := filepath.Join(u.Dir(), n)
		name := strings.TrimSuffix(strings.TrimPrefix(n, "abort-"), ".json")
		b, err := readFile(p, ceremony.MaxNoticeSize, "an abort notice")
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue // gone since the listing
		case err != nil:
			why := "unreadable"
			var fe *FileError
			if errors.As(err, &fe) && fe.short != "" {
				why = fe.short
			}
			out = append(out, ceremony.Notice{Station: name, Where: p + " (" + why + ")"})
		default:
			out = append(out, ceremony.Notice{Station: name, Where: p, Data: b})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Where < out[j].Where })
	return out
}

// StickGoneError is a write that did not happen because the stick the
// ceremony started on was not there (Err: why the wait ended).
type StickGoneError struct {
	What, Why string
	Err       error
}

func (e *StickGoneError) Error() string {
	return e.What + " was not written: the stick this ceremony started on is not there (" + e.Why + ")"
}

func (e *StickGoneError) Unwrap() error { return e.Err }

// FileError is a file or folder on the stick that a station refuses.
type FileError struct {
	Path    string
	Problem string // e.g. "not a regular file (a named pipe)"
	Advice  string
	short   string // the problem in a few words, e.g. "a named pipe"
	Err     error  // the underlying error, if any (fs.ErrNotExist)
}

func (e *FileError) Error() string { return e.Path + ": " + e.Problem + "; " + e.Advice }

// Unwrap gives the underlying error, e.g. fs.ErrNotExist.
func (e *FileError) Unwrap() error { return e.Err }

// ReadFile reads a file that came on the stick (a plan, a PSBT, a request
// file) as Get reads packets: a regular file only, opened without following
// a link or blocking on a named pipe, of at most limit bytes. what names
// the file's kind for messages, e.g. "a plan".
func ReadFile(path, what string, limit int64) ([]byte, error) {
	b, err := readFile(path, limit, what)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &FileError{Path: path, Problem: "no such file", Advice: "check the name and that the stick is mounted", Err: fs.ErrNotExist}
	}
	return b, err
}

// readFile reads a regular file of at most limit bytes, never following a
// link, never blocking on a named pipe or device, never reading more than
// limit+1 bytes whatever the file claims. A missing file is fs.ErrNotExist.
func readFile(p string, limit int64, what string) ([]byte, error) {
	st, err := os.Lstat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fs.ErrNotExist
		}
		return nil, fmt.Errorf("%s: cannot read (%v): check the stick", p, err)
	}
	if !st.Mode().IsRegular() {
		// Refused before it is opened: opening a device can act on it.
		return nil, notRegular(p, st.Mode())
	}
	if st.Size() > limit {
		return nil, tooBig(p, st.Size(), limit, what)
	}
	f, err := os.OpenFile(p, os.O_RDONLY|openFlags, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fs.ErrNotExist
		}
		if st, lerr := os.Lstat(p); lerr == nil && !st.Mode().IsRegular() {
			return nil, notRegular(p, st.Mode()) // replaced since the Lstat
		}
		return nil, fmt.Errorf("%s: cannot read (%v): check the stick", p, err)
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("%s: cannot read (%v): check the stick", p, err)
	}
	if !st.Mode().IsRegular() {
		return nil, notRegular(p, st.Mode())
	}
	if st.Size() > limit {
		return nil, tooBig(p, st.Size(), limit, what)
	}
	return readLimited(f, p, limit, what)
}

// readLimited reads r to its end, refusing it beyond limit bytes.
func readLimited(r io.Reader, p string, limit int64, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read (%v): check the stick", p, err)
	}
	if int64(len(b)) > limit {
		return nil, tooBig(p, -1, limit, what)
	}
	return b, nil
}

func tooBig(p string, size, limit int64, what string) error {
	got := "more"
	if size >= 0 {
		got = fmt.Sprint(size)
	}
	return &FileError{Path: p, Problem: fmt.Sprintf("too big for %s (%s bytes, at most %d)", what, got, limit), Advice: advice,
		short: fmt.Sprintf("%s bytes, more than %d", got, limit)}
}

func notRegular(p string, m fs.FileMode) error {
	return &FileError{Path: p, Problem: "not a regular file (" + kindOf(m) + ")", Advice: advice, short: kindOf(m)}
}

func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a folder"
	case m.IsRegular():
		return "a file"
	}
	return "a special file"
}

// realDir reports whether p is a real folder (true), absent (false), or
// something else, a link to a folder included (an error naming what).
func realDir(p, what string) (bool, error) {
	st, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: cannot look at %s (%v): check the stick", p, what, err)
	}
	if !st.IsDir() {
		return false, &FileError{Path: p, Problem: what + " is " + kindOf(st.Mode()) + ", not a folder", Advice: advice}
	}
	return true, nil
}

// makeDir makes sure p is a real folder, creating it (in a folder already
// checked) if absent.
func makeDir(p, what string) error {
	ok, err := realDir(p, what)
	if err != nil || ok {
		return err
	}
	// Packets are public: folders readable by every station's user, even
	// on a stick formatted with Unix permissions.
	if err := os.Mkdir(p, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s: cannot create %s (%v): is the stick writable?", p, what, err)
	}
	if ok, err = realDir(p, what); err == nil && !ok {
		err = fmt.Errorf("%s: %s disappeared as it was made: check the stick", p, what)
	}
	return err
}

// plainName refuses a name that is not one plain file name.
func plainName(name string) error {
	if name == "" || name == "." || name == ".." || strings.HasPrefix(name, ".") ||
		strings.ContainsAny(name, `/\:`+"\x00") || filepath.Base(name) != name {
		return fmt.Errorf("%q is not a plain file name for the ceremony folder", name)
	}
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
