package main

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coldtss/coldtss/backup/vault"
	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/keys"
)

// records reads each station's --json output of a keygen or resharing.
func records(t *testing.T, res []joinResult) map[string]keys.Record {
	t.Helper()
	out := map[string]keys.Record{}
	for _, r := range res {
		var k keys.Record
		if err := json.Unmarshal([]byte(r.stdout), &k); err != nil {
			t.Fatalf("%s: output: %v\n%s", r.station.name, err, r.stdout)
		}
		out[r.station.name] = k
	}
	return out
}

// keyFiles lists what a station's folder holds for a key.
func keyFiles(t *testing.T, s *station, id string) []string {
	t.Helper()
	var out []string
	root := filepath.Join(s.home, "keys", id)
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !info.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A 2-of-3 EdDSA key of alice, bob and carol; carol's laptop is lost, and
// alice and bob reshare the key to alice, bob and dave over the stick, each
// station a separate coldtss process. The new committee signs with dave
// under the same public key; carol's share, of epoch 1, is refused in a
// plan of epoch 2 and no current holder joins a plan of epoch 1. Then bob
// leaves in a second resharing: his share is destroyed and his record kept,
// retired. No file of the test holds a share in clear.
func TestReshareReplacesAStationAcrossProcesses(t *testing.T) {
	dir, stick := workspace(t)
	sts := stations(t, dir, "alice", "bob", "carol", "dave")
	alice, bob, carol, dave := sts[0], sts[1], sts[2], sts[3]
	key := keygen(t, dir, stick, sts[:3], 2, ceremony.CurveEd25519)
	oldShare := stationShare(t, alice, key.ID)

	plan := filepath.Join(dir, "reshare.json")
	mustRun(t, "plan", "reshare", "--home", alice.home, "--key", key.ID, "--old", "alice", "--old", "bob",
		"--new", "alice", "--new", "bob", "--card", dave.card(t, dir), "--out", plan)
	shown := mustRun(t, "plan", "show", plan)
	if !strings.Contains(shown, "to   alice, bob, dave, 2-of-3, epoch 2") {
		t.Fatalf("plan show does not say what the resharing does:\n%s", shown)
	}
	start := time.Now()
	res := joinAll(t, []*station{alice, bob, dave}, plan, stick, joinOpts{})
	mustSucceed(t, res)
	t.Logf("reshare 2-of-3 -> 2-of-3 across processes: %s", time.Since(start))
	recs := records(t, res)
	var committee string
	for name, r := range recs {
		if r.PublicKey != key.PublicKey || r.ChainCode != key.ChainCode || r.ID != key.ID {
			t.Fatalf("%s: the resharing changed the key: %+v", name, r)
		}
		if r.Epoch != 2 || r.Status != keys.Active || strings.Join(r.Stations, ",") != "alice,bob,dave" || len(r.SavedBy) != 3 {
			t.Fatalf("%s: record after the resharing: %+v", name, r)
		}
		if committee == "" {
			committee = r.Committee()
		}
		if r.Committee() != committee || committee == key.Committee() {
			t.Fatalf("%s: committee %s (first %s, before %s)", name, r.Committee(), committee, key.Committee())
		}
	}
	// The old share is gone from alice's folder: one share, of the new epoch.
	if got := strings.Join(keyFiles(t, alice, key.ID), ","); got != "key.json,share.age" {
		t.Fatalf("alice's key folder holds %s", got)
	}
	newShare := stationShare(t, alice, key.ID)
	if string(newShare) == string(oldShare) || jsonNumberField(t, newShare, "Xi") == jsonNumberField(t, oldShare, "Xi") {
		t.Fatal("alice's share did not change")
	}

	// The new station signs, under the same public key.
	pub, _ := hex.DecodeString(key.PublicKey)
	reqs := []ceremony.SignRequest{{Data: hex.EncodeToString([]byte("after the resharing"))}}
	sp := makeSignPlan(t, dir, dave, key.ID, []*station{alice, dave}, reqs)
	sres := joinAll(t, []*station{alice, dave}, sp, stick, joinOpts{})
	mustSucceed(t, sres)
	sig, _ := hex.DecodeString(signatures(t, sres).Signatures[0].Signature)
	if !ed25519.Verify(pub, []byte("after the resharing"), sig) {
		t.Fatal("crypto/ed25519 rejects the new committee's signature")
	}

	// carol's share is of epoch 1: a plan of epoch 2 that names her is
	// refused by her station, saying which epoch is current.
	rec, err := (vault.Home{Dir: alice.home}).Key(key.ID)
	if err != nil {
		t.Fatal(err)
	}
	pk := rec.PlanKey()
	pk.Holders = append(pk.Holders, "carol")
	cp, err := ceremony.NewSignPlan(pk, rec.Curve, rec.Threshold, ceremony.SortedCards([]ceremony.Card{alice.identity(t).Card(), carol.identity(t).Card()}), reqs, nil)
	if err != nil {
		t.Fatal(err)
	}
	cpath := filepath.Join(dir, "carol-epoch2.json")
	if err := os.WriteFile(cpath, cp.Marshal(), 0o644); err != nil {
		t.Fatal(err)
	}
	r := joinAll(t, []*station{carol}, cpath, stick, joinOpts{timeout: "5s"})[0]
	expectFailure(t, r, "this station's share of key "+key.ID+" is of epoch 1, the plan is for epoch 2", "Restore a backup of epoch 2")
	// A plan carol makes from her own record is of epoch 1: bob refuses it.
	op := makeSignPlan(t, dir, carol, key.ID, []*station{bob, carol}, reqs)
	r = joinAll(t, []*station{bob}, op, stick, joinOpts{timeout: "5s"})[0]
	expectFailure(t, r, "this station's share of key "+key.ID+" is of epoch 2, the plan is for epoch 1")
	secrets := [][]byte{oldShare, newShare}
	for _, s := range []*station{bob, carol, dave} {
		secrets = append(secrets, stationShare(t, s, key.ID))
	}
	noShareInClear(t, dir, secrets)

	// bob leaves: alice and bob deal to alice and dave (2-of-2).
	plan3 := filepath.Join(dir, "reshare3.json")
	mustRun(t, "plan", "reshare", "--home", dave.home, "--key", key.ID, "--old", "alice", "--old", "bob",
		"--new", "alice", "--new", "dave", "--out", plan3)
	res3 := joinAll(t, []*station{alice, bob, dave}, plan3, stick, joinOpts{})
	mustSucceed(t, res3)
	recs = records(t, res3)
	if b := recs["bob"]; b.Status != keys.Retired || b.Epoch != 3 || strings.Join(b.Stations, ",") != "alice,dave" {
		t.Fatalf("bob's record after leaving: %+v", b)
	}
	if got := strings.Join(keyFiles(t, bob, key.ID), ","); got != "key.json" {
		t.Fatalf("bob's key folder holds %s after he left: his share must be destroyed", got)
	}
	_, errOut, err := run(t, "plan", "sign", "--home", bob.home, "--key", key.ID, "--signer", "alice", "--signer", "dave", "--message", "00", "--out", filepath.Join(dir, "x.json"))
	if err == nil || !strings.Contains(errOut, "no longer holds a share of key "+key.ID) {
		t.Fatalf("a retired station plans a signing: %v\n%s", err, errOut)
	}
	sp = makeSignPlan(t, dir, alice, key.ID, []*station{alice, dave}, reqs)
	mustSucceed(t, joinAll(t, []*station{alice, dave}, sp, stick, joinOpts{}))
	for _, s := range []*station{alice, dave} {
		secrets = append(secrets, stationShare(t, s, key.ID))
	}
	noShareInClear(t, dir, secrets)
}

// noShareInClear looks for each share's secret (Xi, as decimal, bytes and
// hex) in every file under dir: stick, station homes, plans. None may be
// there; secret files are 0600.
func noShareInClear(t *testing.T, dir string, shares [][]byte) {
	t.Helper()
	var needles [][]byte
	for _, sh := range shares {
		needles = append(needles, shareSecrets(t, sh)...)
	}
	scanForSecrets(t, dir, needles)
}
