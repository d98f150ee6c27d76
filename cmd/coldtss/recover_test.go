package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/coldtss/coldtss/backup"
	"github.com/coldtss/coldtss/ceremony/keys"
	"github.com/coldtss/coldtss/chains/bitcoin"
	"github.com/coldtss/coldtss/chains/ethereum"
	"github.com/coldtss/coldtss/internal/testnodes"
)

// Emergency recovery runs on the golden backups of package backup: real
// backup files of 2-of-3 keys made by real keygens (alice's under a
// passphrase, bob's and carol's to X25519 / post-quantum age recipients).
// The nodes, hdkeychain and the key's public record are the judges.

type golden struct {
	dir  string
	key  keys.Record
	pass string // alice's passphrase file
}

func goldenKey(t *testing.T, curve string) golden {
	t.Helper()
	g := golden{dir: filepath.Join("..", "..", "backup", "testdata", "golden", curve)}
	b, err := os.ReadFile(filepath.Join(g.dir, "key.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &g.key); err != nil {
		t.Fatal(err)
	}
	g.pass = filepath.Join(g.dir, "passphrase.txt")
	return g
}

func (g golden) file(name string) string { return filepath.Join(g.dir, name) }

// bobCarol are the arguments that open bob's and carol's backups (no scrypt: fast).
func (g golden) bobCarol() []string {
	return []string{"--backup", g.file("bob.backup.age"), "--backup", g.file("carol.backup.age"),
		"--identity", g.file("bob.agekey.txt"), "--identity", g.file("carol.agekey.txt")}
}

// open opens a golden backup in the test.
func (g golden) open(t *testing.T, station string) *backup.Contents {
	t.Helper()
	data, err := os.ReadFile(g.file(station + ".backup.age"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []age.Identity
	pass := ""
	if station == "alice" {
		b, _ := os.ReadFile(g.pass)
		pass = strings.TrimSpace(string(b))
	} else {
		b, _ := os.ReadFile(g.file(station + ".agekey.txt"))
		if ids, err = backup.ParseIdentities(b); err != nil {
			t.Fatal(err)
		}
	}
	c, err := backup.Open(data, pass, ids...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// reseal writes bob's backup with changed contents, encrypted to bob again.
func (g golden) reseal(t *testing.T, dir, name string, change func(*backup.Contents)) string {
	t.Helper()
	c := g.open(t, "bob")
	change(c)
	pt, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(g.file("bob.agekey.txt"))
	ids, _ := backup.ParseIdentities(b)
	ct, err := backup.EncryptTo(pt, ids[0].(*age.X25519Identity).Recipient())
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, ct, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func runIn(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(coldtssBin, args...)
	var so, se bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &so, &se
	err := cmd.Run()
	return so.String(), se.String(), err
}

// oneLineError checks a refusal: exit status, one line, the fragments.
func oneLineError(t *testing.T, what string, errOut string, err error, frags ...string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	last := lines[len(lines)-1]
	if err == nil || !strings.HasPrefix(last, "coldtss: ") {
		t.Fatalf("%s: not refused: %v\n%s", what, err, errOut)
	}
	// Before it: prompts and the transcript's path, never more error text.
	for _, l := range lines[:len(lines)-1] {
		if strings.HasPrefix(l, "coldtss") {
			t.Fatalf("%s: more than one line of error: %q", what, errOut)
		}
	}
	if !strings.Contains(errOut, "Transcript of this failed recovery: ") {
		t.Fatalf("%s: no transcript path: %q", what, errOut)
	}
	for _, f := range frags {
		if !strings.Contains(last, f) {
			t.Fatalf("%s: error does not say %q: %s", what, f, last)
		}
	}
}

func TestRecoverRefusesBadBackups(t *testing.T) {
	g := goldenKey(t, "secp256k1")
	ed := goldenKey(t, "ed25519")
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	wrongPass := filepath.Join(dir, "wrong.pass")
	os.WriteFile(wrongPass, []byte("not the passphrase\n"), 0o600)
	tampered := g.reseal(t, dir, "bob-tampered.age", func(c *backup.Contents) {
		var m map[string]json.RawMessage
		json.Unmarshal(c.Share, &m)
		xi, _ := new(big.Int).SetString(string(m["Xi"]), 10)
		m["Xi"] = json.RawMessage(xi.Add(xi, big.NewInt(1)).String())
		c.Share, _ = json.Marshal(m)
	})
	later := g.reseal(t, dir, "bob-epoch2.age", func(c *backup.Contents) {
		c.Epoch, c.Key.Epoch = 2, 2
		c.Committee = c.Key.Committee()
	})
	cases := []struct {
		name  string
		args  []string
		frags []string
	}{
		{"too few", []string{"--backup", g.file("bob.backup.age"), "--identity", g.file("bob.agekey.txt")},
			[]string{"1 backup given", "bob.backup.age", "2-of-3", "2 backups of different stations are needed", "alice or carol"}},
		{"two keys", []string{"--backup", g.file("bob.backup.age"), "--backup", ed.file("carol.backup.age"), "--identity", g.file("bob.agekey.txt"), "--identity", ed.file("carol.agekey.txt")},
			[]string{"ed25519/carol.backup.age is of key " + ed.key.ID, "secp256k1/bob.backup.age is of key " + g.key.ID}},
		{"epochs mixed", []string{"--backup", later, "--backup", g.file("carol.backup.age"), "--identity", g.file("bob.agekey.txt"), "--identity", g.file("carol.agekey.txt")},
			[]string{"carol.backup.age is of epoch 1", "bob-epoch2.age is of epoch 2"}},
		{"one station twice", []string{"--backup", g.file("bob.backup.age"), "--backup", tampered, "--identity", g.file("bob.agekey.txt")},
			[]string{"are both of station bob", "alice or carol"}},
		{"tampered share", []string{"--backup", tampered, "--backup", g.file("carol.backup.age"), "--identity", g.file("bob.agekey.txt"), "--identity", g.file("carol.agekey.txt")},
			[]string{"bob-tampered.age (station bob)", "does not match its own public point", "leave it out"}},
		{"wrong passphrase", []string{"--backup", g.file("alice.backup.age"), "--backup", g.file("bob.backup.age"), "--backup-passphrase-file", wrongPass, "--identity", g.file("bob.agekey.txt")},
			[]string{"alice.backup.age: wrong passphrase"}},
		{"no identity", []string{"--backup", g.file("bob.backup.age"), "--backup", g.file("carol.backup.age")},
			[]string{"bob.backup.age is encrypted to age recipients (X25519)", "--identity"}},
	}
	for _, c := range cases {
		_, errOut, err := run(t, append(append([]string{"recover", "--out", out}, c.args...), "--psbt", "nothing.psbt")...)
		oneLineError(t, c.name, errOut, err, c.frags...)
		if strings.Contains(errOut, "Recovered key") {
			t.Fatalf("%s: a key was recovered: %s", c.name, errOut)
		}
	}
	// Each failed run left its transcript, saying why.
	ts, _ := filepath.Glob(filepath.Join(out, "recovery-*.json"))
	if len(ts) != len(cases) {
		t.Fatalf("%d transcripts for %d runs", len(ts), len(cases))
	}
	for _, p := range ts {
		var tr struct{ Result string }
		b, _ := os.ReadFile(p)
		if json.Unmarshal(b, &tr); tr.Result == "" || tr.Result == "ok" {
			t.Fatalf("%s: result %q", p, tr.Result)
		}
	}
	checkNoRecoverySecrets(t, dir, g, "")
}

func TestRecoverExportXPrv(t *testing.T) {
	g := goldenKey(t, "secp256k1")
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	args := append([]string{"recover", "--out", out}, g.bobCarol()...)
	isKey := func(s string) bool { return strings.Contains(s, "xprv") || strings.Contains(s, "tprv") }

	// Without the flag, the key is never shown, whatever is typed.
	so, se, err := runIn(t, "I understand this key can spend everything\n", args...)
	if err != nil || isKey(so+se) || !strings.Contains(so, "Nothing was signed") {
		t.Fatalf("check run: %v\n%s%s", err, so, se)
	}
	// With the flag, only the exact sentence shows it.
	for _, typed := range []string{"", "yes\n", "I understand\n", "i understand this key can spend everything\n"} {
		so, se, err := runIn(t, typed, append(args, "--export-xprv")...)
		oneLineError(t, "typed "+typed, se, err, "not shown", "I understand this key can spend everything")
		if isKey(so) {
			t.Fatalf("typed %q: the key was shown:\n%s", typed, so)
		}
	}
	so, se, err = runIn(t, "I understand this key can spend everything\n", append(args, "--export-xprv", "--network", "regtest")...)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, se)
	}
	var xprv string
	for _, l := range strings.Split(so, "\n") {
		if strings.HasPrefix(l, "tprv") {
			xprv = l
		}
	}
	// A wallet (hdkeychain) imports it and derives the addresses the key's
	// public record gives.
	x, err := hdkeychain.NewKeyFromString(xprv)
	if err != nil || !x.IsPrivate() {
		t.Fatalf("the export is not an xprv hdkeychain reads: %v %q", err, so)
	}
	pub, cc, _ := g.key.Secp256k1("test")
	acct, _ := bitcoin.NewAccount(pub, cc, &chaincfg.RegressionNetParams, bitcoin.P2WPKH)
	for _, i := range []uint32{0, 1, 42} {
		c, _ := x.Derive(0)
		c, _ = c.Derive(i)
		priv, _ := c.ECPrivKey()
		a, _ := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(priv.PubKey().SerializeCompressed()), &chaincfg.RegressionNetParams)
		want, _ := acct.Address(0, i)
		if a.EncodeAddress() != want.EncodeAddress() {
			t.Fatalf("m/0/%d: the xprv derives %s, the key %s", i, a.EncodeAddress(), want.EncodeAddress())
		}
	}
	// The transcript says the key was shown, and holds its xpub, not it.
	ts, _ := filepath.Glob(filepath.Join(out, "recovery-*.json"))
	found := false
	for _, p := range ts {
		b, _ := os.ReadFile(p)
		var tr struct {
			Export *struct{ XPub string }
			Result string
		}
		json.Unmarshal(b, &tr)
		if tr.Export != nil && tr.Result == "ok" {
			found = true
		}
	}
	if !found || len(ts) != 6 {
		t.Fatalf("%d transcripts, export recorded %v", len(ts), found)
	}
	checkNoRecoverySecrets(t, dir, g, xprv)
}

// checkNoRecoverySecrets scans every file under dir for the golden shares'
// secrets (decimal and hex), the key's secret and the exported xprv.
func checkNoRecoverySecrets(t *testing.T, dir string, g golden, xprv string) {
	t.Helper()
	var needles []string
	for _, s := range []string{"bob", "carol"} {
		var v struct{ Xi *big.Int }
		if err := json.Unmarshal(g.open(t, s).Share, &v); err != nil || v.Xi == nil {
			t.Fatal(err)
		}
		needles = append(needles, v.Xi.String(), hex.EncodeToString(v.Xi.Bytes()))
	}
	if xprv != "" {
		x, _ := hdkeychain.NewKeyFromString(xprv)
		priv, _ := x.ECPrivKey()
		needles = append(needles, xprv, hex.EncodeToString(priv.Serialize()), new(big.Int).SetBytes(priv.Serialize()).String())
	}
	n := 0
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		n++
		b, _ := os.ReadFile(p)
		for _, s := range needles {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds a secret in clear", p)
			}
		}
		return nil
	})
	if n == 0 {
		t.Fatal("no file was written")
	}
}

// From two backups of a 2-of-3 key, sweeps signed by `coldtss recover`:
// btcd regtest accepts and confirms the Bitcoin one, geth --dev mines the
// Ethereum one.
func TestRecoverSweepsOnNodes(t *testing.T) {
	g := goldenKey(t, "secp256k1")
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	btcd := testnodes.StartBtcd(t)
	geth := testnodes.StartGeth(t)
	pub, cc, _ := g.key.Secp256k1("test")
	// alice's backup (passphrase) and carol's (post-quantum recipient).
	backups := []string{"--backup", g.file("alice.backup.age"), "--backup", g.file("carol.backup.age"),
		"--backup-passphrase-file", g.pass, "--identity", g.file("carol.agekey.txt")}

	// Bitcoin: coins at two addresses, all swept to an outside address.
	net := &chaincfg.RegressionNetParams
	acct, _ := bitcoin.NewAccount(pub, cc, net, bitcoin.P2WPKH)
	funds := map[string]int64{}
	for i, idx := range []uint32{0, 3} {
		a, _ := acct.Address(0, idx)
		funds[a.EncodeAddress()] = int64(i+1) * 20_000_000
	}
	btcd.Fund(t, funds)
	ext, _ := btcutil.NewAddressWitnessPubKeyHash(bytes.Repeat([]byte{0x42}, 20), net)
	rpc := []string{"--node", btcd.URL(), "--rpc-user", btcd.User, "--rpc-pass", btcd.Pass, "--network", "regtest"}
	psbtFile := filepath.Join(dir, "sweep.psbt")
	mustOnline(t, append([]string{"btc", "prepare", "--descriptor", acct.Descriptor(0), "--to", ext.EncodeAddress() + "=0.1", "--fee-rate", "5", "--spend-all", "--out", psbtFile}, rpc...)...)

	so := mustRun(t, append(append([]string{"recover", "--out", out, "--psbt", psbtFile, "--network", "regtest", "--yes"}, backups...), "--max-fee", "0.001")...)
	for _, want := range []string{"Recovered key " + g.key.ID, ext.EncodeAddress(), "m/0/3", "tx.hex", "Transcript:"} {
		if !strings.Contains(so, want) {
			t.Fatalf("recover output does not show %q:\n%s", want, so)
		}
	}
	vtx := broadcastBitcoin(t, btcd, rpc, filepath.Join(out, "tx.hex"), "the sweep")
	if len(vtx.Vin) != 2 {
		t.Fatalf("the sweep has %d inputs, want both", len(vtx.Vin))
	}

	// Ethereum: ether at m/0/0 sent on by a request signed in recovery.
	child, _ := ethereum.DeriveKey(pub, cc, "m/0/0")
	addr, _ := ethereum.AddressOf(child)
	geth.Fund(t, addr, new(big.Int).Mul(big.NewInt(3), big.NewInt(1e18)))
	dest := common.HexToAddress("0x00000000000000000000000000000000c0ffee02")
	req := filepath.Join(dir, "sweep-eth.json")
	mustOnline(t, "eth", "prepare", "--node", geth.URL, "--from", addr.Hex(), "--path", "m/0/0", "--to", dest.Hex(), "--value", "2.5", "--out", req)
	ethOut := filepath.Join(dir, "out-eth")
	so = mustRun(t, append([]string{"recover", "--out", ethOut, "--eth-request", req, "--chain-id", "1337", "--yes"}, backups...)...)
	if !strings.Contains(so, dest.Hex()) || !strings.Contains(so, "2.5") {
		t.Fatalf("the review does not show the transfer:\n%s", so)
	}
	bout := mustOnline(t, "broadcast", "--node", geth.URL, "--chain", "ethereum", "--timeout", "1m", "--json", filepath.Join(ethOut, "tx.hex"))
	var eres struct {
		Hash   string `json:"txid"`
		Status uint64 `json:"status"`
	}
	if err := json.Unmarshal([]byte(bout), &eres); err != nil || eres.Status != 1 {
		t.Fatalf("broadcast: %v %s", err, bout)
	}
	rcpt, err := geth.Client.TransactionReceipt(context.Background(), common.HexToHash(eres.Hash))
	if err != nil || rcpt.Status != 1 {
		t.Fatalf("receipt: %v %+v", err, rcpt)
	}
	tx, _, err := geth.Client.TransactionByHash(context.Background(), common.HexToHash(eres.Hash))
	if err != nil {
		t.Fatal(err)
	}
	if from, err := types.Sender(types.LatestSignerForChainID(tx.ChainId()), tx); err != nil || from != addr {
		t.Fatalf("the mined transaction is from %s, not the key's %s: %v", from.Hex(), addr.Hex(), err)
	}
	bal, _ := geth.Client.BalanceAt(context.Background(), dest, nil)
	if bal.Cmp(new(big.Int).Mul(big.NewInt(25), big.NewInt(1e17))) != 0 {
		t.Fatalf("destination holds %s wei", bal)
	}

	// The transcripts say what was read and signed.
	for _, o := range []string{out, ethOut} {
		ts, _ := filepath.Glob(filepath.Join(o, "recovery-*.json"))
		if len(ts) != 1 {
			t.Fatalf("%s: %d transcripts", o, len(ts))
		}
		var tr struct {
			Backups []struct{ File, SHA256, Station string }
			Signed  []struct{ Digest, Path string }
			Outputs []struct{ File, SHA256 string }
			Input   *struct{ SHA256 string }
			Result  string
		}
		b, _ := os.ReadFile(ts[0])
		if err := json.Unmarshal(b, &tr); err != nil || tr.Result != "ok" || len(tr.Backups) != 2 || tr.Backups[0].Station != "alice" || len(tr.Signed) == 0 || len(tr.Outputs) == 0 || tr.Input == nil {
			t.Fatalf("transcript %s: %v\n%s", ts[0], err, b)
		}
	}
	alice := g.open(t, "alice")
	var v struct{ Xi *big.Int }
	json.Unmarshal(alice.Share, &v)
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			b, _ := os.ReadFile(p)
			if bytes.Contains(b, []byte(v.Xi.String())) || bytes.Contains(b, []byte(hex.EncodeToString(v.Xi.Bytes()))) {
				t.Errorf("%s holds alice's share in clear", p)
			}
		}
		return err
	})
	checkNoRecoverySecrets(t, dir, g, "")
}

// An ed25519 key signs a message file in recovery; crypto/ed25519 checks
// the signature against the key's public record.
func TestRecoverEd25519Message(t *testing.T) {
	g := goldenKey(t, "ed25519")
	dir := t.TempDir()
	msg := filepath.Join(dir, "statement.txt")
	os.WriteFile(msg, []byte("Funds moved after the fire of 1 December.\n"), 0o644)
	out := filepath.Join(dir, "out")
	mustRun(t, append([]string{"recover", "--out", out, "--message", msg}, g.bobCarol()...)...)
	b, _ := os.ReadFile(filepath.Join(out, "signature.hex"))
	sig, err := hex.DecodeString(strings.TrimSpace(string(b)))
	pub, _ := hex.DecodeString(g.key.PublicKey)
	m, _ := os.ReadFile(msg)
	if err != nil || !ed25519.Verify(pub, m, sig) {
		t.Fatalf("crypto/ed25519 rejects the recovered key's signature: %v %x", err, sig)
	}
	// Chains need a secp256k1 key.
	_, errOut, err := run(t, append([]string{"recover", "--out", out, "--psbt", msg}, g.bobCarol()...)...)
	oneLineError(t, "ed25519 PSBT", errOut, err, "ed25519 key", "secp256k1")
}
