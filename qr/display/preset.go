package display

import (
	"fmt"
	"strings"

	"github.com/skip2/go-qrcode"
)

// Level is a QR error correction level: the share of the symbol that may be
// unreadable and still decode (L 7%, M 15%, Q 25%, H 30%). A higher level
// makes the symbol larger for the same text.
type Level byte

// The four QR error correction levels.
const (
	L Level = 'L'
	M Level = 'M'
	Q Level = 'Q'
	H Level = 'H'
)

func (l Level) String() string {
	if l.valid() {
		return string(rune(l))
	}
	return fmt.Sprintf("Level(%d)", byte(l))
}

func (l Level) valid() bool { return l == L || l == M || l == Q || l == H }

func (l Level) recovery() qrcode.RecoveryLevel {
	switch l {
	case M:
		return qrcode.Medium
	case Q:
		return qrcode.High // go-qrcode calls Q (25%) High
	case H:
		return qrcode.Highest
	}
	return qrcode.Low
}

// ParseLevel reads an error correction level: L, M, Q or H (any case).
func ParseLevel(s string) (Level, error) {
	if len(s) == 1 {
		if l := Level(strings.ToUpper(s)[0]); l.valid() {
			return l, nil
		}
	}
	return 0, fmt.Errorf("QR error correction level %q is not one of L, M, Q, H; use L (7%%), M (15%%), Q (25%%) or H (30%%)", s)
}

// Preset is how data is shown as QR codes: how much goes into one frame, how
// strongly it is protected, how fast frames change, and how large images are.
type Preset struct {
	Name     string
	Fragment int   // largest UR fragment per frame, in bytes of the message
	Level    Level // QR error correction
	FPS      int   // frames per second of an animation
	Module   int   // pixels per QR module in images (PNG, GIF, HTML)
}

// Limits of a preset's fields.
const (
	MinFragment = 10 // the UR encoders' shortest fragment
	MaxFPS      = 30
	MaxModule   = 32
)

// MaxFragment is the largest fragment whose UR parts always fit in one QR
// code (version 40) at level l: with a UR type of up to 20 characters and
// any sequence number.
func (l Level) MaxFragment() int {
	switch l {
	case L:
		return 2050
	case M:
		return 1600
	case Q:
		return 1150
	case H:
		return 850
	}
	return 0
}

// Presets are the named presets, in order from the most compatible to the
// most robust. Change the numbers here: everything else reads them.
//
// A UR animation loses more than the frames a scanner misses: the fountain
// parts that replace them are not all useful. With 30% of the frames lost
// a scanner gets about half of what is shown (TestThroughput measures it),
// and through a simulated webcam (qr/camsim Typical) our scanner reads
// about half of the default frames on top of that: make bench measured
// about 207 bytes carried per displayed frame at 30% loss. "default"
// therefore shows 20 frames a second, to carry 4 KB/s (4.1 measured). For
// a part of a full fragment of a crypto-psbt (docs/qr.md has all the
// measurements):
//
//	wallet   250 B, L,  5 fps: version 13,  77 modules with the quiet zone, 1.25 KB/s shown
//	default 1100 B, L, 20 fps: version 29, 141 modules, 22 KB/s shown, about 4.1 KB/s carried at 30% loss through a camera
//	dense   1600 B, L, 10 fps: version 35, 165 modules, 16 KB/s shown, 8.6 KB/s at 30% loss
//	robust   100 B, H,  4 fps: version 13,  77 modules, 0.4 KB/s shown
var Presets = []Preset{
	{Name: "wallet", Fragment: 250, Level: L, FPS: 5, Module: 6},
	{Name: "default", Fragment: 1100, Level: L, FPS: 20, Module: 4},
	{Name: "dense", Fragment: 1600, Level: L, FPS: 10, Module: 3},
	{Name: "robust", Fragment: 100, Level: H, FPS: 4, Module: 8},
}

// Default is the preset named "default": throughput for coldtss stations
// scanning each other.
var Default = Presets[1]

// PresetByName returns the preset of that name.
func PresetByName(name string) (Preset, error) {
	names := make([]string, len(Presets))
	for i, p := range Presets {
		if p.Name == name {
			return p, nil
		}
		names[i] = p.Name
	}
	return Preset{}, fmt.Errorf("QR preset %q does not exist; use one of: %s", name, strings.Join(names, ", "))
}

// With returns p with the fields given overridden, for a manual setting:
// a zero fragment or fps, or a zero level, keeps p's. The result is named
// after p with "+custom", and should be checked with Validate.
func (p Preset) With(fragment int, level Level, fps int) Preset {
	q := p
	if fragment != 0 {
		q.Fragment = fragment
	}
	if level != 0 {
		q.Level = level
	}
	if fps != 0 {
		q.FPS = fps
	}
	if q != p && !strings.HasSuffix(q.Name, "+custom") {
		q.Name += "+custom"
	}
	return q
}

// Validate reports the first field of p out of its range.
func (p Preset) Validate() error {
	switch {
	case !p.Level.valid():
		return fmt.Errorf("QR preset %s: error correction level %v is not one of L, M, Q, H; use one of them", p.Name, p.Level)
	case p.Fragment < MinFragment || p.Fragment > p.Level.MaxFragment():
		return fmt.Errorf("QR preset %s: fragment size %d bytes is out of range at level %v; use %d to %d", p.Name, p.Fragment, p.Level, MinFragment, p.Level.MaxFragment())
	case p.FPS < 1 || p.FPS > MaxFPS:
		return fmt.Errorf("QR preset %s: %d frames per second is out of range; use 1 to %d", p.Name, p.FPS, MaxFPS)
	case p.Module < 1 || p.Module > MaxModule:
		return fmt.Errorf("QR preset %s: %d pixels per module is out of range; use 1 to %d", p.Name, p.Module, MaxModule)
	}
	return nil
}
