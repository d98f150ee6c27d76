package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"image"
	"image/gif"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/coldtss/coldtss/backup/vault"
	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/keys"
	"github.com/coldtss/coldtss/qr/camsim"
	"github.com/coldtss/coldtss/qr/interop"
	"github.com/coldtss/coldtss/qr/scan"
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

// A bad scan writes nothing: each bad line is a warning naming it, and the
// command ends with one line saying what is missing.
func TestQRScanRefusesAndWritesNothing(t *testing.T) {
	dir, _ := workspace(t)
	out := filepath.Join(dir, "out.psbt")
	enc := ur.NewEncoder("crypto-psbt", append([]byte{0x59, 0x01, 0x2c}, make([]byte, 300)...), 60)
	for name, c := range map[string]struct{ in, warning, err string }{
		"garbage line":   {"hello\n", "warning: stdin line 1: QR part 1: ", "no QR code of a file was read (1 bad frame(s)"},
		"wrong UR type":  {ur.Encode("crypto-account", []byte{0xa0}) + "\n", "warning: stdin line 1: QR part 1: is ur:crypto-account, which is not read here", "no QR code of a file was read"},
		"truncated scan": {enc.NextPart() + "\n" + enc.NextPart() + "\n", "", "stdin ended: only 2 of 6 fragments were read: the scan is incomplete (truncated); scan the rest"},
	} {
		cmd := exec.Command(coldtssBin, "qr", "scan", "--stdin", "--out", out)
		cmd.Stdin = strings.NewReader(c.in)
		var se strings.Builder
		cmd.Stderr = &se
		if err := cmd.Run(); err == nil {
			t.Fatalf("%s: accepted", name)
		}
		var warnings []string
		if c.warning != "" {
			warnings = append(warnings, c.warning)
		}
		checkScanFailure(t, name, se.String(), c.err, warnings...)
		if _, err := os.Lstat(out); err == nil {
			t.Fatalf("%s: wrote %s", name, out)
		}
	}
}

// checkScanFailure checks the standard error of a failed scan: progress
// and warning lines, then the error, one line that says want; every
// warning given is there.
func checkScanFailure(t *testing.T, name, stderr, want string, warnings ...string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "coldtss: ") || !strings.Contains(last, want) {
		t.Fatalf("%s: the last line is not the error %q:\n%s", name, want, stderr)
	}
	for _, w := range warnings {
		found := false
		for _, l := range lines[:len(lines)-1] {
			found = found || (strings.HasPrefix(l, "warning: ") && strings.Contains(l, w))
		}
		if !found {
			t.Fatalf("%s: no warning line says %q:\n%s", name, w, stderr)
		}
	}
}

// bigPSBT is the largest BIP-174 vector (729 bytes): 7 parts of 120 bytes.
func bigPSBT(t *testing.T, dir string) (string, []byte) {
	t.Helper()
	var v struct{ Valid []struct{ Case, Hex string } }
	b, err := os.ReadFile("../../chains/bitcoin/testdata/bip174.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	for _, c := range v.Valid {
		if strings.Contains(c.Case, "PSBT_GLOBAL_XPUB") {
			p, _ := hex.DecodeString(c.Hex)
			name := filepath.Join(dir, "tx.psbt")
			if err := os.WriteFile(name, p, 0o644); err != nil {
				t.Fatal(err)
			}
			return name, p
		}
	}
	t.Fatal("no PSBT_GLOBAL_XPUB vector")
	return "", nil
}

// scanBack runs qr scan --from and checks the file is the PSBT.
func scanBack(t *testing.T, from, out string, want []byte) string {
	t.Helper()
	_, stderr, err := run(t, "qr", "scan", "--from", from, "--out", out)
	if err != nil {
		t.Fatalf("qr scan --from %s: %v\n%s", from, err, stderr)
	}
	got, _ := os.ReadFile(out)
	if !bytes.Equal(got, want) {
		t.Fatalf("qr scan --from %s: the PSBT came back different", from)
	}
	if !strings.Contains(stderr, "ur:crypto-psbt: 7 of 7 fragments (100%)") || !strings.Contains(stderr, "wrote "+out+": psbt from ur:crypto-psbt") {
		t.Fatalf("qr scan --from %s said:\n%s", from, stderr)
	}
	return stderr
}

// A PSBT of 7 parts shown as a folder of PNGs, an animated GIF and an
// HTML page comes back byte for byte from qr scan --from the pictures.
func TestQRShowScanImages(t *testing.T) {
	dir := t.TempDir()
	psbtFile, psbt := bigPSBT(t, dir)
	show := func(as, out string) {
		if _, stderr, err := run(t, "qr", "show", psbtFile, "--as", as, "--fragment-len", "120", "--out", out); err != nil || !strings.HasPrefix(stderr, "wrote ur:crypto-psbt (psbt) as") {
			t.Fatalf("qr show --as %s: %v\n%s", as, err, stderr)
		}
	}
	frames := filepath.Join(dir, "frames")
	show("png", frames)
	if ents, _ := os.ReadDir(frames); len(ents) != 7 || ents[0].Name() != "part-001.png" {
		t.Fatalf("the folder of PNGs holds %d files, want 7 from part-001.png", len(ents))
	}
	if _, stderr, err := run(t, "qr", "show", psbtFile, "--as", "png", "--fragment-len", "120", "--out", frames); err == nil || !strings.Contains(stderr, "never overwritten") {
		t.Fatalf("qr show --as png over a folder: %v %s", err, stderr)
	}
	scanBack(t, frames, filepath.Join(dir, "png.psbt"), psbt)

	anim := filepath.Join(dir, "tx.gif")
	show("gif", anim)
	scanBack(t, anim, filepath.Join(dir, "gif.psbt"), psbt)

	// The page's frames are the PNGs of its data: URIs.
	page := filepath.Join(dir, "tx.html")
	show("html", page)
	b, _ := os.ReadFile(page)
	uris := regexp.MustCompile(`src="data:image/png;base64,([^"]+)"`).FindAllStringSubmatch(string(b), -1)
	if len(uris) != 14 {
		t.Fatalf("the page holds %d frames, want 14 (7 fragments and 7 fountain parts)", len(uris))
	}
	pageFrames := filepath.Join(dir, "page")
	os.Mkdir(pageFrames, 0o755)
	for i, u := range uris {
		png, err := base64.StdEncoding.DecodeString(html.UnescapeString(u[1]))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(pageFrames, fmt.Sprintf("%02d.png", i)), png, 0o644)
	}
	scanBack(t, pageFrames, filepath.Join(dir, "html.psbt"), psbt)
}

// The animated GIF of qr show, photographed by a hand-held webcam
// (camsim.Typical) that misses 30% of the frames, over one loop of the
// animation (7 fragments, then 7 fountain parts): qr scan --from the folder
// of photographs recovers the PSBT, a photograph without a readable code
// being a warning naming it. A fragment is among the photographs missed,
// so the fountain parts fill it in.
func TestQRScanPhotographed(t *testing.T) {
	dir := t.TempDir()
	psbtFile, psbt := bigPSBT(t, dir)
	anim := filepath.Join(dir, "tx.gif")
	if _, stderr, err := run(t, "qr", "show", psbtFile, "--as", "gif", "--fragment-len", "120", "--out", anim); err != nil {
		t.Fatalf("qr show --as gif: %v\n%s", err, stderr)
	}
	f, err := os.Open(anim)
	if err != nil {
		t.Fatal(err)
	}
	g, err := gif.DecodeAll(f)
	f.Close()
	if err != nil || len(g.Image) != 14 {
		t.Fatalf("the GIF: %v, %d frames", err, len(g.Image))
	}
	opts := camsim.Typical
	opts.Drop = 0.3
	cam := camsim.New(opts, 1)
	photos := filepath.Join(dir, "photos")
	os.Mkdir(photos, 0o755)
	shot, dropped := 0, 0
	for loop := 0; loop < 1; loop++ {
		for _, frame := range g.Image {
			pic, lost := cam.Shoot(frame)
			shot++
			if lost {
				dropped++
			}
			var b bytes.Buffer
			if err := png.Encode(&b, pic); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(photos, fmt.Sprintf("shot-%02d.png", shot)), b.Bytes(), 0o644)
		}
	}
	if dropped < 3 {
		t.Fatalf("only %d of %d frames lost: the camera is not missing 30%%", dropped, shot)
	}
	stderr := scanBack(t, photos, filepath.Join(dir, "tx-back.psbt"), psbt)
	missed := regexp.MustCompile(`warning: ` + regexp.QuoteMeta(photos) + `/shot-0[1-7]\.png: no QR code found`)
	if !missed.MatchString(stderr) {
		t.Fatalf("no warning names a photograph of a fragment without a code: the fountain parts were not needed:\n%s", stderr)
	}
	t.Logf("%d photographs, %d lost; scan said:\n%s", shot, dropped, stderr)
}

// Files that are not pictures and pictures without a code are warnings
// naming them; too few parts is one line that says how many, and nothing
// is written.
func TestQRScanBadPictures(t *testing.T) {
	dir := t.TempDir()
	psbtFile, _ := bigPSBT(t, dir)
	frames := filepath.Join(dir, "frames")
	if _, stderr, err := run(t, "qr", "show", psbtFile, "--as", "png", "--fragment-len", "120", "--out", frames); err != nil {
		t.Fatalf("qr show: %v\n%s", err, stderr)
	}
	ents, _ := os.ReadDir(frames)
	for _, e := range ents[2:] {
		os.Remove(filepath.Join(frames, e.Name()))
	}
	blank := image.NewGray(image.Rect(0, 0, 200, 200))
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	var b bytes.Buffer
	png.Encode(&b, blank)
	os.WriteFile(filepath.Join(frames, "blank.png"), b.Bytes(), 0o644)
	os.WriteFile(filepath.Join(frames, "notes.png"), []byte("not a picture\n"), 0o644)
	nothing := filepath.Join(dir, "nothing")
	os.Mkdir(nothing, 0o755)
	os.WriteFile(filepath.Join(nothing, "blank.png"), b.Bytes(), 0o644)

	out := filepath.Join(dir, "out.psbt")
	for _, c := range []struct {
		from, err string
		warnings  []string
	}{
		{frames, "ended: only 2 of 7 fragments were read: the scan is incomplete (truncated); scan the rest", []string{"blank.png: no QR code found", "notes.png is not a PNG, JPEG or GIF picture"}},
		{nothing, "no QR code of a file was read (1 bad frame(s)", []string{"blank.png: no QR code found"}},
		{filepath.Join(frames, "notes.png"), "no QR code of a file was read", []string{"notes.png is not a PNG, JPEG or GIF picture"}},
	} {
		_, stderr, err := run(t, "qr", "scan", "--from", c.from, "--out", out)
		if err == nil {
			t.Fatalf("%s: accepted", c.from)
		}
		checkScanFailure(t, c.from, stderr, c.err, c.warnings...)
		if _, err := os.Lstat(out); err == nil {
			t.Fatalf("%s: wrote %s", c.from, out)
		}
	}
}

// The wallet exports show as QR codes: a PNG of the crypto-hdkey and a GIF
// of the crypto-account (two parts at the wallet preset) scan back to the
// exact URs printed as text.
func TestExportAsQR(t *testing.T) {
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	// A watch-only record of BIP32 test vector 1's master key: the exports
	// read nothing else.
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	rec := keys.Record{Format: keys.Format, ID: "0123456789abcdef", Curve: ceremony.CurveSecp256k1, Threshold: 2, Stations: []string{"alice", "bob"}, Station: "alice",
		PublicKey: "0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2", ChainCode: "873dff81c02f525623fd1fe5167eac3a55a049de3d314bb42ee227ffed37d508"}
	if err := (vault.Home{Dir: home}).SaveKey(rec, []byte("unused"), id.Recipient()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		export, as string
		parts      int
	}{{"crypto-hdkey", "png", 1}, {"crypto-account", "gif", 2}} {
		text := strings.TrimSpace(mustRun(t, "export", c.export, "--home", home, "--key", rec.ID))
		typ, want, err := ur.Decode(text)
		if err != nil || typ != c.export {
			t.Fatalf("export %s: %v %q", c.export, err, text)
		}
		out := filepath.Join(dir, c.export+"."+c.as)
		mustRun(t, "export", c.export, "--home", home, "--key", rec.ID, "--as", c.as, "--out", out)
		d := ur.NewDecoder(ur.ExpectType(c.export))
		src := scan.Files(out)
		codes := 0
		for !d.Done() {
			part, where, err := src.Next(context.Background())
			if err != nil {
				t.Fatalf("%s: %s: %v (%d codes read)", out, where, err, codes)
			}
			codes++
			if err := d.Receive(part); err != nil {
				t.Fatal(err)
			}
		}
		_, got, err := d.Result()
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: %v, or not the UR of the text export", out, err)
		}
		if p := d.Progress(); max(p.Fragments, 1) != c.parts {
			t.Fatalf("%s: %d fragments, want %d", out, p.Fragments, c.parts)
		}
	}
	if _, stderr, err := run(t, "export", "crypto-hdkey", "--home", home, "--key", rec.ID, "--as", "gif"); err == nil || !strings.Contains(stderr, "--as gif needs --out FILE") {
		t.Fatalf("--as gif without --out: %v %s", err, stderr)
	}
}
