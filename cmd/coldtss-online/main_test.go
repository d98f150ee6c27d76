package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// bin is the coldtss-online binary, built once for all tests.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "coldtss-online-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "coldtss-online")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building coldtss-online: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is one run of the binary.
type result struct {
	stdout, stderr string
	code           int
}

// run runs coldtss-online with a 2-minute limit.
func run(t *testing.T, args ...string) result {
	t.Helper()
	return wait(t, start(t, args...))
}

type running struct {
	cmd            *exec.Cmd
	stdout, stderr *bytes.Buffer
	cancel         context.CancelFunc
	args           []string
}

func start(t *testing.T, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "COLDTSS_NODE=", "COLDTSS_RPC_USER=", "COLDTSS_RPC_PASS=", "COLDTSS_ETH_NODE=")
	r := &running{cmd: cmd, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, cancel: cancel, args: args}
	cmd.Stdout, cmd.Stderr = r.stdout, r.stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	return r
}

func wait(t *testing.T, r *running) result {
	t.Helper()
	defer r.cancel()
	err := r.cmd.Wait()
	res := result{stdout: r.stdout.String(), stderr: r.stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("coldtss-online %s: %v", strings.Join(r.args, " "), err)
	}
	return res
}

// ok runs the binary and fails the test unless it exits 0.
func ok(t *testing.T, args ...string) result {
	t.Helper()
	r := run(t, args...)
	if r.code != 0 {
		t.Fatalf("coldtss-online %s: exit %d\nstderr: %s\nstdout: %s", strings.Join(args, " "), r.code, r.stderr, r.stdout)
	}
	return r
}

// fails runs the binary, expects exit status code and an error line
// containing every wanted piece.
func fails(t *testing.T, code int, want []string, args ...string) result {
	t.Helper()
	r := run(t, args...)
	if r.code != code {
		t.Fatalf("coldtss-online %s: exit %d, want %d\nstderr: %s", strings.Join(args, " "), r.code, code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "coldtss-online: ") {
		t.Fatalf("error line %q does not start with coldtss-online:", last)
	}
	for _, w := range want {
		if !strings.Contains(last, w) {
			t.Fatalf("error %q does not say %q", last, w)
		}
	}
	return r
}
