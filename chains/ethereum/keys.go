package ethereum

import (
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/coldtss/coldtss/internal/bip32"
)

// AddressOf is the Ethereum address of a 33-byte compressed secp256k1 public key.
func AddressOf(pub33 []byte) (common.Address, error) {
	if len(pub33) != 33 {
		return common.Address{}, fmt.Errorf("public key must be 33 bytes (compressed), got %d", len(pub33))
	}
	pk, err := crypto.DecompressPubkey(pub33)
	if err != nil {
		return common.Address{}, fmt.Errorf("not a secp256k1 public key (%v): check the key file", err)
	}
	return crypto.PubkeyToAddress(*pk), nil
}

// DeriveKey derives the compressed public key at a non-hardened BIP32 path
// ("m/0/5"; "m" is the key itself) below the threshold key, which acts as a
// BIP32 master (depth 0): the same derivation the stations use for Bitcoin.
func DeriveKey(pub33, chainCode []byte, path string) ([]byte, error) {
	steps, err := bip32.ParsePath(path)
	if err != nil {
		return nil, err
	}
	return bip32.Child(pub33, chainCode, steps)
}
