package bitcoin

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/mempool"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/coldtss/coldtss/internal/bip32"
)

// buildKey is the BIP32 test vector 1 master key, standing in for the
// threshold key (whose shares would otherwise sign).
type buildKey struct {
	xprv *hdkeychain.ExtendedKey
	xpub string // published mainnet xpub
	acct Account
}

func buildVector1(t *testing.T, net *chaincfg.Params, typ ScriptType) buildKey {
	t.Helper()
	b, err := os.ReadFile("testdata/bip32.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Vectors []struct {
			Name, Seed string
			Chains     []struct {
				Chain  string
				ExtPub string `json:"ext_pub"`
			}
		}
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	tv := v.Vectors[0]
	if tv.Name != "Test vector 1" || tv.Chains[0].Chain != "m" {
		t.Fatalf("testdata/bip32.json: first entry is %q chain %q, want Test vector 1 chain m", tv.Name, tv.Chains[0].Chain)
	}
	seed, _ := hex.DecodeString(tv.Seed)
	m, err := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	xpub, err := m.Neuter()
	if err != nil {
		t.Fatal(err)
	}
	if xpub.String() != tv.Chains[0].ExtPub {
		t.Fatalf("hdkeychain master %s differs from the published %s", xpub, tv.Chains[0].ExtPub)
	}
	pub, _ := m.ECPubKey()
	acct, err := NewAccount(pub.SerializeCompressed(), m.ChainCode(), net, typ)
	if err != nil {
		t.Fatal(err)
	}
	return buildKey{xprv: m, xpub: tv.Chains[0].ExtPub, acct: acct}
}

func (m buildKey) priv(t *testing.T, path []uint32) *btcec.PrivateKey {
	t.Helper()
	k := m.xprv
	for _, i := range path {
		var err error
		if k, err = k.Derive(i); err != nil {
			t.Fatal(err)
		}
	}
	p, err := k.ECPrivKey()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type buildCoin struct {
	branch, index uint32
	value         int64
}

// coins makes one previous transaction paying each spec's address and
// returns its outputs as UTXOs.
func (m buildKey) coins(t *testing.T, specs ...buildCoin) []UTXO {
	t.Helper()
	prev := wire.NewMsgTx(2)
	prev.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{byte(len(specs)), 7}, 3), []byte{txscript.OP_TRUE}, nil))
	for _, s := range specs {
		script, err := m.acct.Script(s.branch, s.index)
		if err != nil {
			t.Fatal(err)
		}
		prev.AddTxOut(wire.NewTxOut(s.value, script))
	}
	h := prev.TxHash()
	var out []UTXO
	for i, s := range specs {
		out = append(out, UTXO{
			OutPoint: *wire.NewOutPoint(&h, uint32(i)), Value: s.value, PkScript: prev.TxOut[i].PkScript,
			Branch: s.branch, Index: s.index, Type: m.acct.Type, PrevTx: prev,
		})
	}
	return out
}

func buildAddr(t *testing.T, s string, net *chaincfg.Params) btcutil.Address {
	t.Helper()
	a, err := btcutil.DecodeAddress(s, net)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// buildSignBtcd signs every input the way any BIP174 signer would, using
// only the PSBT's own fields and btcd's txscript and psbt packages (not
// coldtss code), then finalizes and extracts the transaction.
func buildSignBtcd(t *testing.T, m buildKey, p *psbt.Packet) *wire.MsgTx {
	t.Helper()
	tx := p.UnsignedTx
	prevs := map[wire.OutPoint]*wire.TxOut{}
	for i, in := range p.Inputs {
		op := tx.TxIn[i].PreviousOutPoint
		if in.WitnessUtxo != nil {
			prevs[op] = in.WitnessUtxo
		} else {
			prevs[op] = in.NonWitnessUtxo.TxOut[op.Index]
		}
	}
	fetcher := txscript.NewMultiPrevOutFetcher(prevs)
	hashes := txscript.NewTxSigHashes(tx, fetcher)
	u, err := psbt.NewUpdater(p)
	if err != nil {
		t.Fatal(err)
	}
	for i, in := range p.Inputs {
		if len(in.Bip32Derivation) != 1 {
			t.Fatalf("input %d: %d BIP32 derivations, want 1", i, len(in.Bip32Derivation))
		}
		d := in.Bip32Derivation[0]
		if d.MasterKeyFingerprint != m.acct.PSBTFingerprint() {
			t.Fatalf("input %d: fingerprint %08x, want %08x", i, d.MasterKeyFingerprint, m.acct.PSBTFingerprint())
		}
		key := m.priv(t, d.Bip32Path)
		if !bytes.Equal(key.PubKey().SerializeCompressed(), d.PubKey) {
			t.Fatalf("input %d: derivation pubkey is not the key at %v", i, d.Bip32Path)
		}
		prev := prevs[tx.TxIn[i].PreviousOutPoint]
		var sig []byte
		switch {
		case in.RedeemScript != nil:
			sig, err = txscript.RawTxInWitnessSignature(tx, hashes, i, prev.Value, in.RedeemScript, txscript.SigHashAll, key)
		case txscript.IsPayToWitnessPubKeyHash(prev.PkScript):
			sig, err = txscript.RawTxInWitnessSignature(tx, hashes, i, prev.Value, prev.PkScript, txscript.SigHashAll, key)
		default:
			sig, err = txscript.RawTxInSignature(tx, i, prev.PkScript, txscript.SigHashAll, key)
		}
		if err != nil {
			t.Fatal(err)
		}
		if res, err := u.Sign(i, sig, d.PubKey, in.RedeemScript, nil); err != nil || res != psbt.SignSuccesful {
			t.Fatalf("input %d: psbt signer refused: %v (%v)", i, res, err)
		}
	}
	if err := psbt.MaybeFinalizeAll(p); err != nil {
		t.Fatalf("btcd finalizer: %v", err)
	}
	final, err := psbt.Extract(p)
	if err != nil {
		t.Fatalf("extract: %v", err)
	}
	return final
}

// buildVerify runs btcd's script engine on every input and checks the fee rate.
func buildVerify(t *testing.T, tx *wire.MsgTx, utxos []UTXO, rate float64) {
	t.Helper()
	prevs := map[wire.OutPoint]*wire.TxOut{}
	var in int64
	for _, u := range utxos {
		prevs[u.OutPoint] = wire.NewTxOut(u.Value, u.PkScript)
	}
	fetcher := txscript.NewMultiPrevOutFetcher(prevs)
	hashes := txscript.NewTxSigHashes(tx, fetcher)
	for i, txIn := range tx.TxIn {
		prev := prevs[txIn.PreviousOutPoint]
		if prev == nil {
			t.Fatalf("input %d spends %s, not one of the coins given", i, txIn.PreviousOutPoint)
		}
		in += prev.Value
		vm, err := txscript.NewEngine(prev.PkScript, tx, i, txscript.StandardVerifyFlags, nil, hashes, prev.Value, fetcher)
		if err != nil {
			t.Fatal(err)
		}
		if err := vm.Execute(); err != nil {
			t.Fatalf("input %d: script engine: %v", i, err)
		}
	}
	var out int64
	for _, o := range tx.TxOut {
		out += o.Value
	}
	vsize := mempool.GetTxVirtualSize(btcutil.NewTx(tx))
	got := float64(in-out) / float64(vsize)
	if got < rate || got > rate*1.01 {
		t.Fatalf("fee %d sat for %d vB is %.3f sat/vB, want %.3f to %.3f", in-out, vsize, got, rate, rate*1.01)
	}
}

// TestBuildPSBTSpends builds PSBTs for each script type, signs them with an
// independent signer, and checks the result with btcd's script engine and
// the requested fee rate.
func TestBuildPSBTSpends(t *testing.T) {
	for _, typ := range ScriptTypes {
		t.Run(string(typ), func(t *testing.T) {
			net := &chaincfg.RegressionNetParams
			m := buildVector1(t, net, typ)
			utxos := append(m.coins(t, buildCoin{0, 0, 150_000}, buildCoin{0, 3, 70_000}),
				m.coins(t, buildCoin{1, 7, 33_333})...)
			dest := buildAddr(t, "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", net)
			const rate = 7.5
			for _, spendAll := range []bool{false, true} {
				p, err := BuildPSBT(m.acct, utxos, []Payment{{dest, 240_000}}, 4, rate, spendAll)
				if err != nil {
					t.Fatal(err)
				}
				if len(p.UnsignedTx.TxIn) != 3 {
					t.Fatalf("spendAll=%v: %d inputs, want 3", spendAll, len(p.UnsignedTx.TxIn))
				}
				buildCheckChange(t, m, p, 4)
				buildCheckXPub(t, m, p)
				// Round-trip through the serialised form, as a station gets it.
				var buf bytes.Buffer
				if err := p.Serialize(&buf); err != nil {
					t.Fatal(err)
				}
				p2, err := psbt.NewFromRawBytes(&buf, false)
				if err != nil {
					t.Fatal(err)
				}
				buildVerify(t, buildSignBtcd(t, m, p2), utxos, rate)
			}
		})
	}
}

// buildCheckChange finds the one output with a derivation and checks it pays m/1/idx.
func buildCheckChange(t *testing.T, m buildKey, p *psbt.Packet, idx uint32) {
	t.Helper()
	n := 0
	for i, o := range p.Outputs {
		if len(o.Bip32Derivation) == 0 {
			continue
		}
		n++
		d := o.Bip32Derivation[0]
		if d.MasterKeyFingerprint != m.acct.PSBTFingerprint() || len(d.Bip32Path) != 2 || d.Bip32Path[0] != 1 || d.Bip32Path[1] != idx {
			t.Fatalf("change output %d: derivation %08x %v, want %08x m/1/%d", i, d.MasterKeyFingerprint, d.Bip32Path, m.acct.PSBTFingerprint(), idx)
		}
		key := m.priv(t, d.Bip32Path).PubKey().SerializeCompressed()
		want, _, _ := ScriptFor(m.acct.Type, key, m.acct.Net)
		if !bytes.Equal(p.UnsignedTx.TxOut[i].PkScript, want) || !bytes.Equal(d.PubKey, key) {
			t.Fatalf("change output %d does not pay the key at m/1/%d", i, idx)
		}
		if m.acct.Type == P2SHP2WPKH {
			if h := btcutil.Hash160(o.RedeemScript); !bytes.Equal(want[2:22], h) {
				t.Fatalf("change output %d: redeem script does not hash to the output", i)
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d outputs with a derivation, want 1 (the change)", n)
	}
}

// buildCheckXPub compares PSBT_GLOBAL_XPUB with the published xpub.
func buildCheckXPub(t *testing.T, m buildKey, p *psbt.Packet) {
	t.Helper()
	if len(p.XPubs) != 1 {
		t.Fatalf("%d global xpubs, want 1", len(p.XPubs))
	}
	x := p.XPubs[0]
	k, err := psbt.DecodeExtendedKey(x.ExtendedKey)
	if err != nil {
		t.Fatal(err)
	}
	k.SetNet(&chaincfg.MainNetParams) // compare with the mainnet vector
	if k.String() != m.xpub || x.MasterKeyFingerprint != m.acct.PSBTFingerprint() || len(x.Bip32Path) != 0 {
		t.Fatalf("global xpub %s %08x %v, want %s %08x []", k, x.MasterKeyFingerprint, x.Bip32Path, m.xpub, m.acct.PSBTFingerprint())
	}
	if !bytes.Equal(x.ExtendedKey[:4], m.acct.Net.HDPublicKeyID[:]) {
		t.Fatalf("global xpub version %x, want the %s version %x", x.ExtendedKey[:4], m.acct.Net.Name, m.acct.Net.HDPublicKeyID)
	}
}

// TestBuildPSBTSelection checks largest-first selection and where change goes.
func TestBuildPSBTSelection(t *testing.T) {
	net := &chaincfg.RegressionNetParams
	m := buildVector1(t, net, P2WPKH)
	utxos := m.coins(t, buildCoin{0, 1, 10_000}, buildCoin{0, 2, 500_000}, buildCoin{0, 5, 90_000})
	dest := buildAddr(t, "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", net)

	p, err := BuildPSBT(m.acct, utxos, []Payment{{dest, 100_000}}, 0, 2, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.UnsignedTx.TxIn) != 1 || p.UnsignedTx.TxIn[0].PreviousOutPoint != utxos[1].OutPoint {
		t.Fatalf("largest-first should pick only the 500000 sat coin, got %d inputs", len(p.UnsignedTx.TxIn))
	}
	if p.UnsignedTx.TxIn[0].Sequence != wire.MaxTxInSequenceNum-2 {
		t.Fatalf("sequence %x does not signal replace-by-fee", p.UnsignedTx.TxIn[0].Sequence)
	}
	buildVerify(t, buildSignBtcd(t, m, p), utxos, 2)

	// 10000 - 9300 leaves less than dust + fee of a change output: no change,
	// the rest goes to fee.
	p, err = BuildPSBT(m.acct, utxos[:1], []Payment{{dest, 9_300}}, 0, 2, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.UnsignedTx.TxOut) != 1 {
		t.Fatalf("%d outputs, want 1 (change would be dust)", len(p.UnsignedTx.TxOut))
	}
	tx := buildSignBtcd(t, m, p)
	prev := utxos[0]
	vm, err := txscript.NewEngine(prev.PkScript, tx, 0, txscript.StandardVerifyFlags, nil,
		txscript.NewTxSigHashes(tx, txscript.NewCannedPrevOutputFetcher(prev.PkScript, prev.Value)), prev.Value,
		txscript.NewCannedPrevOutputFetcher(prev.PkScript, prev.Value))
	if err != nil || vm.Execute() != nil {
		t.Fatal("dust-change transaction does not verify")
	}
}

// TestBuildPSBTRefuses checks each refusal says what is wrong and what to do.
func TestBuildPSBTRefuses(t *testing.T) {
	net := &chaincfg.RegressionNetParams
	m := buildVector1(t, net, P2WPKH)
	utxos := m.coins(t, buildCoin{0, 0, 50_000}, buildCoin{0, 1, 20_000})
	dest := buildAddr(t, "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", net)
	mainnetDest := buildAddr(t, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", &chaincfg.MainNetParams)
	pay := []Payment{{dest, 10_000}}

	wrongScript := append([]UTXO(nil), utxos...)
	wrongScript[1].Index = 9
	noPrev := m.coins(t, buildCoin{0, 0, 50_000})
	noPrev[0].PrevTx = nil
	p2pkh := buildVector1(t, net, P2PKH)
	p2pkhNoPrev := p2pkh.coins(t, buildCoin{0, 0, 50_000})
	p2pkhNoPrev[0].PrevTx = nil
	badPrev := m.coins(t, buildCoin{0, 0, 50_000})
	badPrev[0].Value = 60_000

	cases := []struct {
		name  string
		acct  Account
		utxos []UTXO
		pays  []Payment
		rate  float64
		want  []string
	}{
		{"insufficient", m.acct, utxos, []Payment{{dest, 69_500}}, 5, []string{"insufficient funds", "have 0.00070000 BTC in 2 coin(s)", "need ", "payments 0.00069500 BTC", "lower the amounts"}},
		{"no coins", m.acct, nil, pay, 5, []string{"insufficient funds", "have 0.00000000 BTC in 0 coin(s)"}},
		{"no payments", m.acct, utxos, nil, 5, []string{"no payments", "at least one destination"}},
		{"dust", m.acct, utxos, []Payment{{dest, 545}}, 5, []string{"payment 1", "545 sat", "dust limit", "at least 546"}},
		{"zero rate", m.acct, utxos, pay, 0, []string{"fee rate 0 sat/vB is not positive"}},
		{"negative rate", m.acct, utxos, pay, -1, []string{"not positive"}},
		{"absurd rate", m.acct, utxos, pay, 20000, []string{"absurd", "satoshis per virtual byte"}},
		{"wrong network", m.acct, utxos, []Payment{{mainnetDest, 10_000}}, 5, []string{"payment 1", "not a regtest address"}},
		{"over supply", m.acct, utxos, []Payment{{dest, btcutil.MaxSatoshi + 1}}, 5, []string{"payment 1", "21 million"}},
		{"script mismatch", m.acct, wrongScript, pay, 5, []string{"coin 2", "not the p2wpkh script of m/0/9", "rescan"}},
		{"duplicate coin", m.acct, append(utxos, utxos[0]), pay, 5, []string{"coin 3", "listed twice"}},
		{"p2pkh without prev tx", p2pkh.acct, p2pkhNoPrev, pay, 5, []string{"coin 1", "previous transaction", "--txindex"}},
		{"prev tx disagrees", m.acct, badPrev, pay, 5, []string{"coin 1", "differ from its previous transaction"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := BuildPSBT(c.acct, c.utxos, c.pays, 0, c.rate, false)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
		})
	}
	// A segwit coin without its previous transaction is fine (witness_utxo).
	if _, err := BuildPSBT(m.acct, noPrev, pay, 0, 5, false); err != nil {
		t.Fatalf("segwit coin without previous tx: %v", err)
	}
}

// TestBuildPSBTReviewFinalize runs the stations' path on a built PSBT:
// ReviewPSBT finds every input ours and the change, the test key signs each
// item's digest (standing in for the ceremony), Finalize assembles the
// transaction, and btcd's script engine accepts it.
func TestBuildPSBTReviewFinalize(t *testing.T) {
	for _, typ := range ScriptTypes {
		t.Run(string(typ), func(t *testing.T) {
			net := &chaincfg.RegressionNetParams
			m := buildVector1(t, net, typ)
			utxos := append(m.coins(t, buildCoin{0, 0, 120_000}, buildCoin{0, 3, 80_000}),
				m.coins(t, buildCoin{0, 7, 45_000})...)
			dest := buildAddr(t, "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", net)
			const rate = 3
			p, err := BuildPSBT(m.acct, utxos, []Payment{{dest, 200_000}}, 2, rate, true)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := p.Serialize(&buf); err != nil {
				t.Fatal(err)
			}
			raw := buf.Bytes()
			rev, err := ReviewPSBT(raw, m.acct, Policy{Net: net})
			if err != nil {
				t.Fatalf("review refused the built PSBT: %v", err)
			}
			if len(rev.Items) != 3 {
				t.Fatalf("review lists %d items to sign, want 3", len(rev.Items))
			}
			change := 0
			for _, o := range rev.Outputs {
				if o.Change {
					change++
					if o.Path != "m/1/2" {
						t.Fatalf("change at %s, want m/1/2", o.Path)
					}
				}
			}
			if change != 1 {
				t.Fatalf("review found %d change outputs, want 1", change)
			}
			sigs := make([][]byte, len(rev.Items))
			for i, it := range rev.Items {
				path, err := bip32.ParsePath(it.Path)
				if err != nil {
					t.Fatal(err)
				}
				compact, err := ecdsa.SignCompact(m.priv(t, path), it.Digest, true)
				if err != nil {
					t.Fatal(err)
				}
				sigs[i] = compact[1:]
			}
			_, final, err := Finalize(raw, m.acct, rev.Items, sigs)
			if err != nil {
				t.Fatalf("finalize: %v", err)
			}
			var tx wire.MsgTx
			if err := tx.Deserialize(bytes.NewReader(final)); err != nil {
				t.Fatal(err)
			}
			buildVerify(t, &tx, utxos, rate)
		})
	}
}
