package display

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image"
	"image/draw"
	"image/gif"
	"math"

	"github.com/coldtss/coldtss/qr/ur"
)

// URFrames returns the parts of an animation of the UR of type typ and CBOR
// message cbor, for a GIF or an HTML page: first the message's fragments
// one per part, then fountain parts (each a mix of fragments), so that a
// scanner that missed some frames still completes within the loop. The
// count is ceil(fragments × loops), at least the fragments (loops below 1
// count as 1); a message of one fragment is one single-part UR. It panics,
// as ur.NewEncoder does, on an invalid type, an empty or too long message,
// or p.Fragment < 1.
func URFrames(typ string, cbor []byte, p Preset, loops float64) []string {
	e := ur.NewEncoder(typ, cbor, p.Fragment)
	n := e.SeqLen()
	if n == 1 {
		return []string{e.NextPart()}
	}
	if loops > 1 {
		n = int(math.Ceil(float64(n) * loops))
	}
	frames := make([]string, n)
	for i := range frames {
		frames[i] = e.NextPart()
	}
	return frames
}

// symbols encodes every frame at p.Level, and returns the largest size.
func symbols(frames []string, p Preset) ([]*Symbol, int, error) {
	if err := p.Validate(); err != nil {
		return nil, 0, err
	}
	if len(frames) == 0 {
		return nil, 0, fmt.Errorf("QR animation of no frames: there is nothing to show; give at least one frame")
	}
	syms := make([]*Symbol, len(frames))
	size := 0
	for i, f := range frames {
		s, err := Encode(f, p.Level)
		if err != nil {
			return nil, 0, fmt.Errorf("frame %d of %d: %w", i+1, len(frames), err)
		}
		syms[i], size = s, max(size, s.Size())
	}
	return syms, size, nil
}

// padded draws s in the middle of a size×size (modules) light square.
func padded(s *Symbol, size, module int) *image.Paletted {
	img := s.Image(module)
	if s.Size() == size {
		return img
	}
	out := image.NewPaletted(image.Rect(0, 0, size*module, size*module), palette)
	off := (size - s.Size()) / 2 * module
	draw.Draw(out, img.Bounds().Add(image.Pt(off, off)), img, image.Point{}, draw.Src)
	return out
}

// GIF is an animated GIF of the frames, one QR code each, at p.FPS (GIF
// delays are in hundredths of a second), looping forever. Frames of
// different sizes are centred on the largest.
func GIF(frames []string, p Preset) ([]byte, error) {
	syms, size, err := symbols(frames, p)
	if err != nil {
		return nil, err
	}
	delay := max(int(math.Round(100/float64(p.FPS))), 2) // browsers treat 0 and 1 as 10
	g := &gif.GIF{LoopCount: 0}
	for _, s := range syms {
		g.Image = append(g.Image, padded(s, size, p.Module))
		g.Delay = append(g.Delay, delay)
		g.Disposal = append(g.Disposal, gif.DisposalNone)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		return nil, fmt.Errorf("GIF of %d QR codes: %v; this is a bug, please report it", len(frames), err)
	}
	return b.Bytes(), nil
}

// CSP is the Content-Security-Policy of the HTML page: nothing may be
// loaded, images only from data: URIs, and only its own inline script and style.
const CSP = "default-src 'none'; img-src data:; script-src 'unsafe-inline'; style-src 'unsafe-inline'"

// HTML is a self-contained page that shows the frames as QR codes, one
// after another at p.FPS, for a screen or a phone that is not a terminal.
// Everything is in the page: the codes are PNG data: URIs and the script
// that cycles them is inline; it loads nothing, and its Content-Security-
// Policy (CSP) forbids loading anything, so it works from a file on an
// air-gapped machine. It shows a counter, pause and speed buttons (space
// and the arrow keys too), and opens at frame N, paused, when its address
// ends in #frame=N.
func HTML(title string, frames []string, p Preset) ([]byte, error) {
	syms, size, err := symbols(frames, p)
	if err != nil {
		return nil, err
	}
	uris := make([]template.URL, len(syms))
	for i, s := range syms {
		png, err := encodePNG(padded(s, size, p.Module))
		if err != nil {
			return nil, err
		}
		// A data: URI of a PNG made here, which html/template cannot know is safe.
		uris[i] = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	}
	var b bytes.Buffer
	err = pageTemplate.Execute(&b, struct {
		Title  string
		CSP    string
		Frames []template.URL
		FPS    int
		Size   int
	}{title, CSP, uris, p.FPS, size * p.Module})
	if err != nil {
		return nil, fmt.Errorf("HTML page of %d QR codes: %v; this is a bug, please report it", len(frames), err)
	}
	return b.Bytes(), nil
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
html, body { margin: 0; background: #fff; color: #000; font: 16px sans-serif; text-align: center; }
h1 { font-size: 18px; margin: 8px; }
#qr img { display: none; margin: 0 auto; image-rendering: pixelated; width: {{.Size}}px; max-width: 100vw; }
#qr img.on { display: block; }
#bar { margin: 8px; }
button { font-size: 16px; margin: 0 4px; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<div id="qr">{{range $i, $f := .Frames}}<img{{if eq $i 0}} class="on"{{end}} src="{{$f}}" alt="QR code">{{end}}</div>
<div id="bar"><span id="count"></span>
<button id="pause" type="button">pause</button>
<button id="slower" type="button">slower</button>
<button id="faster" type="button">faster</button>
<span id="fps"></span></div>
<noscript><p>JavaScript is off: only the first code is shown. Allow this page's own script to animate the codes.</p></noscript>
<script>
(function () {
  "use strict";
  var imgs = document.querySelectorAll("#qr img"), n = imgs.length;
  var fps = {{.FPS}}, i = 0, timer = null;
  var count = document.getElementById("count"), pause = document.getElementById("pause"), rate = document.getElementById("fps");
  function show(k) {
    imgs[i].className = "";
    i = ((k % n) + n) % n;
    imgs[i].className = "on";
    count.textContent = "frame " + (i + 1) + " of " + n;
  }
  function play(on) {
    if (timer !== null) { clearInterval(timer); timer = null; }
    if (on && n > 1) { timer = setInterval(function () { show(i + 1); }, 1000 / fps); }
    pause.textContent = timer === null ? "play" : "pause";
    rate.textContent = fps + " frames/s";
  }
  function speed(f) { fps = Math.min(30, Math.max(1, fps + f)); play(timer !== null); }
  function fromHash() {
    var m = /^#frame=(\d+)$/.exec(location.hash);
    if (m) { show(parseInt(m[1], 10) - 1); play(false); return true; }
    return false;
  }
  pause.addEventListener("click", function () { play(timer === null); });
  document.getElementById("slower").addEventListener("click", function () { speed(-1); });
  document.getElementById("faster").addEventListener("click", function () { speed(1); });
  document.addEventListener("keydown", function (e) {
    if (e.key === " ") { play(timer === null); e.preventDefault(); }
    else if (e.key === "ArrowRight") { play(false); show(i + 1); }
    else if (e.key === "ArrowLeft") { play(false); show(i - 1); }
    else if (e.key === "ArrowUp") { speed(1); }
    else if (e.key === "ArrowDown") { speed(-1); }
  });
  window.addEventListener("hashchange", fromHash);
  show(0);
  if (!fromHash()) { play(true); }
})();
</script>
</body>
</html>
`))
