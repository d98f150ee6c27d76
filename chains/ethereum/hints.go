package ethereum

import "strings"

// A hint explains a node's refusal of a transaction: when the node's
// message contains any of the markers (lower-case), say what to do.
type hint struct {
	markers []string
	advice  string
}

// hints are tried in order: the first whose marker matches gives the
// advice ("transaction underpriced" is also part of "replacement
// transaction underpriced").
var hints = []hint{
	{[]string{"already known"}, "the node already has this transaction: it was broadcast before, nothing more to send"},
	{[]string{"nonce too low"}, "a transaction with this nonce from this address is already mined: prepare a new one (eth prepare reads the current nonce) and sign it"},
	{[]string{"nonce too high"}, "earlier nonces of this address are missing: broadcast those first, or prepare again with the current nonce"},
	{[]string{"replacement transaction underpriced"}, "a pending transaction with the same nonce pays more: prepare with fees at least 10% higher, or wait for it"},
	{[]string{"insufficient funds"}, "the sender's balance does not cover the value plus the maximum fee: fund the address or prepare a smaller transaction"},
	{[]string{"max fee per gas less than block base fee", "fee cap less than block base fee"}, "the maximum fee is below the current base fee: prepare again (fees are read fresh from the node)"},
	{[]string{"transaction underpriced", "tip too low", "gas price below minimum"}, "the fee is below what this node accepts: prepare again, or use a higher fee"},
	{[]string{"intrinsic gas too low", "exceeds block gas limit", "gas limit"}, "the gas limit is wrong for this transaction: prepare again with a correct --gas"},
	{[]string{"invalid sender", "invalid chain id", "chain id"}, "the signature is not valid on this node's chain: check --node is the chain the transaction was signed for"},
}

// noHint is the advice for a refusal no hint explains.
const noHint = "read the node's message; nothing was broadcast"

// refusalHint returns the advice for a node's message refusing a
// transaction.
func refusalHint(msg string) string {
	m := strings.ToLower(msg)
	for _, h := range hints {
		for _, k := range h.markers {
			if strings.Contains(m, k) {
				return h.advice
			}
		}
	}
	return noHint
}
