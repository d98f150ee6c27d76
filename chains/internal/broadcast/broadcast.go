// Package broadcast holds what both chains share about handing a signed
// transaction to a node: reading the hex file the stations wrote, and
// turning a node's refusal into advice a person can act on.
package broadcast

import (
	"encoding/hex"
	"strings"
)

// HexText decodes a file of hex digits, with or without 0x, white space
// anywhere; false if that is not what it holds, or it is empty.
func HexText(raw []byte) ([]byte, bool) {
	h := strings.Join(strings.Fields(string(raw)), "")
	h = strings.TrimPrefix(strings.TrimPrefix(h, "0x"), "0X")
	b, err := hex.DecodeString(h)
	return b, err == nil && len(b) > 0
}

// ReadError is a message about a signed-transaction file that wraps one
// of the chain's sentinel errors (errors.Is tells the kind).
type ReadError struct {
	Msg  string
	Kind error
}

func (e *ReadError) Error() string { return e.Msg }
func (e *ReadError) Unwrap() error { return e.Kind }

// Hint explains a node's refusal of a transaction: when the node's message
// contains any of the markers (lower-case), say what to do.
type Hint struct {
	Markers []string
	Advice  string
}

// NoHint is the advice for a refusal no hint explains.
const NoHint = "read the node's message; nothing was broadcast"

// Advise returns the advice of the first hint whose marker the node's
// message contains, or NoHint.
func Advise(hints []Hint, msg string) string {
	m := strings.ToLower(msg)
	for _, h := range hints {
		for _, k := range h.Markers {
			if strings.Contains(m, k) {
				return h.Advice
			}
		}
	}
	return NoHint
}
