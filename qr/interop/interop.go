// Package interop runs, for tests, the reference implementations pinned in
// this folder (package-lock.json: @ngraveio/bc-ur, bbqr, the Keystone
// registries, @metamask/eth-qr-keyring) through the small
// node scripts beside this file. `make test` installs them with
// `npm ci --prefix qr/interop` and sets COLDTSS_REQUIRE_INTEROP=1, so that
// there a missing reference fails instead of skipping.
package interop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Node is the folder of the scripts and their node_modules.
type Node struct{ dir string }

// Require returns the runner when node and the pinned version of pkg are
// installed. Otherwise it skips the test, or fails it when
// COLDTSS_REQUIRE_INTEROP=1; a different version installed always fails.
func Require(t testing.TB, pkg, version string) *Node {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	dir := filepath.Dir(self)
	why := ""
	if _, err := exec.LookPath("node"); err != nil {
		why = "node is not installed"
	} else if b, err := os.ReadFile(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
		why = "qr/interop/node_modules is missing (run: npm ci --prefix qr/interop)"
	} else {
		var p struct{ Version string }
		if json.Unmarshal(b, &p); p.Version != version {
			t.Fatalf("qr/interop/node_modules has %s %s, the lock file pins %s: run npm ci --prefix qr/interop", pkg, p.Version, version)
		}
	}
	if why != "" {
		if os.Getenv("COLDTSS_REQUIRE_INTEROP") == "1" {
			t.Fatalf("interop test cannot run: %s, and COLDTSS_REQUIRE_INTEROP=1", why)
		}
		t.Skipf("interop test skipped: %s", why)
	}
	return &Node{dir: dir}
}

// Run runs one of the scripts with stdin and arguments, and returns what it
// printed; any failure fails the test.
func (n *Node) Run(t testing.TB, script, stdin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", append([]string{filepath.Join(n.dir, script)}, args...)...)
	cmd.Dir = n.dir
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("node %s %v: %v: %s", script, args, err, errb.String())
	}
	return out.String()
}

// RunJSON is Run for a script that prints one JSON document, decoded into out.
func (n *Node) RunJSON(t testing.TB, script, stdin string, out any, args ...string) {
	t.Helper()
	s := n.Run(t, script, stdin, args...)
	if err := json.Unmarshal([]byte(s), out); err != nil {
		t.Fatalf("node %s: %v: %.200s", script, err, s)
	}
}

// Proc is a script that runs alongside the test and talks in lines: the
// test sends a line, the script answers with a JSON line. The MetaMask
// keyring waits inside its own signing call for the signature the test
// brings back, so it cannot be driven by one-shot runs.
type Proc struct {
	cmd    *exec.Cmd
	cancel context.CancelFunc
	in     io.WriteCloser
	out    *bufio.Scanner
	errb   *bytes.Buffer
	script string
}

// Start runs a script with arguments; it is killed when the test ends.
func (n *Node) Start(t testing.TB, script string, args ...string) *Proc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	cmd := exec.CommandContext(ctx, "node", append([]string{filepath.Join(n.dir, script)}, args...)...)
	cmd.Dir = n.dir
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errb := new(bytes.Buffer)
	cmd.Stderr = errb
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("node %s: %v", script, err)
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	p := &Proc{cmd: cmd, cancel: cancel, in: in, out: sc, errb: errb, script: script}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	return p
}

// Send writes one line to the script.
func (p *Proc) Send(t testing.TB, line string) {
	t.Helper()
	if _, err := io.WriteString(p.in, line+"\n"); err != nil {
		t.Fatalf("node %s: writing: %v: %s", p.script, err, p.errb.String())
	}
}

// ReadJSON reads the script's next line into out.
func (p *Proc) ReadJSON(t testing.TB, out any) {
	t.Helper()
	if !p.out.Scan() {
		p.cancel()
		_ = p.cmd.Wait()
		t.Fatalf("node %s ended without an answer: %v: %s", p.script, p.out.Err(), p.errb.String())
	}
	if err := json.Unmarshal(p.out.Bytes(), out); err != nil {
		t.Fatalf("node %s: %v: %.300s", p.script, err, p.out.Text())
	}
}
