package bitcoin

import "strings"

// A hint explains a node's refusal of a transaction: when the node's
// message contains any of the markers (lower-case), say what to do.
type hint struct {
	markers []string
	advice  string
}

// hints are tried in order: the first whose marker matches gives the
// advice (btcd's "replacement transaction has an insufficient fee" is a
// replacement, not a low fee).
var hints = []hint{
	{[]string{"already have transaction", "txn-already-in-mempool", "txn-already-known", "transaction already exists", "already in block chain", "already in utxo set"},
		"the node already has this transaction: it was broadcast before, nothing more to send (check its confirmations)"},
	{[]string{"already spent", "missingorspent", "missing inputs", "orphan transaction", "references outputs of unknown or fully-spent", "txn-mempool-conflict", "spent by transaction"},
		"a coin it spends is already spent or unknown to this node: prepare a new transaction from the current coins (or check --node is on the right chain)"},
	{[]string{"rejecting replacement", "replacement", "insufficient fee", "rbf"},
		"it would replace a transaction already in the mempool but does not pay enough more: raise the fee rate and sign again"},
	{[]string{"min relay fee", "mempool min fee", "insufficient priority", "fee not met", "min fee", "under the required amount", "low fees"},
		"the fee is too low for this node: prepare again with a higher --fee-rate"},
	{[]string{"script", "signature", "sig-", "verify"},
		"the signatures do not satisfy the inputs: the transaction was altered or signed for other coins; do not retry it, prepare and sign again"},
	{[]string{"dust"}, "an output is too small to relay: send a larger amount"},
	{[]string{"non-final", "locktime", "non-bip68-final", "not finalized", "sequence locks"}, "the transaction is not valid yet (lock time): wait, or prepare it again"},
	{[]string{"max-fee-exceeded", "absurdly-high-fee", "fee exceeds maximum"}, "the node thinks the fee is absurdly high: check the fee; prepare again with a lower --fee-rate"},
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
