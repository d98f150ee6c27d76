package bitcoin

import (
	"bytes"
	"fmt"
	"math"
	"sort"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// DustLimit is the smallest output BuildPSBT makes, in satoshis: below it
// nodes refuse to relay a P2PKH output, and change that small goes to fee.
const DustLimit = 546

// MaxBuildFeeRate is the highest fee rate BuildPSBT accepts, in sat/vB
// (Bitcoin Core's default -maxfeerate, 0.1 BTC/kvB).
const MaxBuildFeeRate = 10000

// UTXO is a coin of the account, as the online machine found it on a node.
type UTXO struct {
	OutPoint      wire.OutPoint
	Value         int64 // satoshis
	PkScript      []byte
	Branch, Index uint32      // derivation of the address it pays: m/Branch/Index
	Type          ScriptType  // "" means the account's type
	PrevTx        *wire.MsgTx // the whole previous transaction; needed for P2PKH
}

// Payment is one destination of a transaction.
type Payment struct {
	Address btcutil.Address
	Amount  int64 // satoshis
}

// Estimated sizes of a signed input, in virtual bytes (outpoint 36,
// sequence 4, scriptSig with its length, witness / 4) with a 72-byte
// signature, the longest a low-S DER signature with sighash byte can be.
var inputVSize = map[ScriptType]struct{ base, witness int }{
	P2WPKH:     {36 + 4 + 1, 1 + 1 + 72 + 1 + 33},
	P2SHP2WPKH: {36 + 4 + 1 + 23, 1 + 1 + 72 + 1 + 33},
	P2PKH:      {36 + 4 + 1 + 1 + 72 + 1 + 33, 0},
}

// BuildPSBT makes an unsigned PSBT that pays pays from utxos at feeRate
// sat/vB. It selects the largest coins first (or spends every coin when
// spendAll), sends the rest to the change address m/1/changeIndex unless
// that would be dust, and fills in what signers and the stations' review
// need: UTXO data, redeem scripts, BIP32 derivations on inputs and change,
// and the account xpub as PSBT_GLOBAL_XPUB. Inputs signal replace-by-fee.
func BuildPSBT(acct Account, utxos []UTXO, pays []Payment, changeIndex uint32, feeRate float64, spendAll bool) (*psbt.Packet, error) {
	if acct.Net == nil {
		return nil, fmt.Errorf("account has no network: make it with NewAccount or ParseDescriptor")
	}
	if math.IsNaN(feeRate) || feeRate <= 0 {
		return nil, fmt.Errorf("fee rate %v sat/vB is not positive: give a fee rate such as 2 or 10.5 sat/vB", feeRate)
	}
	if feeRate > MaxBuildFeeRate {
		return nil, fmt.Errorf("fee rate %v sat/vB is absurd (more than %d sat/vB): check the unit, it is satoshis per virtual byte", feeRate, MaxBuildFeeRate)
	}
	if len(pays) == 0 {
		return nil, fmt.Errorf("no payments: give at least one destination and amount")
	}
	var outs []*wire.TxOut
	var payTotal int64
	for i, p := range pays {
		if p.Address == nil {
			return nil, fmt.Errorf("payment %d: no address given", i+1)
		}
		if !p.Address.IsForNet(acct.Net) {
			return nil, fmt.Errorf("payment %d: address %s is not a %s address: check the address and --network", i+1, p.Address, NetworkName(acct.Net))
		}
		if p.Amount < DustLimit {
			return nil, fmt.Errorf("payment %d: %d sat to %s is below the dust limit (%d sat): send at least %d sat", i+1, p.Amount, p.Address, DustLimit, DustLimit)
		}
		if p.Amount > btcutil.MaxSatoshi || payTotal+p.Amount > btcutil.MaxSatoshi {
			return nil, fmt.Errorf("payment %d: amount %d sat exceeds the 21 million BTC supply: check the amount", i+1, p.Amount)
		}
		script, err := txscript.PayToAddrScript(p.Address)
		if err != nil {
			return nil, fmt.Errorf("payment %d: cannot pay to %s: use a p2pkh, p2sh, segwit or taproot address", i+1, p.Address)
		}
		outs = append(outs, wire.NewTxOut(p.Amount, script))
		payTotal += p.Amount
	}

	coins, err := checkUTXOs(acct, utxos)
	if err != nil {
		return nil, err
	}
	changePub, err := acct.ChildKey([]uint32{1, changeIndex})
	if err != nil {
		return nil, fmt.Errorf("change address m/1/%d: %v", changeIndex, err)
	}
	changeScript, _, err := ScriptFor(acct.Type, changePub, acct.Net)
	if err != nil {
		return nil, fmt.Errorf("change address m/1/%d: %v", changeIndex, err)
	}

	// Select coins: all of them, or largest first until payments and fee
	// (without change) are covered.
	if !spendAll {
		sort.SliceStable(coins, func(i, j int) bool { return coins[i].Value > coins[j].Value })
	}
	var sel []UTXO
	var have int64
	for _, c := range coins {
		if !spendAll && len(sel) > 0 && have >= payTotal+fee(feeRate, sel, outs) {
			break
		}
		sel = append(sel, c)
		have += c.Value
	}
	var haveAll int64
	for _, c := range coins {
		haveAll += c.Value
	}
	noChangeFee := fee(feeRate, sel, outs)
	if len(sel) == 0 || have < payTotal+noChangeFee {
		if len(sel) == 0 {
			noChangeFee = fee(feeRate, []UTXO{{Type: acct.Type}}, outs)
		}
		return nil, fmt.Errorf("insufficient funds: have %s BTC in %d coin(s), need %s BTC (payments %s BTC + fee %s BTC at %v sat/vB): receive more coins or lower the amounts or the fee rate",
			btc(haveAll), len(coins), btc(payTotal+noChangeFee), btc(payTotal), btc(noChangeFee), feeRate)
	}
	changeOut := wire.NewTxOut(0, changeScript)
	withChange := append(append([]*wire.TxOut(nil), outs...), changeOut)
	hasChange := false
	if c := have - payTotal - fee(feeRate, sel, withChange); c >= DustLimit {
		changeOut.Value = c
		outs, hasChange = withChange, true
	}

	ops := make([]*wire.OutPoint, len(sel))
	seqs := make([]uint32, len(sel))
	for i := range sel {
		ops[i] = &sel[i].OutPoint
		seqs[i] = wire.MaxTxInSequenceNum - 2 // BIP125 replaceable: the fee can be bumped
	}
	p, err := psbt.New(ops, outs, 2, 0, seqs)
	if err != nil {
		return nil, fmt.Errorf("cannot create the PSBT (%s): report this as a bug", psbtErrText(err))
	}
	fp := acct.PSBTFingerprint()
	for i, c := range sel {
		pub, _ := acct.ChildKey([]uint32{c.Branch, c.Index}) // checked by checkUTXOs
		in := &p.Inputs[i]
		if c.Type != P2PKH {
			in.WitnessUtxo = wire.NewTxOut(c.Value, c.PkScript)
		}
		if c.PrevTx != nil {
			in.NonWitnessUtxo = c.PrevTx
		}
		if c.Type == P2SHP2WPKH {
			in.RedeemScript = p2wpkhProgram(pub)
		}
		in.Bip32Derivation = []*psbt.Bip32Derivation{{PubKey: pub, MasterKeyFingerprint: fp, Bip32Path: []uint32{c.Branch, c.Index}}}
	}
	if hasChange {
		out := &p.Outputs[len(outs)-1]
		if acct.Type == P2SHP2WPKH {
			out.RedeemScript = p2wpkhProgram(changePub)
		}
		out.Bip32Derivation = []*psbt.Bip32Derivation{{PubKey: changePub, MasterKeyFingerprint: fp, Bip32Path: []uint32{1, changeIndex}}}
	}
	xpub, err := ExtendedKey(acct.PubKey, acct.ChainCode, acct.Net)
	if err != nil {
		return nil, fmt.Errorf("master key: %v; check the key file", err)
	}
	p.XPubs = []psbt.XPub{{ExtendedKey: psbt.EncodeExtendedKey(xpub), MasterKeyFingerprint: fp}}
	if err := p.SanityCheck(); err != nil {
		return nil, fmt.Errorf("the PSBT built is invalid (%s): report this as a bug", psbtErrText(err))
	}
	return p, nil
}

// checkUTXOs checks that every coin is the account's (its script is the one
// at its derivation), unique, and agrees with its previous transaction.
// It returns copies with Type filled in.
func checkUTXOs(acct Account, utxos []UTXO) ([]UTXO, error) {
	seen := map[wire.OutPoint]bool{}
	out := make([]UTXO, 0, len(utxos))
	for i, u := range utxos {
		name := fmt.Sprintf("coin %d (%s)", i+1, u.OutPoint)
		if seen[u.OutPoint] {
			return nil, fmt.Errorf("%s is listed twice: give each coin once", name)
		}
		seen[u.OutPoint] = true
		if u.Type == "" {
			u.Type = acct.Type
		}
		if u.Value <= 0 || u.Value > btcutil.MaxSatoshi {
			return nil, fmt.Errorf("%s: value %d sat is impossible: rescan the coins from the node", name, u.Value)
		}
		pub, err := acct.ChildKey([]uint32{u.Branch, u.Index})
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		want, _, err := ScriptFor(u.Type, pub, acct.Net)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		if !bytes.Equal(want, u.PkScript) {
			return nil, fmt.Errorf("%s: its script is not the %s script of m/%d/%d of this account: rescan the coins with the right descriptor", name, u.Type, u.Branch, u.Index)
		}
		if u.PrevTx != nil {
			if h := u.PrevTx.TxHash(); h != u.OutPoint.Hash {
				return nil, fmt.Errorf("%s: the previous transaction given has txid %s: fetch the right one from the node", name, h)
			}
			if int(u.OutPoint.Index) >= len(u.PrevTx.TxOut) {
				return nil, fmt.Errorf("%s: the previous transaction has only %d outputs: fetch the right one from the node", name, len(u.PrevTx.TxOut))
			}
			o := u.PrevTx.TxOut[u.OutPoint.Index]
			if o.Value != u.Value || !bytes.Equal(o.PkScript, u.PkScript) {
				return nil, fmt.Errorf("%s: value or script differ from its previous transaction: rescan the coins from the node", name)
			}
		} else if u.Type == P2PKH {
			return nil, fmt.Errorf("%s: a p2pkh coin needs its whole previous transaction (signers check the amount from it): fetch it from the node (btcd needs --txindex)", name)
		}
		if _, ok := inputVSize[u.Type]; !ok {
			return nil, fmt.Errorf("%s: unknown script type %q: use p2wpkh, p2sh-p2wpkh or p2pkh", name, u.Type)
		}
		out = append(out, u)
	}
	return out, nil
}

// EstimateVSize is the virtual size of the transaction once signed, in vB,
// taking every signature at its longest (72 bytes).
func EstimateVSize(ins []UTXO, outs []*wire.TxOut) int64 {
	base := 4 + 4 + wire.VarIntSerializeSize(uint64(len(ins))) + wire.VarIntSerializeSize(uint64(len(outs)))
	witness := 0
	for _, in := range ins {
		s := inputVSize[in.Type]
		base += s.base
		witness += s.witness
	}
	if witness > 0 {
		witness += 2 // segwit marker and flag
		for _, in := range ins {
			if inputVSize[in.Type].witness == 0 {
				witness++ // empty witness of a non-segwit input
			}
		}
	}
	for _, o := range outs {
		base += o.SerializeSize()
	}
	return int64((4*base + witness + 3) / 4)
}

// fee is the fee at rate for the signed transaction, rounded up.
func fee(rate float64, ins []UTXO, outs []*wire.TxOut) int64 {
	return int64(math.Ceil(rate * float64(EstimateVSize(ins, outs))))
}
