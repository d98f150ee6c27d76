package bitcoin

import (
	"bytes"
	"crypto/sha256"
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/coldtss/coldtss/internal/bip32"
)

// inputPlan is what the checks found about one input.
type inputPlan struct {
	prev     *wire.TxOut
	typ      ScriptType // our type for our inputs; best guess (or "") for others
	ours     bool
	final    bool
	path     []uint32
	pub      []byte
	redeem   []byte
	hashType txscript.SigHashType
}

// inputsPlan is the result of checking every input of a PSBT.
type inputsPlan struct {
	inputs   []inputPlan
	prevs    []*wire.TxOut
	fetcher  *txscript.MultiPrevOutFetcher
	warnings []string
}

// planInputs runs every input check shared by review and finalisation.
func planInputs(p *psbt.Packet, acct Account, net *chaincfg.Params, allowSighash bool) (*inputsPlan, error) {
	if err := checkGlobalXPubs(p, acct, net); err != nil {
		return nil, err
	}
	if len(p.UnsignedTx.TxIn) == 0 {
		return nil, fmt.Errorf("the PSBT has no inputs: there is nothing to sign; make it again")
	}
	fp := acct.PSBTFingerprint()
	plan := &inputsPlan{inputs: make([]inputPlan, len(p.Inputs)), prevs: make([]*wire.TxOut, len(p.Inputs))}
	// Structure first (BIP174 signer checks), for every input, so that a
	// malformed PSBT is called malformed whatever its derivations say.
	for i := range p.Inputs {
		prev, err := prevOutput(p, i)
		if err != nil {
			return nil, err
		}
		if prev.Value < 0 || prev.Value > btcutil.MaxSatoshi {
			return nil, fmt.Errorf("input %d: amount %d sat is impossible: the PSBT is corrupt; do not sign", i, prev.Value)
		}
		if err := signerChecks(p, i, prev); err != nil {
			return nil, err
		}
		plan.prevs[i] = prev
	}
	for i := range p.Inputs {
		prev := plan.prevs[i]
		in := &p.Inputs[i]
		ht := in.SighashType
		if ht == 0 {
			ht = txscript.SigHashAll
		}
		if !standardSigHash(ht) {
			return nil, fmt.Errorf("input %d: sighash type 0x%x is not a valid type for ECDSA signatures: do not sign; make the PSBT again with SIGHASH_ALL", i, uint32(ht))
		}
		if ht != txscript.SigHashAll && !allowSighash {
			return nil, fmt.Errorf("input %d: asks for sighash type %s instead of ALL, which lets others change the transaction after signing: refused by policy; make the PSBT again with SIGHASH_ALL, or, if this is intended, allow other sighash types (coldtss: --allow-sighash)", i, sigHashName(ht))
		}
		if ht&^txscript.SigHashAnyOneCanPay == txscript.SigHashSingle && i >= len(p.UnsignedTx.TxOut) {
			return nil, fmt.Errorf("input %d: asks for SIGHASH_SINGLE but has no output of the same index, so the signature would sign almost nothing: do not sign; make the PSBT again", i)
		}
		pl := inputPlan{
			prev:     prev,
			hashType: ht,
			final:    in.FinalScriptSig != nil || in.FinalScriptWitness != nil,
			typ:      guessType(prev.PkScript, in.RedeemScript),
		}

		for _, d := range in.TaprootBip32Derivation {
			if d.MasterKeyFingerprint == fp {
				return nil, fmt.Errorf("input %d: unknown script type (taproot) for an input of our key: coldtss signs p2wpkh, p2sh-p2wpkh and p2pkh only; do not sign", i)
			}
		}
		var mine []*psbt.Bip32Derivation
		for _, d := range in.Bip32Derivation {
			if d.MasterKeyFingerprint == fp {
				mine = append(mine, d)
			}
		}
		switch {
		case len(mine) == 0:
			plan.warnings = append(plan.warnings, fmt.Sprintf("input %d is not ours (no derivation from fingerprint %s): it stays unsigned, someone else must sign it", i, acct.fingerprintHex()))
		case len(mine) > 1:
			return nil, fmt.Errorf("input %d: carries %d derivations of our key, which a single-key input never has (multisig is not supported): do not sign", i, len(mine))
		default:
			if err := checkOurInput(p, i, acct, mine[0], &pl); err != nil {
				return nil, err
			}
			if pl.final {
				plan.warnings = append(plan.warnings, fmt.Sprintf("input %d is ours but already finalised: it will not be signed again", i))
			} else if pl.typ != P2PKH && in.NonWitnessUtxo == nil {
				plan.warnings = append(plan.warnings, fmt.Sprintf("input %d: its amount comes from witness_utxo only, not from the previous transaction; prefer wallets that include non_witness_utxo", i))
			}
		}
		plan.inputs[i] = pl
	}
	plan.fetcher = prevOutFetcher(p.UnsignedTx, plan.prevs)
	return plan, nil
}

// checkOurInput checks an input whose derivation carries our fingerprint:
// the path, the derived key, and that the script is exactly ours for it.
func checkOurInput(p *psbt.Packet, i int, acct Account, d *psbt.Bip32Derivation, pl *inputPlan) error {
	in := &p.Inputs[i]
	if err := bip32.CheckNonHardened(d.Bip32Path); err != nil {
		return fmt.Errorf("input %d: its %v: the PSBT was not made for this key; do not sign", i, err)
	}
	path := bip32.FormatPath(d.Bip32Path)
	notOurs := fmt.Errorf("input %d: its derivation %s does not give the key in its script: the PSBT was not made for this key; do not sign", i, path)
	child, err := acct.ChildKey(d.Bip32Path)
	if err != nil {
		return fmt.Errorf("input %d: derivation %s: %v", i, path, err)
	}
	if !bytes.Equal(child, d.PubKey) {
		return notOurs
	}
	script := pl.prev.PkScript
	program := p2wpkhProgram(child)
	switch {
	case txscript.IsPayToWitnessPubKeyHash(script):
		if !bytes.Equal(script, program) {
			return notOurs
		}
		if in.RedeemScript != nil || in.WitnessScript != nil {
			return fmt.Errorf("input %d: a p2wpkh input with a redeem or witness script: the PSBT is malformed; do not sign", i)
		}
		pl.typ = P2WPKH
	case txscript.IsPayToScriptHash(script):
		if in.RedeemScript == nil {
			return fmt.Errorf("input %d: a p2sh input of our key without its redeem script: have the wallet include it (p2sh-p2wpkh) and export again", i)
		}
		if !txscript.IsPayToWitnessPubKeyHash(in.RedeemScript) || in.WitnessScript != nil {
			return fmt.Errorf("input %d: unknown script type (p2sh wrapping %s) for an input of our key: coldtss signs p2wpkh, p2sh-p2wpkh and p2pkh only; do not sign", i, scriptClassName(in.RedeemScript))
		}
		if !bytes.Equal(in.RedeemScript, program) {
			return notOurs
		}
		pl.typ, pl.redeem = P2SHP2WPKH, in.RedeemScript
	case txscript.IsPayToPubKeyHash(script):
		want, _, err := ScriptFor(P2PKH, child, acct.Net)
		if err != nil || !bytes.Equal(script, want) {
			return notOurs
		}
		if in.NonWitnessUtxo == nil {
			return fmt.Errorf("input %d: a p2pkh input needs its full previous transaction (non_witness_utxo) so its amount can be trusted: have the wallet include it and export again", i)
		}
		if in.RedeemScript != nil || in.WitnessScript != nil {
			return fmt.Errorf("input %d: a p2pkh input with a redeem or witness script: the PSBT is malformed; do not sign", i)
		}
		pl.typ = P2PKH
	default:
		return fmt.Errorf("input %d: unknown script type (%s) for an input of our key: coldtss signs p2wpkh, p2sh-p2wpkh and p2pkh only; do not sign", i, scriptClassName(script))
	}
	pl.ours, pl.path, pl.pub = true, d.Bip32Path, child
	return nil
}

// signerChecks are BIP174's signer checks, applied to every input: UTXO
// kind, redeem script and witness script must match the script spent.
func signerChecks(p *psbt.Packet, i int, prev *wire.TxOut) error {
	in := &p.Inputs[i]
	script := prev.PkScript
	if in.RedeemScript != nil {
		want := append([]byte{txscript.OP_HASH160, 20}, btcutil.Hash160(in.RedeemScript)...)
		want = append(want, txscript.OP_EQUAL)
		if !bytes.Equal(script, want) {
			return fmt.Errorf("input %d: its redeem script does not match the script it spends: the PSBT is malformed or tampered with; do not sign", i)
		}
		script = in.RedeemScript
	}
	if in.WitnessScript != nil {
		h := sha256.Sum256(in.WitnessScript)
		want := append([]byte{txscript.OP_0, 32}, h[:]...)
		if !bytes.Equal(script, want) {
			return fmt.Errorf("input %d: its witness script does not match the script it spends: the PSBT is malformed or tampered with; do not sign", i)
		}
	}
	if in.WitnessUtxo != nil && !txscript.IsWitnessProgram(script) && !(txscript.IsPayToScriptHash(script) && in.RedeemScript == nil) {
		return fmt.Errorf("input %d: has a witness_utxo but spends a non-segwit script (%s): the PSBT is malformed; do not sign", i, scriptClassName(script))
	}
	return nil
}

// checkGlobalXPubs refuses PSBT_GLOBAL_XPUB entries with our fingerprint
// that belong to another network or to another key.
func checkGlobalXPubs(p *psbt.Packet, acct Account, net *chaincfg.Params) error {
	fp := acct.PSBTFingerprint()
	for _, x := range p.XPubs {
		if x.MasterKeyFingerprint != fp || len(x.ExtendedKey) < 4 {
			continue
		}
		if !bytes.Equal(x.ExtendedKey[:4], net.HDPublicKeyID[:]) {
			other := "another network"
			switch {
			case bytes.Equal(x.ExtendedKey[:4], chaincfg.MainNetParams.HDPublicKeyID[:]):
				other = "mainnet (xpub)"
			case bytes.Equal(x.ExtendedKey[:4], chaincfg.TestNet3Params.HDPublicKeyID[:]):
				other = "a test network (tpub)"
			}
			return fmt.Errorf("the PSBT's global xpub for our key is for %s but this station is set to %s: the PSBT was made for another network; do not sign", other, NetworkName(net))
		}
		k, err := psbt.DecodeExtendedKey(x.ExtendedKey)
		if err != nil || k.Depth() != 0 {
			continue // a derived xpub with our fingerprint as origin; nothing to compare
		}
		pub, err := k.ECPubKey()
		if err != nil || !bytes.Equal(pub.SerializeCompressed(), acct.PubKey) || !bytes.Equal(k.ChainCode(), acct.ChainCode) {
			return fmt.Errorf("the PSBT's global xpub has our fingerprint %s but is a different key: the PSBT was made for another wallet; do not sign", acct.fingerprintHex())
		}
	}
	return nil
}

// guessType names the single-key type of a script, for size estimates.
func guessType(script, redeem []byte) ScriptType {
	switch {
	case txscript.IsPayToWitnessPubKeyHash(script):
		return P2WPKH
	case txscript.IsPayToPubKeyHash(script):
		return P2PKH
	case txscript.IsPayToScriptHash(script) && redeem != nil && txscript.IsPayToWitnessPubKeyHash(redeem):
		return P2SHP2WPKH
	}
	return ""
}

// scriptClassName names a script's kind in the words wallets use.
func scriptClassName(script []byte) string {
	switch txscript.GetScriptClass(script) {
	case txscript.PubKeyHashTy:
		return "p2pkh"
	case txscript.ScriptHashTy:
		return "p2sh"
	case txscript.WitnessV0PubKeyHashTy:
		return "p2wpkh"
	case txscript.WitnessV0ScriptHashTy:
		return "p2wsh"
	case txscript.WitnessV1TaprootTy:
		return "taproot"
	case txscript.PubKeyTy:
		return "p2pk"
	case txscript.MultiSigTy:
		return "bare multisig"
	case txscript.NullDataTy:
		return "op_return"
	case txscript.WitnessUnknownTy:
		return "unknown witness version"
	}
	return "nonstandard"
}

// standardSigHash reports whether ht is one of the six ECDSA sighash types.
func standardSigHash(ht txscript.SigHashType) bool {
	switch ht &^ txscript.SigHashAnyOneCanPay {
	case txscript.SigHashAll, txscript.SigHashNone, txscript.SigHashSingle:
		return true
	}
	return false
}

// sigHashName writes a sighash type as wallets do: ALL, NONE|ANYONECANPAY...
func sigHashName(ht txscript.SigHashType) string {
	var s string
	switch ht &^ txscript.SigHashAnyOneCanPay {
	case txscript.SigHashAll:
		s = "ALL"
	case txscript.SigHashNone:
		s = "NONE"
	case txscript.SigHashSingle:
		s = "SINGLE"
	default:
		return fmt.Sprintf("0x%x", uint32(ht))
	}
	if ht&txscript.SigHashAnyOneCanPay != 0 {
		s += "|ANYONECANPAY"
	}
	return s
}
