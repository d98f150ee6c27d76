package bitcoin

import (
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/chaincfg"
)

// networks maps the names stations use to chain parameters. Test networks
// share the tpub version bytes but not address prefixes.
var networks = []struct {
	name   string
	params *chaincfg.Params
}{
	{"mainnet", &chaincfg.MainNetParams},
	{"testnet", &chaincfg.TestNet3Params},
	{"signet", &chaincfg.SigNetParams},
	{"regtest", &chaincfg.RegressionNetParams},
}

// NetworkNames lists the valid network names, in order.
func NetworkNames() []string {
	names := make([]string, len(networks))
	for i, n := range networks {
		names[i] = n.name
	}
	return names
}

// NetworkParams returns the chain parameters for "mainnet", "testnet"
// (testnet3), "signet" or "regtest".
func NetworkParams(name string) (*chaincfg.Params, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "testnet3" {
		n = "testnet"
	}
	for _, e := range networks {
		if e.name == n {
			return e.params, nil
		}
	}
	return nil, fmt.Errorf("unknown bitcoin network %q: use one of %s", name, strings.Join(NetworkNames(), ", "))
}

// NetworkName returns the name NetworkParams accepts for p ("testnet" for
// testnet3), or p.Name for networks coldtss does not know.
func NetworkName(p *chaincfg.Params) string {
	if p == nil {
		return "unknown"
	}
	for _, e := range networks {
		if e.params.Net == p.Net && e.params.Name == p.Name {
			return e.name
		}
	}
	return p.Name
}

// isTestNet reports whether p uses test-network version bytes (tpub).
func isTestNet(p *chaincfg.Params) bool {
	return p.HDPublicKeyID != chaincfg.MainNetParams.HDPublicKeyID
}
