package main

import (
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coldtss/coldtss/backup/vault"
	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/internal/atomicfile"
)

// courier carries packets between per-station stick folders, as a person
// carrying a USB stick would, and can tamper with them on the way.
type courier struct {
	session string
	owners  []owner
	// route returns what to deliver of a packet written by from (an owner
	// key) to to: the data, something else, or nil to withhold it.
	route func(step int, from, to string, data []byte) []byte
	stop  chan struct{}
	wg    sync.WaitGroup
	done  map[string]bool
}

type owner struct{ key, name, dir string }

func newCourier(t *testing.T, plan string, owners []owner, route func(int, string, string, []byte) []byte) *courier {
	b, _ := os.ReadFile(plan)
	p, err := ceremony.ParsePlan(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range owners {
		os.MkdirAll(o.dir, 0o755)
	}
	c := &courier{session: p.Session, owners: owners, route: route, stop: make(chan struct{}), done: map[string]bool{}}
	c.wg.Add(1)
	go c.loop()
	t.Cleanup(c.close)
	return c
}

func (c *courier) close() {
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	c.wg.Wait()
}

func (c *courier) loop() {
	defer c.wg.Done()
	for {
		select {
		case <-c.stop:
			return
		case <-time.After(10 * time.Millisecond):
		}
		for _, from := range c.owners {
			base := filepath.Join(from.dir, "coldtss-"+c.session)
			pkts, _ := filepath.Glob(filepath.Join(base, "step-*", from.name+".pkt"))
			aborts, _ := filepath.Glob(filepath.Join(base, "abort-"+from.name+".json"))
			for _, f := range append(pkts, aborts...) {
				rel, _ := filepath.Rel(from.dir, f)
				var step int
				if strings.Contains(rel, "step-") {
					step = atoiStep(rel)
				}
				data, err := os.ReadFile(f)
				if err != nil {
					continue
				}
				for _, to := range c.owners {
					if to.name == from.name || c.done[from.key+">"+to.key+":"+rel] {
						continue
					}
					out := data
					if step > 0 && c.route != nil {
						out = c.route(step, from.key, to.key, data)
					}
					c.done[from.key+">"+to.key+":"+rel] = true
					if out != nil {
						atomicfile.Write(filepath.Join(to.dir, rel), out, 0o644)
					}
				}
			}
		}
	}
}

func atoiStep(rel string) int {
	i := strings.Index(rel, "step-")
	n := 0
	for _, ch := range rel[i+5 : i+7] {
		n = n*10 + int(ch-'0')
	}
	return n
}

func ownersFor(dir string, sts []*station) []owner {
	var out []owner
	for _, s := range sts {
		out = append(out, owner{key: s.name, name: s.name, dir: filepath.Join(dir, "stick-"+s.name)})
	}
	return out
}

func sticks(owners []owner) map[string]string {
	m := map[string]string{}
	for _, o := range owners {
		m[o.key] = o.dir
	}
	return m
}

// expectFailure checks a station stopped with a non-zero exit and a one-line
// error containing every given fragment.
func expectFailure(t *testing.T, r joinResult, fragments ...string) {
	t.Helper()
	var ee *exec.ExitError
	if r.err == nil || !errors.As(r.err, &ee) || ee.ExitCode() == 0 {
		t.Fatalf("%s: expected a failure, got %v\nstdout: %s\nstderr: %s", r.station.name, r.err, r.stdout, r.stderr)
	}
	line := lastError(r)
	for _, f := range fragments {
		if !strings.Contains(line, f) {
			t.Fatalf("%s: error %q does not mention %q\nstderr:\n%s", r.station.name, line, f, r.stderr)
		}
	}
}

func snapshot(t *testing.T, sts []*station) map[string][32]byte {
	t.Helper()
	m := map[string][32]byte{}
	for _, s := range sts {
		filepath.Walk(s.home, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() && !strings.Contains(p, string(filepath.Separator)+"transcripts"+string(filepath.Separator)) {
				b, _ := os.ReadFile(p)
				m[p] = sha256.Sum256(b)
			}
			return nil
		})
	}
	return m
}

func TestAdversarial(t *testing.T) {
	dir, stick := workspace(t)
	sts := stations(t, dir, "alice", "bob", "carol")
	// A key the stations already hold: nothing below may damage it.
	good := keygen(t, dir, stick, sts, 2, ceremony.CurveEd25519)
	before := snapshot(t, sts)
	n := 0
	fresh := func() (string, []owner) {
		n++
		plan := planKeygen(t, dir, sts, 2, ceremony.CurveEd25519)
		return plan, ownersFor(filepath.Join(dir, "round"+string(rune('a'+n))), sts)
	}
	sessionOf := func(plan string) string {
		b, _ := os.ReadFile(plan)
		p, _ := ceremony.ParsePlan(b)
		return p.Session
	}

	t.Run("flipped byte", func(t *testing.T) {
		plan, owners := fresh()
		newCourier(t, plan, owners, func(step int, from, to string, data []byte) []byte {
			if step == 1 && from == "bob" && to == "carol" {
				d := append([]byte(nil), data...)
				d[len(d)-10] ^= 0x01
				return d
			}
			return data
		})
		res := joinAll(t, sts, plan, "", joinOpts{stick: sticks(owners), timeout: "20s"})
		expectFailure(t, res[2], "step-01/bob.pkt", "signature does not verify against bob's identity card")
		expectFailure(t, res[0], "station carol stopped the ceremony")
		expectFailure(t, res[1], "station carol stopped the ceremony")
	})

	t.Run("packet from another ceremony", func(t *testing.T) {
		// bob's own step-1 packet of the earlier keygen: validly signed by
		// bob, the same stations, another plan and session. A packet names no
		// session; its signature binds the plan, so it fails here.
		old, err := os.ReadFile(filepath.Join(stick, "coldtss-"+good.Session, "step-01", "bob.pkt"))
		if err != nil {
			t.Fatal(err)
		}
		tb, err := os.ReadFile(vault.Home{Dir: sts[2].home}.TranscriptPath(good.Session))
		if err != nil {
			t.Fatal(err)
		}
		tr, err := ceremony.ParseTranscript(tb)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ceremony.DecodePacket(tr.Plan, old, "bob.pkt", 1, tr.Plan.Index("bob")); err != nil {
			t.Fatalf("the replayed packet must be a good one of its own ceremony: %v", err)
		}
		plan, owners := fresh()
		newCourier(t, plan, owners, func(step int, from, to string, data []byte) []byte {
			if step == 1 && from == "bob" && to == "carol" {
				return old
			}
			return data
		})
		res := joinAll(t, sts, plan, "", joinOpts{stick: sticks(owners), timeout: "20s"})
		expectFailure(t, res[2], "step-01/bob.pkt", "signature does not verify against bob's identity card for this plan: it is a packet of another ceremony or plan", "stop and find out where it came from")
	})

	t.Run("replayed packet from an earlier step", func(t *testing.T) {
		plan, owners := fresh()
		var mu sync.Mutex
		var step1 []byte
		newCourier(t, plan, owners, func(step int, from, to string, data []byte) []byte {
			mu.Lock()
			defer mu.Unlock()
			if step == 1 && from == "bob" {
				step1 = data
			}
			if step == 2 && from == "bob" && to == "carol" {
				return step1
			}
			return data
		})
		res := joinAll(t, sts, plan, "", joinOpts{stick: sticks(owners), timeout: "20s"})
		expectFailure(t, res[2], "step-02/bob.pkt", "is for step 1, expected step 2", "replayed")
	})

	t.Run("unknown sender", func(t *testing.T) {
		plan, owners := fresh()
		eve, err := ceremony.NewIdentity("eve")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(plan)
		p, _ := ceremony.ParsePlan(b)
		forged := &ceremony.Packet{Version: ceremony.PacketVersion, Step: 1, From: 1}
		forged.Sign(eve, p.Fingerprint())
		// eve's packet, named as eve's, in carol's folder before anyone starts.
		evePath := filepath.Join(owners[2].dir, "coldtss-"+p.Session, "step-01", "eve.pkt")
		atomicfile.Write(evePath, forged.Encode(), 0o644)
		newCourier(t, plan, owners, nil)
		res := joinAll(t, sts, plan, "", joinOpts{stick: sticks(owners), timeout: "20s"})
		expectFailure(t, res[2], "step-01/eve.pkt", "unknown sender")

		// eve's packet passed off as bob's.
		plan, owners = fresh()
		b, _ = os.ReadFile(plan)
		p, _ = ceremony.ParsePlan(b)
		forged = &ceremony.Packet{Version: ceremony.PacketVersion, Step: 1, From: p.Index("bob")}
		forged.Sign(eve, p.Fingerprint())
		newCourier(t, plan, owners, func(step int, from, to string, data []byte) []byte {
			if step == 1 && from == "bob" && to == "alice" {
				return forged.Encode()
			}
			return data
		})
		res = joinAll(t, sts, plan, "", joinOpts{stick: sticks(owners), timeout: "20s"})
		expectFailure(t, res[0], "step-01/bob.pkt", "it is not from bob", "signature does not verify")
	})

	t.Run("equivocating station", func(t *testing.T) {
		// alice runs twice from two copies of its home, and each copy is
		// shown to a different peer: bob sees one alice, carol the other.
		plan, _ := fresh()
		twin := &station{name: "alice", home: filepath.Join(dir, "alice-twin"), pass: sts[0].pass}
		if err := exec.Command("cp", "-a", sts[0].home, twin.home).Run(); err != nil {
			t.Fatal(err)
		}
		base := filepath.Join(dir, "equivocation")
		owners := []owner{
			{"alice", "alice", filepath.Join(base, "alice")},
			{"alice-twin", "alice", filepath.Join(base, "alice-twin")},
			{"bob", "bob", filepath.Join(base, "bob")},
			{"carol", "carol", filepath.Join(base, "carol")},
		}
		newCourier(t, plan, owners, func(step int, from, to string, data []byte) []byte {
			switch {
			case from == "alice" && to == "carol", from == "alice-twin" && to == "bob":
				return nil
			}
			return data
		})
		m := sticks(owners)
		procs := []*station{sts[0], twin, sts[1], sts[2]}
		var cmds []*exec.Cmd
		var errs []interface{ String() string }
		for _, s := range procs {
			via := m[s.name]
			if s == twin {
				via = m["alice-twin"]
			}
			c, _, se := startJoin(t, s, plan, "", joinOpts{stick: map[string]string{s.name: via}, timeout: "20s"})
			cmds, errs = append(cmds, c), append(errs, se)
		}
		var res []joinResult
		for i, c := range cmds {
			err := c.Wait()
			res = append(res, joinResult{station: procs[i], stderr: errs[i].String(), err: err})
		}
		// Whoever notices first stops everyone; every honest station's
		// error names alice and the equivocation.
		for _, r := range res[2:] {
			expectFailure(t, r, "alice", "equivocation", "step-1 packet")
		}
	})

	t.Run("missing station times out", func(t *testing.T) {
		plan := planKeygen(t, dir, sts, 2, ceremony.CurveEd25519)
		res := joinAll(t, sts[:2], plan, stick, joinOpts{timeout: "3s"})
		expectFailure(t, res[0], "timed out after 3s at step 1 of 4", "no packet from carol")
		expectFailure(t, res[1], "no packet from carol")
	})

	t.Run("kill -9 mid-keygen", func(t *testing.T) {
		plan, owners := fresh()
		// bob's packets after step 1 are held back, so the others are
		// waiting for bob when bob is killed.
		newCourier(t, plan, owners, func(step int, from, to string, data []byte) []byte {
			if from == "bob" && step >= 2 {
				return nil
			}
			return data
		})
		m := sticks(owners)
		var cmds []*exec.Cmd
		var errs []interface{ String() string }
		for _, s := range sts {
			c, _, se := startJoin(t, s, plan, "", joinOpts{stick: map[string]string{s.name: m[s.name]}, timeout: "5s"})
			cmds, errs = append(cmds, c), append(errs, se)
		}
		session := sessionOf(plan)
		bobStep2 := filepath.Join(m["bob"], "coldtss-"+session, "step-02", "bob.pkt")
		deadline := time.Now().Add(time.Minute)
		for {
			if _, err := os.Stat(bobStep2); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("bob never reached step 2")
			}
			time.Sleep(5 * time.Millisecond)
		}
		cmds[1].Process.Kill() // SIGKILL
		var res []joinResult
		for i, c := range cmds {
			err := c.Wait()
			res = append(res, joinResult{station: sts[i], stderr: errs[i].String(), err: err})
		}
		expectFailure(t, res[0], "no packet from bob")
		expectFailure(t, res[2], "no packet from bob")
		if res[1].err == nil {
			t.Fatal("bob was not killed")
		}
	})

	t.Run("wrong passphrase", func(t *testing.T) {
		plan := planKeygen(t, dir, sts, 2, ceremony.CurveEd25519)
		wrong := filepath.Join(dir, "wrong.pass")
		os.WriteFile(wrong, []byte("not the passphrase\n"), 0o600)
		bad := &station{name: "bob", home: sts[1].home, pass: wrong}
		res := joinAll(t, []*station{bad}, plan, stick, joinOpts{timeout: "5s"})
		expectFailure(t, res[0], "identity.age", "wrong passphrase")
		_, errOut, err := run(t, "preparams", "--home", sts[1].home, "--passphrase-file", wrong)
		if err == nil || !strings.Contains(errOut, "wrong passphrase") {
			t.Fatalf("preparams with a wrong passphrase: %v %s", err, errOut)
		}
	})

	t.Run("tampered plan", func(t *testing.T) {
		plan := planKeygen(t, dir, sts, 2, ceremony.CurveEd25519)
		words := fingerprint(t, plan)
		b, _ := os.ReadFile(plan)
		os.WriteFile(plan, []byte(strings.Replace(string(b), `"threshold": 2`, `"threshold": 3`, 1)), 0o644)
		_, errOut, err := run(t, "join", plan, "--via", "usb:"+stick, "--home", sts[0].home, "--passphrase-file", sts[0].pass, "--expect-fingerprint", words)
		if err == nil || !strings.Contains(errOut, "fingerprint") || !strings.Contains(errOut, "differs") {
			t.Fatalf("a plan altered after the words were read was not refused: %v %s", err, errOut)
		}
	})

	t.Run("signer card swapped in a signing plan", func(t *testing.T) {
		plan := makeSignPlan(t, dir, sts[0], good.ID, sts[:2], []ceremony.SignRequest{{Data: "00aa"}})
		os.MkdirAll(filepath.Join(dir, "impostor"), 0o755)
		impostor := newStation(t, filepath.Join(dir, "impostor"), "bob")
		b, _ := os.ReadFile(plan)
		p, _ := ceremony.ParsePlan(b)
		p.Stations[p.Index("bob")] = impostor.identity(t).Card()
		os.WriteFile(plan, p.Marshal(), 0o644)
		_, errOut, err := run(t, "join", plan, "--via", "usb:"+stick, "--home", sts[0].home, "--passphrase-file", sts[0].pass, "--yes")
		if err == nil || !strings.Contains(errOut, "identity card for bob is not the one that generated key") {
			t.Fatalf("a swapped signer card was not refused: %v %s", err, errOut)
		}
	})

	// Nothing any of that did touched the key the stations already held,
	// and no attempt left a key or share behind.
	after := snapshot(t, sts)
	for p, h := range before {
		if after[p] != h {
			t.Errorf("%s changed", p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok && (strings.Contains(p, string(filepath.Separator)+"keys"+string(filepath.Separator)) || strings.HasSuffix(p, ".age")) {
			t.Errorf("%s appeared after failed ceremonies", p)
		}
	}
	for _, s := range sts {
		keys, err := (vault.Home{Dir: s.home}).Keys()
		if err != nil || len(keys) != 1 || keys[0].ID != good.ID {
			t.Fatalf("%s: keys after the attacks: %v %v", s.name, keys, err)
		}
		if _, err := (vault.Home{Dir: s.home}).Share(good.ID, s.identity(t).AgeIdentity()); err != nil {
			t.Fatalf("%s: the existing share no longer opens: %v", s.name, err)
		}
	}
}
