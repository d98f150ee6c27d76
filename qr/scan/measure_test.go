package scan

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coldtss/coldtss/qr/camsim"
	qrcode "github.com/skip2/go-qrcode"
)

// TestPassOrder measures, on camsim frames, what each pass decodes on its
// own and at what cost. It is a tool for ordering defaultPasses, run with
// COLDTSS_SCAN_MEASURE=frames-per-case.
func TestPassOrder(t *testing.T) {
	nStr := os.Getenv("COLDTSS_SCAN_MEASURE")
	if nStr == "" {
		t.Skip("set COLDTSS_SCAN_MEASURE=N to measure the passes on N frames per case")
	}
	var n int
	fmt.Sscan(nStr, &n)
	presets := map[string]camsim.Options{"Typical": camsim.Typical, "Harsh": camsim.Harsh}
	for _, pn := range []string{"Typical", "Harsh"} {
		for _, size := range []int{200, 800, 1400} {
			parts := urParts(t, size, n, uint64(size))
			cam := camsim.New(presets[pn], int64(size))
			okBy := make([]int, len(defaultPasses))
			tBy := make([]time.Duration, len(defaultPasses))
			any, chain := 0, 0
			var chainT time.Duration
			only := map[string]int{}
			for _, p := range parts {
				img, _ := cam.Shoot(qrScreen(t, p, qrcode.Low, 0))
				g := toGray(img)
				var hit []string
				for i, ps := range defaultPasses {
					st := time.Now()
					txt, ok := ps.run(g)
					tBy[i] += time.Since(st)
					if ok && txt != p {
						t.Errorf("%s decoded a wrong text", ps.name)
					}
					if ok {
						okBy[i]++
						hit = append(hit, ps.name)
					}
				}
				if len(hit) > 0 {
					any++
				}
				if len(hit) == 1 {
					only[hit[0]]++
				}
				st := time.Now()
				if _, err := New().Scan(img); err == nil {
					chain++
				}
				chainT += time.Since(st)
			}
			var b strings.Builder
			for i, ps := range defaultPasses {
				fmt.Fprintf(&b, " %s=%d/%.0fms", ps.name, okBy[i], float64(tBy[i].Milliseconds())/float64(n))
			}
			t.Logf("%s %d bytes: any %d/%d, Scan %d (%.0f ms/frame); only:%v;%s", pn, size, any, n, chain, float64(chainT.Milliseconds())/float64(n), only, b.String())
		}
	}
}
