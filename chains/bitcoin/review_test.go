package bitcoin

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/coldtss/coldtss/internal/bip32"
)

// fixture stands a plain hdkeychain master key in for the threshold key:
// its public half makes the Account, its private children sign.
type fixture struct {
	t      *testing.T
	net    *chaincfg.Params
	master *hdkeychain.ExtendedKey
	acct   Account
}

func newFixture(t *testing.T) *fixture {
	net := &chaincfg.RegressionNetParams
	return &fixture{t: t, net: net, master: testMasterKey(t, net), acct: testAccount(t, net, P2WPKH)}
}

func (f *fixture) priv(path []uint32) *btcec.PrivateKey {
	k := f.master
	for _, i := range path {
		var err error
		if k, err = k.Derive(i); err != nil {
			f.t.Fatal(err)
		}
	}
	p, err := k.ECPrivKey()
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

// pub derives the child key privately (independently of Account.ChildKey).
func (f *fixture) pub(path []uint32) []byte { return f.priv(path).PubKey().SerializeCompressed() }

// script builds a pkScript with btcutil's address types directly.
func (f *fixture) script(t ScriptType, pub []byte) []byte {
	h := btcutil.Hash160(pub)
	var a btcutil.Address
	var err error
	switch t {
	case P2WPKH:
		a, err = btcutil.NewAddressWitnessPubKeyHash(h, f.net)
	case P2SHP2WPKH:
		a, err = btcutil.NewAddressScriptHash(append([]byte{0, 20}, h...), f.net)
	case P2PKH:
		a, err = btcutil.NewAddressPubKeyHash(h, f.net)
	}
	if err != nil {
		f.t.Fatal(err)
	}
	s, err := txscript.PayToAddrScript(a)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

type coin struct {
	typ         ScriptType
	path        []uint32
	amount      int64
	witnessOnly bool // no non_witness_utxo
	notOurs     bool // someone else's key, no derivation
}

type payment struct {
	amount int64
	change []uint32 // nil: external
	typ    ScriptType
}

// build makes a funding transaction paying the coins and a PSBT spending
// them to the payments, as a watch-only wallet would.
func (f *fixture) build(coins []coin, pays []payment) (*psbt.Packet, *wire.MsgTx) {
	t := f.t
	fund := wire.NewMsgTx(2)
	fund.AddTxIn(wire.NewTxIn(&wire.OutPoint{Hash: chainhash.Hash{0xaa}, Index: 7}, []byte{txscript.OP_TRUE}, nil))
	other, _ := btcec.NewPrivateKey()
	for _, c := range coins {
		pub := f.pub(c.path)
		if c.notOurs {
			pub = other.PubKey().SerializeCompressed()
		}
		fund.AddTxOut(wire.NewTxOut(c.amount, f.script(c.typ, pub)))
	}
	var ops []*wire.OutPoint
	var seqs []uint32
	for i := range coins {
		ops = append(ops, wire.NewOutPoint(ptr(fund.TxHash()), uint32(i)))
		seqs = append(seqs, wire.MaxTxInSequenceNum-2)
	}
	var outs []*wire.TxOut
	for _, p := range pays {
		typ := p.typ
		if typ == "" {
			typ = P2WPKH
		}
		pub := other.PubKey().SerializeCompressed()
		if p.change != nil {
			pub = f.pub(p.change)
		}
		outs = append(outs, wire.NewTxOut(p.amount, f.script(typ, pub)))
	}
	pk, err := psbt.New(ops, outs, 2, 0, seqs)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := psbt.NewUpdater(pk)
	for i, c := range coins {
		if c.typ == P2PKH || !c.witnessOnly {
			must(t, u.AddInNonWitnessUtxo(fund, i))
		}
		if c.typ != P2PKH {
			must(t, u.AddInWitnessUtxo(fund.TxOut[i], i))
		}
		if c.notOurs {
			continue
		}
		pub := f.pub(c.path)
		if c.typ == P2SHP2WPKH {
			must(t, u.AddInRedeemScript(append([]byte{0, 20}, btcutil.Hash160(pub)...), i))
		}
		must(t, u.AddInBip32Derivation(f.acct.PSBTFingerprint(), c.path, pub, i))
	}
	for j, p := range pays {
		if p.change != nil {
			must(t, u.AddOutBip32Derivation(f.acct.PSBTFingerprint(), p.change, f.pub(p.change), j))
		}
	}
	return pk, fund
}

func ptr[T any](v T) *T { return &v }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ser(t *testing.T, p *psbt.Packet) []byte {
	t.Helper()
	var b bytes.Buffer
	must(t, p.Serialize(&b))
	return b.Bytes()
}

// sign plays the ceremony: each item signed by the private child key at
// its path, returned as r||s.
func (f *fixture) sign(items []SignItem) [][]byte {
	var sigs [][]byte
	for _, it := range items {
		path, err := bip32.ParsePath(it.Path)
		must(f.t, err)
		priv := f.priv(path)
		if !bytes.Equal(priv.PubKey().SerializeCompressed(), it.PubKey) {
			f.t.Fatalf("input %d: item key is not the key at %s", it.Input, it.Path)
		}
		c, err := ecdsa.SignCompact(priv, it.Digest, true)
		must(f.t, err)
		sigs = append(sigs, c[1:])
	}
	return sigs
}

// verifyTx runs btcd's script engine on every input of a raw transaction,
// with the funding transaction's outputs as prevouts.
func verifyTx(t *testing.T, raw []byte, fund *wire.MsgTx) *wire.MsgTx {
	t.Helper()
	var tx wire.MsgTx
	must(t, tx.Deserialize(bytes.NewReader(raw)))
	prevs := map[wire.OutPoint]*wire.TxOut{}
	for i, o := range fund.TxOut {
		prevs[wire.OutPoint{Hash: fund.TxHash(), Index: uint32(i)}] = o
	}
	fetcher := txscript.NewMultiPrevOutFetcher(prevs)
	hashes := txscript.NewTxSigHashes(&tx, fetcher)
	for i, in := range tx.TxIn {
		prev := prevs[in.PreviousOutPoint]
		vm, err := txscript.NewEngine(prev.PkScript, &tx, i, txscript.StandardVerifyFlags, nil, hashes, prev.Value, fetcher)
		must(t, err)
		if err := vm.Execute(); err != nil {
			t.Fatalf("input %d fails the script engine: %v", i, err)
		}
	}
	return &tx
}

func TestSignAllTypes(t *testing.T) {
	f := newFixture(t)
	coins := []coin{
		{typ: P2WPKH, path: []uint32{0, 0}, amount: 150_000},
		{typ: P2SHP2WPKH, path: []uint32{0, 5}, amount: 220_000},
		{typ: P2PKH, path: []uint32{1, 2}, amount: 90_000},
		{typ: P2WPKH, path: []uint32{0, 2147483647}, amount: 40_000, witnessOnly: true},
		{typ: P2SHP2WPKH, path: []uint32{7}, amount: 10_000, witnessOnly: true},
	}
	pays := []payment{
		{amount: 300_000},
		{amount: 195_000, change: []uint32{1, 3}},
		{amount: 5_000, typ: P2PKH},
	}
	pk, fund := f.build(coins, pays)
	raw := ser(t, pk)
	r, err := ReviewPSBT([]byte(base64Of(raw)), f.acct, Policy{Net: f.net})
	must(t, err)

	if r.Network != "regtest" || r.TxID != pk.UnsignedTx.TxHash().String() {
		t.Fatalf("network %s txid %s", r.Network, r.TxID)
	}
	if r.InTotal != 510_000 || r.OutTotal != 500_000 || r.Fee != 10_000 {
		t.Fatalf("totals %d %d %d", r.InTotal, r.OutTotal, r.Fee)
	}
	if len(r.Items) != len(coins) {
		t.Fatalf("%d items", len(r.Items))
	}
	for i, c := range coins {
		in := r.Inputs[i]
		if !in.Ours || in.Type != c.typ || in.Path != bip32.FormatPath(c.path) || in.Amount != c.amount {
			t.Fatalf("input %d review %+v", i, in)
		}
		_, a, _ := ScriptFor(c.typ, f.pub(c.path), f.net)
		if in.Address != a.String() {
			t.Fatalf("input %d address %s want %s", i, in.Address, a)
		}
		if r.Items[i].Input != i || r.Items[i].SigHash != txscript.SigHashAll || len(r.Items[i].Digest) != 32 {
			t.Fatalf("item %d %+v", i, r.Items[i])
		}
	}
	if o := r.Outputs[1]; !o.Change || o.Path != "m/1/3" || o.Type != "p2wpkh" {
		t.Fatalf("change output %+v", o)
	}
	if r.Outputs[0].Change || r.Outputs[2].Change || r.Outputs[2].Type != "p2pkh" {
		t.Fatalf("external outputs %+v", r.Outputs)
	}
	// The witness_utxo-only inputs and the one-level path warn.
	joined := strings.Join(r.Warnings, "\n")
	for _, w := range []string{"input 3: its amount comes from witness_utxo only", "input 4: its amount"} {
		if !strings.Contains(joined, w) {
			t.Fatalf("warnings %q lack %q", joined, w)
		}
	}

	signed, final, err := Finalize(raw, f.acct, r.Items, f.sign(r.Items))
	must(t, err)
	if final == nil {
		t.Fatal("no final transaction")
	}
	tx := verifyTx(t, final, fund)
	// The signed PSBT parses, is complete and extracts to the same tx.
	sp, err := ParsePSBT(signed)
	must(t, err)
	if !sp.IsComplete() {
		t.Fatal("signed PSBT not complete")
	}
	ex, err := psbt.Extract(sp)
	must(t, err)
	if ex.TxHash() != tx.TxHash() || ex.WitnessHash() != tx.WitnessHash() {
		t.Fatal("extracted tx differs")
	}
	// The fee-rate estimate is close to the real signed size.
	real := (int64(tx.SerializeSizeStripped()*3+tx.SerializeSize()) + 3) / 4
	if r.VSize < real || r.VSize > real+int64(len(coins)) {
		t.Fatalf("estimated vsize %d, real %d", r.VSize, real)
	}

	var out bytes.Buffer
	r.Print(&out)
	for _, s := range []string{"regtest", "0.00300000 BTC (300000 sat)", "EXTERNAL", "change (m/1/3)", "Fee: 0.00010000 BTC (10000 sat)", "sat/vB", r.Outputs[0].Address, "! input 3"} {
		if !strings.Contains(out.String(), s) {
			t.Fatalf("Print lacks %q:\n%s", s, out.String())
		}
	}
}

func base64Of(b []byte) string {
	p, _ := psbt.NewFromRawBytes(bytes.NewReader(b), false)
	s, _ := p.B64Encode()
	return s
}

// TestMixedInputs: an input that is not ours is left unsigned with a
// warning; Finalize returns the PSBT and no transaction.
func TestMixedInputs(t *testing.T) {
	f := newFixture(t)
	pk, _ := f.build([]coin{
		{typ: P2WPKH, path: []uint32{0, 1}, amount: 100_000},
		{typ: P2WPKH, amount: 50_000, notOurs: true},
	}, []payment{{amount: 140_000}, {amount: 9_000, change: []uint32{0, 9}}})
	raw := ser(t, pk)
	r, err := ReviewPSBT(raw, f.acct, Policy{Net: f.net})
	must(t, err)
	if len(r.Items) != 1 || r.Inputs[1].Ours {
		t.Fatalf("items %+v", r.Items)
	}
	joined := strings.Join(r.Warnings, "\n")
	for _, w := range []string{"input 1 is not ours", "output 1: change goes to a receive address (m/0/9"} {
		if !strings.Contains(joined, w) {
			t.Fatalf("warnings %q lack %q", joined, w)
		}
	}
	var out bytes.Buffer
	r.Print(&out)
	if !strings.Contains(out.String(), "NOT OURS") {
		t.Fatal(out.String())
	}
	signed, final, err := Finalize(raw, f.acct, r.Items, f.sign(r.Items))
	must(t, err)
	if final != nil {
		t.Fatal("a transaction with an unsigned input was extracted")
	}
	sp, err := ParsePSBT(signed)
	must(t, err)
	if sp.Inputs[0].FinalScriptWitness == nil || sp.Inputs[1].FinalScriptWitness != nil {
		t.Fatal("wrong inputs finalised")
	}
}

// TestAllowSighash: SINGLE|ANYONECANPAY is refused by default, signed (and
// valid) when the policy allows it.
func TestAllowSighash(t *testing.T) {
	f := newFixture(t)
	pk, fund := f.build([]coin{{typ: P2WPKH, path: []uint32{0, 1}, amount: 100_000}, {typ: P2PKH, path: []uint32{0, 2}, amount: 100_000}},
		[]payment{{amount: 150_000}, {amount: 45_000}})
	for i := range pk.Inputs {
		pk.Inputs[i].SighashType = txscript.SigHashSingle | txscript.SigHashAnyOneCanPay
	}
	raw := ser(t, pk)
	_, err := ReviewPSBT(raw, f.acct, Policy{Net: f.net})
	wantErr(t, err, "input 0:", "SINGLE|ANYONECANPAY instead of ALL", "allow other sighash types")
	r, err := ReviewPSBT(raw, f.acct, Policy{Net: f.net, AllowSighash: true})
	must(t, err)
	_, final, err := Finalize(raw, f.acct, r.Items, f.sign(r.Items))
	must(t, err)
	verifyTx(t, final, fund)
}

func TestReviewRefusals(t *testing.T) {
	f := newFixture(t)
	std := func() *psbt.Packet {
		pk, _ := f.build([]coin{
			{typ: P2WPKH, path: []uint32{0, 1}, amount: 100_000},
			{typ: P2PKH, path: []uint32{0, 2}, amount: 100_000},
		}, []payment{{amount: 150_000}, {amount: 45_000, change: []uint32{1, 0}}})
		return pk
	}
	pol := Policy{Net: f.net}
	otherKey, _ := btcec.NewPrivateKey()
	mainMaster := testMasterKey(t, &chaincfg.MainNetParams)
	mainPub, _ := mainMaster.Neuter()
	otherMaster, _ := hdkeychain.NewMaster(bytes.Repeat([]byte{1}, 32), f.net)
	otherPub, _ := otherMaster.Neuter()
	ourPub, _ := f.master.Neuter()

	cases := []struct {
		name   string
		mutate func(p *psbt.Packet)
		pol    *Policy
		want   []string
	}{
		{"no utxo", func(p *psbt.Packet) { p.Inputs[0].WitnessUtxo, p.Inputs[0].NonWitnessUtxo = nil, nil }, nil,
			[]string{"input 0:", "no UTXO data", "include UTXO data"}},
		{"txid mismatch", func(p *psbt.Packet) {
			tx := p.Inputs[1].NonWitnessUtxo.Copy()
			tx.LockTime++
			p.Inputs[1].NonWitnessUtxo = tx
		}, nil, []string{"input 1:", "non_witness_utxo", "has txid", "do not sign"}},
		{"utxo disagree", func(p *psbt.Packet) {
			p.Inputs[0].WitnessUtxo = wire.NewTxOut(200_000, p.Inputs[0].WitnessUtxo.PkScript)
		}, nil,
			[]string{"input 0:", "witness_utxo (200000 sat) and non_witness_utxo (100000 sat) disagree", "do not sign"}},
		{"sighash none", func(p *psbt.Packet) { p.Inputs[1].SighashType = txscript.SigHashNone }, nil,
			[]string{"input 1:", "sighash type NONE instead of ALL"}},
		{"sighash invalid", func(p *psbt.Packet) { p.Inputs[1].SighashType = 0x42 }, &Policy{Net: f.net, AllowSighash: true},
			[]string{"input 1:", "0x42 is not a valid type"}},
		{"sighash single without output", func(p *psbt.Packet) {
			p.UnsignedTx.TxOut = p.UnsignedTx.TxOut[:1]
			p.Outputs = p.Outputs[:1]
			p.Inputs[1].SighashType = txscript.SigHashSingle
		}, &Policy{Net: f.net, AllowSighash: true, MaxFeeRate: 5000}, []string{"input 1:", "SIGHASH_SINGLE but has no output of the same index"}},
		{"fee rate", func(p *psbt.Packet) { p.UnsignedTx.TxOut[0].Value = 100_000 }, &Policy{Net: f.net, MaxFeeRate: 50},
			[]string{"fee 0.00055000 BTC (55000 sat)", "sat/vB", "above the cap of 50 sat/vB", "raise the maximum fee rate"}},
		{"max fee", nil, &Policy{Net: f.net, MaxFee: 4_999},
			[]string{"fee 0.00005000 BTC (5000 sat)", "above the cap of 0.00004999 BTC (4999 sat)", "raise the maximum fee"}},
		{"outputs exceed inputs", func(p *psbt.Packet) { p.UnsignedTx.TxOut[0].Value = 160_000 }, nil,
			[]string{"outputs (0.00205000 BTC (205000 sat)) are worth more than the inputs (0.00200000 BTC (200000 sat))"}},
		{"global xpub other network", func(p *psbt.Packet) {
			p.XPubs = append(p.XPubs, psbt.XPub{ExtendedKey: psbt.EncodeExtendedKey(mainPub), MasterKeyFingerprint: f.acct.PSBTFingerprint()})
		}, nil, []string{"global xpub for our key is for mainnet (xpub)", "set to regtest", "do not sign"}},
		{"global xpub other key", func(p *psbt.Packet) {
			p.XPubs = append(p.XPubs, psbt.XPub{ExtendedKey: psbt.EncodeExtendedKey(otherPub), MasterKeyFingerprint: f.acct.PSBTFingerprint()})
		}, nil, []string{"has our fingerprint", "different key"}},
		{"p2pkh with witness_utxo only", func(p *psbt.Packet) {
			p.Inputs[1].WitnessUtxo = nil
			p.Inputs[1].NonWitnessUtxo = nil
			p.Inputs[1].WitnessUtxo = wire.NewTxOut(100_000, f.script(P2PKH, f.pub([]uint32{0, 2})))
		}, nil, []string{"input 1:", "witness_utxo but spends a non-segwit script"}},
		{"wrong derivation", func(p *psbt.Packet) { p.Inputs[0].Bip32Derivation[0].Bip32Path = []uint32{0, 3} }, nil,
			[]string{"input 0: its derivation m/0/3 does not give the key in its script: the PSBT was not made for this key; do not sign"}},
		{"derivation right, script another key", func(p *psbt.Packet) {
			pub := f.pub([]uint32{0, 4})
			p.Inputs[0].Bip32Derivation[0] = &psbt.Bip32Derivation{PubKey: pub, MasterKeyFingerprint: f.acct.PSBTFingerprint(), Bip32Path: []uint32{0, 4}}
		}, nil, []string{"input 0: its derivation m/0/4 does not give the key in its script"}},
		{"hardened derivation", func(p *psbt.Packet) {
			p.Inputs[0].Bip32Derivation[0].Bip32Path = []uint32{hdkeychain.HardenedKeyStart + 84, 0}
		}, nil, []string{"input 0:", "m/84'/0 is hardened", "do not sign"}},
		{"change to another script", func(p *psbt.Packet) {
			p.UnsignedTx.TxOut[1].PkScript = f.script(P2WPKH, otherKey.PubKey().SerializeCompressed())
		}, nil,
			[]string{"output 1:", "claims to be our change at m/1/0 but its script is not ours", "do not sign"}},
		{"change key mismatch", func(p *psbt.Packet) { p.Outputs[1].Bip32Derivation[0].Bip32Path = []uint32{1, 1} }, nil,
			[]string{"output 1:", "derivation m/1/1 does not give the key"}},
		{"none ours", func(p *psbt.Packet) {
			for i := range p.Inputs {
				p.Inputs[i].Bip32Derivation[0].MasterKeyFingerprint++
			}
		}, nil, []string{"none of the 2 inputs belongs to this key (fingerprint " + f.acct.fingerprintHex() + ")"}},
		{"no network", nil, &Policy{}, []string{"policy has no network"}},
		{"account on other network", nil, &Policy{Net: &chaincfg.TestNet3Params}, []string{"key is set up for regtest but the policy says testnet"}},
		{"global xpub ours is fine", func(p *psbt.Packet) {
			p.XPubs = append(p.XPubs, psbt.XPub{ExtendedKey: psbt.EncodeExtendedKey(ourPub), MasterKeyFingerprint: f.acct.PSBTFingerprint()})
		}, nil, nil},
	}
	for _, c := range cases {
		pk := std()
		if c.mutate != nil {
			c.mutate(pk)
		}
		p := pol
		if c.pol != nil {
			p = *c.pol
		}
		_, err := ReviewPSBT(ser(t, pk), f.acct, p)
		if c.want == nil {
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil {
			t.Fatalf("%s: accepted", c.name)
		}
		wantErr(t, err, c.want...)
	}
}

// TestUnknownScriptTypes: inputs of our key in scripts coldtss does not
// sign are refused, and so is a p2pkh input without its previous tx.
func TestUnknownScriptTypes(t *testing.T) {
	f := newFixture(t)
	// P2WSH output of our key at m/0/8 with a derivation claiming it.
	pub := f.pub([]uint32{0, 8})
	ws := append(append([]byte{33}, pub...), txscript.OP_CHECKSIG)
	wsh := sha256.Sum256(ws)
	p2wsh := append([]byte{txscript.OP_0, 32}, wsh[:]...)
	pk, _ := f.build([]coin{{typ: P2WPKH, path: []uint32{0, 8}, amount: 100_000}}, []payment{{amount: 99_000}})
	pk.Inputs[0].WitnessUtxo.PkScript = p2wsh
	pk.Inputs[0].NonWitnessUtxo = nil
	_, err := ReviewPSBT(ser(t, pk), f.acct, Policy{Net: f.net})
	wantErr(t, err, "input 0: unknown script type (p2wsh)", "do not sign")

	// Taproot: our fingerprint in a taproot derivation.
	pk, _ = f.build([]coin{{typ: P2WPKH, path: []uint32{0, 8}, amount: 100_000}}, []payment{{amount: 99_000}})
	pk.Inputs[0].TaprootBip32Derivation = []*psbt.TaprootBip32Derivation{{XOnlyPubKey: pub[1:], MasterKeyFingerprint: f.acct.PSBTFingerprint(), Bip32Path: []uint32{0, 8}}}
	_, err = ReviewPSBT(ser(t, pk), f.acct, Policy{Net: f.net})
	wantErr(t, err, "input 0: unknown script type (taproot)", "do not sign")

	// P2PKH of ours without its previous transaction. (Through ReviewPSBT
	// such an input has either no UTXO data or a witness_utxo, both refused
	// earlier; see TestReviewRefusals.)
	pk, fund := f.build([]coin{{typ: P2PKH, path: []uint32{0, 2}, amount: 100_000}}, []payment{{amount: 99_000}})
	plan := inputPlan{prev: fund.TxOut[0]}
	pk.Inputs[0].NonWitnessUtxo = nil
	err = checkOurInput(pk, 0, f.acct, pk.Inputs[0].Bip32Derivation[0], &plan)
	wantErr(t, err, "input 0: a p2pkh input needs its full previous transaction (non_witness_utxo)", "export again")
}

func TestFinalizeRefusals(t *testing.T) {
	f := newFixture(t)
	pk, _ := f.build([]coin{{typ: P2WPKH, path: []uint32{0, 1}, amount: 100_000}, {typ: P2SHP2WPKH, path: []uint32{0, 2}, amount: 100_000}},
		[]payment{{amount: 150_000}, {amount: 45_000, change: []uint32{1, 0}}})
	raw := ser(t, pk)
	r, err := ReviewPSBT(raw, f.acct, Policy{Net: f.net})
	must(t, err)
	sigs := f.sign(r.Items)

	_, _, err = Finalize(raw, f.acct, r.Items, sigs[:1])
	wantErr(t, err, "got 1 signatures for 2 inputs")
	_, _, err = Finalize(raw, f.acct, nil, nil)
	wantErr(t, err, "no signatures to add")

	bad := [][]byte{sigs[1], sigs[0]} // swapped
	_, _, err = Finalize(raw, f.acct, r.Items, bad)
	wantErr(t, err, "input 0: the signature does not verify against key", "at m/0/1", "run the signing ceremony again")

	_, _, err = Finalize(raw, f.acct, r.Items, [][]byte{sigs[0][:63], sigs[1]})
	wantErr(t, err, "input 0: signature must be 64 bytes")

	items := append([]SignItem(nil), r.Items...)
	items[1].Digest = bytes.Repeat([]byte{1}, 32)
	_, _, err = Finalize(raw, f.acct, items, sigs)
	wantErr(t, err, "input 1: the signing request (m/0/2) does not match this PSBT")

	items = append([]SignItem(nil), r.Items...)
	items[1].Input = 0
	_, _, err = Finalize(raw, f.acct, items, sigs)
	wantErr(t, err, "input 0: given two signatures")

	items = append([]SignItem(nil), r.Items...)
	items[1].Input = 5
	_, _, err = Finalize(raw, f.acct, items, sigs)
	wantErr(t, err, "is for input 5, but the PSBT has 2 inputs")

	// The PSBT was altered after review (output amount changed): the
	// reviewed digests no longer match it.
	pk.UnsignedTx.TxOut[0].Value--
	_, _, err = Finalize(ser(t, pk), f.acct, r.Items, sigs)
	wantErr(t, err, "input 0: the signing request (m/0/1) does not match this PSBT")
}

func TestDefaultFeeCap(t *testing.T) {
	f := newFixture(t)
	pk, _ := f.build([]coin{{typ: P2WPKH, path: []uint32{0, 1}, amount: 1_000_000}}, []payment{{amount: 800_000}})
	_, err := ReviewPSBT(ser(t, pk), f.acct, Policy{Net: f.net})
	wantErr(t, err, "fee 0.00200000 BTC (200000 sat)", "above the cap of 1000 sat/vB", "raise the maximum fee rate")
	r, err := ReviewPSBT(ser(t, pk), f.acct, Policy{Net: f.net, MaxFeeRate: 5000})
	must(t, err)
	if r.FeeRate < 1000 || r.VSize < 100 || r.VSize > 120 {
		t.Fatalf("fee rate %.1f vsize %d", r.FeeRate, r.VSize)
	}
}
