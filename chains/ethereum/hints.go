package ethereum

import "github.com/coldtss/coldtss/chains/internal/broadcast"

// hints are tried in order: the first whose marker matches gives the
// advice ("transaction underpriced" is also part of "replacement
// transaction underpriced").
var hints = []broadcast.Hint{
	{Markers: []string{"already known"},
		Advice: "the node already has this transaction: it was broadcast before, nothing more to send"},
	{Markers: []string{"nonce too low"},
		Advice: "a transaction with this nonce from this address is already mined: prepare a new one (eth prepare reads the current nonce) and sign it"},
	{Markers: []string{"nonce too high"},
		Advice: "earlier nonces of this address are missing: broadcast those first, or prepare again with the current nonce"},
	{Markers: []string{"replacement transaction underpriced"},
		Advice: "a pending transaction with the same nonce pays more: prepare with fees at least 10% higher, or wait for it"},
	{Markers: []string{"insufficient funds"},
		Advice: "the sender's balance does not cover the value plus the maximum fee: fund the address or prepare a smaller transaction"},
	{Markers: []string{"max fee per gas less than block base fee", "fee cap less than block base fee"},
		Advice: "the maximum fee is below the current base fee: prepare again (fees are read fresh from the node)"},
	{Markers: []string{"transaction underpriced", "tip too low", "gas price below minimum"},
		Advice: "the fee is below what this node accepts: prepare again, or use a higher fee"},
	{Markers: []string{"intrinsic gas too low", "exceeds block gas limit", "gas limit"},
		Advice: "the gas limit is wrong for this transaction: prepare again with a correct --gas"},
	{Markers: []string{"invalid sender", "invalid chain id", "chain id"},
		Advice: "the signature is not valid on this node's chain: check --node is the chain the transaction was signed for"},
}

// refusalHint returns the advice for a node's message refusing a
// transaction.
func refusalHint(msg string) string { return broadcast.Advise(hints, msg) }
