package bitcoin

import (
	"strings"
	"testing"

	"github.com/coldtss/coldtss/chains/internal/broadcast"
)

// TestRefusalHints checks what btcd (mempool) and bitcoind say when they
// refuse a transaction gets the advice meant for it.
func TestRefusalHints(t *testing.T) {
	advice := func(start string) string {
		for _, h := range hints {
			if strings.HasPrefix(h.Advice, start) {
				return h.Advice
			}
		}
		t.Fatalf("no hint advises %q", start)
		return ""
	}
	const (
		known    = "the node already has this transaction"
		spent    = "a coin it spends is already spent or unknown"
		replace  = "it would replace a transaction already in the mempool"
		lowFee   = "the fee is too low for this node"
		badSig   = "the signatures do not satisfy the inputs"
		dust     = "an output is too small to relay"
		notFinal = "the transaction is not valid yet"
		highFee  = "the node thinks the fee is absurdly high"
	)
	for _, c := range []struct{ msg, advice string }{
		// btcd
		{"already have transaction in mempool 5e0c0d6a", known},
		{"transaction already exists in blockchain", known},
		{"output already spent in mempool: output=5e0c0d6a:0, tx=9f3b", spent},
		{"orphan transaction 5e0c0d6a references outputs of unknown or fully-spent transaction 9f3b", spent},
		{"5e0c0d6a: replacement transaction has an insufficient fee rate: needs more than 2000, has 2000", replace},
		{"5e0c0d6a: replacement transaction evicts more transactions than permitted: max is 100, evicts 101", replace},
		{"transaction 5e0c0d6a has insufficient priority (0 <= 5.76e+07)", lowFee},
		{"transaction 5e0c0d6a has 100 fees which is under the required amount of 1000", lowFee},
		{"transaction 5e0c0d6a has been rejected by the rate limiter due to low fees", lowFee},
		{"transaction is not finalized", notFinal},
		{"transaction's sequence locks on inputs not met", notFinal},
		{"failed to validate input 5e0c0d6a:0 which references output 9f3b:0 - signature not empty on failed checksig", badSig},
		{"transaction output 0: payment is dust: 100", dust},
		// bitcoind
		{"txn-already-in-mempool", known},
		{"txn-already-known", known},
		{"Transaction already in block chain", known},
		{"Transaction outputs already in utxo set", known},
		{"bad-txns-inputs-missingorspent", spent},
		{"Missing inputs", spent},
		{"txn-mempool-conflict", spent},
		{"insufficient fee, rejecting replacement 5e0c; new feerate 0.00002 <= old feerate 0.00002", replace},
		{"min relay fee not met, 100 < 141", lowFee},
		{"mempool min fee not met, 100 < 500", lowFee},
		{"mandatory-script-verify-flag-failed (Signature must be zero for failed CHECK(MULTI)SIG operation)", badSig},
		{"non-mandatory-script-verify-flag (Witness program hash mismatch)", badSig},
		{"dust", dust},
		{"non-final", notFinal},
		{"non-BIP68-final", notFinal},
		{"max-fee-exceeded", highFee},
		{"absurdly-high-fee, 100000000 > 10000000", highFee},
		{"Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)", highFee},
		// Nothing to say.
		{"bad-txns-in-belowout", broadcast.NoHint},
		{"", broadcast.NoHint},
	} {
		want := c.advice
		if want != broadcast.NoHint {
			want = advice(c.advice)
		}
		if got := refusalHint(c.msg); got != want {
			t.Errorf("refusalHint(%q) = %q\nwant %q", c.msg, got, want)
		}
	}
}

// TestRefusalHintMarkers checks every marker reaches its own hint: none is
// taken by an earlier hint's marker.
func TestRefusalHintMarkers(t *testing.T) {
	for _, h := range hints {
		for _, m := range h.Markers {
			if m != strings.ToLower(m) {
				t.Errorf("marker %q is not lower-case: it never matches", m)
			}
			if got := refusalHint("error: " + strings.ToUpper(m) + " (details)"); got != h.Advice {
				t.Errorf("marker %q gives %q\nwant %q", m, got, h.Advice)
			}
		}
	}
}
