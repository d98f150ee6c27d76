package ethereum

import (
	"bytes"
	"math/big"
	"strings"
	"testing"
	"unicode"
)

// printSafe reports the first rune of a printed review that could act on
// a terminal or hide text, if any: only newlines separate lines.
func printSafe(out string) (rune, bool) {
	for _, r := range out {
		if r == '\n' {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Cf, r) || (r != ' ' && !unicode.IsPrint(r)) {
			return r, false
		}
	}
	return 0, true
}

// FuzzParseRequest feeds arbitrary bytes to ParseRequest and, when they
// parse, to ReviewRequest with a fixed key and to Print. Nothing may panic;
// refusals are one line; the printed review shows no raw control, format or
// bidi characters.
func FuzzParseRequest(f *testing.F) {
	f.Add([]byte(goodRequest))
	k := newTestKey(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := ParseRequest(b)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("refusal spans lines: %q", err)
			}
			return
		}
		rev, err := ReviewRequest(req, k.pub33, k.chainCode, Policy{AllowUnknownCall: true, AllowContractCreation: true})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("refusal spans lines: %q", err)
			}
			return
		}
		if len(rev.Digest) != 32 {
			t.Fatalf("digest of %d bytes", len(rev.Digest))
		}
		var buf bytes.Buffer
		rev.Print(&buf)
		if r, ok := printSafe(buf.String()); !ok {
			t.Fatalf("review prints %U raw:\n%q", r, buf.String())
		}
	})
}

// FuzzTypedData feeds arbitrary bytes straight to the EIP-712 reader (the
// request's hex layer makes this path hard to reach from FuzzParseRequest).
// Accepted documents must hash the same twice and print safely.
func FuzzTypedData(f *testing.F) {
	f.Add(doc(mailTypes, "Mail", mailMessage))
	f.Add(oneField("int16[2][]", "[[1,-2],[3,-4]]"))
	f.Add(oneField("bytes4", `"0xdeadbeef"`))
	f.Add(doc(chainTypes(3), "T0", nested(3)))
	one := big.NewInt(1)
	f.Fuzz(func(t *testing.T, b []byte) {
		td, d, err := parseTypedData(b, one)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("refusal spans lines: %q", err)
			}
			return
		}
		_, d2, err := parseTypedData(b, one)
		if err != nil || !bytes.Equal(d, d2) {
			t.Fatalf("second read differs: %v", err)
		}
		if len(td.fields) > maxTypedLines+8 {
			t.Fatalf("%d review lines", len(td.fields))
		}
		rev := &Review{Kind: KindTypedData, ChainID: one, Fields: td.fields, Digest: d}
		var buf bytes.Buffer
		rev.Print(&buf)
		if r, ok := printSafe(buf.String()); !ok {
			t.Fatalf("review prints %U raw:\n%q", r, buf.String())
		}
	})
}
