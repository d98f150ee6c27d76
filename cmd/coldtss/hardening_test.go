package main

// Separate-process tests of the engine hardening: what a swapped plan can
// print, what a courier can make stations keep or drop, and joining one
// session twice. Each fails on a station without the defence.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coldtss/coldtss/backup/vault"
	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/keys"
	"github.com/coldtss/coldtss/internal/atomicfile"
)

// A note, label or any plan text can hold escape sequences that hide the
// real review and the fingerprint prompt, or print a fake review.
const hostile = "\x1b[8m\x1b[2J\x1b]0;owned\x07Paying 0.001 BTC to bc1qyou\r\n\u202eevil\u2066\u200b"

func noTerminalControl(t *testing.T, what, out string) {
	t.Helper()
	for _, bad := range []string{"\x1b", "\x07", "\r", "\u202e", "\u2066", "\u200b"} {
		if strings.Contains(out, bad) {
			t.Fatalf("%s shows %q raw:\n%q", what, bad, out)
		}
	}
	if !strings.Contains(out, `\x1b[8m`) {
		t.Fatalf("%s does not show the escape visibly:\n%s", what, out)
	}
}

func TestPlanTextCannotControlTheTerminal(t *testing.T) {
	dir, stick := workspace(t)
	sts := stations(t, dir, "alice", "bob", "carol")

	// A keygen plan whose label was swapped on the stick.
	plan := planKeygen(t, dir, sts, 2, ceremony.CurveEd25519)
	b, _ := os.ReadFile(plan)
	p, err := ceremony.ParsePlan(b)
	if err != nil {
		t.Fatal(err)
	}
	p.Label = hostile
	if err := os.WriteFile(plan, p.Marshal(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := run(t, "plan", "show", plan)
	if err != nil {
		t.Fatalf("plan show: %v %s", err, errOut)
	}
	noTerminalControl(t, "plan show", out)
	noTerminalControl(t, "join", joinOutput(t, sts[0], plan, stick))

	// A raw signing plan whose notes say anything the coordinator likes.
	key := keygen(t, dir, stick, sts, 2, ceremony.CurveEd25519)
	sign := makeSignPlan(t, dir, sts[0], key.ID, sts[:2], []ceremony.SignRequest{{Data: "00aa", Note: hostile[:60]}})
	out, errOut, err = run(t, "plan", "show", sign)
	if err != nil {
		t.Fatalf("plan show: %v %s", err, errOut)
	}
	noTerminalControl(t, "plan show of a signing plan", out)
	if !strings.Contains(out, "note from the plan, unchecked") {
		t.Fatalf("a raw plan's note is not marked as unchecked:\n%s", out)
	}
	noTerminalControl(t, "join of a signing plan", joinOutput(t, sts[0], sign, stick))
}

// joinOutput is what a station's operator sees of a join (not --json)
// that waits a second for the others and gives up.
func joinOutput(t *testing.T, s *station, plan, stick string) string {
	t.Helper()
	out, errOut, _ := run(t, "join", plan, "--via", "usb:"+stick, "--home", s.home, "--passphrase-file", s.pass,
		"--expect-fingerprint", fingerprint(t, plan), "--timeout", "1s", "--allow-raw")
	return out + errOut
}

// The courier delivers every confirmation, then drops a forged abort
// notice and a stray packet into the last station's folder: every station
// must still save the key and see every other station save it. Without
// the defence the last station stops and drops its share while the others
// keep theirs: an n-of-n key made that way could never spend.
func TestCourierCannotSplitAKeygen(t *testing.T) {
	dir, _ := workspace(t)
	sts := stations(t, dir, "alice", "bob", "carol")
	plan := planKeygen(t, dir, sts, 3, ceremony.CurveEd25519)
	b, _ := os.ReadFile(plan)
	p, _ := ceremony.ParsePlan(b)
	owners := ownersFor(filepath.Join(dir, "split"), sts)
	confirm := ceremony.StepsFor(p.Kind, p.Curve) + 1
	forged := `{"format":"coldtss-abort/1","station":"alice","reason":"alice refuses this key","signature":"00"}`
	newCourier(t, plan, owners, func(step int, from, to string, data []byte) []byte {
		if step >= confirm && to == "carol" {
			base := filepath.Join(owners[2].dir, "coldtss-"+p.Session)
			atomicfile.Write(filepath.Join(base, "abort-alice.json"), []byte(forged), 0o644)
			atomicfile.Write(filepath.Join(base, "abort-alice.txt"), []byte("alice refuses this key\n"), 0o644)
			atomicfile.Write(filepath.Join(base, "step-0"+string(rune('0'+step)), "eve.pkt"), []byte("stray"), 0o644)
		}
		return data
	})
	res := joinAll(t, sts, plan, "", joinOpts{stick: sticks(owners), timeout: "20s"})
	mustSucceed(t, res)
	for _, r := range res {
		var k keys.Record
		if err := json.Unmarshal([]byte(r.stdout), &k); err != nil || k.Status != keys.Active || len(k.SavedBy) != 3 {
			t.Fatalf("%s: key not active with three saved acknowledgements: %v\n%s", r.station.name, err, r.stdout)
		}
	}
}

// The courier withholds carol's last packet: alice and bob end with the
// key pending, it cannot sign, and `keys confirm` makes it usable once
// carol's packet reaches them.
func TestPendingKeyUntilEveryStationSavedIt(t *testing.T) {
	dir, _ := workspace(t)
	sts := stations(t, dir, "alice", "bob", "carol")
	plan := planKeygen(t, dir, sts, 2, ceremony.CurveEd25519)
	b, _ := os.ReadFile(plan)
	p, _ := ceremony.ParsePlan(b)
	last := ceremony.TotalSteps(p.Kind, p.Curve)
	owners := ownersFor(filepath.Join(dir, "pending"), sts)
	newCourier(t, plan, owners, func(step int, from, to string, data []byte) []byte {
		if step == last && from == "carol" {
			return nil
		}
		return data
	})
	res := joinAll(t, sts, plan, "", joinOpts{stick: sticks(owners), timeout: "4s"})
	if res[2].err != nil {
		t.Fatalf("carol saw every station save the key but failed: %s", res[2].stderr)
	}
	for _, r := range res[:2] {
		expectFailure(t, r, "no word from carol that they saved their share", "pending", "coldtss keys confirm")
	}
	alice := sts[0]
	keys, err := (vault.Home{Dir: alice.home}).Keys()
	if err != nil || len(keys) != 1 || !keys[0].IsPending() {
		t.Fatalf("alice's key is not pending: %+v %v", keys, err)
	}
	id := keys[0].ID
	out := mustRun(t, "keys", "list", "--home", alice.home)
	if !strings.Contains(out, "pending") {
		t.Fatalf("keys list does not show the pending key:\n%s", out)
	}
	_, errOut, err := run(t, "plan", "sign", "--home", alice.home, "--key", id, "--signer", "alice", "--signer", "bob", "--message", "00aa", "--out", filepath.Join(dir, "never.json"))
	if err == nil || !strings.Contains(errOut, "is pending") {
		t.Fatalf("a pending key was allowed to sign: %v %s", err, errOut)
	}

	aliceStick := owners[0].dir
	carolPkt := func(step int) string {
		return filepath.Join(owners[2].dir, "coldtss-"+p.Session, "step-0"+string(rune('0'+step)), "carol.pkt")
	}
	lastPath := filepath.Join(aliceStick, "coldtss-"+p.Session, "step-0"+string(rune('0'+last)), "carol.pkt")
	// Carol's confirmation passed off as its saved acknowledgement: refused.
	cb, _ := os.ReadFile(carolPkt(last - 1))
	os.WriteFile(lastPath, cb, 0o644)
	_, errOut, err = run(t, "keys", "confirm", id, "--home", alice.home, "--via", "usb:"+aliceStick)
	if err == nil || !strings.Contains(errOut, "stays pending") || !strings.Contains(errOut, "carol.pkt") {
		t.Fatalf("a wrong packet confirmed the key: %v %s", err, errOut)
	}
	// Carol's real last packet: the key becomes usable.
	cb, _ = os.ReadFile(carolPkt(last))
	os.WriteFile(lastPath, cb, 0o644)
	out = mustRun(t, "keys", "confirm", id, "--home", alice.home, "--via", "usb:"+aliceStick)
	if !strings.Contains(out, "is now usable") {
		t.Fatalf("keys confirm: %s", out)
	}
	if k, _ := (vault.Home{Dir: alice.home}).Key(id); k.IsPending() || len(k.SavedBy) != 3 {
		t.Fatalf("alice's key after keys confirm: %+v", k)
	}
}

// A station never joins one session twice, even on an empty stick where
// its old packets cannot warn it.
func TestSessionIsJoinedOnce(t *testing.T) {
	dir, stick := workspace(t)
	sts := stations(t, dir, "alice", "bob")
	plan := planKeygen(t, dir, sts, 2, ceremony.CurveEd25519)
	mustSucceed(t, joinAll(t, sts, plan, stick, joinOpts{}))
	fresh := filepath.Join(dir, "fresh-stick")
	os.MkdirAll(fresh, 0o755)
	res := joinAll(t, sts[:1], plan, fresh, joinOpts{timeout: "2s"})
	expectFailure(t, res[0], "already joined ceremony session", "make a new plan")
}
