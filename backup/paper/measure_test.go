package paper

import (
	"os"
	"testing"
)

func TestMeasureLayouts(t *testing.T) {
	if os.Getenv("COLDTSS_MEASURE") == "" {
		t.Skip("measures every density; set COLDTSS_MEASURE=1 to run")
	}
	for _, n := range []int{1000, 3000, 8000, 12000, 16000, 18000, 20000, 22000, 26000, 40000} {
		data := ageFile(t, n, 1)
		for _, p := range []Paper{A4, Letter} {
			for _, nt := range []bool{false, true} {
				d, err := Layout(data, testMeta(), Options{Paper: p, NoText: nt})
				if err != nil {
					t.Logf("%6d B %-6s notext=%v: %v", len(data), p, nt, err)
					continue
				}
				t.Logf("%6d B %-6s notext=%v: level %c module %.2f mm text %.1f pt, %d codes, %d pages", len(data), p, nt, d.Level, d.ModuleMM, d.TextPt, d.Codes, d.Pages)
			}
		}
	}
}
