package main

// End-to-end tests: every station is a separate `coldtss` process with its
// own home folder; they meet on a shared "stick" folder, or on per-station
// folders between which a test courier carries (and sometimes tampers with)
// the packets. Signatures are checked with code independent of tss-lib:
// btcec and btcutil/hdkeychain for secp256k1, crypto/ed25519 for ed25519.

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coldtss/coldtss/backup"
	"github.com/coldtss/coldtss/backup/vault"
	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/keys"
)

var coldtssBin, onlineBin string

func TestMain(m *testing.M) {
	if os.Getenv("COLDTSS_SOCKET_PROBE") != "" {
		// Run as the air-gap test's probe: only TestOpenSocketProbe, no builds.
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "coldtss-e2e-bin")
	if err != nil {
		panic(err)
	}
	coldtssBin = filepath.Join(dir, "coldtss")
	onlineBin = filepath.Join(dir, "coldtss-online")
	for bin, pkg := range map[string]string{coldtssBin: ".", onlineBin: "../coldtss-online"} {
		cmd := exec.Command("go", "build", "-trimpath", "-o", bin, pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building %s: %v\n%s", filepath.Base(bin), err, out)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// --- pre-parameter pool: generated once per test binary, handed to stations encrypted.

var (
	ppMu   sync.Mutex
	ppPool [][]byte
)

func takePreParams(t *testing.T, n int) [][]byte {
	t.Helper()
	ppMu.Lock()
	defer ppMu.Unlock()
	for len(ppPool) < n {
		need := n - len(ppPool)
		got := make([][]byte, need)
		var wg sync.WaitGroup
		sem := make(chan struct{}, 2)
		for i := range got {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
				defer cancel()
				b, err := ceremony.GeneratePreParams(ctx)
				if err != nil {
					t.Errorf("pre-parameters: %v", err)
				}
				got[i] = b
			}(i)
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		ppPool = append(ppPool, got...)
	}
	out := ppPool[:n]
	ppPool = ppPool[n:]
	return out
}

// --- stations

type station struct {
	name, home, pass string
}

func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(coldtssBin, args...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	return so.String(), se.String(), err
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, err := run(t, args...)
	if err != nil {
		t.Fatalf("coldtss %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

func newStation(t *testing.T, dir, name string) *station {
	t.Helper()
	s := &station{name: name, home: filepath.Join(dir, name), pass: filepath.Join(dir, name+".pass")}
	if err := os.WriteFile(s.pass, []byte("pass phrase of "+name+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "init", "--name", name, "--home", s.home, "--passphrase-file", s.pass)
	return s
}

func (s *station) identity(t *testing.T) *ceremony.Identity {
	t.Helper()
	h := vault.Home{Dir: s.home}
	enc, err := h.ReadIdentity()
	if err != nil {
		t.Fatal(err)
	}
	pass, _ := os.ReadFile(s.pass)
	pt, err := backup.DecryptWithPassphrase(enc, strings.TrimSpace(string(pass)))
	if err != nil {
		t.Fatal(err)
	}
	id, err := ceremony.UnmarshalIdentity(pt)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (s *station) givePreParams(t *testing.T, pp []byte) {
	t.Helper()
	if _, err := (vault.Home{Dir: s.home}).AddPreParams(pp, s.identity(t).AgeIdentity().Recipient()); err != nil {
		t.Fatal(err)
	}
}

func (s *station) card(t *testing.T, dir string) string {
	p := filepath.Join(dir, s.name+".card")
	mustRun(t, "id", "export", "--home", s.home, "--out", p)
	return p
}

// workspace returns a fresh test folder and the shared "stick" folder in it.
func workspace(t *testing.T) (dir, stick string) {
	t.Helper()
	dir = t.TempDir()
	stick = filepath.Join(dir, "stick")
	if err := os.MkdirAll(stick, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, stick
}

func stations(t *testing.T, dir string, names ...string) []*station {
	var out []*station
	for _, n := range names {
		out = append(out, newStation(t, dir, n))
	}
	return out
}

func planKeygen(t *testing.T, dir string, sts []*station, threshold int, curve string) string {
	t.Helper()
	plan := filepath.Join(dir, fmt.Sprintf("keygen-%d.json", time.Now().UnixNano()))
	args := []string{"plan", "keygen", "--threshold", fmt.Sprint(threshold), "--curve", curve, "--out", plan}
	for _, s := range sts {
		args = append(args, "--card", s.card(t, dir))
	}
	mustRun(t, args...)
	return plan
}

func fingerprint(t *testing.T, plan string) string {
	var v struct {
		Words string `json:"fingerprint_words"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "plan", "show", plan, "--json")), &v); err != nil {
		t.Fatal(err)
	}
	return v.Words
}

type joinResult struct {
	station *station
	stdout  string
	stderr  string
	err     error
}

// joinOpts tweak one station's join.
type joinOpts struct {
	stick   map[string]string // per-station stick folder (default: shared)
	timeout string
	wrap    []string // command prefix, e.g. strace
	extra   []string
	medium  string // the whole --via (default: usb: and the stick)
}

func (o joinOpts) via(s *station, shared string) string {
	if d, ok := o.stick[s.name]; ok {
		return d
	}
	return shared
}

func startJoin(t *testing.T, s *station, plan, stick string, o joinOpts) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	timeout := o.timeout
	if timeout == "" {
		timeout = "2m"
	}
	via := "usb:" + o.via(s, stick)
	if o.medium != "" {
		via = o.medium
	}
	args := []string{"join", plan, "--via", via, "--home", s.home, "--passphrase-file", s.pass,
		"--expect-fingerprint", fingerprint(t, plan), "--poll", "20ms", "--timeout", timeout, "--json"}
	if b, err := os.ReadFile(plan); err == nil {
		if p, err := ceremony.ParsePlan(b); err == nil && p.Kind == ceremony.KindSign && p.Payload == nil {
			args = append(args, "--allow-raw") // raw digests: nothing for the station to review
		}
	}
	args = append(args, o.extra...)
	var cmd *exec.Cmd
	if len(o.wrap) > 0 {
		cmd = exec.Command(o.wrap[0], append(append(o.wrap[1:], coldtssBin), args...)...)
	} else {
		cmd = exec.Command(coldtssBin, args...)
	}
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &so, &se
}

// joinAll runs `coldtss join` for every station in parallel and waits.
func joinAll(t *testing.T, sts []*station, plan, stick string, o joinOpts) []joinResult {
	t.Helper()
	type proc struct {
		cmd    *exec.Cmd
		so, se *bytes.Buffer
	}
	var procs []proc
	for _, s := range sts {
		c, so, se := startJoin(t, s, plan, stick, o)
		procs = append(procs, proc{c, so, se})
	}
	var out []joinResult
	for i, p := range procs {
		err := p.cmd.Wait()
		out = append(out, joinResult{sts[i], p.so.String(), p.se.String(), err})
	}
	return out
}

func mustSucceed(t *testing.T, res []joinResult) {
	t.Helper()
	for _, r := range res {
		if r.err != nil {
			t.Fatalf("station %s: %v\n%s", r.station.name, r.err, r.stderr)
		}
	}
}

func keygen(t *testing.T, dir, stick string, sts []*station, threshold int, curve string) keys.Record {
	t.Helper()
	if curve == ceremony.CurveSecp256k1 {
		for i, pp := range takePreParams(t, len(sts)) {
			sts[i].givePreParams(t, pp)
		}
	}
	plan := planKeygen(t, dir, sts, threshold, curve)
	res := joinAll(t, sts, plan, stick, joinOpts{})
	mustSucceed(t, res)
	var infos []keys.Record
	for _, r := range res {
		var k keys.Record
		if err := json.Unmarshal([]byte(r.stdout), &k); err != nil {
			t.Fatalf("%s: keygen output: %v\n%s", r.station.name, err, r.stdout)
		}
		infos = append(infos, k)
	}
	for _, k := range infos[1:] {
		if k.PublicKey != infos[0].PublicKey || k.ChainCode != infos[0].ChainCode || k.ID != infos[0].ID {
			t.Fatalf("stations disagree on the key: %+v vs %+v", k, infos[0])
		}
	}
	return infos[0]
}

func makeSignPlan(t *testing.T, dir string, holder *station, key string, signers []*station, reqs []ceremony.SignRequest) string {
	t.Helper()
	rf := filepath.Join(dir, fmt.Sprintf("requests-%d.json", time.Now().UnixNano()))
	b, _ := json.Marshal(reqs)
	if err := os.WriteFile(rf, b, 0o644); err != nil {
		t.Fatal(err)
	}
	plan := filepath.Join(dir, fmt.Sprintf("sign-%d.json", time.Now().UnixNano()))
	args := []string{"plan", "sign", "--home", holder.home, "--key", key, "--requests", rf, "--out", plan}
	for _, s := range signers {
		args = append(args, "--signer", s.name)
	}
	mustRun(t, args...)
	return plan
}

func signatures(t *testing.T, res []joinResult) keys.SignatureFile {
	t.Helper()
	var first keys.SignatureFile
	for i, r := range res {
		var f keys.SignatureFile
		if err := json.Unmarshal([]byte(r.stdout), &f); err != nil {
			t.Fatalf("%s: signing output: %v\n%s", r.station.name, err, r.stdout)
		}
		if i == 0 {
			first = f
			continue
		}
		a, _ := json.Marshal(first.Signatures)
		b, _ := json.Marshal(f.Signatures)
		if !bytes.Equal(a, b) || f.Session != first.Session {
			t.Fatalf("stations disagree on the signatures:\n%s\n%s", a, b)
		}
	}
	return first
}

func stepDirs(t *testing.T, stick, plan string) int {
	t.Helper()
	b, _ := os.ReadFile(plan)
	p, err := ceremony.ParsePlan(b)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := filepath.Glob(filepath.Join(stick, "coldtss-"+p.Session, "step-*"))
	return len(m)
}

func digestRequests(n int, withPath bool) []ceremony.SignRequest {
	var out []ceremony.SignRequest
	for i := 0; i < n; i++ {
		d := make([]byte, 32)
		copy(d, fmt.Sprintf("coldtss e2e message %02d", i))
		if i%5 == 0 {
			d[0] = 0 // leading zero bytes must survive
		}
		r := ceremony.SignRequest{Data: hex.EncodeToString(d)}
		if withPath {
			r.Path = fmt.Sprintf("m/%d/%d", i%2, i)
		}
		out = append(out, r)
	}
	return out
}

var errLine = regexp.MustCompile(`(?m)^coldtss: .+$`)

// lastError returns the one-line error a station printed.
func lastError(r joinResult) string {
	m := errLine.FindAllString(r.stderr, -1)
	if len(m) == 0 {
		return ""
	}
	return m[len(m)-1]
}
