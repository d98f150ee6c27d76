package bitcoin

import (
	"encoding/binary"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/coldtss/coldtss/internal/bip32"
)

// Account is a threshold key as a watch-only wallet sees it: the master
// public key and chain code, a network and a script type.
type Account struct {
	PubKey    []byte // 33-byte compressed master public key
	ChainCode []byte // 32 bytes
	Net       *chaincfg.Params
	Type      ScriptType
}

// NewAccount checks its inputs and returns an Account. An empty t means P2WPKH.
func NewAccount(pub33, chainCode []byte, net *chaincfg.Params, t ScriptType) (Account, error) {
	if net == nil {
		return Account{}, fmt.Errorf("no bitcoin network given: choose mainnet, testnet, signet or regtest")
	}
	if t == "" {
		t = P2WPKH
	}
	if _, err := ParseScriptType(string(t)); err != nil {
		return Account{}, err
	}
	if len(pub33) != 33 {
		return Account{}, fmt.Errorf("master public key must be 33 bytes (compressed), got %d: check the key file", len(pub33))
	}
	if _, err := ExtendedKey(pub33, chainCode, net); err != nil {
		return Account{}, fmt.Errorf("master key: %v; check the key file", err)
	}
	return Account{
		PubKey:    append([]byte(nil), pub33...),
		ChainCode: append([]byte(nil), chainCode...),
		Net:       net,
		Type:      t,
	}, nil
}

// Fingerprint is HASH160(master pubkey)[:4], the bytes written in descriptors.
func (a Account) Fingerprint() [4]byte {
	var fp [4]byte
	copy(fp[:], Fingerprint(a.PubKey))
	return fp
}

// PSBTFingerprint is the fingerprint as psbt.Bip32Derivation stores it: the
// psbt package reads the four serialised bytes as a little-endian uint32.
func (a Account) PSBTFingerprint() uint32 {
	fp := a.Fingerprint()
	return binary.LittleEndian.Uint32(fp[:])
}

// fingerprintHex is the fingerprint as descriptors write it.
func (a Account) fingerprintHex() string {
	fp := a.Fingerprint()
	return fmt.Sprintf("%x", fp[:])
}

// XPub returns the master extended public key with a.Net's version bytes
// (tpub on test networks); "" if the account is invalid.
func (a Account) XPub() string {
	if a.Net == nil {
		return ""
	}
	s, err := XPub(a.PubKey, a.ChainCode, a.Net)
	if err != nil {
		return ""
	}
	return s
}

// ChildKey derives the 33-byte public key at a non-hardened path below the master.
func (a Account) ChildKey(path []uint32) ([]byte, error) {
	if a.Net == nil {
		return nil, fmt.Errorf("account has no network: make it with NewAccount")
	}
	return bip32.Child(a.PubKey, a.ChainCode, path)
}
