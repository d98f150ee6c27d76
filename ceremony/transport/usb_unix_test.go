//go:build unix

package transport

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coldtss/coldtss/ceremony"
)

// quickly runs f and fails the test if it takes more than half a second:
// a regression (a blocking open) fails instead of hanging the test. unblock,
// if not nil, is called on a hang to release f.
func quickly(t *testing.T, what string, unblock func(), f func()) {
	t.Helper()
	done := make(chan struct{})
	start := time.Now()
	go func() { defer close(done); f() }()
	select {
	case <-done:
		if took := time.Since(start); took > 500*time.Millisecond {
			t.Fatalf("%s took %s", what, took)
		}
	case <-time.After(2 * time.Second):
		if unblock != nil {
			unblock()
		}
		t.Fatalf("%s hangs", what)
	}
}

// unblockFIFO opens a named pipe for writing and closes it, which ends a
// read blocked on it.
func unblockFIFO(p string) func() {
	return func() {
		if fd, err := syscall.Open(p, syscall.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			syscall.Close(fd)
		}
	}
}

func mkfifo(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
}

func TestUSBNamedPipeRefusedQuickly(t *testing.T) {
	u := newUSB(t)
	mustPut(t, u, 1, "alice", []byte("a"))
	p := u.PacketPath(1, "bob")
	mkfifo(t, p)
	var err error
	quickly(t, "Get of a named pipe", unblockFIFO(p), func() { _, _, err = u.Get(1, "bob") })
	wantErr(t, "Get of a named pipe", err, p, "not a regular file (a named pipe)", "someone put it on the stick: remove it and find out who")

	n := filepath.Join(u.Dir(), "abort-bob.json")
	mkfifo(t, n)
	var notices []ceremony.Notice
	quickly(t, "Notices with a named pipe", unblockFIFO(n), func() { notices = u.Notices() })
	if len(notices) != 1 || notices[0].Data != nil || notices[0].Where != n+" (a named pipe)" {
		t.Fatalf("Notices = %+v", notices)
	}

	// A named pipe as the stick's marker.
	v := newUSB(t)
	m := filepath.Join(v.Root, StickMarker)
	mkfifo(t, m)
	quickly(t, "Open with a named pipe as marker", unblockFIFO(m), func() { err = v.Open() })
	wantErr(t, "Open", err, m, "not a regular file (a named pipe)")
}

// snapshotDir lists every path under dir, with file contents.
func snapshotDir(t *testing.T, dir string) string {
	t.Helper()
	var out []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		s := p
		if info.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			s += "=" + string(b)
		}
		out = append(out, s)
		return nil
	})
	sort.Strings(out)
	return strings.Join(out, "\n")
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func TestUSBLinkedCeremonyFolderRefused(t *testing.T) {
	for _, opened := range []bool{false, true} {
		u := newUSB(t)
		if opened {
			if err := u.Open(); err != nil {
				t.Fatal(err)
			}
		}
		elsewhere := t.TempDir()
		mustWrite(t, filepath.Join(elsewhere, "step-01", "bob.pkt"), []byte("bob's packet, elsewhere"))
		mustWrite(t, filepath.Join(elsewhere, "step-01", "eve.pkt"), []byte("stray"))
		mustWrite(t, filepath.Join(elsewhere, "abort-bob.json"), []byte("notice"))
		before := snapshotDir(t, elsewhere)
		symlink(t, elsewhere, u.Dir())

		_, _, err := u.Get(1, "bob")
		wantErr(t, "Get", err, u.Dir(), "the ceremony folder is a symbolic link, not a folder", "remove it")
		wantErr(t, "Put", u.Put(context.Background(), 1, "alice", []byte("a")), u.Dir(), "symbolic link")
		wantErr(t, "Abort", u.Abort("alice", []byte("n")), u.Dir(), "symbolic link")
		wantErr(t, "WriteOutput", u.WriteOutput("signatures.json", []byte("s")), u.Dir(), "symbolic link")
		if got := u.Strays(1, []string{"alice", "bob"}); len(got) != 0 {
			t.Fatalf("Strays through the link: %v", got)
		}
		if got := u.Notices(); len(got) != 0 {
			t.Fatalf("Notices through the link: %v", got)
		}
		if after := snapshotDir(t, elsewhere); after != before {
			t.Fatalf("written through the link:\n%s\nwas\n%s", after, before)
		}
	}
}

func TestUSBLinkedStepFolderRefused(t *testing.T) {
	u := newUSB(t)
	mustPut(t, u, 1, "alice", []byte("a"))
	elsewhere := t.TempDir()
	mustWrite(t, filepath.Join(elsewhere, "bob.pkt"), []byte("bob's packet, elsewhere"))
	mustWrite(t, filepath.Join(elsewhere, "eve.pkt"), []byte("stray"))
	before := snapshotDir(t, elsewhere)
	step2 := filepath.Dir(u.PacketPath(2, "bob"))
	symlink(t, elsewhere, step2)

	_, _, err := u.Get(2, "bob")
	wantErr(t, "Get", err, step2, "the step folder is a symbolic link, not a folder")
	wantErr(t, "Put", u.Put(context.Background(), 2, "alice", []byte("b")), step2, "the step folder is a symbolic link")
	if got := u.Strays(2, []string{"alice", "bob"}); len(got) != 0 {
		t.Fatalf("Strays through the link: %v", got)
	}
	if after := snapshotDir(t, elsewhere); after != before {
		t.Fatalf("written through the link:\n%s", after)
	}
}

func TestUSBLinkedFilesRefused(t *testing.T) {
	u := newUSB(t)
	mustPut(t, u, 1, "carol", []byte("c"))
	outside := filepath.Join(t.TempDir(), "secret")
	mustWrite(t, outside, []byte("a file of the station"))

	// A packet that is a link, to a file or to nothing.
	p := u.PacketPath(1, "bob")
	symlink(t, outside, p)
	_, _, err := u.Get(1, "bob")
	wantErr(t, "Get of a linked packet", err, p, "not a regular file (a symbolic link)", "remove it")
	d := u.PacketPath(1, "dave")
	symlink(t, filepath.Join(t.TempDir(), "nothing"), d)
	_, _, err = u.Get(1, "dave")
	wantErr(t, "Get of a dangling link", err, d, "symbolic link")

	// A link where this station's packet, notice or output goes.
	a := u.PacketPath(2, "alice")
	symlink(t, outside, a)
	wantErr(t, "Put onto a link", u.Put(context.Background(), 2, "alice", []byte("x")), a, "not a regular file (a symbolic link)")
	symlink(t, outside, filepath.Join(u.Dir(), "abort-alice.json"))
	wantErr(t, "Abort onto a link", u.Abort("alice", []byte("x")), "abort-alice.json", "symbolic link")
	symlink(t, outside, filepath.Join(u.Dir(), "signatures.json"))
	wantErr(t, "WriteOutput onto a link", u.WriteOutput("signatures.json", []byte("x")), "signatures.json", "symbolic link")
	if b, _ := os.ReadFile(outside); string(b) != "a file of the station" {
		t.Fatalf("written through a link: %q", b)
	}
	if fi, err := os.Lstat(a); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the link was replaced")
	}

	// A notice that is a link is not read: reported with what it is.
	symlink(t, outside, filepath.Join(u.Dir(), "abort-bob.json"))
	var bob *ceremony.Notice
	for _, n := range u.Notices() {
		if n.Station == "bob" {
			n := n
			bob = &n
		}
	}
	if bob == nil || bob.Data != nil || bob.Where != filepath.Join(u.Dir(), "abort-bob.json")+" (a symbolic link)" {
		t.Fatalf("linked notice = %+v", bob)
	}

	// The stick's marker as a link.
	v := newUSB(t)
	symlink(t, outside, filepath.Join(v.Root, StickMarker))
	wantErr(t, "Open with a linked marker", v.Open(), StickMarker, "symbolic link")
	if err := v.Put(context.Background(), 1, "alice", []byte("a")); err == nil || errors.Is(err, ceremony.ErrNotYet) {
		t.Fatalf("Put with a linked marker: %v", err)
	}
}
