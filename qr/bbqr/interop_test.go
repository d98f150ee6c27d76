package bbqr

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/coldtss/coldtss/qr/interop"
)

// The interop test runs the reference npm package bbqr, pinned in
// qr/interop, through the scripts there. It skips when node or
// qr/interop/node_modules is missing, unless COLDTSS_REQUIRE_INTEROP=1.

const interopPkg, interopVersion = "bbqr", "1.2.0"

// TestInteropCoinkite checks both directions for every encoding with
// payloads from 1 byte to 200 KB: our series joined by theirs, and theirs by
// ours. Hex and base32 are deterministic, so there their parts must also be
// exactly ours; zlib streams differ (ours keep to the 1 KiB window by
// another route), so there each side must decode the other's.
func TestInteropCoinkite(t *testing.T) {
	node := interop.Require(t, interopPkg, interopVersion)
	rng := rand.New(rand.NewPCG(21, 22))
	type joined struct{ FileType, Encoding, Hex string }
	type split struct {
		Version  int
		Encoding string
		Parts    []string
	}
	for _, size := range []int{1, 100, 1000, 10_000, 200_000} {
		for _, lowEntropy := range []bool{false, true} {
			data := make([]byte, size)
			for i := range data {
				data[i] = byte(rng.Uint32())
				if lowEntropy {
					data[i] = "coldtss threshold PSBT\n"[rng.IntN(23)]
				}
			}
			for _, enc := range []Encoding{Hex, Base32, Zlib} {
				if lowEntropy && enc != Zlib {
					continue // only compression cares what the bytes are
				}
				minV, maxV := 5, 40
				if size <= 1000 {
					minV, maxV = 1, 10 // several small parts
				}
				ft := []FileType{PSBT, Transaction, Binary}[rng.IntN(3)]
				opts := SplitOptions{Encoding: enc, MinVersion: minV, MaxVersion: maxV}
				ours, err := Split(data, ft, opts)
				if err != nil {
					t.Fatal(err)
				}
				name := strings.Join([]string{strconv.Itoa(size), enc.String(), map[bool]string{true: "text", false: "random"}[lowEntropy]}, "/")

				// Ours, shuffled, in theirs.
				shuffled := slices.Clone(ours.Parts)
				rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
				var j joined
				node.RunJSON(t, "bbqr-join.mjs", strings.Join(shuffled, "\n"), &j)
				if j.FileType != string(rune(ft)) || j.Encoding != string(rune(ours.Encoding)) || j.Hex != hex.EncodeToString(data) {
					t.Fatalf("%s: their join: type %s encoding %s, %d hex digits", name, j.FileType, j.Encoding, len(j.Hex))
				}

				// Theirs, shuffled, in ours.
				var s split
				node.RunJSON(t, "bbqr-split.mjs", hex.EncodeToString(data), &s, string(rune(ft)), string(rune(enc)), strconv.Itoa(minV), strconv.Itoa(maxV))
				if enc != Zlib && (s.Encoding != string(rune(ours.Encoding)) || s.Version != ours.Version || !slices.Equal(s.Parts, ours.Parts)) {
					t.Fatalf("%s: theirs: %s version %d in %d parts; ours: %s version %d in %d parts, or other parts",
						name, s.Encoding, s.Version, len(s.Parts), ours.Encoding, ours.Version, len(ours.Parts))
				}
				rng.Shuffle(len(s.Parts), func(i, j int) { s.Parts[i], s.Parts[j] = s.Parts[j], s.Parts[i] })
				gotType, got, err := Join(s.Parts)
				if err != nil || gotType != ft || !bytes.Equal(got, data) {
					t.Fatalf("%s: our join of their parts: %v", name, err)
				}
				t.Logf("%s: ours %s in %d parts at version %d, theirs %s in %d at %d; both ways", name, ours.Encoding, len(ours.Parts), ours.Version, s.Encoding, len(s.Parts), s.Version)
			}
		}
	}
}
