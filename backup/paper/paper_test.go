package paper

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/coldtss/coldtss/qr/camsim"
	"github.com/coldtss/coldtss/qr/display"
)

// requireTool skips when an external tool is missing, unless
// COLDTSS_REQUIRE_INTEROP=1 (make test), as qr/interop does.
func requireTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("COLDTSS_REQUIRE_INTEROP") == "1" {
			t.Fatalf("%s is not installed and COLDTSS_REQUIRE_INTEROP=1: run scripts/install-test-deps.sh (Debian %s)", name, pkg)
		}
		t.Skipf("%s is not installed (Debian %s); scripts/install-test-deps.sh installs it", name, pkg)
	}
	return p
}

// pdfPages is the page count pdfinfo reads from a PDF.
func pdfPages(t *testing.T, pdf []byte) int {
	requireTool(t, "pdfinfo", "poppler-utils")
	path := filepath.Join(t.TempDir(), "sheet.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfinfo", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo printed no page count:\n%s", out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// The PDF, rendered by poppler at 150 dpi, gives back the exact backup
// through our scanner; it has at most two pages, of the size asked for.
func TestPDFRendersAndRestores(t *testing.T) {
	requireTool(t, "pdftoppm", "poppler-utils")
	for _, c := range []struct {
		paper Paper
		size  int
		dpi   int
	}{
		{A4, 3000, 150},     // an ed25519 share's backup is a few kB
		{Letter, 8000, 150}, // denser: level M, 0.34 mm modules
		{A4, 20000, 300},    // a secp256k1 share, the densest layout: 0.25 mm modules need 300 dpi
	} {
		t.Run(fmt.Sprintf("%s-%dB", c.paper, c.size), func(t *testing.T) {
			data := ageFile(t, c.size, int64(c.size))
			pdf, pngs, err := Render(data, testMeta(), Options{Paper: c.paper})
			if err != nil {
				t.Fatal(err)
			}
			if n := pdfPages(t, pdf); n > MaxPages || n != len(pngs) {
				t.Fatalf("the PDF has %d pages and there are %d PNGs; want the same, at most %d", n, len(pngs), MaxPages)
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "sheet.pdf")
			os.WriteFile(path, pdf, 0o600)
			if out, err := exec.Command("pdftoppm", "-r", strconv.Itoa(c.dpi), "-png", path, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
				t.Fatalf("pdftoppm: %v\n%s", err, out)
			}
			// The page size poppler sees is the paper asked for.
			pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
			f, _ := os.Open(pages[0])
			cfg, err := png.DecodeConfig(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			w, h := c.paper.size()
			if d := cfg.Width - int(w/25.4*float64(c.dpi)+0.5); d < -1 || d > 1 || cfg.Height-int(h/25.4*float64(c.dpi)+0.5) > 1 {
				t.Fatalf("page is %dx%d pixels at %d dpi: not %s", cfg.Width, cfg.Height, c.dpi, c.paper)
			}
			got, err := ReadPictures([]string{dir}, func(w string) { t.Log(w) })
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data) {
				t.Fatal("the backup read from the rendered PDF differs from the one printed")
			}
		})
	}
}

// A PNG page photographed by a simulated hand-held camera (scaled,
// rotated, tilted, blurred, noised) gives back the backup.
func TestPhotographedSheetRestores(t *testing.T) {
	data := ageFile(t, 3000, 7)
	_, pngs, err := Render(data, testMeta(), Options{Paper: Letter})
	if err != nil {
		t.Fatal(err)
	}
	opts := camsim.Typical
	opts.Width, opts.Height = 3000, 4000 // a 12 MP phone held upright
	opts.Drop = 0                        // a photo is taken again when it is shaken
	cam := camsim.New(opts, 42)
	dir := t.TempDir()
	for i, b := range pngs {
		page, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		// Two photos of each page, as the sheet's instructions say.
		for k := 1; k <= 2; k++ {
			photo, _ := cam.Shoot(page)
			var out bytes.Buffer
			png.Encode(&out, photo)
			os.WriteFile(filepath.Join(dir, fmt.Sprintf("photo-%d-%d.png", i+1, k)), out.Bytes(), 0o600)
		}
	}
	got, err := ReadPictures([]string{dir}, func(w string) { t.Log(w) })
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("the backup read from the photos differs from the one printed")
	}
}

func TestTooLarge(t *testing.T) {
	_, _, err := Render(ageFile(t, 60000, 1), testMeta(), Options{Paper: Letter})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "--no-text") {
		t.Fatalf("a 60 kB backup: %v; want ErrTooLarge suggesting --no-text", err)
	}
	if _, _, err := Render(nil, testMeta(), Options{}); err == nil {
		t.Fatal("an empty backup was printed")
	}
}

// Codes of something else are refused, and do not count.
func TestReaderRefusesForeignCodes(t *testing.T) {
	r := NewReader()
	img, err := display.Image("UR:CRYPTO-PSBT/HDCXLKAHSSQZWFVSLOFZOXWKRE", display.Default)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.AddPicture(img); !errors.Is(err, ErrForeign) {
		t.Fatalf("a picture of a crypto-psbt code: %v; want ErrForeign", err)
	}
	if _, err := r.Result(); err == nil || !strings.Contains(err.Error(), "no QR code of a paper backup") {
		t.Fatalf("Result after only a foreign code: %v", err)
	}
	// A sheet's codes of something that is not an age file.
	pdfless := NewReader()
	_, pngs, err := Render([]byte("not an age file"), Meta{}, Options{NoText: true})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := png.Decode(bytes.NewReader(pngs[0]))
	pdfless.AddPicture(page)
	if _, err := pdfless.Result(); err == nil || !strings.Contains(err.Error(), "not a coldtss paper backup") {
		t.Fatalf("codes of a non-age file: %v", err)
	}
}
