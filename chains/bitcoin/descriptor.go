package bitcoin

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// BIP380 descriptor checksum.
const (
	descInputCharset    = "0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#\"\\ "
	descChecksumCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
)

var descGenerator = [5]uint64{0xf5dee51989, 0xa9fdca3312, 0x1bab10e32d, 0x3706b1677a, 0x644d626ffd}

func descPolymod(symbols []uint64) uint64 {
	chk := uint64(1)
	for _, v := range symbols {
		top := chk >> 35
		chk = (chk&0x7ffffffff)<<5 ^ v
		for i := 0; i < 5; i++ {
			if (top>>uint(i))&1 == 1 {
				chk ^= descGenerator[i]
			}
		}
	}
	return chk
}

// DescriptorChecksum returns the 8-character BIP380 checksum of desc, which
// must not carry a checksum already.
func DescriptorChecksum(desc string) (string, error) {
	var symbols, groups []uint64
	for i, c := range desc {
		if c == '#' {
			return "", fmt.Errorf("descriptor already has a #checksum at character %d: give it without one", i+1)
		}
		v := strings.IndexRune(descInputCharset, c)
		if v < 0 {
			return "", fmt.Errorf("descriptor has a character descriptors cannot contain (%q at position %d): retype it", c, i+1)
		}
		symbols = append(symbols, uint64(v&31))
		groups = append(groups, uint64(v>>5))
		if len(groups) == 3 {
			symbols = append(symbols, groups[0]*9+groups[1]*3+groups[2])
			groups = groups[:0]
		}
	}
	switch len(groups) {
	case 1:
		symbols = append(symbols, groups[0])
	case 2:
		symbols = append(symbols, groups[0]*3+groups[1])
	}
	symbols = append(symbols, make([]uint64, 8)...)
	c := descPolymod(symbols) ^ 1
	out := make([]byte, 8)
	for i := range out {
		out[i] = descChecksumCharset[(c>>(5*(7-uint(i))))&31]
	}
	return string(out), nil
}

// splitChecksum returns the descriptor without its checksum, verifying the
// checksum when there is one.
func splitChecksum(desc string) (string, error) {
	body, sum, found := strings.Cut(desc, "#")
	want, err := DescriptorChecksum(body)
	if err != nil {
		return "", err
	}
	if !found {
		return body, nil
	}
	if len(sum) != 8 {
		return "", fmt.Errorf("descriptor checksum %q must be 8 characters: copy the whole descriptor again", sum)
	}
	if sum != want {
		return "", fmt.Errorf("descriptor checksum #%s does not match its text (expected #%s): it was mistyped or altered; copy it again", sum, want)
	}
	return body, nil
}

// Descriptor returns the output descriptor, with checksum, of the addresses
// on branch (0 receive, 1 change): e.g. "wpkh([d34db33f]xpub.../0/*)#...".
func (a Account) Descriptor(branch uint32) string {
	key := fmt.Sprintf("[%s]%s/%d/*", a.fingerprintHex(), a.XPub(), branch)
	var d string
	switch a.Type {
	case P2SHP2WPKH:
		d = "sh(wpkh(" + key + "))"
	case P2PKH:
		d = "pkh(" + key + ")"
	default:
		d = "wpkh(" + key + ")"
	}
	sum, err := DescriptorChecksum(d)
	if err != nil {
		return d
	}
	return d + "#" + sum
}

// ParseDescriptor reads a descriptor made by Descriptor (or a wallet writing
// the same form) and returns its account and branch. The network comes from
// the xpub: tpub gives testnet; use ParseDescriptorNet for signet or regtest.
func ParseDescriptor(desc string) (Account, uint32, error) {
	return ParseDescriptorNet(desc, nil)
}

// ParseDescriptorNet is ParseDescriptor for a given network (nil: from the
// xpub). A mainnet xpub on a test network, or a tpub on mainnet, is refused.
func ParseDescriptorNet(desc string, net *chaincfg.Params) (Account, uint32, error) {
	body, err := splitChecksum(strings.TrimSpace(desc))
	if err != nil {
		return Account{}, 0, err
	}
	var t ScriptType
	var key string
	switch {
	case strings.HasPrefix(body, "wpkh(") && strings.HasSuffix(body, ")"):
		t, key = P2WPKH, body[len("wpkh("):len(body)-1]
	case strings.HasPrefix(body, "sh(wpkh(") && strings.HasSuffix(body, "))"):
		t, key = P2SHP2WPKH, body[len("sh(wpkh("):len(body)-2]
	case strings.HasPrefix(body, "pkh(") && strings.HasSuffix(body, ")"):
		t, key = P2PKH, body[len("pkh("):len(body)-1]
	default:
		fn, _, _ := strings.Cut(body, "(")
		return Account{}, 0, fmt.Errorf("descriptor %s(...) is not supported: coldtss uses wpkh(...), sh(wpkh(...)) or pkh(...) of its master xpub", fn)
	}

	// Key origin: only a fingerprint, since our key is the master.
	var originFP []byte
	if strings.HasPrefix(key, "[") {
		origin, rest, ok := strings.Cut(key[1:], "]")
		if !ok {
			return Account{}, 0, fmt.Errorf("descriptor key origin has no closing ]: copy the descriptor again")
		}
		fpHex, originPath, hasPath := strings.Cut(origin, "/")
		if hasPath {
			return Account{}, 0, fmt.Errorf("descriptor key origin [%s] has a derivation path (/%s): a coldtss key is a master key, so the origin must be only its fingerprint, like [%s]", origin, originPath, fpHex)
		}
		fp, err := hex.DecodeString(fpHex)
		if err != nil || len(fp) != 4 {
			return Account{}, 0, fmt.Errorf("descriptor key origin fingerprint %q must be 8 hex digits: copy the descriptor again", fpHex)
		}
		originFP, key = fp, rest
	}

	parts := strings.Split(key, "/")
	if len(parts) != 3 || parts[2] != "*" || (parts[1] != "0" && parts[1] != "1") {
		return Account{}, 0, fmt.Errorf("descriptor key %q must be an xpub followed by /0/* (receive) or /1/* (change), non-hardened", abbreviate(key))
	}
	branch := uint32(0)
	if parts[1] == "1" {
		branch = 1
	}

	k, err := hdkeychain.NewKeyFromString(parts[0])
	if err != nil {
		return Account{}, 0, fmt.Errorf("descriptor key %s is not a valid extended public key (bad checksum, length or characters): copy it again", abbreviate(parts[0]))
	}
	if k.IsPrivate() {
		return Account{}, 0, fmt.Errorf("descriptor contains a private key (xprv/tprv): never enter private keys; use the xpub")
	}
	var keyNet *chaincfg.Params
	switch {
	case bytes.Equal(k.Version(), chaincfg.MainNetParams.HDPublicKeyID[:]):
		keyNet = &chaincfg.MainNetParams
	case bytes.Equal(k.Version(), chaincfg.TestNet3Params.HDPublicKeyID[:]):
		keyNet = &chaincfg.TestNet3Params
	default:
		return Account{}, 0, fmt.Errorf("descriptor key %s has version bytes %x, neither xpub nor tpub (ypub/zpub style keys are not used in descriptors): export the xpub again", abbreviate(parts[0]), k.Version())
	}
	if net == nil {
		net = keyNet
	} else if isTestNet(net) != isTestNet(keyNet) {
		kind := "a mainnet xpub"
		if isTestNet(keyNet) {
			kind = "a test-network tpub"
		}
		return Account{}, 0, fmt.Errorf("descriptor has %s but this station is set to %s: use the descriptor for %s, or set the network the key is meant for", kind, NetworkName(net), NetworkName(net))
	}
	if k.Depth() != 0 || k.ParentFingerprint() != 0 || k.ChildIndex() != 0 {
		return Account{}, 0, fmt.Errorf("descriptor xpub is at depth %d (parent fingerprint %08x), not a master key: coldtss descriptors use the threshold key's master xpub (depth 0)", k.Depth(), k.ParentFingerprint())
	}
	pub, err := k.ECPubKey()
	if err != nil {
		return Account{}, 0, fmt.Errorf("descriptor xpub does not hold a valid public key: copy it again")
	}
	a, err := NewAccount(pub.SerializeCompressed(), k.ChainCode(), net, t)
	if err != nil {
		return Account{}, 0, err
	}
	if originFP != nil {
		if fp := a.Fingerprint(); !bytes.Equal(fp[:], originFP) {
			return Account{}, 0, fmt.Errorf("descriptor fingerprint [%x] does not match its xpub (whose fingerprint is %x): the descriptor was altered or mixed up; export it again", originFP, fp[:])
		}
	}
	return a, branch, nil
}

// abbreviate shortens long keys in messages.
func abbreviate(s string) string {
	if len(s) <= 24 {
		return s
	}
	return s[:12] + "..." + s[len(s)-8:]
}
