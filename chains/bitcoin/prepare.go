package bitcoin

import (
	"bytes"
	"fmt"
	"strings"
)

// PSBTOptions says what transaction PreparePSBT makes.
type PSBTOptions struct {
	Account  Account // the descriptor's account; its network is the one the node must be on
	Payments []Payment
	FeeRate  float64 // sat/vB
	SpendAll bool    // spend every coin found (consolidate), not just enough for the payments
	Coins    CoinOptions
}

// PreparedPSBT is an unsigned PSBT for the stations, with the coins it was
// made from and the stations' own review of it.
type PreparedPSBT struct {
	PSBT   []byte  // serialised, binary
	Review *Review // as the stations will review it (Policy{MaxFeeRate: MaxBuildFeeRate})
	Coins  *Coins  // what FindCoins found; NextChange is the change index used
}

// AboveDefaultFeeRate reports whether the fee rate is more than stations
// accept unless their policy allows it (DefaultMaxFeeRate).
func (p *PreparedPSBT) AboveDefaultFeeRate() bool { return p.Review.FeeRate > DefaultMaxFeeRate }

// nodeChains maps what getblockchaininfo says to coldtss network names.
var nodeChains = map[string]string{
	"main": "mainnet", "mainnet": "mainnet",
	"test": "testnet", "testnet3": "testnet", "testnet": "testnet",
	"signet": "signet", "regtest": "regtest",
}

// PreparePSBT checks the node is on the account's network, finds the
// account's coins on it, and makes the unsigned PSBT opts describes
// (BuildPSBT, change at Coins.NextChange). It reviews the PSBT as the
// stations will, so what the operator sees is what they will see.
func PreparePSBT(node Node, opts PSBTOptions) (*PreparedPSBT, error) {
	acct := opts.Account
	if acct.Net == nil {
		return nil, fmt.Errorf("account has no network: make it with NewAccount or ParseDescriptor")
	}
	chain, err := node.Chain()
	if err != nil {
		return nil, err
	}
	nodeNet, ok := nodeChains[chain]
	if !ok {
		nodeNet = chain
	}
	if netName := NetworkName(acct.Net); nodeNet != netName {
		return nil, fmt.Errorf("the node is on %s but the descriptor is used on %s: connect to a %s node or give the right --network", nodeNet, netName, netName)
	}
	found, err := FindCoins(node, acct, opts.Coins)
	if err != nil {
		return nil, err
	}
	p, err := BuildPSBT(acct, found.UTXOs, opts.Payments, found.NextChange, opts.FeeRate, opts.SpendAll)
	if err != nil {
		if found.Unconfirmed > 0 && strings.Contains(err.Error(), "insufficient funds") {
			return nil, fmt.Errorf("%v (%d more coin(s) have fewer than --min-conf %d confirmations)", err, found.Unconfirmed, opts.Coins.MinConf)
		}
		return nil, err
	}
	var buf bytes.Buffer
	if err := p.Serialize(&buf); err != nil {
		return nil, fmt.Errorf("cannot serialise the PSBT: %v; report this as a bug", err)
	}
	rev, err := ReviewPSBT(buf.Bytes(), acct, Policy{Net: acct.Net, MaxFeeRate: MaxBuildFeeRate})
	if err != nil {
		return nil, fmt.Errorf("the PSBT built does not pass the stations' review (%v): report this as a bug", err)
	}
	return &PreparedPSBT{PSBT: buf.Bytes(), Review: rev, Coins: found}, nil
}
