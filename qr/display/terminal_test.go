package display

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// A known short text: one line per two rows of modules, every line as wide
// as the symbol, only the four allowed runes, the quiet zone drawn light on
// every side, and every cell the two modules under it.
func TestTerminalStructure(t *testing.T) {
	const text = "UR:BYTES/HDCXLKAHSSQZWFVSLOFZOXWKRE"
	p := Default.With(0, M, 0)
	out, err := Terminal(text, p)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := Encode(text, M)
	n := s.Size()
	if s.Version != 2 || n != 33 {
		t.Fatalf("%d characters at M: version %d (%d modules), want version 2 (33)", len(text), s.Version, n)
	}
	if !strings.HasSuffix(out, "\n") {
		t.Fatal("drawing does not end with a newline")
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != (n+1)/2 {
		t.Fatalf("%d lines for %d rows of modules, want %d", len(lines), n, (n+1)/2)
	}
	for i, l := range lines {
		if c := utf8.RuneCountInString(l); c != n {
			t.Fatalf("line %d is %d columns, want %d", i+1, c, n)
		}
		for j, r := range []rune(l) {
			upper := !s.Modules[2*i][j]
			lower := 2*i+1 < n && !s.Modules[2*i+1][j]
			want := map[[2]bool]rune{{true, true}: '█', {true, false}: '▀', {false, true}: '▄', {false, false}: ' '}[[2]bool{upper, lower}]
			if r != want {
				t.Fatalf("line %d column %d is %q, want %q", i+1, j+1, r, want)
			}
		}
	}
	// Quiet zone: the first two lines are full blocks (4 light rows), the
	// last is upper halves (1 light row over the dark half row past the end;
	// the three rows above it are the line before, full), and 4 columns of
	// every line are light on both sides.
	full := strings.Repeat("█", n)
	if lines[0] != full || lines[1] != full || lines[len(lines)-2] != full || lines[len(lines)-1] != strings.Repeat("▀", n) {
		t.Fatalf("quiet zone above or below is not light:\n%s", out)
	}
	for i, l := range lines {
		r := []rune(l)
		if i < len(lines)-1 && (string(r[:4]) != "████" || string(r[n-4:]) != "████") {
			t.Fatalf("line %d: quiet zone at the sides is not light: %q", i+1, l)
		}
	}
}

// The terminal drawing, shown as a terminal with light text on black
// shows it, decodes; shown with the colours of a light terminal it is a
// reversed code.
func TestTerminalDecodes(t *testing.T) {
	for _, p := range Presets {
		f := URFrames("bytes", message(3*p.Fragment, 3), p, 1)[1]
		out, err := Terminal(f, p)
		if err != nil {
			t.Fatal(err)
		}
		img := rasterize(t, out, 3, 2)
		text, _, err := zxing(img, false)
		if err != nil {
			t.Fatalf("%s: rasterized terminal drawing does not decode: %v", p.Name, err)
		}
		if text != f {
			t.Fatalf("%s: decoded %.40q, want %.40q", p.Name, text, f)
		}
		if _, _, err := zxing(invert(img), false); err == nil {
			t.Fatalf("%s: the reversed drawing decodes too: the test does not tell the colours apart", p.Name)
		}
	}
}
