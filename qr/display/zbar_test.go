package display

import (
	"bytes"
	"image/png"
	"testing"
)

// zbarimg (zbar-tools), a decoder that is not ours, reads every PNG frame
// of every preset, and every frame's UR decodes to the message.
func TestZbarPNG(t *testing.T) {
	for _, p := range Presets {
		msg := message(4*p.Fragment-3, 11)
		frames := URFrames("bytes", msg, p, 1.25)
		var read []string
		for i, f := range frames {
			b, err := PNG(f, p)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := zbar(t, b)
			if !ok {
				t.Fatalf("%s: zbarimg found no QR code in frame %d of %d", p.Name, i+1, len(frames))
			}
			if len(got) != 1 || got[0] != f {
				t.Fatalf("%s: zbarimg read %.60q from frame %d, want %.60q", p.Name, got, i+1, f)
			}
			read = append(read, got[0])
		}
		if !bytes.Equal(decodeAll(t, "bytes", read), msg) {
			t.Fatalf("%s: UR read by zbarimg decodes to other bytes", p.Name)
		}
		t.Logf("%s: zbarimg read %d of %d frames", p.Name, len(read), len(frames))
	}
}

// zbarimg reads the terminal drawing shown as a dark terminal shows it (8×16
// pixel cells) and, as the terminal's doc says, not the reversed colours of
// a light terminal.
func TestZbarTerminal(t *testing.T) {
	for _, p := range []Preset{Presets[0], Default} {
		f := URFrames("bytes", message(2*p.Fragment, 5), p, 1)[0]
		out, err := Terminal(f, p)
		if err != nil {
			t.Fatal(err)
		}
		img := rasterize(t, out, 8, 3)
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		got, ok := zbar(t, b.Bytes())
		if !ok || len(got) != 1 || got[0] != f {
			t.Fatalf("%s: zbarimg read %.60q (found: %v) from the terminal drawing, want %.60q", p.Name, got, ok, f)
		}
		b.Reset()
		if err := png.Encode(&b, invert(img)); err != nil {
			t.Fatal(err)
		}
		if got, ok := zbar(t, b.Bytes()); ok {
			t.Logf("%s: zbarimg also reads the reversed drawing: %.30q", p.Name, got)
		} else {
			t.Logf("%s: zbarimg does not read the reversed drawing (a light terminal)", p.Name)
		}
	}
}
