package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	btcecdsa "github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"

	"github.com/coldtss/coldtss/backup/vault"
	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/keys"
	"github.com/coldtss/coldtss/internal/bip32"
	"github.com/coldtss/coldtss/internal/testpsbt"
)

// verifyECDSA checks every signature with btcec against the child key that
// btcutil/hdkeychain derives from the exported xpub: code independent of tss-lib.
func verifyECDSA(t *testing.T, key keys.Record, reqs []ceremony.SignRequest, sigs keys.SignatureFile) {
	t.Helper()
	if len(sigs.Signatures) != len(reqs) {
		t.Fatalf("%d signatures for %d requests", len(sigs.Signatures), len(reqs))
	}
	xpub, err := hdkeychain.NewKeyFromString(key.XPub)
	if err != nil {
		t.Fatal(err)
	}
	for i, req := range reqs {
		k := xpub
		var path []uint32
		if req.Path != "" { // a plan's empty path is the key itself
			if path, err = bip32.ParsePath(req.Path); err != nil {
				t.Fatal(err)
			}
		}
		for _, idx := range path {
			if k, err = k.Derive(idx); err != nil {
				t.Fatal(err)
			}
		}
		pub, err := k.ECPubKey()
		if err != nil {
			t.Fatal(err)
		}
		s := sigs.Signatures[i]
		if s.PublicKey != hex.EncodeToString(pub.SerializeCompressed()) {
			t.Fatalf("message %d: signed under %s, hdkeychain derives %x for %q", i+1, s.PublicKey, pub.SerializeCompressed(), req.Path)
		}
		der, _ := hex.DecodeString(s.DER)
		sig, err := btcecdsa.ParseDERSignature(der)
		if err != nil {
			t.Fatalf("message %d: DER: %v", i+1, err)
		}
		digest, _ := hex.DecodeString(req.Data)
		if s.Data != req.Data {
			t.Fatalf("message %d: signed data %s, asked %s", i+1, s.Data, req.Data)
		}
		if !sig.Verify(digest, pub) {
			t.Fatalf("message %d: signature does not verify with btcec", i+1)
		}
		rs, _ := hex.DecodeString(s.Signature)
		var sc btcec.ModNScalar
		sc.SetByteSlice(rs[32:])
		if sc.IsOverHalfOrder() {
			t.Fatalf("message %d: signature is not low-S", i+1)
		}
		// The recovery id must recover the same key (what Ethereum needs).
		compact := append([]byte{27 + byte(*s.Recovery)}, rs...)
		rec, _, err := btcecdsa.RecoverCompact(compact, digest)
		if err != nil || !rec.IsEqual(pub) {
			t.Fatalf("message %d: recovery id %d does not recover the key", i+1, *s.Recovery)
		}
	}
}

func TestECDSA2of3KeygenAndBatchSigningAcrossProcesses(t *testing.T) {
	dir, stick := workspace(t)
	sts := stations(t, dir, "alice", "bob", "carol")
	key := keygen(t, dir, stick, sts, 2, ceremony.CurveSecp256k1)
	if !strings.HasPrefix(key.XPub, "xpub") || key.Threshold != 2 || len(key.Stations) != 3 {
		t.Fatalf("key description: %+v", key)
	}
	for _, s := range sts {
		if n := (vault.Home{Dir: s.home}).CountPreParams(); n != 0 {
			t.Fatalf("%s still has %d pre-parameter sets after keygen: a set must be used once", s.name, n)
		}
	}

	// One message, then a batch of 21 (with BIP32 paths): the same number of steps.
	one := digestRequests(1, false)
	plan1 := makeSignPlan(t, dir, sts[0], key.ID, []*station{sts[0], sts[2]}, one)
	res1 := joinAll(t, []*station{sts[0], sts[2]}, plan1, stick, joinOpts{})
	mustSucceed(t, res1)
	verifyECDSA(t, key, one, signatures(t, res1))

	batch := digestRequests(21, true)
	batch[3].Path = "" // the key itself
	planN := makeSignPlan(t, dir, sts[1], key.ID, []*station{sts[1], sts[2]}, batch)
	resN := joinAll(t, []*station{sts[1], sts[2]}, planN, stick, joinOpts{})
	mustSucceed(t, resN)
	verifyECDSA(t, key, batch, signatures(t, resN))

	s1, sN := stepDirs(t, stick, plan1), stepDirs(t, stick, planN)
	if s1 != 10 || sN != s1 {
		t.Fatalf("one message took %d steps, 21 messages took %d: a batch must take the same number of steps (10)", s1, sN)
	}
	// Every station's transcript verifies on its own.
	for _, s := range sts {
		m, _ := filepath.Glob(filepath.Join(s.home, "transcripts", "*.json"))
		for _, f := range m {
			mustRun(t, "transcript", "verify", f)
		}
	}
	checkNoSecretsInClear(t, dir, sts, key)
}

func TestECDSA3of5AcrossProcesses(t *testing.T) {
	dir, stick := workspace(t)
	sts := stations(t, dir, "ann", "ben", "cat", "dan", "eve")
	key := keygen(t, dir, stick, sts, 3, ceremony.CurveSecp256k1)
	reqs := digestRequests(3, true)
	signers := []*station{sts[4], sts[1], sts[3]}
	plan := makeSignPlan(t, dir, sts[0], key.ID, signers, reqs)
	res := joinAll(t, signers, plan, stick, joinOpts{})
	mustSucceed(t, res)
	verifyECDSA(t, key, reqs, signatures(t, res))

	// Two signers are not enough for a 3-of-5 key.
	rf := filepath.Join(dir, "r.json")
	os.WriteFile(rf, []byte(`[{"data":"`+reqs[0].Data+`"}]`), 0o644)
	_, errOut, err := run(t, "plan", "sign", "--home", sts[0].home, "--key", key.ID, "--signer", "ann", "--signer", "ben", "--requests", rf, "--out", filepath.Join(dir, "x.json"))
	if err == nil || !strings.Contains(errOut, "needs 3 signers") {
		t.Fatalf("a 2-signer plan for a 3-of-5 key was not refused clearly: %v %s", err, errOut)
	}
}

func TestEdDSA2of3AcrossProcesses(t *testing.T) {
	dir, stick := workspace(t)
	sts := stations(t, dir, "alice", "bob", "carol")
	key := keygen(t, dir, stick, sts, 2, ceremony.CurveEd25519)
	pub, _ := hex.DecodeString(key.PublicKey)
	var reqs []ceremony.SignRequest
	for _, m := range []string{"hello", "\x00leading zero byte", strings.Repeat("long message ", 100)} {
		reqs = append(reqs, ceremony.SignRequest{Data: hex.EncodeToString([]byte(m))})
	}
	plan := makeSignPlan(t, dir, sts[2], key.ID, []*station{sts[2], sts[0]}, reqs)
	res := joinAll(t, []*station{sts[2], sts[0]}, plan, stick, joinOpts{})
	mustSucceed(t, res)
	sigs := signatures(t, res)
	for i, s := range sigs.Signatures {
		msg, _ := hex.DecodeString(reqs[i].Data)
		sig, _ := hex.DecodeString(s.Signature)
		if !ed25519.Verify(pub, msg, sig) {
			t.Fatalf("message %d: crypto/ed25519 rejects the signature", i+1)
		}
	}
}

// checkNoSecretsInClear looks for each station's secret share value (as the
// bytes, hex and decimal forms it could take, and its Paillier prime P) in
// every file of the test: stick, station homes, transcripts. None may
// appear.
func checkNoSecretsInClear(t *testing.T, dir string, sts []*station, key keys.Record) {
	t.Helper()
	var needles [][]byte
	for _, s := range sts {
		share := stationShare(t, s, key.ID)
		needles = append(needles, shareSecrets(t, share)...)
		needles = append(needles, []byte(jsonNumberField(t, share, "P")))
	}
	scanForSecrets(t, dir, needles)
}

// TestNoSocketUnderStrace runs a whole keygen and a signing ceremony with every
// station under `strace -f -e trace=network`: the offline binary must make no
// network system call at all.
func TestNoSocketUnderStrace(t *testing.T) {
	strace, err := exec.LookPath("strace")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("strace is not installed: `make test` installs it (scripts/install-test-deps.sh)")
		}
		t.Skip("strace not installed; run `make test-deps`")
	}
	dir, stick := workspace(t)
	sts := stations(t, dir, "alice", "bob", "carol")
	for i, pp := range takePreParams(t, 3) {
		sts[i].givePreParams(t, pp)
	}
	traces := map[string]string{}
	wrap := func(tag string) []string {
		f := filepath.Join(dir, tag+".strace")
		traces[tag] = f
		return []string{strace, "-f", "-qq", "-e", "trace=network", "-e", "signal=none", "-o", f}
	}
	plan := planKeygen(t, dir, sts, 2, ceremony.CurveSecp256k1)
	var procs []*exec.Cmd
	var errs []*bytes.Buffer
	for _, s := range sts {
		c, _, se := startJoin(t, s, plan, stick, joinOpts{wrap: wrap("keygen-" + s.name)})
		procs, errs = append(procs, c), append(errs, se)
	}
	for i, c := range procs {
		if err := c.Wait(); err != nil {
			t.Fatalf("%s under strace: %v\n%s", sts[i].name, err, errs[i])
		}
	}
	keys, _ := (vault.Home{Dir: sts[0].home}).Keys()
	if len(keys) != 1 {
		t.Fatalf("keygen under strace made %d keys", len(keys))
	}
	// Signing a PSBT exercises everything a station runs: review, policy,
	// the ceremony, finalisation and the script engine.
	psbtFile := offlinePSBT(t, dir, keys[0])
	signPlan := filepath.Join(dir, "psbt-plan.json")
	mustRun(t, "plan", "sign", "--home", sts[0].home, "--key", keys[0].ID, "--psbt", psbtFile, "--network", "regtest",
		"--signer", "alice", "--signer", "bob", "--out", signPlan)
	// The plan carries the PSBT byte for byte as the wallet wrote it.
	exported, _ := os.ReadFile(psbtFile)
	planBytes, _ := os.ReadFile(signPlan)
	sp, err := ceremony.ParsePlan(planBytes)
	if err != nil || !bytes.Equal(sp.Payload.Data, exported) {
		t.Fatalf("the plan does not carry the exported PSBT bytes: %v", err)
	}
	procs, errs = nil, nil
	for _, s := range sts[:2] {
		c, _, se := startJoin(t, s, signPlan, stick, joinOpts{wrap: wrap("sign-" + s.name)})
		procs, errs = append(procs, c), append(errs, se)
	}
	for i, c := range procs {
		if err := c.Wait(); err != nil {
			t.Fatalf("%s under strace: %v\n%s", sts[i].name, err, errs[i])
		}
	}
	ceremonyFile(t, stick, signPlan, "tx.hex")
	if len(traces) != 5 {
		t.Fatalf("expected 5 traces, have %d", len(traces))
	}
	for tag, f := range traces {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("%s: no strace output: %v", tag, err)
		}
		for _, line := range networkCalls.FindAllString(string(b), -1) {
			t.Errorf("%s made a network system call: %s", tag, line)
		}
	}
	// The trace must be able to see a socket: check strace catches one made by a network tool.
	probe := filepath.Join(dir, "probe.strace")
	pc := exec.Command(strace, "-f", "-qq", "-e", "trace=network", "-o", probe, os.Args[0], "-test.run=^TestOpenSocketProbe$")
	pc.Env = append(os.Environ(), "COLDTSS_SOCKET_PROBE=1")
	out, perr := pc.CombinedOutput()
	pb, _ := os.ReadFile(probe)
	if !networkCalls.Match(pb) {
		t.Fatalf("strace did not record the probe's socket() call; the air-gap check would prove nothing (probe: %v %s):\n%s", perr, out, pb)
	}
}

// networkCalls matches a traced network system call (strace's trace=network
// set), started or resumed, in `strace -f -o` output.
var networkCalls = regexp.MustCompile(`(?m)^\d+\s+(<\.\.\. )?(socket|socketpair|connect|bind|listen|accept4?|getsockname|getpeername|[gs]etsockopt|shutdown|send(to|msg|mmsg)?|recv(from|msg|mmsg)?)\b.*$`)

// TestOpenSocketProbe opens a socket on purpose: TestNoSocketUnderStrace runs
// it under strace to show the trace does catch network calls.
func TestOpenSocketProbe(t *testing.T) {
	if os.Getenv("COLDTSS_SOCKET_PROBE") == "" && !strings.Contains(strings.Join(os.Args, " "), "TestOpenSocketProbe") {
		t.Skip("only run as a probe")
	}
	l, err := netListen()
	if err == nil {
		l.Close()
	}
}

// offlinePSBT writes a regtest PSBT spending two made-up coins of the key
// (see testpsbt) to an outside address, with change: a transaction the
// stations can fully review and finalize without a node.
func offlinePSBT(t *testing.T, dir string, key keys.Record) string {
	t.Helper()
	pub, _ := hex.DecodeString(key.PublicKey)
	cc, _ := hex.DecodeString(key.ChainCode)
	psbt, _ := testpsbt.Offline(t, pub, cc)
	f := filepath.Join(dir, "offline.psbt")
	if err := os.WriteFile(f, psbt, 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}
