package bitcoin

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

var psbtMagic = []byte("psbt\xff")

// ParsePSBT reads a PSBT given as binary or as base64 text (surrounding
// whitespace ignored), applying every check PSBTBytes applies.
func ParsePSBT(raw []byte) (*psbt.Packet, error) {
	_, _, p, err := decodePSBT(raw)
	return p, err
}

// PSBTBytes reads a PSBT given as binary or as base64 text (whitespace
// ignored), applies every check ParsePSBT and ReviewPSBT apply to its form
// (BIP174 framing, no key twice in a map, version 0 only, no version-2
// fields, every field well formed) and returns the binary PSBT exactly as
// the wallet wrote it: base64-decoded if it was text, never re-serialised,
// so field order and unknown fields are as exported. ReviewPSBT and
// Finalize accept these bytes.
func PSBTBytes(raw []byte) ([]byte, error) {
	data, _, _, err := decodePSBT(raw)
	if err != nil {
		return nil, err
	}
	return bytes.Clone(data), nil
}

// decodePSBT turns raw (binary or base64) into the binary PSBT, its checked
// maps and btcd's packet.
func decodePSBT(raw []byte) (data []byte, maps *rawPSBT, p *psbt.Packet, err error) {
	data = raw
	if !bytes.HasPrefix(data, psbtMagic) && isText(raw) {
		text := strings.Join(strings.Fields(string(raw)), "")
		if text == "" {
			return nil, nil, nil, fmt.Errorf("the PSBT is empty: export it again from the wallet")
		}
		dec, err := base64.StdEncoding.DecodeString(text)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("the PSBT is neither binary nor valid base64 (bad character or length near byte %d): export it again from the wallet", base64Offset(err))
		}
		data = dec
	}
	if !bytes.HasPrefix(data, psbtMagic) {
		if len(data) >= 4 && (data[0] == 1 || data[0] == 2) && data[1] == 0 && data[2] == 0 && data[3] == 0 {
			return nil, nil, nil, fmt.Errorf("this is a raw transaction, not a PSBT (it does not start with the psbt magic bytes): export the unsigned transaction as a PSBT")
		}
		return nil, nil, nil, fmt.Errorf("not a PSBT: it does not start with the magic bytes \"psbt\\xff\"; export it again as a PSBT")
	}
	maps, err = checkPSBTMaps(data)
	if err != nil {
		return nil, nil, nil, err
	}
	p, err = btcdParse(data)
	if err != nil {
		return nil, nil, nil, err
	}
	return data, maps, p, nil
}

// btcdParse runs btcd's parser on a PSBT checkPSBTMaps accepted. It should
// not fail; if it does (or panics), the PSBT is refused all the same.
func btcdParse(data []byte) (p *psbt.Packet, err error) {
	defer func() {
		if v := recover(); v != nil {
			p, err = nil, fmt.Errorf("malformed PSBT (the PSBT library failed on it: %v): export it again from the wallet, and report this PSBT", v)
		}
	}()
	r := bytes.NewReader(data)
	p, err = psbt.NewFromRawBytes(r, false)
	if err != nil {
		return nil, fmt.Errorf("malformed PSBT (%s): export it again from the wallet", psbtErrText(err))
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("malformed PSBT (%d unexpected bytes after its end): export it again from the wallet", r.Len())
	}
	return p, nil
}

// isText reports whether b looks like text (base64 with whitespace) rather
// than binary.
func isText(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 || c > 0x7e) && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
	}
	return true
}

// base64Offset extracts the offset from a base64 error, or -1.
func base64Offset(err error) int64 {
	var ce base64.CorruptInputError
	if errors.As(err, &ce) {
		return int64(ce)
	}
	return -1
}

// psbtErrText turns a psbt library error into words for a custodian.
func psbtErrText(err error) string {
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "it is truncated"
	case errors.Is(err, psbt.ErrDuplicateKey):
		return "a key appears twice"
	case errors.Is(err, psbt.ErrInvalidRawTxSigned):
		return "its unsigned transaction already has scriptSigs or witnesses"
	case errors.Is(err, psbt.ErrInvalidKeyData):
		return "a field has invalid key data"
	case errors.Is(err, psbt.ErrInvalidPsbtFormat):
		return "a field is invalid or out of place"
	}
	return "cannot be decoded: " + strings.ToLower(err.Error())
}

// serializePSBT returns the binary form of p.
func serializePSBT(p *psbt.Packet) ([]byte, error) {
	var b bytes.Buffer
	if err := p.Serialize(&b); err != nil {
		return nil, fmt.Errorf("cannot serialise the PSBT (%s): report this as a bug", psbtErrText(err))
	}
	return b.Bytes(), nil
}

// prevOutput returns the output input i spends, checking that the UTXO
// fields agree with each other and with the outpoint.
func prevOutput(p *psbt.Packet, i int) (*wire.TxOut, error) {
	in := p.Inputs[i]
	op := p.UnsignedTx.TxIn[i].PreviousOutPoint
	var fromTx *wire.TxOut
	if in.NonWitnessUtxo != nil {
		if h := in.NonWitnessUtxo.TxHash(); h != op.Hash {
			return nil, fmt.Errorf("input %d: its previous transaction (non_witness_utxo) has txid %s but the input spends %s: the PSBT is inconsistent; do not sign, make it again", i, h, op.Hash)
		}
		if int(op.Index) >= len(in.NonWitnessUtxo.TxOut) {
			return nil, fmt.Errorf("input %d: spends output %d but its previous transaction has only %d outputs: the PSBT is inconsistent; do not sign, make it again", i, op.Index, len(in.NonWitnessUtxo.TxOut))
		}
		fromTx = in.NonWitnessUtxo.TxOut[op.Index]
	}
	switch {
	case fromTx != nil && in.WitnessUtxo != nil:
		if fromTx.Value != in.WitnessUtxo.Value || !bytes.Equal(fromTx.PkScript, in.WitnessUtxo.PkScript) {
			return nil, fmt.Errorf("input %d: witness_utxo (%d sat) and non_witness_utxo (%d sat) disagree about the coin spent: the PSBT is inconsistent or tampered with; do not sign", i, in.WitnessUtxo.Value, fromTx.Value)
		}
		return fromTx, nil
	case fromTx != nil:
		return fromTx, nil
	case in.WitnessUtxo != nil:
		return in.WitnessUtxo, nil
	}
	return nil, fmt.Errorf("input %d: the PSBT has no UTXO data (witness_utxo or non_witness_utxo), so its amount cannot be checked: have the wallet include UTXO data and export again", i)
}

// prevOutFetcher holds the outputs every input spends, for BIP143 sighashes
// and the script engine.
func prevOutFetcher(tx *wire.MsgTx, prevs []*wire.TxOut) *txscript.MultiPrevOutFetcher {
	m := make(map[wire.OutPoint]*wire.TxOut, len(prevs))
	for i, in := range tx.TxIn {
		m[in.PreviousOutPoint] = prevs[i]
	}
	return txscript.NewMultiPrevOutFetcher(m)
}

// inputSigHash is the digest input idx signs: BIP143 for P2WPKH and
// P2SH-P2WPKH (whose witness program is redeem), legacy for P2PKH.
func inputSigHash(tx *wire.MsgTx, fetcher txscript.PrevOutputFetcher, idx int, t ScriptType, pkScript, redeem []byte, ht txscript.SigHashType) ([]byte, error) {
	var (
		h   []byte
		err error
	)
	switch t {
	case P2WPKH, P2SHP2WPKH:
		program := pkScript
		if t == P2SHP2WPKH {
			program = redeem
		}
		prev := fetcher.FetchPrevOutput(tx.TxIn[idx].PreviousOutPoint)
		if prev == nil {
			return nil, fmt.Errorf("input %d: its previous output is unknown: have the wallet include UTXO data", idx)
		}
		h, err = txscript.CalcWitnessSigHash(program, txscript.NewTxSigHashes(tx, fetcher), ht, tx, idx, prev.Value)
	case P2PKH:
		h, err = txscript.CalcSignatureHash(pkScript, ht, tx, idx)
	default:
		return nil, fmt.Errorf("input %d: unknown script type %q: coldtss signs p2wpkh, p2sh-p2wpkh and p2pkh only", idx, t)
	}
	if err != nil {
		return nil, fmt.Errorf("input %d: cannot compute the signature hash (%s): do not sign; report this PSBT", idx, strings.ToLower(err.Error()))
	}
	return h, nil
}
