package transport

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coldtss/coldtss/ceremony"
)

func newUSB(t *testing.T) *USB {
	t.Helper()
	return &USB{Root: t.TempDir(), Session: "00112233445566778899aabbccddeeff"}
}

func mustPut(t *testing.T, u *USB, step int, station string, data []byte) {
	t.Helper()
	if err := u.Put(context.Background(), step, station, data); err != nil {
		t.Fatalf("Put(%d, %s): %v", step, station, err)
	}
}

func mustWrite(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// wantErr checks err is an error whose text has every fragment.
func wantErr(t *testing.T, what string, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want one mentioning %q", what, fragments)
	}
	if errors.Is(err, ceremony.ErrNotYet) {
		t.Fatalf("%s: ErrNotYet, want a refusal mentioning %q", what, fragments)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Fatalf("%s: error %q does not mention %q", what, err, f)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Fatalf("%s: error is not one line: %q", what, err)
	}
}

func TestUSBRoundTrip(t *testing.T) {
	u := newUSB(t)
	data := []byte("packet of alice, step 1")
	mustPut(t, u, 1, "alice", data)
	got, where, err := u.Get(1, "alice")
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Get = %q, %v; want %q", got, err, data)
	}
	if where != u.PacketPath(1, "alice") || where != filepath.Join(u.Root, "coldtss-"+u.Session, "step-01", "alice.pkt") {
		t.Fatalf("where = %s", where)
	}
	// The stick was given an id on first use.
	if b, err := os.ReadFile(filepath.Join(u.Root, StickMarker)); err != nil || len(bytes.TrimSpace(b)) == 0 {
		t.Fatalf("stick marker: %q %v", b, err)
	}
	// A second transport on the same stick (another station) reads it too.
	other := &USB{Root: u.Root, Session: u.Session}
	if got, _, err := other.Get(1, "alice"); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("other station's Get = %q, %v", got, err)
	}
}

func TestUSBPutRefusesOverwrite(t *testing.T) {
	u := newUSB(t)
	mustPut(t, u, 1, "alice", []byte("first"))
	err := u.Put(context.Background(), 1, "alice", []byte("second"))
	wantErr(t, "second Put", err, u.PacketPath(1, "alice"), "already exists")
	if got, _, _ := u.Get(1, "alice"); string(got) != "first" {
		t.Fatalf("packet replaced: %q", got)
	}
	// Something other than a packet where this station's packet goes is
	// refused as what it is.
	p := u.PacketPath(1, "bob")
	if err := os.Mkdir(p, 0o755); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "Put onto a folder", u.Put(context.Background(), 1, "bob", []byte("b")), p, "not a regular file (a folder)", "remove it")
}

func TestUSBGetNotYet(t *testing.T) {
	u := newUSB(t)
	for _, c := range []struct {
		step    int
		station string
	}{{1, "bob"}} {
		if _, where, err := u.Get(c.step, c.station); !errors.Is(err, ceremony.ErrNotYet) || where != u.PacketPath(c.step, c.station) {
			t.Fatalf("empty stick: Get = %s, %v; want ErrNotYet", where, err)
		}
	}
	mustPut(t, u, 1, "alice", []byte("a"))
	if _, _, err := u.Get(1, "bob"); !errors.Is(err, ceremony.ErrNotYet) {
		t.Fatalf("missing packet: %v", err)
	}
	if _, _, err := u.Get(2, "alice"); !errors.Is(err, ceremony.ErrNotYet) {
		t.Fatalf("missing step folder: %v", err)
	}
	// A file where a step folder goes is not "not yet": it is refused.
	step3 := filepath.Dir(u.PacketPath(3, "alice"))
	mustWrite(t, step3, []byte("x"))
	_, _, err := u.Get(3, "bob")
	wantErr(t, "Get from a file posing as a step folder", err, step3, "the step folder is a file, not a folder")
}

func TestUSBPlainNames(t *testing.T) {
	u := newUSB(t)
	for _, name := range []string{"", ".", "..", "../x", "a/b", ".hidden", `a\b`} {
		wantErr(t, "WriteOutput "+name, u.WriteOutput(name, []byte("x")), "not a plain file name")
	}
	wantErr(t, "Put ../x", u.Put(context.Background(), 1, "../x", []byte("x")), "not a plain file name")
	if _, _, err := u.Get(1, "../x"); err == nil || errors.Is(err, ceremony.ErrNotYet) {
		t.Fatalf("Get ../x: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(u.Root)); len(entries) != 1 {
		t.Fatalf("something was written beside the stick: %v", entries)
	}
}

func TestUSBWriteOutput(t *testing.T) {
	u := newUSB(t)
	if err := u.WriteOutput("signatures.json", []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := u.WriteOutput("signatures.json", []byte("two")); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(u.Dir(), "signatures.json")
	if u.OutputPath("signatures.json") != p {
		t.Fatalf("OutputPath = %s", u.OutputPath("signatures.json"))
	}
	if b, err := os.ReadFile(p); err != nil || string(b) != "two" {
		t.Fatalf("%s: %q %v", p, b, err)
	}
	if err := u.WriteOutputContext(context.Background(), "transcript-alice.json", []byte("t")); err != nil {
		t.Fatal(err)
	}
	// A folder where the file goes is refused, not written into.
	if err := os.Mkdir(filepath.Join(u.Dir(), "tx.hex"), 0o755); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "WriteOutput onto a folder", u.WriteOutput("tx.hex", []byte("x")), "tx.hex", "not a regular file (a folder)")
}

func TestUSBStrays(t *testing.T) {
	u := newUSB(t)
	mustPut(t, u, 1, "alice", []byte("a"))
	dir := filepath.Dir(u.PacketPath(1, "alice"))
	mustWrite(t, filepath.Join(dir, "eve.pkt"), []byte("e"))
	mustWrite(t, filepath.Join(dir, ".alice.pkt.tmp-1.pkt"), []byte("temp"))
	mustWrite(t, filepath.Join(dir, "notes.txt"), []byte("n"))
	got := u.Strays(1, []string{"alice", "bob"})
	if len(got) != 1 || got[0] != filepath.Join(dir, "eve.pkt") {
		t.Fatalf("Strays = %v", got)
	}
	if got := u.Strays(2, []string{"alice", "bob"}); len(got) != 0 {
		t.Fatalf("Strays of a step not begun = %v", got)
	}
	// A step folder that is a link is not listed through (Get refuses it).
	elsewhere := t.TempDir()
	mustWrite(t, filepath.Join(elsewhere, "eve.pkt"), []byte("e"))
	if err := os.Symlink(elsewhere, filepath.Dir(u.PacketPath(3, "alice"))); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if got := u.Strays(3, []string{"alice", "bob"}); len(got) != 0 {
		t.Fatalf("Strays through a linked step folder = %v", got)
	}
}

func TestUSBNotices(t *testing.T) {
	u := newUSB(t)
	if n := u.Notices(); len(n) != 0 {
		t.Fatalf("Notices on an empty stick = %v", n)
	}
	if err := u.Abort("bob", []byte(`{"bob":"stop"}`)); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(u.Dir(), "abort-eve.json"), bytes.Repeat([]byte("x"), ceremony.MaxNoticeSize+1))
	mustWrite(t, filepath.Join(u.Dir(), "abort-carol.txt"), []byte("not a notice name"))
	got := u.Notices()
	if len(got) != 2 {
		t.Fatalf("Notices = %v", got)
	}
	if got[0].Station != "bob" || got[0].Where != filepath.Join(u.Dir(), "abort-bob.json") || string(got[0].Data) != `{"bob":"stop"}` {
		t.Fatalf("bob's notice = %+v", got[0])
	}
	// Too big to be a notice: not read, reported with what is wrong.
	if got[1].Station != "eve" || got[1].Data != nil || !strings.HasPrefix(got[1].Where, filepath.Join(u.Dir(), "abort-eve.json")) ||
		!strings.Contains(got[1].Where, "more than 16384") {
		t.Fatalf("oversized notice from %s at %s: %d bytes read", got[1].Station, got[1].Where, len(got[1].Data))
	}
}

// A file far larger than any packet is refused by its size, without being
// read.
func TestUSBSparseFileRefused(t *testing.T) {
	u := newUSB(t)
	mustPut(t, u, 1, "alice", []byte("a"))
	p := u.PacketPath(1, "bob")
	mustWrite(t, p, nil)
	if err := os.Truncate(p, 4<<30); err != nil {
		t.Skipf("cannot make a 4 GiB sparse file here: %v", err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, _, err := u.Get(1, "bob")
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	wantErr(t, "Get of a 4 GiB packet", err, p, "too big for a packet", "4294967296 bytes", "remove it")
	if took > 500*time.Millisecond {
		t.Fatalf("refusing it took %s", took)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Fatalf("refusing it allocated %d bytes", alloc)
	}
}

// endless is a file that never ends, whatever size it claims.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	e.n += int64(len(p))
	return len(p), nil
}

func TestReadLimitedStopsAtTheCap(t *testing.T) {
	r := &endless{}
	_, err := readLimited(r, "/stick/x.pkt", 1000, "a packet")
	wantErr(t, "endless file", err, "/stick/x.pkt", "too big for a packet", "at most 1000")
	if r.n > 64<<10 {
		t.Fatalf("read %d bytes of an endless file", r.n)
	}
	b, err := readLimited(bytes.NewReader(make([]byte, 1000)), "/stick/y.pkt", 1000, "a packet")
	if err != nil || len(b) != 1000 {
		t.Fatalf("a file of exactly the cap: %d bytes, %v", len(b), err)
	}
}

// waiter collects what a USB says while it waits for the stick.
type waiter struct {
	mu   sync.Mutex
	msgs []string
	ch   chan string
}

func newWaiter(u *USB) *waiter {
	w := &waiter{ch: make(chan string, 100)}
	u.Waiting = func(msg string) {
		w.mu.Lock()
		w.msgs = append(w.msgs, msg)
		w.mu.Unlock()
		w.ch <- msg
	}
	return w
}

func (w *waiter) next(t *testing.T) string {
	t.Helper()
	select {
	case m := <-w.ch:
		return m
	case <-time.After(2 * time.Second):
		t.Fatal("the write did not say it waits for the stick")
		return ""
	}
}

func (w *waiter) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.msgs)
}

// putAsync runs Put in a goroutine.
func putAsync(ctx context.Context, u *USB, step int, station string, data []byte) chan error {
	done := make(chan error, 1)
	go func() { done <- u.Put(ctx, step, station, data) }()
	return done
}

func exists(p string) bool { _, err := os.Lstat(p); return err == nil }

func TestUSBPutWaitsForTheStick(t *testing.T) {
	u := newUSB(t)
	w := newWaiter(u)
	mustPut(t, u, 1, "alice", []byte("a"))
	marker := filepath.Join(u.Root, StickMarker)
	id, err := os.ReadFile(marker)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(marker); err != nil { // the stick is pulled
		t.Fatal(err)
	}
	done := putAsync(context.Background(), u, 2, "alice", []byte("b"))
	msg := w.next(t)
	if !strings.HasPrefix(msg, "plug the stick back in to write step 2") || !strings.Contains(msg, marker) {
		t.Fatalf("Waiting said %q", msg)
	}
	time.Sleep(3 * stickPoll)
	if exists(u.PacketPath(2, "alice")) || exists(filepath.Dir(u.PacketPath(2, "alice"))) {
		t.Fatal("Put wrote while the stick was out")
	}
	select {
	case err := <-done:
		t.Fatalf("Put returned while the stick was out: %v", err)
	default:
	}
	if n := w.count(); n != 1 {
		t.Fatalf("Waiting was told %d times, want once: %v", n, w.msgs)
	}
	mustWrite(t, marker, id) // the stick is back
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Put did not go on when the stick came back")
	}
	if got, _, err := u.Get(2, "alice"); err != nil || string(got) != "b" {
		t.Fatalf("packet written after the stick came back: %q %v", got, err)
	}
}

func TestUSBPutWaitsForTheSameStick(t *testing.T) {
	u := newUSB(t)
	w := newWaiter(u)
	mustPut(t, u, 1, "alice", []byte("a"))
	marker := filepath.Join(u.Root, StickMarker)
	id, _ := os.ReadFile(marker)
	mustWrite(t, marker, []byte("coldtss-stick another stick\n"))
	done := putAsync(context.Background(), u, 2, "alice", []byte("b"))
	if msg := w.next(t); !strings.HasPrefix(msg, "plug the stick back in to write step 2") || !strings.Contains(msg, "not the one this ceremony started on") {
		t.Fatalf("Waiting said %q", msg)
	}
	time.Sleep(2 * stickPoll)
	if exists(u.PacketPath(2, "alice")) {
		t.Fatal("Put wrote on another stick")
	}
	mustWrite(t, marker, id)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Put did not go on when the stick came back")
	}
}

func TestUSBPutStopsWhenCancelled(t *testing.T) {
	u := newUSB(t)
	mustPut(t, u, 1, "alice", []byte("a"))
	if err := os.Remove(filepath.Join(u.Root, StickMarker)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := putAsync(ctx, u, 2, "alice", []byte("b"))
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Put after cancel: %v", err)
		}
		wantErr(t, "cancelled Put", err, "step 2 was not written", "not there")
	case <-time.After(time.Second):
		t.Fatal("a cancelled Put kept waiting for the stick")
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Fatalf("Put took %s to stop", took)
	}
	if exists(u.PacketPath(2, "alice")) {
		t.Fatal("Put wrote without the stick")
	}
}

// A pulled stick can leave its mount folder empty on the station's own
// disk: nothing may be written there.
func TestUSBNeverWritesIntoAnEmptiedMountFolder(t *testing.T) {
	u := newUSB(t)
	mustPut(t, u, 1, "alice", []byte("a"))
	entries, _ := os.ReadDir(u.Root)
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(u.Root, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*stickPoll)
	defer cancel()
	if err := u.Put(ctx, 2, "alice", []byte("b")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Put into an emptied mount folder: %v", err)
	}
	wantErr(t, "Abort", u.Abort("alice", []byte("n")), "abort notice was not written", "not there")
	wantErr(t, "WriteOutput", u.WriteOutput("signatures.json", []byte("s")), "signatures.json was not written", "not there")
	if entries, _ := os.ReadDir(u.Root); len(entries) != 0 {
		t.Fatalf("written into the emptied mount folder: %v", entries)
	}
}

func TestUSBAbortDoesNotWaitLong(t *testing.T) {
	u := newUSB(t)
	mustPut(t, u, 1, "alice", []byte("a"))
	if err := os.Remove(filepath.Join(u.Root, StickMarker)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err := u.Abort("alice", []byte("notice"))
	wantErr(t, "Abort without the stick", err, "this station's abort notice was not written", "not there")
	if took := time.Since(start); took > 700*time.Millisecond {
		t.Fatalf("Abort waited %s", took)
	}
	if exists(filepath.Join(u.Dir(), "abort-alice.json")) {
		t.Fatal("Abort wrote without the stick")
	}
}

// Stations starting together on one stick agree on its id.
func TestUSBOpenTogether(t *testing.T) {
	root := t.TempDir()
	var us []*USB
	for i := 0; i < 8; i++ {
		us = append(us, &USB{Root: root, Session: "s"})
	}
	var wg sync.WaitGroup
	errs := make([]error, len(us))
	for i, u := range us {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = u.Open() }()
	}
	wg.Wait()
	for i, u := range us {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !bytes.Equal(u.marker, us[0].marker) || u.stickThere() != "" {
			t.Fatalf("stations disagree on the stick: %q vs %q (%s)", u.marker, us[0].marker, u.stickThere())
		}
	}
	if entries, _ := os.ReadDir(root); len(entries) != 1 || entries[0].Name() != StickMarker {
		t.Fatalf("the stick's root holds %v", entries)
	}
}

func TestUSBOpenMissingStick(t *testing.T) {
	u := &USB{Root: filepath.Join(t.TempDir(), "nothing"), Session: "s"}
	wantErr(t, "Open", u.Open(), u.Root, "no such folder", "is the stick mounted?")
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "plan.json")
	mustWrite(t, p, []byte("{}"))
	if b, err := ReadFile(p, "a plan", 10); err != nil || string(b) != "{}" {
		t.Fatalf("ReadFile = %q %v", b, err)
	}
	wantErr(t, "ReadFile of a big file", func() error { _, err := ReadFile(p, "a plan", 1); return err }(), p, "too big for a plan (2 bytes, at most 1)")
	_, err := ReadFile(filepath.Join(dir, "none"), "a plan", 10)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), filepath.Join(dir, "none")) {
		t.Fatalf("ReadFile of a missing file: %v", err)
	}
	wantErr(t, "ReadFile of a folder", func() error { _, err := ReadFile(dir, "a plan", 10); return err }(), dir, "not a regular file (a folder)")
}
