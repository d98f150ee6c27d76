package display

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/coldtss/coldtss/qr/interop"
)

// Headless Chromium opens the page from a file, with no network: at
// #frame=N it shows frame N, and the frames read from its screenshots
// decode to the whole message; without it the page animates. The page asks
// for nothing over the network, which a page that does is seen to do.
func TestHTMLInChromium(t *testing.T) {
	c := interop.RequireChromium(t)
	p := Default
	msg := message(2*p.Fragment+300, 12) // 3 fragments
	frames := URFrames("bytes", msg, p, 1)
	page, err := HTML("coldtss test page", frames, p)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "page.html")
	if err := os.WriteFile(file, page, 0o600); err != nil {
		t.Fatal(err)
	}
	s, _ := Encode(frames[0], p.Level)
	w, h := s.Size()*p.Module+40, s.Size()*p.Module+140
	url := "file://" + file

	read := func(shot []byte) string {
		t.Helper()
		img, err := png.Decode(bytes.NewReader(shot))
		if err != nil {
			t.Fatal(err)
		}
		text, _, err := zxing(img, false)
		if err != nil {
			t.Fatalf("no QR code read in Chromium's screenshot: %v", err)
		}
		return text
	}
	var texts []string
	for i, f := range frames {
		shot, reqs := c.Screenshot(t, url+"#frame="+strconv.Itoa(i+1), w, h)
		if len(reqs) != 0 {
			t.Fatalf("the page made network requests: %q", reqs)
		}
		if got := read(shot); got != f {
			t.Fatalf("#frame=%d shows %.40q, want %.40q", i+1, got, f)
		}
		texts = append(texts, read(shot))
	}
	if !bytes.Equal(decodeAll(t, "bytes", texts), msg) {
		t.Fatal("the frames Chromium showed decode to other bytes")
	}

	// Animation: after 4.5 frames' time (virtual, so exact but for the
	// page's own load), frame 5 shows. At 4 fps half a frame (125 ms) is
	// far more than the load takes; at the default's 20 fps it is not.
	slow := p.With(0, 0, 4)
	slowPage, err := HTML("coldtss test page", frames, slow)
	if err != nil {
		t.Fatal(err)
	}
	slowFile := filepath.Join(dir, "slow.html")
	if err := os.WriteFile(slowFile, slowPage, 0o600); err != nil {
		t.Fatal(err)
	}
	budget := 4500 / slow.FPS
	shot, _ := c.Screenshot(t, "file://"+slowFile, w, h, "--virtual-time-budget="+strconv.Itoa(budget))
	if got, want := read(shot), frames[4%len(frames)]; got != want {
		t.Fatalf("after %d ms at %d fps Chromium shows %.40q, want %.40q", budget, slow.FPS, got, want)
	}

	// The request detector sees a page that loads something.
	probe := filepath.Join(dir, "probe.html")
	bad := strings.Replace(string(page), "<title>", `<img src="http://probe.invalid/x.png"><title>`, 1)
	bad = strings.Replace(bad, "Content-Security-Policy", "X-Nothing", 1)
	if err := os.WriteFile(probe, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, reqs := c.Screenshot(t, "file://"+probe, 200, 200); len(reqs) != 1 || reqs[0] != "http://probe.invalid/x.png" {
		t.Fatalf("a page loading an image made requests %q: the detector does not work", reqs)
	}
}
