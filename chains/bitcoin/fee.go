package bitcoin

import (
	"bytes"

	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/wire"
)

// DefaultMaxFeeRate is the fee-rate cap (sat/vB) when Policy.MaxFeeRate is 0.
const DefaultMaxFeeRate = 1000

// Sizes of the dummy signature (DER of a low-S signature with 32-byte r
// and s, plus the sighash byte; the worst case) and of a compressed key.
const (
	dummySigLen = 72
	pubKeyLen   = 33
)

// estimateVSize returns the virtual size of the transaction once signed,
// filling each input with a dummy signature of its type or with its final
// scripts. exact is false when some input's type is unknown (its signature
// data is then left out, so the size is a lower bound).
func estimateVSize(p *psbt.Packet, plans []inputPlan) (vsize int64, exact bool) {
	tx := p.UnsignedTx.Copy()
	exact = true
	sig := make([]byte, dummySigLen)
	pub := make([]byte, pubKeyLen)
	for i, in := range tx.TxIn {
		pin := p.Inputs[i]
		if pin.FinalScriptSig != nil || pin.FinalScriptWitness != nil {
			in.SignatureScript = pin.FinalScriptSig
			if w, err := parseWitness(pin.FinalScriptWitness); err == nil {
				in.Witness = w
			}
			continue
		}
		switch plans[i].typ {
		case P2WPKH:
			in.Witness = wire.TxWitness{sig, pub}
		case P2SHP2WPKH:
			in.SignatureScript = make([]byte, 1+22) // push of the 22-byte witness program
			in.Witness = wire.TxWitness{sig, pub}
		case P2PKH:
			in.SignatureScript = make([]byte, 1+dummySigLen+1+pubKeyLen)
		default:
			exact = false
		}
	}
	weight := int64(tx.SerializeSizeStripped()*3 + tx.SerializeSize())
	return (weight + 3) / 4, exact
}

// parseWitness decodes a PSBT final script witness (count, then items).
func parseWitness(b []byte) (wire.TxWitness, error) {
	if b == nil {
		return nil, nil
	}
	r := bytes.NewReader(b)
	n, err := wire.ReadVarInt(r, 0)
	if err != nil {
		return nil, err
	}
	w := make(wire.TxWitness, 0, n)
	for j := uint64(0); j < n; j++ {
		item, err := wire.ReadVarBytes(r, 0, wire.MaxMessagePayload, "witness item")
		if err != nil {
			return nil, err
		}
		w = append(w, item)
	}
	return w, nil
}
