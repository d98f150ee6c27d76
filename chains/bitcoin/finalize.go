package bitcoin

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
)

// Finalize puts the ceremony's signatures (64-byte r||s, one per item) into
// the PSBT, finalises our inputs and returns the signed PSBT (binary) and,
// when every input is final, the raw transaction, checked by the script
// engine. Each item must be one the review of this PSBT lists.
func Finalize(raw []byte, acct Account, items []SignItem, sigs [][]byte) (signedPSBT []byte, finalTx []byte, err error) {
	if len(items) == 0 {
		return nil, nil, fmt.Errorf("no signatures to add: run the signing ceremony for the items the review lists")
	}
	if len(sigs) != len(items) {
		return nil, nil, fmt.Errorf("got %d signatures for %d inputs to sign: give exactly one signature per item, in the same order", len(sigs), len(items))
	}
	if acct.Net == nil {
		return nil, nil, fmt.Errorf("the key has no network: make the account with NewAccount")
	}
	acct, err = NewAccount(acct.PubKey, acct.ChainCode, acct.Net, acct.Type)
	if err != nil {
		return nil, nil, err
	}
	p, err := ParsePSBT(raw)
	if err != nil {
		return nil, nil, err
	}
	// Re-check the inputs: the items must be exactly what this PSBT asks for.
	plan, err := planInputs(p, acct, acct.Net, true)
	if err != nil {
		return nil, nil, err
	}
	expected, err := signItems(p, plan)
	if err != nil {
		return nil, nil, err
	}
	want := make(map[int]SignItem, len(expected))
	for _, it := range expected {
		want[it.Input] = it
	}
	done := make(map[int]bool, len(items))
	for k, it := range items {
		i := it.Input
		exp, ok := want[i]
		switch {
		case i < 0 || i >= len(p.Inputs):
			return nil, nil, fmt.Errorf("signature %d is for input %d, but the PSBT has %d inputs: review this PSBT again and sign what its review lists", k+1, i, len(p.Inputs))
		case done[i]:
			return nil, nil, fmt.Errorf("input %d: given two signatures: give one per input", i)
		case !ok:
			return nil, nil, fmt.Errorf("input %d: is not an input of ours waiting for a signature in this PSBT: review this PSBT again and sign what its review lists", i)
		case !equalItem(it, exp):
			return nil, nil, fmt.Errorf("input %d: the signing request (%s) does not match this PSBT: review this PSBT again and sign what its review lists", i, it.Path)
		}
		done[i] = true
		der, err := checkSignature(it, sigs[k])
		if err != nil {
			return nil, nil, err
		}
		if err := addSignature(p, plan, i, it.PubKey, der); err != nil {
			return nil, nil, err
		}
		if _, err := psbt.MaybeFinalize(p, i); err != nil {
			return nil, nil, fmt.Errorf("input %d: cannot be finalised (%s): do not broadcast; report this PSBT", i, psbtErrText(err))
		}
	}
	signedPSBT, err = serializePSBT(p)
	if err != nil {
		return nil, nil, err
	}
	if !p.IsComplete() {
		return signedPSBT, nil, nil
	}
	tx, err := psbt.Extract(p)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot extract the signed transaction (%s): report this PSBT", psbtErrText(err))
	}
	hashes := txscript.NewTxSigHashes(tx, plan.fetcher)
	for i := range tx.TxIn {
		prev := plan.prevs[i]
		vm, err := txscript.NewEngine(prev.PkScript, tx, i, txscript.StandardVerifyFlags, nil, hashes, prev.Value, plan.fetcher)
		if err == nil {
			err = vm.Execute()
		}
		if err != nil {
			return nil, nil, fmt.Errorf("input %d: the signed transaction fails script verification (%s): do not broadcast it; report this PSBT", i, strings.ToLower(err.Error()))
		}
	}
	var b bytes.Buffer
	if err := tx.Serialize(&b); err != nil {
		return nil, nil, fmt.Errorf("cannot serialise the signed transaction: report this as a bug")
	}
	return signedPSBT, b.Bytes(), nil
}

// checkSignature verifies a 64-byte r||s signature against the item and
// returns it DER-encoded (low-S) with the sighash byte appended.
func checkSignature(it SignItem, sig []byte) ([]byte, error) {
	if len(sig) != 64 {
		return nil, fmt.Errorf("input %d: signature must be 64 bytes (r||s), got %d: check the ceremony output", it.Input, len(sig))
	}
	var r, s btcec.ModNScalar
	if r.SetByteSlice(sig[:32]) || s.SetByteSlice(sig[32:]) || r.IsZero() || s.IsZero() {
		return nil, fmt.Errorf("input %d: signature r or s is out of range: check the ceremony output", it.Input)
	}
	pub, err := btcec.ParsePubKey(it.PubKey)
	if err != nil {
		return nil, fmt.Errorf("input %d: key %x at %s is not a valid public key: review the PSBT again", it.Input, it.PubKey, it.Path)
	}
	es := ecdsa.NewSignature(&r, &s)
	if !es.Verify(it.Digest, pub) {
		return nil, fmt.Errorf("input %d: the signature does not verify against key %x at %s: do not use it; run the signing ceremony again", it.Input, it.PubKey, it.Path)
	}
	return append(es.Serialize(), byte(it.SigHash)), nil
}

// addSignature records our partial signature on input i, replacing any
// earlier one by the same key, and makes sure a segwit input carries its
// witness_utxo (which psbt's finaliser needs).
func addSignature(p *psbt.Packet, plan *inputsPlan, i int, pub, der []byte) error {
	in := &p.Inputs[i]
	pl := plan.inputs[i]
	if pl.typ != P2PKH && in.WitnessUtxo == nil {
		prev := *plan.prevs[i]
		in.WitnessUtxo = &prev
	}
	kept := in.PartialSigs[:0]
	for _, ps := range in.PartialSigs {
		if !bytes.Equal(ps.PubKey, pub) {
			kept = append(kept, ps)
		}
	}
	in.PartialSigs = append(kept, &psbt.PartialSig{PubKey: pub, Signature: der})
	if err := p.SanityCheck(); err != nil {
		return fmt.Errorf("input %d: the PSBT is not valid after adding the signature (%s): report this PSBT", i, psbtErrText(err))
	}
	return nil
}
