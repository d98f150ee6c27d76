package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/keys"
)

// TestQRSimCeremonies runs whole ceremonies between separate coldtss
// processes over the simulated room (--via qr-sim:DIR): each screen is a
// PNG the process rewrites at its preset's rate, each camera a simulated
// webcam that loses 30% of frames, photographs the faced screen and scans
// it. Three stations make a key with alice as the hub (the others face her
// in turn), all under strace: QR ceremonies open no socket either. Then
// they refresh the key over QR (a resharing: epoch 2, same key), and two of
// them sign face to face.
func TestQRSimCeremonies(t *testing.T) {
	strace, err := exec.LookPath("strace")
	if err != nil && os.Getenv("CI") != "" {
		t.Fatal("strace is not installed: `make test` installs it (scripts/install-test-deps.sh)")
	}
	dir, _ := workspace(t)
	room := filepath.Join(dir, "room")
	sts := stations(t, dir, "alice", "bob", "carol")
	plan := planKeygen(t, dir, sts, 2, ceremony.CurveEd25519)
	var traces []string
	var procs []*exec.Cmd
	var outs, errs []*bytes.Buffer
	for _, s := range sts {
		o := joinOpts{medium: "qr-sim:" + room, timeout: "3m", extra: []string{"--hub", "alice", "--sim-drop", "0.3", "--preset", "wallet", "--fps", "20"}}
		if strace != "" {
			f := filepath.Join(dir, s.name+".strace")
			traces = append(traces, f)
			o.wrap = []string{strace, "-f", "-qq", "-e", "trace=network", "-e", "signal=none", "-o", f}
		}
		c, so, se := startJoin(t, s, plan, "", o)
		procs, outs, errs = append(procs, c), append(outs, so), append(errs, se)
	}
	var infos []keys.Record
	waitErrs := make([]error, len(procs))
	for i, c := range procs {
		waitErrs[i] = c.Wait()
	}
	for i, err := range waitErrs {
		if err != nil {
			for j := range procs {
				t.Logf("%s:\n%s", sts[j].name, lastLines(errs[j].String(), 12))
			}
			t.Fatalf("%s: %v", sts[i].name, err)
		}
	}
	for i := range procs {
		var k keys.Record
		if err := json.Unmarshal(outs[i].Bytes(), &k); err != nil {
			t.Fatalf("%s: %v\n%s", sts[i].name, err, outs[i])
		}
		infos = append(infos, k)
	}
	for _, k := range infos[1:] {
		if k.PublicKey != infos[0].PublicKey || k.Status != keys.Active {
			t.Fatalf("stations disagree on the key, or it is not active: %+v vs %+v", k, infos[0])
		}
	}
	for _, f := range traces {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range networkCalls.FindAllString(string(b), -1) {
			t.Errorf("%s: a network system call over QR: %s", filepath.Base(f), line)
		}
	}

	// A refresh over QR too: every station in both committees, alice the hub.
	refresh := filepath.Join(dir, "refresh.json")
	mustRun(t, "plan", "reshare", "--home", sts[0].home, "--key", infos[0].ID, "--refresh", "--out", refresh)
	rres := joinAll(t, sts, refresh, "", joinOpts{medium: "qr-sim:" + filepath.Join(dir, "room-refresh"), timeout: "3m",
		extra: []string{"--hub", "alice", "--sim-drop", "0.3", "--preset", "wallet", "--fps", "20"}})
	mustSucceed(t, rres)
	for name, k := range records(t, rres) {
		if k.Epoch != 2 || k.PublicKey != infos[0].PublicKey {
			t.Fatalf("%s after the refresh over QR: epoch %d, public key %s", name, k.Epoch, k.PublicKey)
		}
	}

	signPlan := makeSignPlan(t, dir, sts[1], infos[0].ID, sts[1:], []ceremony.SignRequest{{Data: "68656c6c6f"}})
	res := joinAll(t, sts[1:], signPlan, "", joinOpts{medium: "qr-sim:" + filepath.Join(dir, "room2"), timeout: "2m",
		extra: []string{"--sim-drop", "0.3", "--preset", "wallet", "--fps", "20"}})
	mustSucceed(t, res)
	sig := signatures(t, res)
	if len(sig.Signatures) != 1 {
		t.Fatalf("signatures: %+v", sig)
	}
}

// lastLines is the end of a station's output, for a failure report.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
