package display

import (
	"bytes"
	"image/png"
	"testing"
)

// zbarimg (zbar-tools), a decoder that is not ours, reads every PNG frame
// of every preset, and every frame's UR decodes to the message.
func TestZbarPNG(t *testing.T) {
	// One run of zbarimg for every frame of every preset.
	var pngs [][]byte
	var frames [][]string
	var msgs [][]byte
	for _, p := range Presets {
		msg := message(4*p.Fragment-3, 11)
		fs := URFrames("bytes", msg, p, 1.25)
		for _, f := range fs {
			b, err := PNG(f, p)
			if err != nil {
				t.Fatal(err)
			}
			pngs = append(pngs, b)
		}
		frames, msgs = append(frames, fs), append(msgs, msg)
	}
	got := zbar(t, pngs...)
	for i, p := range Presets {
		var read []string
		for j, f := range frames[i] {
			if len(got[0]) != 1 || got[0][0] != f {
				t.Fatalf("%s: zbarimg read %.60q from frame %d, want %.60q", p.Name, got[0], j+1, f)
			}
			read, got = append(read, got[0][0]), got[1:]
		}
		if !bytes.Equal(decodeAll(t, "bytes", read), msgs[i]) {
			t.Fatalf("%s: UR read by zbarimg decodes to other bytes", p.Name)
		}
		t.Logf("%s: zbarimg read %d of %d frames", p.Name, len(read), len(frames[i]))
	}
}

// zbarimg reads the terminal drawing shown as a dark terminal shows it (8×16
// pixel cells), and not the reversed colours of a light terminal, which is
// why Terminal draws light modules as blocks.
func TestZbarTerminal(t *testing.T) {
	var pngs [][]byte
	var frames []string
	for _, p := range []Preset{Presets[0], Default} {
		f := URFrames("bytes", message(2*p.Fragment, 5), p, 1)[0]
		out, err := Terminal(f, p)
		if err != nil {
			t.Fatal(err)
		}
		img := rasterize(t, out, 8, 3)
		var dark, light bytes.Buffer
		if err := png.Encode(&dark, img); err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(&light, invert(img)); err != nil {
			t.Fatal(err)
		}
		pngs, frames = append(pngs, dark.Bytes(), light.Bytes()), append(frames, f)
	}
	got := zbar(t, pngs...)
	for i, f := range frames {
		if len(got[2*i]) != 1 || got[2*i][0] != f {
			t.Fatalf("zbarimg read %.60q from the terminal drawing, want %.60q", got[2*i], f)
		}
		if len(got[2*i+1]) != 0 {
			t.Fatalf("zbarimg reads the reversed drawing too (%.30q): the test cannot tell the colours apart", got[2*i+1])
		}
	}
}
