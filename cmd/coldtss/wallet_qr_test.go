package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/keys"
	"github.com/coldtss/coldtss/qr/interop"
	"github.com/coldtss/coldtss/qr/ur"
)

// walletKeygen makes a 2-of-2 secp256k1 key with the test-only
// pre-parameters of ceremony/testdata (no safe-prime search), so that the
// wallet tests stay fast.
func walletKeygen(t *testing.T) (dir, stick string, sts []*station, key keys.Record) {
	t.Helper()
	dir, stick = workspace(t)
	sts = stations(t, dir, "alice", "bob")
	for i, s := range sts {
		pp, err := os.ReadFile(filepath.Join("..", "..", "ceremony", "testdata", "preparams", "test-only-"+itoa(i)+".json"))
		if err != nil {
			t.Fatal(err)
		}
		s.givePreParams(t, pp)
	}
	plan := planKeygen(t, dir, sts, 2, ceremony.CurveSecp256k1)
	res := joinAll(t, sts, plan, stick, joinOpts{})
	mustSucceed(t, res)
	if err := json.Unmarshal([]byte(res[0].stdout), &key); err != nil {
		t.Fatalf("keygen output: %v\n%s", err, res[0].stdout)
	}
	return dir, stick, sts, key
}

// MetaMask's own QR keyring (@metamask/eth-qr-keyring 1.1.0) pairs with
// `coldtss export crypto-hdkey`, and its first account is our m/0/0. Its
// eth-sign-requests for an EIP-1559 transaction and a personal_sign go
// through `coldtss qr scan` into plans that two stations sign in a real
// ceremony; `coldtss qr show --request` hands back eth-signatures that the
// keyring accepts: the transaction recovers to our address
// (@ethereumjs/tx) and so does the message (@metamask/eth-sig-util).
func TestMetaMaskSignsThroughCeremony(t *testing.T) {
	node := interop.Require(t, "@metamask/eth-qr-keyring", "1.1.0")
	dir, stick, sts, key := walletKeygen(t)
	alice := sts[0]

	var rows []struct{ Path, Address string }
	if err := json.Unmarshal([]byte(mustRun(t, "address", "--chain", "ethereum", "--home", alice.home, "--key", key.ID, "--json")), &rows); err != nil || len(rows) != 1 {
		t.Fatalf("address: %v", err)
	}
	ours := rows[0].Address

	pair := strings.TrimSpace(mustRun(t, "export", "crypto-hdkey", "--home", sts[1].home, "--key", key.ID, "--ur"))
	mm := node.Start(t, "metamask-keyring.mjs", "tx", "personal")
	mm.Send(t, pair)
	var page struct {
		Accounts []string
		Error    string
	}
	mm.ReadJSON(t, &page)
	if page.Error != "" || len(page.Accounts) == 0 || page.Accounts[0] != ours {
		t.Fatalf("MetaMask's first account is not coldtss's m/0/0 %s: %+v", ours, page)
	}

	sign := func(name, output string, extra ...string) {
		var r struct {
			Request []string
			Error   string
		}
		mm.ReadJSON(t, &r)
		if r.Error != "" {
			t.Fatal(r.Error)
		}
		parts := filepath.Join(dir, name+".ur")
		os.WriteFile(parts, []byte(strings.Join(r.Request, "\n")+"\n"), 0o644)
		req := filepath.Join(dir, name+".json")
		mustRun(t, "qr", "scan", "--from", parts, "--home", alice.home, "--key", key.ID, "--chain-id", "1", "--out", req)
		plan := signPayload(t, dir, stick, key, sts, "--eth-request", req, extra...)
		answer := mustRun(t, "qr", "show", ceremonyFile(t, stick, plan, output), "--request", req)
		if !strings.HasPrefix(answer, "UR:ETH-SIGNATURE/") {
			t.Fatalf("answer: %s", answer)
		}
		for _, p := range strings.Fields(answer) {
			mm.Send(t, p)
		}
	}

	sign("eip1559", "tx.hex", "--chain-id", "1")
	var tx struct {
		Sender, Error string
		Valid         bool
	}
	mm.ReadJSON(t, &tx)
	if tx.Error != "" || !tx.Valid || !strings.EqualFold(tx.Sender, ours) {
		t.Fatalf("MetaMask's signed transaction: %+v, want sender %s", tx, ours)
	}

	sign("personal", "signature.hex")
	var msg struct{ Recovered, Error string }
	mm.ReadJSON(t, &msg)
	if msg.Error != "" || !strings.EqualFold(msg.Recovered, ours) {
		t.Fatalf("MetaMask's personal signature recovers to %+v, want %s", msg, ours)
	}
}

// A bad scan is one line on standard error, and nothing is written.
func TestQRScanRefusesAndWritesNothing(t *testing.T) {
	dir, _ := workspace(t)
	out := filepath.Join(dir, "out.psbt")
	enc := ur.NewEncoder("crypto-psbt", append([]byte{0x59, 0x01, 0x2c}, make([]byte, 300)...), 60)
	for name, in := range map[string]string{
		"garbage line":   "hello\n",
		"wrong UR type":  ur.Encode("crypto-account", []byte{0xa0}) + "\n",
		"truncated scan": enc.NextPart() + "\n" + enc.NextPart() + "\n",
	} {
		c := exec.Command(coldtssBin, "qr", "scan", "--stdin", "--out", out)
		c.Stdin = strings.NewReader(in)
		var se strings.Builder
		c.Stderr = &se
		if err := c.Run(); err == nil {
			t.Fatalf("%s: accepted", name)
		}
		if msg := strings.TrimSpace(se.String()); msg == "" || strings.Contains(msg, "\n") {
			t.Fatalf("%s: error is not one line: %q", name, msg)
		}
		if _, err := os.Lstat(out); err == nil {
			t.Fatalf("%s: wrote %s", name, out)
		}
	}
}
