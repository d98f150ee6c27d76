package bitcoin

import (
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
)

// ScriptType is the kind of single-key output script a wallet uses.
type ScriptType string

// Script types coldtss signs for.
const (
	P2WPKH     ScriptType = "p2wpkh" // native segwit, the default
	P2SHP2WPKH ScriptType = "p2sh-p2wpkh"
	P2PKH      ScriptType = "p2pkh"
)

// ScriptTypes lists the supported script types, default first.
var ScriptTypes = []ScriptType{P2WPKH, P2SHP2WPKH, P2PKH}

// ParseScriptType reads a script type name; "" means P2WPKH.
func ParseScriptType(s string) (ScriptType, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "p2wpkh", "wpkh":
		return P2WPKH, nil
	case "p2sh-p2wpkh", "sh-wpkh", "sh(wpkh)", "p2sh-segwit":
		return P2SHP2WPKH, nil
	case "p2pkh", "pkh", "legacy":
		return P2PKH, nil
	}
	return "", fmt.Errorf("unknown script type %q: use p2wpkh, p2sh-p2wpkh or p2pkh", s)
}

// p2wpkhProgram is the version 0 witness program of a key: OP_0 <HASH160>.
// It is the P2WPKH pkScript and the P2SH-P2WPKH redeem script.
func p2wpkhProgram(pub33 []byte) []byte {
	return append([]byte{txscript.OP_0, 20}, btcutil.Hash160(pub33)...)
}

// ScriptFor returns the output script and address that pay to pub33 as t.
func ScriptFor(t ScriptType, pub33 []byte, net *chaincfg.Params) (pkScript []byte, addr btcutil.Address, err error) {
	if net == nil {
		return nil, nil, fmt.Errorf("no bitcoin network given: choose mainnet, testnet, signet or regtest")
	}
	if len(pub33) != 33 {
		return nil, nil, fmt.Errorf("public key must be 33 bytes (compressed), got %d", len(pub33))
	}
	if _, err := btcec.ParsePubKey(pub33); err != nil {
		return nil, nil, fmt.Errorf("public key %x is not a valid secp256k1 point: check the key", pub33)
	}
	h := btcutil.Hash160(pub33)
	switch t {
	case P2WPKH:
		addr, err = btcutil.NewAddressWitnessPubKeyHash(h, net)
	case P2SHP2WPKH:
		addr, err = btcutil.NewAddressScriptHash(p2wpkhProgram(pub33), net)
	case P2PKH:
		addr, err = btcutil.NewAddressPubKeyHash(h, net)
	default:
		return nil, nil, fmt.Errorf("unknown script type %q: use p2wpkh, p2sh-p2wpkh or p2pkh", t)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("cannot make a %s address for key %x", t, pub33)
	}
	pkScript, err = txscript.PayToAddrScript(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot make a %s script for key %x", t, pub33)
	}
	return pkScript, addr, nil
}

// Address returns the address at m/branch/index.
func (a Account) Address(branch, index uint32) (btcutil.Address, error) {
	pub, err := a.ChildKey([]uint32{branch, index})
	if err != nil {
		return nil, err
	}
	_, addr, err := ScriptFor(a.Type, pub, a.Net)
	return addr, err
}

// Script returns the pkScript at m/branch/index.
func (a Account) Script(branch, index uint32) ([]byte, error) {
	pub, err := a.ChildKey([]uint32{branch, index})
	if err != nil {
		return nil, err
	}
	s, _, err := ScriptFor(a.Type, pub, a.Net)
	return s, err
}
