package display

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/coldtss/coldtss/qr/interop"
	"github.com/coldtss/coldtss/qr/ur"
)

// message returns n reproducible pseudo-random bytes.
func message(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// zxing decodes the one QR code in img with gozxing, the reference decoder
// of these tests. pure says img is exactly a symbol and its quiet zone.
func zxing(img image.Image, pure bool) (text, level string, err error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", "", err
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	if pure {
		hints[gozxing.DecodeHintType_PURE_BARCODE] = true
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		return "", "", err
	}
	lv, _ := res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL].(string)
	return res.GetText(), lv, nil
}

// zbar decodes the PNGs with one run of zbarimg, and returns the texts of
// the QR codes it found in each.
func zbar(t *testing.T, pngs ...[]byte) [][]string {
	t.Helper()
	bin := interop.Tool(t, "zbarimg", "zbar-tools")
	dir := t.TempDir()
	args := []string{"--quiet", "--xml", "-Sdisable", "-Sqrcode.enable"}
	for i, b := range pngs {
		f := filepath.Join(dir, fmt.Sprintf("%04d.png", i))
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, f)
	}
	cmd := exec.Command(bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		// 4: no symbol in some image, which the result shows.
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 4 {
			t.Fatalf("zbarimg: %v: %s", err, errb.String())
		}
	}
	var doc struct {
		Sources []struct {
			Href    string   `xml:"href,attr"`
			Symbols []string `xml:"index>symbol>data"`
		} `xml:"source"`
	}
	if err := xml.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("zbarimg --xml: %v: %.200s", err, out.String())
	}
	res := make([][]string, len(pngs))
	for _, src := range doc.Sources {
		var i int
		if _, err := fmt.Sscanf(filepath.Base(src.Href), "%04d.png", &i); err != nil || i >= len(pngs) {
			t.Fatalf("zbarimg --xml names %q", src.Href)
		}
		res[i] = src.Symbols
	}
	return res
}

// decodeAll feeds texts to a UR decoder and returns the message once done.
func decodeAll(t *testing.T, typ string, texts []string) []byte {
	t.Helper()
	d := ur.NewDecoder(ur.ExpectType(typ))
	for _, s := range texts {
		if err := d.Receive(s); err != nil {
			t.Fatalf("UR part %.40q: %v", s, err)
		}
	}
	if !d.Done() {
		t.Fatalf("UR incomplete after %d parts: %+v", len(texts), d.Progress())
	}
	_, msg, err := d.Result()
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// rasterize draws terminal text the way a terminal with light text on black
// shows it: cells of cw×2·cw pixels (a half block is cw square), a block
// half in white, and margin cells of black background around it.
func rasterize(t *testing.T, text string, cw, margin int) *image.Gray {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	cols := 0
	for _, l := range lines {
		cols = max(cols, len([]rune(l)))
	}
	img := image.NewGray(image.Rect(0, 0, (cols+2*margin)*cw, (len(lines)+2*margin)*2*cw))
	fill := func(cx, cy, half int) {
		for y := 0; y < cw; y++ {
			for x := 0; x < cw; x++ {
				img.SetGray((cx+margin)*cw+x, (cy+margin)*2*cw+half*cw+y, color.Gray{Y: 0xff})
			}
		}
	}
	for cy, l := range lines {
		for cx, r := range []rune(l) {
			switch r {
			case cellFull:
				fill(cx, cy, 0)
				fill(cx, cy, 1)
			case cellUpper:
				fill(cx, cy, 0)
			case cellLower:
				fill(cx, cy, 1)
			case cellNone:
			default:
				t.Fatalf("terminal drawing has rune %q at line %d column %d", r, cy+1, cx+1)
			}
		}
	}
	return img
}

// invert swaps black and white.
func invert(g *image.Gray) *image.Gray {
	out := image.NewGray(g.Bounds())
	for i, v := range g.Pix {
		out.Pix[i] = 0xff - v
	}
	return out
}
