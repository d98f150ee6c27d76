package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Tool returns the path of the reference command name, which the Debian
// package pkg installs (scripts/install-test-deps.sh does, for make test).
// When it is missing it skips the test, or fails it when
// COLDTSS_REQUIRE_INTEROP=1.
func Tool(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("COLDTSS_REQUIRE_INTEROP") == "1" {
		t.Fatalf("interop test cannot run: %s is not installed (Debian package %s; run scripts/install-test-deps.sh), and COLDTSS_REQUIRE_INTEROP=1", name, pkg)
	}
	t.Skipf("interop test skipped: %s is not installed (Debian package %s)", name, pkg)
	return ""
}

// Chromium is a headless Chromium that opens local pages for tests.
type Chromium struct{ path string }

// RequireChromium returns the installed Chromium (Debian package chromium),
// or skips or fails the test as Tool does.
func RequireChromium(t testing.TB) *Chromium {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return &Chromium{path: p}
		}
	}
	return &Chromium{path: Tool(t, "chromium", "chromium")}
}

// Screenshot opens url (a file:// address) in a new headless Chromium with
// a fresh profile and a width×height window, and returns the PNG of what
// it shows once the page has loaded (extra flags, such as
// --virtual-time-budget=ms, come before the address). It also returns every request the
// page made over the network (the addresses, from Chromium's net log), so
// a test can require none; Chromium's own background requests are not
// counted. No request can leave the machine: every host name resolves to
// nothing. Any failure fails the test.
func (c *Chromium) Screenshot(t testing.TB, url string, width, height int, extra ...string) (png []byte, requests []string) {
	t.Helper()
	dir := t.TempDir()
	shot, netlog := filepath.Join(dir, "shot.png"), filepath.Join(dir, "net.json")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--disable-default-apps", "--no-pings", "--disable-domain-reliability",
		"--host-resolver-rules=MAP * ~NOTFOUND",
		"--hide-scrollbars", "--force-device-scale-factor=1",
		"--user-data-dir=" + filepath.Join(dir, "profile"),
		"--log-net-log=" + netlog,
		"--screenshot=" + shot,
		"--window-size=" + strconv.Itoa(width) + "," + strconv.Itoa(height),
	}, extra...)
	cmd := exec.CommandContext(ctx, c.path, append(args, url)...)
	cmd.Env = append(os.Environ(), "HOME="+dir) // nothing of the user's Chromium
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v: %s", url, err, tail(out.String()))
	}
	png, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("chromium %s made no screenshot: %v: %s", url, err, tail(out.String()))
	}
	return png, pageRequests(t, netlog)
}

// pageRequests reads a Chromium net log and returns the addresses of the
// requests that a page made: those of a file:// page carry "file://" in
// their network isolation key, or a page origin as initiator; Chromium's
// own (update checks and the like) have "not an origin".
func pageRequests(t testing.TB, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("chromium net log: %v", err)
	}
	var log struct {
		Constants struct {
			LogEventTypes map[string]int `json:"logEventTypes"`
		} `json:"constants"`
		Events []struct {
			Type   int `json:"type"`
			Params struct {
				URL       string `json:"url"`
				Initiator string `json:"initiator"`
				Isolation string `json:"network_isolation_key"`
			} `json:"params"`
		} `json:"events"`
	}
	// Chromium may end the log without closing it when it exits.
	s := strings.TrimSpace(string(b))
	if !strings.HasSuffix(s, "}") {
		s = strings.TrimSuffix(s, ",") + "]}"
	}
	if err := json.Unmarshal([]byte(s), &log); err != nil {
		t.Fatalf("chromium net log %s: %v", path, err)
	}
	start, ok := log.Constants.LogEventTypes["URL_REQUEST_START_JOB"]
	if !ok {
		t.Fatalf("chromium net log %s has no URL_REQUEST_START_JOB event type: this Chromium's log format changed", path)
	}
	var reqs []string
	for _, e := range log.Events {
		p := e.Params
		if e.Type != start || p.URL == "" {
			continue
		}
		if strings.Contains(p.Isolation, "file://") || (p.Initiator != "" && p.Initiator != "not an origin") {
			reqs = append(reqs, p.URL)
		}
	}
	return reqs
}

func tail(s string) string {
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}
