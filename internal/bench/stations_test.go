//go:build unix

package bench

// The coldtss side: the binary, built once per benchmark; stations, each a
// home folder made by `coldtss init`; and ceremonies run as one `coldtss
// join` process per station, passing packets through a folder (usb:DIR).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/btcsuite/btcd/btcutil/bech32"

	"github.com/coldtss/coldtss/backup/vault"
	"github.com/coldtss/coldtss/ceremony"
)

// benchCmd is the package of the coldtss binary: go resolves it in this
// module wherever the benchmark runs from (internal/bench).
const benchCmd = "github.com/coldtss/coldtss/cmd/coldtss"

// benchBuild builds the coldtss binary into a temporary folder: static and
// with -trimpath, as `make build` and the releases are.
func benchBuild(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "coldtss")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, benchCmd)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// benchExec runs one coldtss command and returns its standard output.
func benchExec(bin string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), benchProcessTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("coldtss %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// benchStation is one simulated station: its own home folder and passphrase.
type benchStation struct {
	name, home, pass string
	card             ceremony.Card
}

// benchStations creates fresh station homes with `coldtss init` (in parallel).
func benchStations(b *testing.B, bin, work string) []benchStation {
	b.Helper()
	sts := make([]benchStation, len(benchNames))
	errs := make([]error, len(sts))
	var wg sync.WaitGroup
	for i, name := range benchNames {
		sts[i] = benchStation{name: name, home: filepath.Join(work, name), pass: filepath.Join(work, name+".pass")}
		if err := os.WriteFile(sts[i].pass, []byte("bench passphrase for "+name+"\n"), 0o600); err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		go func(st *benchStation) {
			defer wg.Done()
			_, errs[i] = benchExec(bin, "init", "--name", st.name, "--home", st.home, "--passphrase-file", st.pass)
		}(&sts[i])
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		b.Fatal(err)
	}
	for i := range sts {
		raw, err := vault.Home{Dir: sts[i].home}.ReadCard()
		if err != nil {
			b.Fatal(err)
		}
		if sts[i].card, err = ceremony.ParseCard(raw); err != nil {
			b.Fatal(err)
		}
	}
	return sts
}

// benchRecipient is the age recipient of a station's own secrets, from its
// public card: the X25519 key of Identity.AgeIdentity(). It saves unlocking
// the identity (scrypt) just to store pre-parameters.
func benchRecipient(card ceremony.Card) (age.Recipient, error) {
	pub, err := card.SealPublic()
	if err != nil {
		return nil, err
	}
	conv, err := bech32.ConvertBits(pub.Bytes(), 8, 5, true)
	if err != nil {
		return nil, err
	}
	s, err := bech32.Encode("age", conv)
	if err != nil {
		return nil, err
	}
	return age.ParseX25519Recipient(s)
}

// benchInstallPreParams gives every station one of the shared sets.
func benchInstallPreParams(b *testing.B, sts []benchStation, pps [][]byte) {
	b.Helper()
	for i, st := range sts {
		rec, err := benchRecipient(st.card)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := (vault.Home{Dir: st.home}).AddPreParams(pps[i], rec); err != nil {
			b.Fatal(err)
		}
	}
}

// benchProcs is a set of coldtss processes run at once.
type benchProcs struct {
	wall    time.Duration // from starting the first process to the last one's exit
	cpu     time.Duration // their CPU time, all together
	seconds []float64     // join: each station's own ceremony time (join --json "seconds")
	outs    [][]byte      // each one's standard output
}

// benchRunProcs starts the commands at once and waits for all of them.
func benchRunProcs(b *testing.B, bin string, argv [][]string) benchProcs {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), benchProcessTimeout)
	defer cancel()
	n := len(argv)
	cmds := make([]*exec.Cmd, n)
	stdout := make([]bytes.Buffer, n)
	stderr := make([]bytes.Buffer, n)
	for i, args := range argv {
		cmds[i] = exec.CommandContext(ctx, bin, args...)
		cmds[i].Stdout, cmds[i].Stderr = &stdout[i], &stderr[i]
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i, cmd := range cmds {
		if err := cmd.Start(); err != nil {
			b.Fatal(err) // cancel kills those already started
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = cmds[i].Wait()
		}(i)
	}
	wg.Wait()
	res := benchProcs{wall: time.Since(start)}
	for i, cmd := range cmds {
		if errs[i] != nil {
			b.Fatalf("coldtss %s: %v\n%s", strings.Join(argv[i], " "), errs[i], stderr[i].String())
		}
		res.cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		res.outs = append(res.outs, stdout[i].Bytes())
	}
	return res
}

// benchRunJoin runs one `coldtss join` per station, all at once.
func benchRunJoin(b *testing.B, bin, planPath, stick, words string, sts []benchStation) benchProcs {
	b.Helper()
	var argv [][]string
	for _, st := range sts {
		argv = append(argv, []string{"join", planPath, "--via", "usb:" + stick, "--home", st.home,
			"--passphrase-file", st.pass, "--poll", benchPoll, "--timeout", "5m", "--expect-fingerprint", words, "--json", "--allow-raw"})
	}
	res := benchRunProcs(b, bin, argv)
	for i, out := range res.outs {
		var v struct {
			Seconds *float64 `json:"seconds"`
		}
		if err := json.Unmarshal(out, &v); err != nil || v.Seconds == nil {
			b.Fatalf("%s: join --json gave no seconds (%v):\n%s", sts[i].name, err, out)
		}
		res.seconds = append(res.seconds, *v.Seconds)
	}
	return res
}

// benchUnlock measures what the join processes spend outside the protocol:
// as many `coldtss init` at once in throwaway homes. Each starts a process
// and runs scrypt once with the same cost as a join's passphrase unlock.
func benchUnlock(b *testing.B, bin string, sts []benchStation) benchProcs {
	b.Helper()
	dir := b.TempDir()
	var argv [][]string
	for i, st := range sts {
		argv = append(argv, []string{"init", "--name", st.name, "--home", filepath.Join(dir, strconv.Itoa(i)), "--passphrase-file", st.pass})
	}
	return benchRunProcs(b, bin, argv)
}

// benchPlan runs a `coldtss plan ...` command and reads the plan it wrote.
func benchPlan(b *testing.B, bin, path string, args ...string) (*ceremony.Plan, benchPlanJSON) {
	b.Helper()
	out, err := benchExec(bin, append(append([]string{"plan"}, args...), "--out", path, "--json")...)
	if err != nil {
		b.Fatal(err)
	}
	var pj benchPlanJSON
	if err := json.Unmarshal(out, &pj); err != nil {
		b.Fatalf("plan --json: %v\n%s", err, out)
	}
	plan, err := benchReadPlan(path)
	if err != nil {
		b.Fatal(err)
	}
	return plan, pj
}

// benchReadPlan reads and checks a plan file, as `coldtss join` does.
func benchReadPlan(path string) (*ceremony.Plan, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	plan, err := ceremony.ParsePlan(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return plan, nil
}

// The few fields of coldtss's JSON outputs the benchmarks read.

// benchPlanJSON is from `coldtss plan ... --json` (cmd/coldtss planJSON).
type benchPlanJSON struct {
	Words string `json:"fingerprint_words"`
}

// benchSignatures is what `coldtss join --json` prints after a signing
// ceremony (cmd/coldtss SignatureFile).
type benchSignatures struct {
	Signatures []struct {
		Data string `json:"data"`
	} `json:"signatures"`
}
