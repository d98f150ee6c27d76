package main

import "strings"

// A hint explains a node's rejection: when the node's message contains any
// of the markers (lower-case), say what to do.
type hint struct {
	markers []string
	advice  string
}

var btcHints = []hint{
	{[]string{"already have transaction", "txn-already-in-mempool", "txn-already-known", "transaction already exists", "already in block chain", "already in utxo set"},
		"the node already has this transaction: it was broadcast before, nothing more to send (check its confirmations)"},
	{[]string{"already spent", "missingorspent", "missing inputs", "orphan transaction", "references outputs of unknown or fully-spent", "txn-mempool-conflict", "spent by transaction"},
		"a coin it spends is already spent or unknown to this node: prepare a new transaction from the current coins (or check --node is on the right chain)"},
	{[]string{"rejecting replacement", "replacement", "insufficient fee", "rbf"},
		"it would replace a transaction already in the mempool but does not pay enough more: raise the fee rate and sign again"},
	{[]string{"min relay fee", "mempool min fee", "insufficient priority", "fee not met", "min fee"},
		"the fee is too low for this node: prepare again with a higher --fee-rate"},
	{[]string{"script", "signature", "sig-", "verify"},
		"the signatures do not satisfy the inputs: the transaction was altered or signed for other coins; do not retry it, prepare and sign again"},
	{[]string{"dust"}, "an output is too small to relay: send a larger amount"},
	{[]string{"non-final", "locktime"}, "the transaction is not valid yet (lock time): wait, or prepare it again"},
	{[]string{"max-fee-exceeded", "absurdly-high-fee", "fee exceeds maximum"}, "the node thinks the fee is absurdly high: check the fee; prepare again with a lower --fee-rate"},
}

var ethHints = []hint{
	{[]string{"already known"}, "the node already has this transaction: it was broadcast before, nothing more to send"},
	{[]string{"nonce too low"}, "a transaction with this nonce from this address is already mined: prepare a new one (eth prepare reads the current nonce) and sign it"},
	{[]string{"nonce too high"}, "earlier nonces of this address are missing: broadcast those first, or prepare again with the current nonce"},
	{[]string{"replacement transaction underpriced"}, "a pending transaction with the same nonce pays more: prepare with fees at least 10% higher, or wait for it"},
	{[]string{"insufficient funds"}, "the sender's balance does not cover the value plus the maximum fee: fund the address or prepare a smaller transaction"},
	{[]string{"max fee per gas less than block base fee", "fee cap less than block base fee"}, "the maximum fee is below the current base fee: prepare again (fees are read fresh from the node)"},
	{[]string{"transaction underpriced", "tip too low"}, "the fee is below what this node accepts: prepare again, or use a higher fee"},
	{[]string{"intrinsic gas too low", "exceeds block gas limit", "gas limit"}, "the gas limit is wrong for this transaction: prepare again with a correct --gas"},
	{[]string{"invalid sender", "invalid chain id", "chain id"}, "the signature is not valid on this node's chain: check --node is the chain the transaction was signed for"},
}

// hintFor returns the advice for a node's message, or a generic one.
func hintFor(hints []hint, msg string) string {
	m := strings.ToLower(msg)
	for _, h := range hints {
		for _, k := range h.markers {
			if strings.Contains(m, k) {
				return h.advice
			}
		}
	}
	return "read the node's message; nothing was broadcast"
}
