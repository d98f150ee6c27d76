package recovery

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/ethereum/go-ethereum/accounts"
	ethcrypto "github.com/ethereum/go-ethereum/crypto"

	"github.com/coldtss/coldtss/backup"
	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/ceremonytest"
	"github.com/coldtss/coldtss/ceremony/keys"
	"github.com/coldtss/coldtss/chains/bitcoin"
	"github.com/coldtss/coldtss/chains/ethereum"
	"github.com/coldtss/coldtss/chains/payload"
	"github.com/coldtss/coldtss/internal/testpsbt"
)

// A key made by a real in-process keygen (tss-lib through ceremony.Runner
// over the memory transport), its stations' identities and shares.
type testKey struct {
	ids    []*ceremony.Identity
	recs   []keys.Record
	shares [][]byte
}

var (
	keyMu    sync.Mutex
	keyCache = map[string]*testKey{}
)

// fixture is testdata/key-CURVE.json: a 2-of-3 key made once by a real
// keygen (ceremony.Runner, tss-lib, over the memory transport), so that
// tests need not run one (tens of seconds). Test data only: its secrets
// are public. COLDTSS_REGENERATE_FIXTURES=1 makes new ones.
type fixture struct {
	Curve    string `json:"curve"`
	Stations []struct {
		Identity []byte          `json:"identity"`
		Record   keys.Record     `json:"record"`
		Share    json.RawMessage `json:"share"`
	} `json:"stations"`
}

func fixturePath(curve string) string {
	return filepath.Join("testdata", "key-"+curve+".json")
}

// keygen2of3 returns the 2-of-3 test key of a curve.
func keygen2of3(t *testing.T, curve string) *testKey {
	t.Helper()
	keyMu.Lock()
	defer keyMu.Unlock()
	if k := keyCache[curve]; k != nil {
		return k
	}
	b, err := os.ReadFile(fixturePath(curve))
	if err != nil {
		t.Fatalf("%v: make it with COLDTSS_REGENERATE_FIXTURES=1 go test -run TestRegenerateFixtures ./recovery", err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	k := &testKey{}
	for _, s := range f.Stations {
		id, err := ceremony.UnmarshalIdentity(s.Identity)
		if err != nil {
			t.Fatal(err)
		}
		k.ids, k.recs, k.shares = append(k.ids, id), append(k.recs, s.Record), append(k.shares, []byte(s.Share))
	}
	keyCache[curve] = k
	return k
}

func TestRegenerateFixtures(t *testing.T) {
	if os.Getenv("COLDTSS_REGENERATE_FIXTURES") != "1" {
		t.Skip("set COLDTSS_REGENERATE_FIXTURES=1 to make new test keys")
	}
	for _, curve := range []string{ceremony.CurveSecp256k1, ceremony.CurveEd25519} {
		plan, ids, res := ceremonytest.Keygen(t, curve, 2, "recovery test key", "alice", "bob", "carol")
		var f fixture
		f.Curve = curve
		for i := range ids {
			rec := keys.New(plan, plan.Stations[i].Name, res[i])
			rec.Status = keys.Active
			f.Stations = append(f.Stations, struct {
				Identity []byte          `json:"identity"`
				Record   keys.Record     `json:"record"`
				Share    json.RawMessage `json:"share"`
			}{ids[i].MarshalSecret(), rec, res[i].Share})
		}
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(fixturePath(curve), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// backups returns fresh backups (copies: Reconstruct wipes shares) of the
// given stations.
func (k *testKey) backups(idx ...int) []Backup {
	var out []Backup
	for _, i := range idx {
		r := k.recs[i]
		out = append(out, Backup{File: r.Station + ".age", SHA256: strings.Repeat("0", 64), Station: r.Station, Epoch: r.Epoch,
			Committee: r.Committee(), Key: r, Share: append([]byte(nil), k.shares[i]...)})
	}
	return out
}

func wantErr(t *testing.T, err error, frags ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one with %q", frags)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Fatalf("error is not one line: %q", err)
	}
	for _, f := range frags {
		if !strings.Contains(err.Error(), f) {
			t.Fatalf("error %q does not say %q", err, f)
		}
	}
}

func TestReconstructAnyTwoOfThree(t *testing.T) {
	for _, curve := range []string{ceremony.CurveSecp256k1, ceremony.CurveEd25519} {
		k := keygen2of3(t, curve)
		for _, set := range [][]int{{0, 1}, {0, 2}, {2, 1}, {0, 1, 2}} {
			bs := k.backups(set...)
			key, err := Reconstruct(bs)
			if err != nil {
				t.Fatalf("%s %v: %v", curve, set, err)
			}
			// The secret times G is the public key, computed here with
			// another library than the package's.
			sec := key.secret
			var got []byte
			if curve == ceremony.CurveSecp256k1 {
				priv, _ := btcec.PrivKeyFromBytes(scalarBytes(sec, btcec.S256().N))
				got = priv.PubKey().SerializeCompressed()
			} else {
				sig, err := key.SignMessage([]byte("recovered"))
				if err != nil {
					t.Fatal(err)
				}
				got, _ = hex.DecodeString(key.record.PublicKey)
				if !ed25519.Verify(got, []byte("recovered"), sig) {
					t.Fatalf("%s %v: crypto/ed25519 rejects the recovered key's signature", curve, set)
				}
			}
			if hex.EncodeToString(got) != k.recs[0].PublicKey {
				t.Fatalf("%s %v: recovered %x, key is %s", curve, set, got, k.recs[0].PublicKey)
			}
			for _, b := range bs {
				if bytes.ContainsFunc(b.Share, func(r rune) bool { return r != 0 }) {
					t.Fatalf("%s: the share of %s was not wiped", curve, b.File)
				}
			}
			if len(key.Checks()) < 4 {
				t.Fatalf("checks: %q", key.Checks())
			}
			key.Destroy()
			if _, err := key.SignMessage([]byte("x")); err == nil || !strings.Contains(err.Error(), "destroyed") {
				t.Fatalf("a destroyed key still signs: %v", err)
			}
		}
	}
}

func TestRefusals(t *testing.T) {
	k := keygen2of3(t, ceremony.CurveSecp256k1)
	ed := keygen2of3(t, ceremony.CurveEd25519)
	id := k.recs[0].ID

	t.Run("too few", func(t *testing.T) {
		_, err := Reconstruct(k.backups(1))
		wantErr(t, err, "1 backup given (bob.age)", "2-of-3", "2 backups of different stations are needed", "tss-lib threshold 1 means 2 shares", "alice or carol")
	})
	t.Run("none", func(t *testing.T) {
		_, err := Reconstruct(nil)
		wantErr(t, err, "no backup given")
	})
	t.Run("two keys", func(t *testing.T) {
		bs := append(k.backups(0), ed.backups(1)...)
		bs[1].File = "other.age"
		_, err := Reconstruct(bs)
		wantErr(t, err, "other.age is of key "+ed.recs[0].ID, "alice.age is of key "+id, "one key only")
	})
	t.Run("epochs mixed", func(t *testing.T) {
		bs := k.backups(0, 1)
		bs[1].Key.Epoch, bs[1].Epoch = 2, 2
		bs[1].Committee = bs[1].Key.Committee()
		_, err := Reconstruct(bs)
		wantErr(t, err, "bob.age is of epoch 2", "alice.age is of epoch 1", "latest (2, like bob.age)")
	})
	t.Run("committees mixed", func(t *testing.T) {
		bs := k.backups(0, 1)
		cards := bs[1].Key.StationCards
		bs[1].Key.StationCards = []json.RawMessage{cards[1], cards[0], cards[2]}
		bs[1].Committee = bs[1].Key.Committee()
		_, err := Reconstruct(bs)
		wantErr(t, err, "bob.age is of committee", "one committee only")
	})
	t.Run("labels disagree with the record", func(t *testing.T) {
		bs := k.backups(0, 1)
		bs[1].Epoch = 3
		_, err := Reconstruct(bs)
		wantErr(t, err, "bob.age", "epoch 3", "record says epoch 1")
	})
	t.Run("one station twice", func(t *testing.T) {
		bs := k.backups(2, 2)
		bs[1].File = "carol-copy.age"
		_, err := Reconstruct(bs)
		wantErr(t, err, "carol.age and carol-copy.age are both of station carol", "alice or bob")
	})
	t.Run("share of another station relabelled", func(t *testing.T) {
		bs := k.backups(0, 1)
		bs[1].Share = append([]byte(nil), k.shares[0]...)
		_, err := Reconstruct(bs)
		wantErr(t, err, "alice.age and bob.age hold the share of the same party")
	})
	t.Run("tampered secret", func(t *testing.T) {
		bs := k.backups(0, 1)
		bs[1].Share = tamper(t, bs[1].Share, func(s map[string]any) {
			s["Xi"] = json.Number(new(big.Int).Add(num(t, s["Xi"]), big.NewInt(1)).String())
		})
		_, err := Reconstruct(bs)
		wantErr(t, err, "bob.age (station bob)", "does not match its own public point", "leave it out")
	})
	t.Run("tampered secret and its public point", func(t *testing.T) {
		bs := k.backups(0, 1)
		bs[1].Share = tamper(t, bs[1].Share, func(s map[string]any) {
			x := big.NewInt(12345)
			s["Xi"] = json.Number(x.String())
			own := ownIndex(t, s)
			setPoint(t, s, own, secp256k1{}.mulBase(x))
		})
		_, err := Reconstruct(bs)
		wantErr(t, err, "bob.age (station bob)", "public points that do not add up to the key's public key")
	})
	t.Run("a whole other sharing of the public key", func(t *testing.T) {
		// The attacker knows only public data: it picks a secret for bob,
		// and makes every public point consistent with it and the key.
		// Each share passes its own checks; the others outvote it.
		bs := k.backups(0, 1, 2)
		bs[1].Share = resharePublic(t, bs[1].Share, k.recs[0].PublicKey)
		_, err := Reconstruct(bs)
		wantErr(t, err, "bob.age disagrees with the other backups", "leave it out")
		// With only two, it cannot be told which, and nothing is rebuilt.
		bs = k.backups(0, 1)
		bs[1].Share = resharePublic(t, bs[1].Share, k.recs[0].PublicKey)
		_, err = Reconstruct(bs)
		wantErr(t, err, "alice.age, bob.age disagree", "cannot be told which")
	})
	t.Run("not a share", func(t *testing.T) {
		bs := k.backups(0, 1)
		bs[0].Share = []byte(`{"Xi": "nope"`)
		_, err := Reconstruct(bs)
		wantErr(t, err, "alice.age (station alice)", "does not decode")
	})
}

func num(t *testing.T, v any) *big.Int {
	n, ok := new(big.Int).SetString(string(v.(json.Number)), 10)
	if !ok {
		t.Fatalf("not a number: %v", v)
	}
	return n
}

func tamper(t *testing.T, share []byte, f func(map[string]any)) []byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(share))
	dec.UseNumber()
	var s map[string]any
	if err := dec.Decode(&s); err != nil {
		t.Fatal(err)
	}
	f(s)
	out, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func ownIndex(t *testing.T, s map[string]any) int {
	id := num(t, s["ShareID"])
	for j, k := range s["Ks"].([]any) {
		if num(t, k).Cmp(id) == 0 {
			return j
		}
	}
	t.Fatal("no own index")
	return -1
}

func setPoint(t *testing.T, s map[string]any, j int, enc []byte) {
	pk, err := btcec.ParsePubKey(enc)
	if err != nil {
		t.Fatal(err)
	}
	pts := s["BigXj"].([]any)
	pts[j].(map[string]any)["Coords"] = []any{json.Number(pk.X().String()), json.Number(pk.Y().String())}
}

// resharePublic replaces a share by a made-up one: a secret of the
// attacker's choosing and every party's public point on the degree-1
// polynomial through the key's public key (at 0) and that secret's point.
func resharePublic(t *testing.T, share []byte, pubHex string) []byte {
	t.Helper()
	pub, _ := hex.DecodeString(pubHex)
	g := secp256k1{}
	return tamper(t, share, func(s map[string]any) {
		x := big.NewInt(777)
		s["Xi"] = json.Number(x.String())
		own := ownIndex(t, s)
		xs := []*big.Int{new(big.Int), num(t, s["ShareID"])}
		ys := [][]byte{pub, g.mulBase(x)}
		for j, kj := range s["Ks"].([]any) {
			if j == own {
				setPoint(t, s, j, ys[1])
				continue
			}
			l, err := lagrange(xs, num(t, kj), g.order())
			if err != nil {
				t.Fatal(err)
			}
			p, err := g.combine(l, ys)
			if err != nil {
				t.Fatal(err)
			}
			setPoint(t, s, j, p)
		}
	})
}

// A regtest PSBT spending two made-up coins of the key (see testpsbt),
// with the previous transaction's outputs.
func offlinePSBT(t *testing.T, rec keys.Record) ([]byte, []*wire.TxOut) {
	t.Helper()
	pub, cc, _ := rec.Secp256k1("test")
	return testpsbt.Offline(t, pub, cc)
}

func TestSignBitcoinAndEthereum(t *testing.T) {
	k := keygen2of3(t, ceremony.CurveSecp256k1)
	key, err := Reconstruct(k.backups(2, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer key.Destroy()
	raw, prevOuts := offlinePSBT(t, key.Record())
	p, err := payload.FromPSBT(raw, "regtest")
	if err != nil {
		t.Fatal(err)
	}
	// The station's policy applies: a fee cap below the fee refuses it.
	if _, err := key.Review(p, payload.Policy{Network: "regtest", MaxFeeRate: 1000, MaxFee: 10}); err == nil || !strings.Contains(err.Error(), "fee") {
		t.Fatalf("the fee cap was not applied: %v", err)
	}
	if _, err := key.Review(p, payload.Policy{Network: "mainnet", MaxFeeRate: 1000, MaxFee: 5_000_000}); err == nil || !strings.Contains(err.Error(), "network") {
		t.Fatalf("the network was not checked: %v", err)
	}
	rv, err := key.Review(p, payload.Policy{Network: "regtest", MaxFeeRate: 1000, MaxFee: 5_000_000})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := key.Sign(rv)
	if err != nil {
		t.Fatal(err)
	}
	var txHex []byte
	for _, o := range signed.Outputs {
		if o.Name == "tx.hex" {
			txHex = o.Data
		}
	}
	if len(signed.Requests) != 2 || signed.Requests[0].Path != "m/0/3" || txHex == nil {
		t.Fatalf("signed %+v, outputs %d", signed.Requests, len(signed.Outputs))
	}
	// The script engine, run here on the transaction alone, is the judge.
	b, _ := hex.DecodeString(strings.TrimSpace(string(txHex)))
	var tx wire.MsgTx
	if err := tx.Deserialize(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	fetch := txscript.NewMultiPrevOutFetcher(nil)
	for i, in := range tx.TxIn {
		fetch.AddPrevOut(in.PreviousOutPoint, prevOuts[in.PreviousOutPoint.Index])
		_ = i
	}
	hashes := txscript.NewTxSigHashes(&tx, fetch)
	for i, in := range tx.TxIn {
		prev := prevOuts[in.PreviousOutPoint.Index]
		vm, err := txscript.NewEngine(prev.PkScript, &tx, i, txscript.StandardVerifyFlags, nil, hashes, prev.Value, fetch)
		if err == nil {
			err = vm.Execute()
		}
		if err != nil {
			t.Fatalf("input %d does not verify: %v", i, err)
		}
	}

	// Ethereum: a personal_sign at m/0/0 recovers (go-ethereum) to the
	// address every station derives.
	pub, cc, _ := key.Record().Secp256k1("test")
	child, err := ethereum.DeriveKey(pub, cc, "m/0/0")
	if err != nil {
		t.Fatal(err)
	}
	addr, _ := ethereum.AddressOf(child)
	msg := []byte("recovered in an emergency")
	req, err := ethereum.PrepareMessage(ethereum.MessageOptions{From: addr, Path: "m/0/0", ChainID: big.NewInt(1), Kind: ethereum.KindPersonal, Message: msg})
	if err != nil {
		t.Fatal(err)
	}
	ep, err := payload.FromEthRequest(req.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	erv, err := key.Review(ep, payload.Policy{ChainID: big.NewInt(1)})
	if err != nil {
		t.Fatal(err)
	}
	es, err := key.Sign(erv)
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(string(es.Outputs[0].Data)), "0x"))
	sig[64] -= 27
	rpub, err := ethcrypto.SigToPub(accounts.TextHash(msg), sig)
	if err != nil || ethcrypto.PubkeyToAddress(*rpub) != addr {
		t.Fatalf("the signature recovers to another address: %v", err)
	}

	// An ed25519 key has no chains here.
	ek := keygen2of3(t, ceremony.CurveEd25519)
	ekey, err := Reconstruct(ek.backups(0, 1))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ekey.Review(p, payload.Policy{})
	wantErr(t, err, "ed25519 key", "secp256k1")
	_, err = key.SignMessage(msg)
	wantErr(t, err, "secp256k1 key", "--psbt")
}

func TestExportXPrv(t *testing.T) {
	k := keygen2of3(t, ceremony.CurveSecp256k1)
	key, err := Reconstruct(k.backups(1, 2))
	if err != nil {
		t.Fatal(err)
	}
	defer key.Destroy()
	for _, typed := range []string{"", "yes", "i understand this key can spend everything", ExportConfirmation + "!"} {
		if _, err := key.ExtendedPrivateKey(&chaincfg.MainNetParams, typed); err == nil || !strings.Contains(err.Error(), "not shown") {
			t.Fatalf("exported with confirmation %q: %v", typed, err)
		}
	}
	for _, net := range []*chaincfg.Params{&chaincfg.MainNetParams, &chaincfg.RegressionNetParams} {
		ex, err := key.ExtendedPrivateKey(net, ExportConfirmation+"\n")
		if err != nil {
			t.Fatal(err)
		}
		// Any wallet: hdkeychain reads the xprv and derives the addresses
		// the stations derive from the public record.
		x, err := hdkeychain.NewKeyFromString(ex.XPrv)
		if err != nil || !x.IsPrivate() || x.Depth() != 0 {
			t.Fatalf("%s: %v", net.Name, err)
		}
		pub, cc, _ := key.Record().Secp256k1("test")
		acct, _ := bitcoin.NewAccount(pub, cc, net, bitcoin.P2WPKH)
		for _, i := range []uint32{0, 7} {
			c, _ := x.Derive(0)
			c, _ = c.Derive(i)
			priv, _ := c.ECPrivKey()
			a, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(priv.PubKey().SerializeCompressed()), net)
			if err != nil {
				t.Fatal(err)
			}
			want, err := acct.Address(0, i)
			if err != nil {
				t.Fatal(err)
			}
			if a.EncodeAddress() != want.EncodeAddress() {
				t.Fatalf("%s m/0/%d: the xprv gives %s, the stations %s", net.Name, i, a.EncodeAddress(), want)
			}
		}
		if net == &chaincfg.MainNetParams && (ex.XPub != acct.XPub() || !strings.HasPrefix(ex.XPrv, "xprv")) {
			t.Fatalf("xpub %s, the stations' %s", ex.XPub, acct.XPub())
		}
	}
	ek := keygen2of3(t, ceremony.CurveEd25519)
	ekey, err := Reconstruct(ek.backups(0, 2))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ekey.ExtendedPrivateKey(&chaincfg.MainNetParams, ExportConfirmation)
	wantErr(t, err, "only for secp256k1")
}

// Backups made by package backup open with their passphrase, and a wrong
// passphrase is one clear error naming the file; the transcript of a
// recovery holds no secret.
func TestOpenAndTranscript(t *testing.T) {
	k := keygen2of3(t, ceremony.CurveSecp256k1)
	var files [][]byte
	for i := range 2 {
		c := &backup.Contents{KeyID: k.recs[i].ID, Epoch: 1, Committee: k.recs[i].Committee(), Station: k.recs[i].Station,
			Key: k.recs[i], Share: k.shares[i], Identity: k.ids[i].MarshalSecret()}
		data, err := backup.Create(c, backup.CreateOptions{Passphrase: "backup pass " + k.recs[i].Station, WorkFactor: 10})
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, data)
	}
	_, err := Open("alice.age", files[0], "not it")
	wantErr(t, err, "alice.age: ", "wrong passphrase")
	_, err = Open("cut.age", files[0][:len(files[0])/2], "backup pass alice")
	wantErr(t, err, "cut.age: ")
	tr := NewTranscript("coldtss test", "", "check")
	var bs []Backup
	for i, data := range files {
		b, err := Open(k.recs[i].Station+".age", data, "backup pass "+k.recs[i].Station)
		if err != nil {
			t.Fatal(err)
		}
		if b.SHA256 != Hash(data) {
			t.Fatal("backup hash")
		}
		tr.AddBackup(&b)
		bs = append(bs, b)
	}
	key, err := Reconstruct(bs)
	if err != nil {
		t.Fatal(err)
	}
	tr.Recovered(key)
	ex, err := key.ExtendedPrivateKey(&chaincfg.MainNetParams, ExportConfirmation)
	if err != nil {
		t.Fatal(err)
	}
	tr.SetExport(ex)
	tr.Finish(nil)
	out := tr.Marshal()
	var needles []string
	for _, s := range k.shares {
		var v struct{ Xi *big.Int }
		json.Unmarshal(s, &v)
		needles = append(needles, v.Xi.String(), hex.EncodeToString(v.Xi.Bytes()))
	}
	needles = append(needles, hex.EncodeToString(scalarBytes(key.secret, btcec.S256().N)), key.secret.String(), ex.XPrv)
	for _, n := range needles {
		if strings.Contains(string(out), n) {
			t.Fatalf("the transcript holds a secret: %s", out)
		}
	}
	var back Transcript
	if err := json.Unmarshal(out, &back); err != nil || back.Result != "ok" || len(back.Backups) != 2 || back.Key.ID != k.recs[0].ID || back.Export.XPub != ex.XPub {
		t.Fatalf("transcript: %v %s", err, out)
	}
}

// blame finds the share outside every subset that rebuilds the key: a
// case the per-share checks stop before, so it is tested on its own with
// a made-up sharing f(x) = s + a·x.
func TestBlameNamesTheOddShare(t *testing.T) {
	g := secp256k1{}
	s, a := big.NewInt(1234567), big.NewInt(89)
	pub := g.mulBase(s)
	rec := keys.Record{ID: "k", Threshold: 2}
	var ps []*parsed
	for i, name := range []string{"a.age", "b.age", "c.age"} {
		x := big.NewInt(int64(10 + i))
		y := new(big.Int).Add(s, new(big.Int).Mul(a, x))
		if name == "b.age" {
			y.Add(y, big.NewInt(1))
		}
		ps = append(ps, &parsed{b: &Backup{File: name}, id: x, xi: y})
	}
	wantErr(t, blame(ps, g, pub, rec), "b.age: the share inside is not on key k's sharing")
	wantErr(t, blame(ps[:2], g, pub, rec), "the shares of a.age, b.age do not rebuild key k", "bring another station's backup")
	// Without the bad one, the interpolation is the secret.
	got, err := interpolate([]*parsed{ps[0], ps[2]}, g)
	if err != nil || got.Cmp(s) != 0 {
		t.Fatalf("interpolated %v, want %v (%v)", got, s, err)
	}
}
