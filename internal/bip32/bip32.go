// Package bip32 is the one place coldtss reads and writes BIP32 paths and
// derives public children of a threshold key. A threshold key has no
// private key to derive hardened children with, so only non-hardened paths
// exist here. The ceremony (which derives with tss-lib for signing), the
// Bitcoin and the Ethereum code all read paths through ParsePath.
package bip32

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// MaxDepth bounds derivation paths: BIP32 writes the depth in one byte.
const MaxDepth = 255

// ParsePath parses a non-hardened path below the key, such as "m/0/5". "m"
// alone is the key itself (an empty path). Nothing else is accepted: no
// spaces, no empty or signed levels, no hardened levels, no levels of
// 2^31 or more, at most MaxDepth levels.
func ParsePath(s string) ([]uint32, error) {
	if s == "" {
		return nil, fmt.Errorf("empty derivation path: write m for the key itself, or a path like m/0/5")
	}
	if strings.TrimSpace(s) != s || strings.ContainsAny(s, " \t\r\n") {
		return nil, fmt.Errorf("derivation path %q has spaces in it: write it like m/0/5", s)
	}
	parts := strings.Split(s, "/")
	if parts[0] != "m" {
		return nil, fmt.Errorf("derivation path %q must start with m/ (for example m/0/5)", s)
	}
	parts = parts[1:]
	if len(parts) > MaxDepth {
		return nil, fmt.Errorf("derivation path %q has %d levels, more than BIP32 allows (%d)", s, len(parts), MaxDepth)
	}
	path := make([]uint32, 0, len(parts))
	for i, p := range parts {
		if strings.HasSuffix(p, "'") || strings.HasSuffix(p, "h") || strings.HasSuffix(p, "H") {
			return nil, fmt.Errorf("derivation path %q: level %d (%s) is hardened; a threshold key can only derive non-hardened children, so use plain numbers such as m/0/5", s, i+1, p)
		}
		if p == "" || strings.TrimLeft(p, "0123456789") != "" {
			return nil, fmt.Errorf("derivation path %q: level %d (%q) is not a number; write it like m/0/5", s, i+1, p)
		}
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil || n >= hdkeychain.HardenedKeyStart {
			return nil, fmt.Errorf("derivation path %q: level %d (%s) must be below 2147483648 (hardened indexes are not possible for a threshold key)", s, i+1, p)
		}
		path = append(path, uint32(n))
	}
	return path, nil
}

// FormatPath writes a path as "m/0/5"; hardened levels, should any appear
// in data read from elsewhere (a PSBT), are written with an apostrophe.
func FormatPath(p []uint32) string {
	var b strings.Builder
	b.WriteString("m")
	for _, n := range p {
		b.WriteByte('/')
		if n >= hdkeychain.HardenedKeyStart {
			b.WriteString(strconv.FormatUint(uint64(n-hdkeychain.HardenedKeyStart), 10))
			b.WriteByte('\'')
		} else {
			b.WriteString(strconv.FormatUint(uint64(n), 10))
		}
	}
	return b.String()
}

// CheckNonHardened refuses a path with a hardened level (one read from
// elsewhere, e.g. a PSBT).
func CheckNonHardened(p []uint32) error {
	for _, n := range p {
		if n >= hdkeychain.HardenedKeyStart {
			return fmt.Errorf("derivation %s is hardened, which a threshold key cannot derive", FormatPath(p))
		}
	}
	return nil
}

// Child derives the compressed public key at a non-hardened path below a
// key (33-byte compressed public key and its 32-byte chain code), which
// acts as a BIP32 master at depth 0.
func Child(pub33, chainCode []byte, path []uint32) ([]byte, error) {
	if len(pub33) != 33 {
		return nil, fmt.Errorf("public key must be 33 bytes (compressed), got %d: check the key file", len(pub33))
	}
	if len(chainCode) != 32 {
		return nil, fmt.Errorf("chain code must be 32 bytes, got %d: check the key file", len(chainCode))
	}
	if err := CheckNonHardened(path); err != nil {
		return nil, fmt.Errorf("%v; use a non-hardened path such as m/0/5", err)
	}
	// The version bytes only name a network for xpub strings; they do not
	// take part in derivation.
	net := &chaincfg.MainNetParams
	k := hdkeychain.NewExtendedKey(net.HDPublicKeyID[:], pub33, chainCode, []byte{0, 0, 0, 0}, 0, 0, false)
	if _, err := k.ECPubKey(); err != nil {
		return nil, fmt.Errorf("not a secp256k1 public key (%v): check the key file", err)
	}
	var err error
	for _, i := range path {
		if k, err = k.Derive(i); err != nil {
			// Probability about 2^-127 per level (BIP32 invalid child).
			return nil, fmt.Errorf("path %s gives no valid key (BIP32 invalid child): use the next index", FormatPath(path))
		}
	}
	pub, err := k.ECPubKey()
	if err != nil {
		return nil, fmt.Errorf("path %s: cannot read the derived key", FormatPath(path))
	}
	return pub.SerializeCompressed(), nil
}
