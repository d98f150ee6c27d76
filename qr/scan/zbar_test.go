package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coldtss/coldtss/qr/camsim"
	qrcode "github.com/skip2/go-qrcode"
)

// zbarimg returns a reader that runs zbarimg (Debian zbar-tools) on one
// picture, or skips the test when it is missing (fails it when
// COLDTSS_REQUIRE_INTEROP=1, as make test sets).
func zbarimg(t testing.TB) func(img image.Image) (string, bool) {
	t.Helper()
	path, err := exec.LookPath("zbarimg")
	if err != nil {
		if os.Getenv("COLDTSS_REQUIRE_INTEROP") == "1" {
			t.Fatalf("zbarimg is not installed (Debian zbar-tools; scripts/install-test-deps.sh installs it), and COLDTSS_REQUIRE_INTEROP=1")
		}
		t.Skip("zbarimg is not installed (Debian zbar-tools): comparison skipped")
	}
	dir := t.TempDir()
	return func(img image.Image) (string, bool) {
		f := filepath.Join(dir, "frame.png")
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, path, "--raw", "-q", "-Sdisable", "-Sqrcode.enable", f).Output()
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 4 { // no symbol found
			return "", false
		}
		if err != nil {
			t.Fatalf("zbarimg: %v", err)
		}
		return strings.TrimSuffix(string(out), "\n"), true
	}
}

// rates shoots n frames of UR parts of size characters through a camsim
// preset and returns the fraction each reader decodes correctly, and the
// mean time of our Scan.
func rates(t testing.TB, opts camsim.Options, level qrcode.RecoveryLevel, size, n int, zbar func(image.Image) (string, bool)) (ours, theirs float64, scanMS float64) {
	t.Helper()
	parts := urParts(t, size, n, uint64(size))
	cam := camsim.New(opts, int64(size)*7+int64(level))
	s := New()
	var okOurs, okZbar int
	var spent time.Duration
	for _, p := range parts {
		img, _ := cam.Shoot(qrScreen(t, p, level, 0))
		st := time.Now()
		txt, err := s.Scan(img)
		spent += time.Since(st)
		if err == nil {
			if txt != p {
				t.Fatalf("Scan returned a wrong text for a %d-character part", size)
			}
			okOurs++
		}
		if zbar != nil {
			if txt, ok := zbar(img); ok && txt == p {
				okZbar++
			}
		}
	}
	return float64(okOurs) / float64(n), float64(okZbar) / float64(n), float64(spent.Microseconds()) / 1000 / float64(n)
}

// TestCompareZbar reports the frame decode rate of Scan and of zbarimg on
// the same simulated webcam frames, per camsim preset, part size and error
// correction level, and requires ours to be at least 95% of zbar's at
// Typical. By default it runs 8 frames per size at Typical only (to stay
// fast); COLDTSS_SCAN_FRAMES=N runs N frames of every case.
func TestCompareZbar(t *testing.T) {
	zbar := zbarimg(t)
	n, full := 8, false
	if v := os.Getenv("COLDTSS_SCAN_FRAMES"); v != "" {
		if _, err := fmt.Sscan(v, &n); err != nil || n < 1 {
			t.Fatalf("COLDTSS_SCAN_FRAMES=%q: want a number of frames", v)
		}
		full = true
	}
	levels := map[string]qrcode.RecoveryLevel{"L": qrcode.Low, "M": qrcode.Medium}
	var sumOurs, sumZbar float64
	for _, pc := range []struct {
		name string
		opts camsim.Options
	}{{"Mild", camsim.Mild}, {"Typical", camsim.Typical}, {"Harsh", camsim.Harsh}} {
		if pc.name != "Typical" && !full {
			continue
		}
		for _, size := range []int{200, 800, 1400} {
			for _, ln := range []string{"L", "M"} {
				if ln == "M" && (pc.name != "Typical" || !full) {
					continue
				}
				ours, theirs, ms := rates(t, pc.opts, levels[ln], size, n, zbar)
				t.Logf("%-7s %4d chars EC %s: ours %3.0f%%  zbar %3.0f%%  (%d frames, %.0f ms per Scan)", pc.name, size, ln, 100*ours, 100*theirs, n, ms)
				if pc.name == "Typical" && ln == "L" {
					sumOurs += ours
					sumZbar += theirs
				}
			}
		}
	}
	if sumOurs < 0.95*sumZbar {
		t.Errorf("at Typical, Scan decodes %.0f%% of what zbarimg decodes, want at least 95%%", 100*sumOurs/sumZbar)
	}
}
