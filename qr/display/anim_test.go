package display

import (
	"bytes"
	"encoding/base64"
	"image/gif"
	"image/png"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/coldtss/coldtss/qr/ur"
)

// URFrames: the fragments in order, then fountain parts, ceil(n × loops)
// in all; one single-part UR for a short message.
func TestURFrames(t *testing.T) {
	p := Default.With(100, 0, 0)
	msg := message(950, 3) // 10 fragments of 95 bytes
	for _, c := range []struct {
		loops float64
		want  int
	}{{0, 10}, {1, 10}, {1.25, 13}, {2, 20}} {
		frames := URFrames("bytes", msg, p, c.loops)
		if len(frames) != c.want {
			t.Fatalf("loops %v: %d frames, want %d", c.loops, len(frames), c.want)
		}
		for i, f := range frames {
			if n, m, ok := urSeq(f); !ok || n != uint64(i+1) || m != 10 {
				t.Fatalf("frame %d is %.30q", i+1, f)
			}
		}
		if !bytes.Equal(decodeAll(t, "bytes", frames[:10]), msg) {
			t.Fatal("the first 10 frames do not decode to the message")
		}
	}
	if f := URFrames("bytes", msg[:50], p, 3); len(f) != 1 || !strings.HasPrefix(f[0], "UR:BYTES/") || strings.Count(f[0], "/") != 1 {
		t.Fatalf("short message: %q", f)
	}
	// With loops 2, losing every third frame still decodes, thanks to the
	// fountain parts.
	frames := URFrames("bytes", msg, p, 2)
	var kept []string
	for i, f := range frames {
		if i%3 != 1 {
			kept = append(kept, f)
		}
	}
	if !bytes.Equal(decodeAll(t, "bytes", kept), msg) {
		t.Fatal("2 loops with a third of the frames lost do not decode")
	}
}

// The throughput of each preset with 30% of the frames lost at random: the
// default must carry at least 4 KB/s of message. Parts are counted until
// the decoder completes, as a scanner would (fountain overhead included).
func TestThroughput(t *testing.T) {
	for _, p := range Presets {
		msg := message(30*p.Fragment, 17) // 30 fragments
		frames, trials := 0, 20
		rng := rand.New(rand.NewPCG(5, 5))
		for trial := 0; trial < trials; trial++ {
			e := ur.NewEncoder("bytes", msg, p.Fragment)
			d := ur.NewDecoder()
			for !d.Done() {
				frames++
				part := e.NextPart()
				if rng.Float64() < 0.3 {
					continue
				}
				if err := d.Receive(part); err != nil {
					t.Fatal(err)
				}
			}
			if _, got, err := d.Result(); err != nil || !bytes.Equal(got, msg) {
				t.Fatalf("%s: decoded %d bytes, %v", p.Name, len(got), err)
			}
		}
		perMessage := float64(frames) / float64(trials) / float64(p.FPS) // seconds
		rate := float64(len(msg)) / perMessage
		t.Logf("%-8s %4d B × %d fps = %5d B/s raw; 30%% loss: %.1f frames for 30 fragments, %5.0f B/s of message",
			p.Name, p.Fragment, p.FPS, p.Fragment*p.FPS, float64(frames)/float64(trials), rate)
		if p.Name == "default" && rate < 4000 {
			t.Fatalf("default preset carries %.0f B/s with 30%% frame loss, want at least 4000", rate)
		}
	}
}

// The GIF loops forever at p.FPS, and its frames decode, with gozxing, to
// the frames given, in order; frames of a smaller symbol are centred.
func TestGIF(t *testing.T) {
	p := Default
	msg := message(2*p.Fragment+100, 8)
	frames := URFrames("bytes", msg, p, 1.5)
	frames = append(frames, "UR:BYTES/SHORT") // a smaller symbol
	b, err := GIF(frames, p)
	if err != nil {
		t.Fatal(err)
	}
	g, err := gif.DecodeAll(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if g.LoopCount != 0 || len(g.Image) != len(frames) {
		t.Fatalf("GIF of %d frames, loop count %d; want %d, 0", len(g.Image), g.LoopCount, len(frames))
	}
	s, _ := Encode(frames[0], p.Level)
	if size := s.Size() * p.Module; g.Config.Width != size || g.Config.Height != size {
		t.Fatalf("GIF is %d×%d, want %d", g.Config.Width, g.Config.Height, size)
	}
	var read []string
	for i, img := range g.Image {
		if g.Delay[i] != int(math.Round(100/float64(p.FPS))) {
			t.Fatalf("frame %d: delay %d hundredths for %d fps", i+1, g.Delay[i], p.FPS)
		}
		text, _, err := zxing(img, true)
		if err != nil || text != frames[i] {
			t.Fatalf("frame %d: gozxing read %.40q, %v; want %.40q", i+1, text, err, frames[i])
		}
		read = append(read, text)
	}
	if !bytes.Equal(decodeAll(t, "bytes", read[:len(read)-1]), msg) {
		t.Fatal("GIF frames decode to other bytes")
	}
	if _, err := GIF(nil, p); err == nil {
		t.Fatal("GIF of no frames made")
	}
}

var (
	imgSrc  = regexp.MustCompile(`<img[^>]* src="([^"]*)"`)
	dataURI = regexp.MustCompile(`data:image/png;base64,[A-Za-z0-9+/=&#;]*`)
)

// The page is self-contained: its CSP forbids loading anything, it names
// no address, the title is escaped, and its images are PNG data: URIs that
// decode to the frames in order.
func TestHTMLPage(t *testing.T) {
	p := Default
	msg := message(2500, 6)
	frames := URFrames("bytes", msg, p, 1)
	title := `</title><script>alert("x")</script> & more`
	b, err := HTML(title, frames, p)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	csp := `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; img-src data:; script-src &#39;unsafe-inline&#39;; style-src &#39;unsafe-inline&#39;">`
	if !strings.Contains(page, csp) || strings.Index(page, csp) > strings.Index(page, "<title>") {
		t.Fatal("the page has no Content-Security-Policy before its title")
	}
	if strings.Contains(page, "alert(\"x\")") || !strings.Contains(page, "<title>&lt;/title&gt;&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more</title>") {
		t.Fatal("the title is not escaped")
	}
	rest := dataURI.ReplaceAllString(page, "DATA")
	for _, bad := range []string{"http:", "https:", "//", "url(", "@import", "href", "src=\"/"} {
		if i := strings.Index(rest, bad); i >= 0 {
			t.Fatalf("the page contains %q: %.80s", bad, rest[max(i-40, 0):])
		}
	}
	if n := strings.Count(rest, "src="); n != len(frames) {
		t.Fatalf("%d src attributes for %d frames", n, len(frames))
	}
	srcs := imgSrc.FindAllStringSubmatch(page, -1)
	if len(srcs) != len(frames) {
		t.Fatalf("%d images for %d frames", len(srcs), len(frames))
	}
	for i, m := range srcs {
		uri := strings.ReplaceAll(m[1], "&#43;", "+")
		data, ok := strings.CutPrefix(uri, "data:image/png;base64,")
		if !ok {
			t.Fatalf("image %d is %.40q", i+1, uri)
		}
		raw, err := base64.StdEncoding.DecodeString(data)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if text, _, err := zxing(img, true); err != nil || text != frames[i] {
			t.Fatalf("image %d: gozxing read %.40q, %v", i+1, text, err)
		}
	}
}
