package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coldtss/coldtss/backup/vault"
	"github.com/coldtss/coldtss/ceremony"
)

// A refresh of a 2-of-3 key whose last step does not reach alice and bob
// (the courier loses carol's "saved" packet): they keep their epoch-1
// shares working and the new ones waiting; `keys confirm` with carol's real
// last packet makes the new share current.
func TestKeysConfirmFinishesAResharing(t *testing.T) {
	dir, stick := workspace(t)
	sts := stations(t, dir, "alice", "bob", "carol")
	alice := sts[0]
	key := keygen(t, dir, stick, sts, 2, ceremony.CurveEd25519)
	plan := filepath.Join(dir, "refresh.json")
	mustRun(t, "plan", "reshare", "--home", alice.home, "--key", key.ID, "--old", "alice", "--old", "bob",
		"--new", "alice", "--new", "bob", "--new", "carol", "--out", plan)
	b, _ := os.ReadFile(plan)
	p, err := ceremony.ParsePlan(b)
	if err != nil {
		t.Fatal(err)
	}
	last := ceremony.TotalSteps(p.Kind, p.Curve)
	owners := ownersFor(filepath.Join(dir, "sticks"), sts)
	newCourier(t, plan, owners, func(step int, from, to string, data []byte) []byte {
		if step == last && from == "carol" {
			return nil
		}
		return data
	})
	res := joinAll(t, sts, plan, "", joinOpts{stick: sticks(owners), timeout: "4s"})
	for _, r := range res[:2] {
		expectFailure(t, r, "no word from carol that they saved their share")
	}
	h := vault.Home{Dir: alice.home}
	if k, _ := h.Key(key.ID); k.Epoch != 1 {
		t.Fatalf("alice's key moved to epoch %d before every station saved its share", k.Epoch)
	}
	if _, ok := h.PendingReshare(key.ID); !ok {
		t.Fatal("alice has no new share waiting")
	}
	lastPath := func(owner string) string {
		return filepath.Join(owner, "coldtss-"+p.Session, "step-0"+string(rune('0'+last)), "carol.pkt")
	}
	cb, err := os.ReadFile(lastPath(owners[2].dir))
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(lastPath(owners[0].dir)), 0o755)
	if err := os.WriteFile(lastPath(owners[0].dir), cb, 0o644); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, "keys", "confirm", key.ID, "--home", alice.home, "--via", "usb:"+owners[0].dir)
	if !strings.Contains(out, "is now at epoch 2") {
		t.Fatalf("keys confirm: %s", out)
	}
	if k, _ := h.Key(key.ID); k.Epoch != 2 || k.IsPending() {
		t.Fatalf("alice's key after keys confirm: epoch %d, status %s", k.Epoch, k.Status)
	}
	if _, ok := h.PendingReshare(key.ID); ok {
		t.Fatal("the new share is still waiting after keys confirm")
	}
}
