package display

import (
	"strings"
	"testing"
)

func TestPresets(t *testing.T) {
	if Default.Name != "default" {
		t.Fatalf("Default is %q", Default.Name)
	}
	for _, p := range Presets {
		if err := p.Validate(); err != nil {
			t.Fatal(err)
		}
		q, err := PresetByName(p.Name)
		if err != nil || q != p {
			t.Fatalf("PresetByName(%q) = %+v, %v", p.Name, q, err)
		}
	}
	_, err := PresetByName("fast")
	if err == nil || !strings.Contains(err.Error(), `"fast"`) || !strings.Contains(err.Error(), "wallet, default, dense, robust") {
		t.Fatalf("PresetByName(fast): %v", err)
	}
}

func TestPresetWith(t *testing.T) {
	p := Default.With(300, 0, 0)
	if p.Fragment != 300 || p.Level != Default.Level || p.FPS != Default.FPS || p.Module != Default.Module || p.Name != "default+custom" {
		t.Fatalf("With(300, 0, 0) = %+v", p)
	}
	if q := p.With(0, Q, 3); q.Fragment != 300 || q.Level != Q || q.FPS != 3 || q.Name != "default+custom" {
		t.Fatalf("With(0, Q, 3) = %+v", q)
	}
	if q := Default.With(0, 0, 0); q != Default {
		t.Fatalf("With(0, 0, 0) = %+v", q)
	}
	for _, c := range []struct {
		p    Preset
		want string
	}{
		{Default.With(9, 0, 0), "fragment size 9 bytes is out of range at level L; use 10 to 2050"},
		{Default.With(900, H, 0), "fragment size 900 bytes is out of range at level H; use 10 to 850"},
		{Default.With(0, 0, 31), "31 frames per second is out of range; use 1 to 30"},
		{Default.With(0, 'X', 0), "is not one of L, M, Q, H"},
		{Preset{Name: "x", Fragment: 100, Level: L, FPS: 5, Module: 33}, "33 pixels per module is out of range; use 1 to 32"},
	} {
		if err := c.p.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("Validate(%+v) = %v, want %q", c.p, err, c.want)
		}
	}
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]Level{"L": L, "m": M, "Q": Q, "h": H} {
		if l, err := ParseLevel(in); err != nil || l != want {
			t.Fatalf("ParseLevel(%q) = %v, %v", in, l, err)
		}
	}
	for _, in := range []string{"", "X", "LL", "low"} {
		if _, err := ParseLevel(in); err == nil {
			t.Fatalf("ParseLevel(%q) accepted", in)
		}
	}
}

// MaxFragment holds at every level for a worst-case part: a 20-character
// type, the largest sequence number and count, the longest CBOR header.
// And it is not far below what fits: 50 bytes more do not.
func TestMaxFragment(t *testing.T) {
	worst := func(f int) string {
		// CBOR: array(5), 4 uint32 (5 bytes each), byte string header (3) and
		// data, then the CRC-32: 24+f+4 bytes, two letters each.
		return "UR:" + strings.Repeat("X", 20) + "/4294967295-131072/" + strings.Repeat("AB", f+28)
	}
	for _, l := range []Level{L, M, Q, H} {
		if _, err := Encode(worst(l.MaxFragment()), l); err != nil {
			t.Fatalf("level %v: a part of %d bytes: %v", l, l.MaxFragment(), err)
		}
		if _, err := Encode(worst(l.MaxFragment()+50), l); err == nil {
			t.Fatalf("level %v: a part of %d bytes fits too: MaxFragment is too low", l, l.MaxFragment()+50)
		}
	}
}
