package bitcoin

import (
	"bytes"
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/coldtss/coldtss/internal/bip32"
)

// reviewOutputs describes every output, recognising change by its BIP32
// derivation and refusing outputs that claim our key but pay elsewhere.
func reviewOutputs(p *psbt.Packet, acct Account, net *chaincfg.Params) ([]OutputReview, []string, error) {
	fp := acct.PSBTFingerprint()
	var warnings []string
	outs := make([]OutputReview, len(p.UnsignedTx.TxOut))
	for j, txOut := range p.UnsignedTx.TxOut {
		if txOut.Value < 0 || txOut.Value > btcutil.MaxSatoshi {
			return nil, nil, fmt.Errorf("output %d: amount %d sat is impossible: the PSBT is corrupt; do not sign", j, txOut.Value)
		}
		o := OutputReview{Index: j, Amount: txOut.Value, Type: scriptClassName(txOut.PkScript), Address: scriptAddress(txOut.PkScript, net)}
		po := p.Outputs[j]
		for _, d := range po.TaprootBip32Derivation {
			if d.MasterKeyFingerprint == fp {
				return nil, nil, fmt.Errorf("output %d: claims a taproot key of ours, which coldtss does not make: the PSBT was not made for this key; do not sign", j)
			}
		}
		var mine []*psbt.Bip32Derivation
		for _, d := range po.Bip32Derivation {
			if d.MasterKeyFingerprint == fp {
				mine = append(mine, d)
			}
		}
		switch {
		case len(mine) > 1:
			return nil, nil, fmt.Errorf("output %d: carries %d derivations of our key, which a single-key output never has: do not sign", j, len(mine))
		case len(mine) == 1:
			t, err := checkChange(acct, mine[0], txOut.PkScript)
			if err != nil {
				return nil, nil, fmt.Errorf("output %d: %v", j, err)
			}
			o.Change, o.Path, o.Type = true, bip32.FormatPath(mine[0].Bip32Path), string(t)
			switch {
			case len(mine[0].Bip32Path) != 2:
				warnings = append(warnings, fmt.Sprintf("output %d: change path %s is not of the usual form m/1/N", j, o.Path))
			case mine[0].Bip32Path[0] == 0:
				warnings = append(warnings, fmt.Sprintf("output %d: change goes to a receive address (%s, branch 0) rather than the change branch m/1/N", j, o.Path))
			}
		default:
			if txscript.IsNullData(txOut.PkScript) {
				warnings = append(warnings, fmt.Sprintf("output %d carries OP_RETURN data (%d sat)", j, txOut.Value))
			} else if txOut.Value < dustThreshold(txOut.PkScript) {
				warnings = append(warnings, fmt.Sprintf("output %d: %d sat is dust; nodes will not relay the transaction", j, txOut.Value))
			}
			if o.Address == "" {
				warnings = append(warnings, fmt.Sprintf("output %d pays to a %s script with no address", j, o.Type))
			}
		}
		outs[j] = o
	}
	return outs, warnings, nil
}

// checkChange accepts an output derivation of our key only when the script
// is exactly one of our scripts for the derived key.
func checkChange(acct Account, d *psbt.Bip32Derivation, script []byte) (ScriptType, error) {
	if err := bip32.CheckNonHardened(d.Bip32Path); err != nil {
		return "", fmt.Errorf("its %v: the PSBT was not made for this key; do not sign", err)
	}
	path := bip32.FormatPath(d.Bip32Path)
	child, err := acct.ChildKey(d.Bip32Path)
	if err != nil {
		return "", fmt.Errorf("derivation %s: %v", path, err)
	}
	if !bytes.Equal(child, d.PubKey) {
		return "", fmt.Errorf("its derivation %s does not give the key it names: it would pass an outside address off as change; do not sign", path)
	}
	for _, t := range ScriptTypes {
		want, _, err := ScriptFor(t, child, acct.Net)
		if err == nil && bytes.Equal(want, script) {
			return t, nil
		}
	}
	return "", fmt.Errorf("claims to be our change at %s but its script is not ours for that key: it would pass an outside address off as change; do not sign", path)
}

// scriptAddress is the address a script pays to on net, or "".
func scriptAddress(script []byte, net *chaincfg.Params) string {
	_, addrs, _, err := txscript.ExtractPkScriptAddrs(script, net)
	if err != nil || len(addrs) != 1 {
		return ""
	}
	if _, ok := addrs[0].(*btcutil.AddressPubKey); ok {
		return "" // bare p2pk: no address form
	}
	return addrs[0].String()
}

// dustThreshold is Bitcoin Core's dust limit at its default dust relay fee
// of 3 sat/vB: the cost of the output plus the input that would spend it
// (546 sat for p2pkh, 294 for p2wpkh).
func dustThreshold(script []byte) int64 {
	size := int64(8 + wire.VarIntSerializeSize(uint64(len(script))) + len(script))
	if txscript.IsWitnessProgram(script) {
		size += 32 + 4 + 1 + 107/4 + 4
	} else {
		size += 32 + 4 + 1 + 107 + 4
	}
	return size * 3
}
