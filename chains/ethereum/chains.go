package ethereum

import "math/big"

type chainInfo struct {
	name   string
	symbol string // native currency
}

var chains = map[uint64]chainInfo{
	1:        {"Ethereum mainnet", "ETH"},
	5:        {"Goerli, a retired testnet", "ETH"},
	11155111: {"Sepolia testnet", "ETH"},
	17000:    {"Holesky testnet", "ETH"},
	560048:   {"Hoodi testnet", "ETH"},
	1337:     {"geth --dev (local)", "ETH"},
	10:       {"OP Mainnet", "ETH"},
	137:      {"Polygon", "POL"},
	8453:     {"Base", "ETH"},
	42161:    {"Arbitrum One", "ETH"},
	56:       {"BNB Smart Chain", "BNB"},
}

// ChainName names well-known chain ids, or says "unknown chain".
func ChainName(id *big.Int) string {
	if c, ok := lookupChain(id); ok {
		return c.name
	}
	return "unknown chain"
}

// nativeSymbol is the unit of value and fees on a chain ("ETH" when unknown).
func nativeSymbol(id *big.Int) string {
	if c, ok := lookupChain(id); ok {
		return c.symbol
	}
	return "ETH"
}

func lookupChain(id *big.Int) (chainInfo, bool) {
	if id == nil || !id.IsUint64() {
		return chainInfo{}, false
	}
	c, ok := chains[id.Uint64()]
	return c, ok
}
