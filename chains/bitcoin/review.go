package bitcoin

import (
	"bytes"
	"fmt"

	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/coldtss/coldtss/internal/bip32"
)

// Policy is a station's local rules for what it agrees to sign.
type Policy struct {
	MaxFeeRate   float64          // sat/vB; 0 means DefaultMaxFeeRate
	MaxFee       int64            // sat; 0 means no absolute cap
	AllowSighash bool             // allow sighash types other than ALL
	Net          *chaincfg.Params // required: the network the stations believe they are on
}

// SignItem is one digest to sign: the input, the key's path and public
// key, the sighash and its type.
type SignItem struct {
	Input   int
	Path    string // "m/0/5"
	PubKey  []byte // 33-byte child key
	Digest  []byte // 32-byte sighash
	SigHash txscript.SigHashType
}

// InputReview describes one input for the custodians.
type InputReview struct {
	Index    int
	Outpoint string
	Amount   int64
	Type     ScriptType
	Address  string
	Path     string
	Ours     bool
}

// OutputReview describes one output for the custodians.
type OutputReview struct {
	Index   int
	Address string
	Amount  int64
	Type    string
	Change  bool
	Path    string
}

// Review is what a station shows and checks before signing a PSBT.
type Review struct {
	Network                string
	TxID                   string // of the unsigned tx
	Inputs                 []InputReview
	Outputs                []OutputReview
	InTotal, OutTotal, Fee int64
	VSize                  int64      // estimated virtual size once signed
	FeeRate                float64    // sat/vB
	Warnings               []string   // safe to print: text from the PSBT is escaped (internal/untrusted)
	Items                  []SignItem // what to sign, one per input of ours, in input order
}

// ReviewPSBT checks a PSBT against our key and the policy and says what it
// does and what to sign. acct.Type is ignored: each input's type comes from
// its script.
func ReviewPSBT(raw []byte, acct Account, pol Policy) (*Review, error) {
	net := pol.Net
	if net == nil {
		return nil, fmt.Errorf("policy has no network: set the network the stations are on (mainnet, testnet, signet or regtest)")
	}
	if acct.Net != nil && NetworkName(acct.Net) != NetworkName(net) {
		return nil, fmt.Errorf("the key is set up for %s but the policy says %s: use the same network for both", NetworkName(acct.Net), NetworkName(net))
	}
	acct, err := NewAccount(acct.PubKey, acct.ChainCode, net, acct.Type)
	if err != nil {
		return nil, err
	}
	maxRate := pol.MaxFeeRate
	if maxRate == 0 {
		maxRate = DefaultMaxFeeRate
	}
	if maxRate < 0 || pol.MaxFee < 0 {
		return nil, fmt.Errorf("policy fee caps must not be negative (max fee rate %v sat/vB, max fee %d sat): fix the policy", pol.MaxFeeRate, pol.MaxFee)
	}

	_, maps, p, err := decodePSBT(raw)
	if err != nil {
		return nil, err
	}
	plan, err := planInputs(p, acct, net, pol.AllowSighash)
	if err != nil {
		return nil, err
	}
	r := &Review{
		Network:  NetworkName(net),
		TxID:     p.UnsignedTx.TxHash().String(),
		Warnings: plan.warnings,
	}
	for _, m := range append(append([]psbtMap{maps.global}, maps.inputs...), maps.outputs...) {
		if w := m.unreadFields(); w != "" {
			r.Warnings = append(r.Warnings, w)
		}
	}
	ours := 0
	for i, pl := range plan.inputs {
		ir := InputReview{
			Index:    i,
			Outpoint: p.UnsignedTx.TxIn[i].PreviousOutPoint.String(),
			Amount:   pl.prev.Value,
			Type:     pl.typ,
			Address:  scriptAddress(pl.prev.PkScript, net),
			Ours:     pl.ours,
		}
		if ir.Type == "" {
			ir.Type = ScriptType(scriptClassName(pl.prev.PkScript))
		}
		if pl.ours {
			ours++
			ir.Path = bip32.FormatPath(pl.path)
		}
		r.InTotal += pl.prev.Value
		r.Inputs = append(r.Inputs, ir)
	}
	if ours == 0 {
		return nil, fmt.Errorf("none of the %d inputs belongs to this key (fingerprint %s): the PSBT was made for another wallet or lacks BIP32 derivations; do not sign", len(plan.inputs), acct.fingerprintHex())
	}

	outs, warns, err := reviewOutputs(p, acct, net)
	if err != nil {
		return nil, err
	}
	r.Outputs = outs
	r.Warnings = append(r.Warnings, warns...)
	for _, o := range outs {
		r.OutTotal += o.Amount
	}
	if r.OutTotal > r.InTotal {
		return nil, fmt.Errorf("the outputs (%s) are worth more than the inputs (%s): the transaction is invalid; make the PSBT again", btcAndSats(r.OutTotal), btcAndSats(r.InTotal))
	}
	r.Fee = r.InTotal - r.OutTotal

	vsize, exact := estimateVSize(p, plan.inputs)
	r.VSize = vsize
	r.FeeRate = float64(r.Fee) / float64(vsize)
	if !exact {
		r.Warnings = append(r.Warnings, "some inputs are of a type coldtss cannot size: the size is a lower bound and the fee rate an upper bound")
	}
	if r.FeeRate > maxRate {
		return nil, fmt.Errorf("fee %s is %.1f sat/vB for about %d vB, above the cap of %g sat/vB: if this fee is really intended, raise the maximum fee rate (coldtss: --max-fee-rate) and review again", btcAndSats(r.Fee), r.FeeRate, vsize, maxRate)
	}
	if pol.MaxFee > 0 && r.Fee > pol.MaxFee {
		return nil, fmt.Errorf("fee %s (%.1f sat/vB) is above the cap of %s: if this fee is really intended, raise the maximum fee (coldtss: --max-fee, in BTC) and review again", btcAndSats(r.Fee), r.FeeRate, btcAndSats(pol.MaxFee))
	}
	if r.FeeRate < 1 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("fee rate %.2f sat/vB is below 1 sat/vB: nodes may not relay the transaction", r.FeeRate))
	}

	items, err := signItems(p, plan)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("every input of ours is already finalised: there is nothing to sign")
	}
	r.Items = items
	return r, nil
}

// signItems computes the digest of every input of ours not yet final.
func signItems(p *psbt.Packet, plan *inputsPlan) ([]SignItem, error) {
	var items []SignItem
	for i, pl := range plan.inputs {
		if !pl.ours || pl.final {
			continue
		}
		d, err := inputSigHash(p.UnsignedTx, plan.fetcher, i, pl.typ, pl.prev.PkScript, pl.redeem, pl.hashType)
		if err != nil {
			return nil, err
		}
		items = append(items, SignItem{Input: i, Path: bip32.FormatPath(pl.path), PubKey: pl.pub, Digest: d, SigHash: pl.hashType})
	}
	return items, nil
}

// equalItem reports whether two sign items ask for the same signature.
func equalItem(a, b SignItem) bool {
	return a.Input == b.Input && a.Path == b.Path && a.SigHash == b.SigHash &&
		bytes.Equal(a.PubKey, b.PubKey) && bytes.Equal(a.Digest, b.Digest)
}
