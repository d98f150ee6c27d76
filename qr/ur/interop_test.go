package ur

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/coldtss/coldtss/qr/interop"
)

// The interop test runs the reference npm package @ngraveio/bc-ur, pinned in
// qr/interop, through the scripts there. It skips when node or
// qr/interop/node_modules is missing, unless COLDTSS_REQUIRE_INTEROP=1.

const interopPkg, interopVersion = "@ngraveio/bc-ur", "1.1.13"

// TestInteropNgraveio checks both directions with random payloads from 1 byte
// to 200 KB: our parts (with pure parts missing, so fountain parts must be
// decoded) in their decoder, and their parts in ours. Their encoder, being
// deterministic, must also produce exactly our parts.
func TestInteropNgraveio(t *testing.T) {
	node := interop.Require(t, interopPkg, interopVersion)
	rng := rand.New(rand.NewPCG(11, 12))
	cases := []struct {
		typ     string
		size    int
		maxFrag int
	}{
		{"bytes", 1, 100},
		{"coldtss-packet", 100, 30},
		{"bytes", 1000, 100},
		{"crypto-psbt", 10_000, 400},
		{"bytes", 200_000, 2500},
	}
	for _, c := range cases {
		payload := make([]byte, c.size)
		for i := range payload {
			payload[i] = byte(rng.Uint32())
		}
		msg := cborBytes(payload)
		e := NewEncoder(c.typ, msg, c.maxFrag)
		n := e.SeqLen()
		count := 3*n + 10
		if n == 1 {
			count = 2
		}

		// Ours, in theirs: a quarter of the pure parts lost, then fountain parts.
		var ours []string
		for i := 0; i < count; i++ {
			p := e.NextPart()
			if i < n && n > 1 && rng.IntN(4) == 0 {
				continue
			}
			ours = append(ours, p)
		}
		out := strings.Fields(node.Run(t, "ur-decode.mjs", strings.Join(ours, "\n")))
		if len(out) != 2 || out[0] != c.typ || out[1] != hex.EncodeToString(msg) {
			t.Fatalf("%d bytes: their decoder got %.60q, want type %s", c.size, out, c.typ)
		}

		// Theirs, in ours.
		theirs := strings.Fields(node.Run(t, "ur-encode.mjs", hex.EncodeToString(msg), c.typ, strconv.Itoa(c.maxFrag), strconv.Itoa(count)))
		if len(theirs) != count {
			t.Fatalf("%d bytes: their encoder made %d parts, want %d", c.size, len(theirs), count)
		}
		mine := NewEncoder(c.typ, msg, c.maxFrag)
		for i, p := range theirs {
			if want := strings.ToLower(mine.NextPart()); p != want {
				t.Fatalf("%d bytes: their part %d is %.50s..., ours %.50s...", c.size, i+1, p, want)
			}
		}
		d := NewDecoder(ExpectType(c.typ))
		for i, p := range theirs {
			if i < n && n > 1 && rng.IntN(4) == 0 {
				continue
			}
			if err := d.Receive(p); err != nil {
				t.Fatalf("%d bytes: their part %d: %v", c.size, i+1, err)
			}
			if d.Done() {
				break
			}
		}
		typ, got, err := d.Result()
		if err != nil || typ != c.typ || !bytes.Equal(got, msg) {
			t.Fatalf("%d bytes: our decoder on their parts: %s %v (%+v)", c.size, typ, err, d.Progress())
		}
		t.Logf("%d bytes, %d fragments: both ways, %d of %d of their parts used", c.size, n, d.Progress().PartsSeen, count)
	}
}
