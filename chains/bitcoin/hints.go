package bitcoin

import "github.com/coldtss/coldtss/chains/internal/broadcast"

// hints are tried in order: the first whose marker matches gives the
// advice (btcd's "replacement transaction has an insufficient fee" is a
// replacement, not a low fee).
var hints = []broadcast.Hint{
	{Markers: []string{"already have transaction", "txn-already-in-mempool", "txn-already-known", "transaction already exists", "already in block chain", "already in utxo set"},
		Advice: "the node already has this transaction: it was broadcast before, nothing more to send (check its confirmations)"},
	{Markers: []string{"already spent", "missingorspent", "missing inputs", "orphan transaction", "references outputs of unknown or fully-spent", "txn-mempool-conflict", "spent by transaction"},
		Advice: "a coin it spends is already spent or unknown to this node: prepare a new transaction from the current coins (or check --node is on the right chain)"},
	{Markers: []string{"rejecting replacement", "replacement", "insufficient fee", "rbf"},
		Advice: "it would replace a transaction already in the mempool but does not pay enough more: raise the fee rate and sign again"},
	{Markers: []string{"min relay fee", "mempool min fee", "insufficient priority", "fee not met", "min fee", "under the required amount", "low fees"},
		Advice: "the fee is too low for this node: prepare again with a higher --fee-rate"},
	{Markers: []string{"script", "signature", "sig-", "verify"},
		Advice: "the signatures do not satisfy the inputs: the transaction was altered or signed for other coins; do not retry it, prepare and sign again"},
	{Markers: []string{"dust"},
		Advice: "an output is too small to relay: send a larger amount"},
	{Markers: []string{"non-final", "locktime", "non-bip68-final", "not finalized", "sequence locks"},
		Advice: "the transaction is not valid yet (lock time): wait, or prepare it again"},
	{Markers: []string{"max-fee-exceeded", "absurdly-high-fee", "fee exceeds maximum"},
		Advice: "the node thinks the fee is absurdly high: check the fee; prepare again with a lower --fee-rate"},
}

// refusalHint returns the advice for a node's message refusing a
// transaction.
func refusalHint(msg string) string { return broadcast.Advise(hints, msg) }
