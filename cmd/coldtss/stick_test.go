//go:build unix

package main

// Separate-process tests of what a station trusts on the stick: a named
// pipe, a link or a huge sparse file where a packet or the ceremony folder
// goes, a stick pulled while a station waits, and SIGTERM while it waits.
// Each fails on a station without the defence (old transport/usb.go).

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/transport"
	"github.com/coldtss/coldtss/internal/atomicfile"
)

// syncBuffer is a bytes.Buffer safe to read while a process writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// stickProc is one running `coldtss join`.
type stickProc struct {
	st     *station
	cmd    *exec.Cmd
	stdout syncBuffer
	stderr syncBuffer
	done   chan struct{}
	err    error
}

// startStation starts `coldtss join` as startJoin does, with output that
// can be read while it runs; it is killed when the test ends.
func startStation(t *testing.T, s *station, plan, via, timeout string) *stickProc {
	t.Helper()
	p := &stickProc{st: s, done: make(chan struct{})}
	p.cmd = exec.Command(coldtssBin, "join", plan, "--via", "usb:"+via, "--home", s.home, "--passphrase-file", s.pass,
		"--expect-fingerprint", fingerprint(t, plan), "--poll", "20ms", "--timeout", timeout, "--json")
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// wait waits up to d for the station to end; on a hang it kills it and
// fails the test.
func (p *stickProc) wait(t *testing.T, d time.Duration, what string) joinResult {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(d):
		p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("%s: %s still running after %s (killed)\nstderr:\n%s", p.st.name, what, d, p.stderr.String())
	}
	return joinResult{station: p.st, stdout: p.stdout.String(), stderr: p.stderr.String(), err: p.err}
}

// waitFor polls until cond holds, failing the test after d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within %s", what, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func fileThere(p string) bool { _, err := os.Lstat(p); return err == nil }

func planSession(t *testing.T, plan string) string {
	t.Helper()
	b, _ := os.ReadFile(plan)
	p, err := ceremony.ParsePlan(b)
	if err != nil {
		t.Fatal(err)
	}
	return p.Session
}

// stickKeygen makes three stations and an ed25519 keygen plan; it returns
// the plan and the ceremony folder on the shared stick.
func stickKeygen(t *testing.T) (dir, stick string, sts []*station, plan, ceremonyDir string) {
	t.Helper()
	dir, stick = workspace(t)
	sts = stations(t, dir, "alice", "bob", "carol")
	plan = planKeygen(t, dir, sts, 2, ceremony.CurveEd25519)
	return dir, stick, sts, plan, filepath.Join(stick, "coldtss-"+planSession(t, plan))
}

// A named pipe where bob's step-1 packet goes would hang a station for
// ever in open(2), past Ctrl-C. The station refuses it at once.
func TestStickNamedPipe(t *testing.T) {
	_, stick, sts, plan, cdir := stickKeygen(t)
	fifo := filepath.Join(cdir, "step-01", "bob.pkt")
	if err := os.MkdirAll(filepath.Dir(fifo), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	alice := startStation(t, sts[0], plan, stick, "2m")
	waitFor(t, time.Minute, "alice's step-1 packet", func() bool { return fileThere(filepath.Join(cdir, "step-01", "alice.pkt")) })
	r := alice.wait(t, 5*time.Second, "after writing step 1, with a named pipe as bob's packet")
	expectFailure(t, r, "step-01/bob.pkt", "not a regular file (a named pipe)", "remove it and find out who")
	t.Log(lastError(r))
}

// A ceremony folder that is a link would make a station write its
// packets, notices, transcripts and signatures wherever it points.
func TestStickLinkedCeremonyFolder(t *testing.T) {
	dir, stick, sts, plan, cdir := stickKeygen(t)
	elsewhere := filepath.Join(dir, "elsewhere")
	if err := os.Mkdir(elsewhere, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, cdir); err != nil {
		t.Fatal(err)
	}
	alice := startStation(t, sts[0], plan, stick, "5s")
	r := alice.wait(t, time.Minute, "with a linked ceremony folder")
	expectFailure(t, r, filepath.Base(cdir), "the ceremony folder is a symbolic link, not a folder")
	t.Log(lastError(r))
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("written through the link: %v", names)
	}
}

// A 4 GiB sparse file is refused by its size, not read into memory.
func TestStickHugeSparsePacket(t *testing.T) {
	_, stick, sts, plan, cdir := stickKeygen(t)
	huge := filepath.Join(cdir, "step-01", "bob.pkt")
	if err := os.MkdirAll(filepath.Dir(huge), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(huge, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, 4<<30); err != nil {
		t.Skipf("cannot make a 4 GiB sparse file here: %v", err)
	}
	alice := startStation(t, sts[0], plan, stick, "2m")
	r := alice.wait(t, time.Minute, "with a 4 GiB packet from bob")
	expectFailure(t, r, "step-01/bob.pkt", "too big for a packet", "4294967296 bytes", "remove it and find out who")
	t.Log(lastError(r))
	if ru, ok := alice.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss := int64(ru.Maxrss) * 1024 // KiB on Linux
		if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
			rss = int64(ru.Maxrss) // bytes
		}
		// The passphrase unlock (scrypt) alone takes about 256 MiB.
		if rss > 1<<30 {
			t.Fatalf("the station used %d MiB of memory refusing it", rss>>20)
		}
		t.Logf("peak memory: %d MiB", rss>>20)
	}
}

// SIGTERM (as Ctrl-C) ends a waiting station within a second, with a
// failure exit.
func TestStickSIGTERM(t *testing.T) {
	t.Run("waiting for the other stations", func(t *testing.T) {
		_, stick, sts, plan, cdir := stickKeygen(t)
		alice := startStation(t, sts[0], plan, stick, "2m")
		waitFor(t, time.Minute, "alice's step-1 packet", func() bool { return fileThere(filepath.Join(cdir, "step-01", "alice.pkt")) })
		time.Sleep(200 * time.Millisecond)
		sigterm(t, alice)
	})
	t.Run("waiting for the stick", func(t *testing.T) {
		p := pullAlicesStick(t, "5s")
		sigterm(t, p.alice)
		if fileThere(filepath.Join(p.aliceCeremony, "step-02", "alice.pkt")) || fileThere(filepath.Join(p.aliceCeremony, "abort-alice.json")) {
			t.Fatal("alice wrote on the stick while it was out")
		}
	})
}

func sigterm(t *testing.T, p *stickProc) {
	t.Helper()
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	r := p.wait(t, 5*time.Second, "after SIGTERM")
	took := time.Since(start)
	if took > time.Second {
		t.Fatalf("SIGTERM took %s to end the station", took)
	}
	t.Logf("ended %s after SIGTERM: %s", took.Round(time.Millisecond), lastError(r))
	var ee *exec.ExitError
	if !errors.As(r.err, &ee) || ee.ExitCode() == 0 {
		t.Fatalf("after SIGTERM: exit %v, want a failure exit\nstderr:\n%s", r.err, r.stderr)
	}
}

type pulled struct {
	alice, bob, carol *stickProc
	aliceStick        string
	aliceCeremony     string
	marker            []byte
	reported          bool // alice said to plug the stick back in
}

// pullAlicesStick runs an ed25519 keygen among alice, bob and carol, each
// on its own stick folder with a courier carrying packets between them,
// and pulls alice's stick (its marker file goes) once alice wrote step 1
// and before the others start: alice then gets their step-1 packets but
// must not write step 2. It returns once alice has been holding step 2
// back for a while.
func pullAlicesStick(t *testing.T, timeout string) *pulled {
	t.Helper()
	dir, _ := workspace(t)
	sts := stations(t, dir, "alice", "bob", "carol")
	plan := planKeygen(t, dir, sts, 2, ceremony.CurveEd25519)
	owners := ownersFor(dir, sts)
	newCourier(t, plan, owners, nil)
	p := &pulled{aliceStick: owners[0].dir, aliceCeremony: filepath.Join(owners[0].dir, "coldtss-"+planSession(t, plan))}
	p.alice = startStation(t, sts[0], plan, owners[0].dir, timeout)
	waitFor(t, time.Minute, "alice's step-1 packet", func() bool { return fileThere(filepath.Join(p.aliceCeremony, "step-01", "alice.pkt")) })
	marker := filepath.Join(p.aliceStick, transport.StickMarker)
	var err error
	if p.marker, err = os.ReadFile(marker); err != nil {
		t.Fatalf("alice's stick has no marker: %v", err)
	}
	if err := os.Remove(marker); err != nil {
		t.Fatal(err)
	}
	p.bob = startStation(t, sts[1], plan, owners[1].dir, timeout)
	p.carol = startStation(t, sts[2], plan, owners[2].dir, timeout)
	waitFor(t, time.Minute, "bob's and carol's step-1 packets on alice's stick", func() bool {
		return fileThere(filepath.Join(p.aliceCeremony, "step-01", "bob.pkt")) && fileThere(filepath.Join(p.aliceCeremony, "step-01", "carol.pkt"))
	})
	// join shows what usb.Waiting reports; without it, give alice the time
	// she would need to write step 2.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && !p.reported {
		p.reported = strings.Contains(p.alice.stderr.String(), "plug the stick back in")
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(time.Second)
	if fileThere(filepath.Join(p.aliceCeremony, "step-02", "alice.pkt")) {
		t.Fatalf("alice wrote step 2 while her stick was out\nstderr:\n%s", p.alice.stderr.String())
	}
	select {
	case <-p.alice.done:
		t.Fatalf("alice stopped while her stick was out: %v\nstderr:\n%s", p.alice.err, p.alice.stderr.String())
	default:
	}
	return p
}

// A station whose stick is pulled says to plug it back in and writes
// nothing until it is back, then goes on.
func TestStickPulledWhileWaiting(t *testing.T) {
	p := pullAlicesStick(t, "2m")
	if err := atomicfile.Write(filepath.Join(p.aliceStick, transport.StickMarker), p.marker, 0o644); err != nil {
		t.Fatal(err)
	}
	var res []joinResult
	for _, s := range []*stickProc{p.alice, p.bob, p.carol} {
		res = append(res, s.wait(t, 2*time.Minute, "the keygen once the stick was back"))
	}
	mustSucceed(t, res)
	if !p.reported {
		t.Errorf("alice did not say to plug the stick back in (join must set usb.Waiting to show it)\nstderr:\n%s", res[0].stderr)
	}
}
