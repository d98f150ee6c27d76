//go:build unix

package bench

// Stick accounting: every packet a ceremony left on the stick, read back,
// checked, and its bytes split into tss-lib messages, signatures, echoes,
// HPKE overhead, coldtss's own payloads and framing.

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/transport"
)

type benchStep struct {
	stick   int       // size of every station's packet file
	wire    int       // the tss-lib messages inside: their own protobuf bytes (a TSS payload less its type number; sealed ones less the HPKE overhead)
	sig     int       // packet signatures
	echo    int       // echo digests
	hpke    int       // HPKE overhead of sealed point-to-point payloads
	coldtss int       // coldtss's own payloads: chain-code commit/reveal, confirmation signature
	first   time.Time // when the step's first and last packets were written (file times)
	last    time.Time
}

// framing is what the stick holds beyond messages, payloads, signatures and
// echoes: CBOR headers, step, sender, envelope fields, the type
// numbers of the tss-lib messages.
func (s benchStep) framing() int {
	return s.stick - s.wire - s.sig - s.echo - s.hpke - s.coldtss
}

// benchStick reads and checks every packet of a ceremony on the stick.
func benchStick(b *testing.B, stick string, plan *ceremony.Plan) []benchStep {
	b.Helper()
	usb := &transport.USB{Root: stick, Session: plan.Session}
	total := ceremony.StepsFor(plan.Kind, plan.Curve) + 1
	steps := make([]benchStep, total)
	for step := 1; step <= total; step++ {
		s := &steps[step-1]
		for j, name := range plan.Names() {
			path := usb.PacketPath(step, name)
			raw, err := os.ReadFile(path)
			if err != nil {
				b.Fatal(err)
			}
			p, err := ceremony.DecodePacket(plan, raw, path, step, j)
			if err != nil {
				b.Fatal(err)
			}
			if fi, err := os.Stat(path); err == nil {
				if s.first.IsZero() || fi.ModTime().Before(s.first) {
					s.first = fi.ModTime()
				}
				if fi.ModTime().After(s.last) {
					s.last = fi.ModTime()
				}
			}
			s.stick += len(raw)
			s.sig += len(p.Signature)
			for _, e := range p.Echo {
				s.echo += len(e)
			}
			for _, e := range p.Envelopes {
				switch {
				case e.Kind != ceremony.EnvTSS:
					s.coldtss += len(e.Payload)
				case e.To == ceremony.Broadcast:
					s.wire += len(e.Payload) - benchTypeNumber
				default:
					s.wire += len(e.Payload) - benchHPKEOverhead - benchTypeNumber
					s.hpke += benchHPKEOverhead
				}
			}
		}
		if entries, _ := os.ReadDir(filepath.Dir(usb.PacketPath(step, "x"))); len(entries) != len(plan.Stations) {
			b.Fatalf("step %d: %d files on the stick, want %d packets", step, len(entries), len(plan.Stations))
		}
	}
	return steps
}
