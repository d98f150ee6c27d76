// Package bitcoin turns a threshold key into what Bitcoin wallets use:
// BIP32 extended public keys, descriptors and addresses, and signs PSBTs.
package bitcoin

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// ExtendedKey returns the BIP32 extended public key of a threshold key: its
// public key and jointly generated chain code, at depth 0.
func ExtendedKey(pub33, chainCode []byte, net *chaincfg.Params) (*hdkeychain.ExtendedKey, error) {
	if _, err := btcec.ParsePubKey(pub33); err != nil {
		return nil, fmt.Errorf("not a secp256k1 public key: %v", err)
	}
	if len(chainCode) != 32 {
		return nil, fmt.Errorf("chain code must be 32 bytes, got %d", len(chainCode))
	}
	return hdkeychain.NewExtendedKey(net.HDPublicKeyID[:], pub33, chainCode, []byte{0, 0, 0, 0}, 0, 0, false), nil
}

// XPub returns the extended public key as a base58 string ("xpub..." on mainnet).
func XPub(pub33, chainCode []byte, net *chaincfg.Params) (string, error) {
	k, err := ExtendedKey(pub33, chainCode, net)
	if err != nil {
		return "", err
	}
	return k.String(), nil
}

// Fingerprint is the BIP32 key fingerprint: the first 4 bytes of HASH160(pubkey).
func Fingerprint(pub33 []byte) []byte {
	return btcutil.Hash160(pub33)[:4]
}
