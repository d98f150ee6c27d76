package testnodes

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("no free loopback port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// process is a node started for one test.
type process struct {
	name   string
	cmd    *exec.Cmd
	logs   []string // files whose tail is shown when the test fails
	exited chan struct{}
	err    error
}

// start runs a node binary with its output in dir/NAME.out; t.Cleanup stops
// it (SIGTERM, then SIGKILL after 10 s) and, if the test failed, prints the
// tail of its logs.
func start(t testing.TB, name, bin, dir string, env []string, args ...string) *process {
	t.Helper()
	out, err := os.Create(dir + "/" + name + ".out")
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		out.Close()
		t.Fatalf("cannot start %s: %v", name, err)
	}
	p := &process{name: name, cmd: cmd, logs: []string{out.Name()}, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		out.Close()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			p.report(t)
		}
	})
	return p
}

func (p *process) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

func (p *process) stop() {
	if !p.running() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// report prints the last lines of the node's logs.
func (p *process) report(t testing.TB) {
	for _, f := range p.logs {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		lines := strings.Split(string(bytes.TrimSpace(b)), "\n")
		if len(lines) > 40 {
			lines = lines[len(lines)-40:]
		}
		t.Logf("%s log %s (last %d lines):\n%s", p.name, f, len(lines), strings.Join(lines, "\n"))
	}
}

// waitReady polls ready until it succeeds, the process dies, or 30 s pass.
func (p *process) waitReady(t testing.TB, ready func() error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		if !p.running() {
			p.report(t)
			t.Fatalf("%s exited during start-up (%v): see its log above", p.name, p.err)
		}
		if last = ready(); last == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.report(t)
	t.Fatalf("%s did not answer within 30 s: %v", p.name, last)
}

func (p *process) String() string { return fmt.Sprintf("%s (pid %d)", p.name, p.cmd.Process.Pid) }
