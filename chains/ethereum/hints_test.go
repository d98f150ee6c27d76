package ethereum

import (
	"strings"
	"testing"

	"github.com/coldtss/coldtss/chains/internal/broadcast"
)

// TestRefusalHints checks what geth (core/txpool, core) says when it
// refuses a transaction gets the advice meant for it.
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
	for _, c := range []struct{ msg, advice string }{
		{"already known", "the node already has this transaction"},
		{"nonce too low: address 0x1111111111111111111111111111111111111111, tx: 3 state: 4", "a transaction with this nonce"},
		{"nonce too high: address 0x1111111111111111111111111111111111111111, tx: 9 state: 4", "earlier nonces of this address are missing"},
		{"replacement transaction underpriced", "a pending transaction with the same nonce pays more"},
		{"insufficient funds for gas * price + value: balance 0, tx cost 1000147000000000000, overshot 1000147000000000000", "the sender's balance does not cover"},
		{"max fee per gas less than block base fee: address 0x1111111111111111111111111111111111111111, maxFeePerGas: 1 baseFee: 7", "the maximum fee is below the current base fee"},
		{"fee cap less than block base fee", "the maximum fee is below the current base fee"},
		{"transaction underpriced: tip needed 2, tip permitted 1", "the fee is below what this node accepts"},
		{"tip too low", "the fee is below what this node accepts"},
		{"transaction gas price below minimum: gas tip cap 0, minimum needed 1", "the fee is below what this node accepts"},
		{"intrinsic gas too low: gas 20000, minimum needed 21000", "the gas limit is wrong"},
		{"exceeds block gas limit", "the gas limit is wrong"},
		{"transaction gas limit too high (cap: 16777216, tx: 30000000)", "the gas limit is wrong"},
		{"invalid sender", "the signature is not valid on this node's chain"},
		{"invalid chain id for signer: have 1 want 1337", "the signature is not valid on this node's chain"},
		{"Chain ID mismatch", "the signature is not valid on this node's chain"},
		{"txpool is full", broadcast.NoHint},
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
