package bitcoin

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
)

// maxPathDepth bounds derivation paths; BIP32 depth is one byte.
const maxPathDepth = 255

// ParsePath parses a non-hardened BIP32 path below the master key, such as
// "m/0/5". "m" alone is the master key itself.
func ParsePath(s string) ([]uint32, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, fmt.Errorf("empty derivation path: write it like m/0/5")
	}
	parts := strings.Split(t, "/")
	if parts[0] != "m" {
		return nil, fmt.Errorf("derivation path %q must start with m/ (for example m/0/5)", s)
	}
	parts = parts[1:]
	if len(parts) > maxPathDepth {
		return nil, fmt.Errorf("derivation path %q has %d levels, more than BIP32 allows (%d)", s, len(parts), maxPathDepth)
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
// in data read from elsewhere, are written with an apostrophe.
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

// checkNonHardened refuses hardened levels in a path read from a PSBT.
func checkNonHardened(p []uint32) error {
	for _, n := range p {
		if n >= hdkeychain.HardenedKeyStart {
			return fmt.Errorf("derivation %s is hardened, which a threshold key cannot derive", FormatPath(p))
		}
	}
	return nil
}
