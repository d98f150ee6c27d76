package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/backup/vault"
	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/transport"
	"github.com/coldtss/coldtss/internal/atomicfile"
	"github.com/coldtss/coldtss/internal/cliutil"
	"github.com/coldtss/coldtss/internal/untrusted"
)

// medium is how this station's packets travel: the stick, or screens and
// cameras. It owns the transport, how the ceremony's progress is shown,
// and where the ceremony's outputs are written.
type medium interface {
	Transport() ceremony.Transport
	// Start begins showing and watching (QR) until ctx ends or Stop.
	Start(ctx context.Context)
	// Progress shows one ceremony status line (s) or a warning to keep.
	Progress(s ceremony.Status)
	// Stop ends the live display (before the final report is printed).
	Stop()
	// Finished: the ceremony is over at this station; a QR station keeps
	// showing its last packets until the others have them too.
	Finished(ctx context.Context)
	// Where names the medium in errors: "(ceremony folder X)".
	Where() string
	// Write writes one output of the ceremony (signatures, transaction)
	// and returns its path.
	Write(ctx context.Context, name string, data []byte) (string, error)
}

var viaFlags = []cli.Flag{
	&cli.StringFlag{Name: "via", Required: true, Usage: "transport: usb:PATH (a folder on the stick shared by all stations), " +
		"qr (this screen and a camera, see docs/qr.md), qr-stdin (QR texts read by `zbarcam --raw` on standard input, this screen shows), " +
		"or qr-sim:DIR (a simulated room in a folder, for demos and tests)"},
	&cli.StringFlag{Name: "camera", Value: "/dev/video0", Usage: "QR: the camera device (V4L2)"},
	&cli.StringFlag{Name: "hub", Usage: "QR with more than two stations: the station every other one faces in turn (default: the plan's first station)"},
	&cli.StringFlag{Name: "preset", Value: "default", Usage: "QR: size and speed of the codes: wallet, default, dense or robust (docs/qr.md)"},
	&cli.IntFlag{Name: "fragment", Usage: "QR: override the preset's bytes per code"},
	&cli.IntFlag{Name: "fps", Usage: "QR: override the preset's codes per second"},
	&cli.Float64Flag{Name: "sim-drop", Value: 0.3, Usage: "qr-sim: fraction of camera frames lost"},
}

// openMedium parses --via for a plan.
func openMedium(c *cli.Context, h vault.Home, plan *ceremony.Plan, self string) (medium, error) {
	via := c.String("via")
	scheme, arg, _ := strings.Cut(via, ":")
	switch {
	case scheme == "usb":
		usb, err := parseVia(via, plan)
		if err != nil {
			return nil, err
		}
		m := &usbMedium{usb: usb, st: cliutil.NewStatusLine()}
		usb.Waiting = m.st.Set
		return m, nil
	case via == "qr" || via == "qr-stdin" || scheme == "qr-sim" && arg != "":
		return newQRMedium(c, h, plan, self)
	}
	return nil, usageError{Err: fmt.Errorf("--via %s is not a transport: use usb:PATH, qr, qr-stdin or qr-sim:DIR", untrusted.Quote(via))}
}

// usbMedium: the packets travel on a stick; the outputs are written into
// the ceremony folder on it, or next to --out.
type usbMedium struct {
	usb *transport.USB
	st  *cliutil.StatusLine
}

func (m *usbMedium) Transport() ceremony.Transport { return m.usb }
func (m *usbMedium) Start(context.Context)         {}
func (m *usbMedium) Progress(s ceremony.Status)    { showProgress(m.st, s) }
func (m *usbMedium) Stop()                         { m.st.Done() }
func (m *usbMedium) Finished(context.Context)      {}
func (m *usbMedium) Where() string                 { return "ceremony folder " + m.usb.Dir() }
func (m *usbMedium) Write(ctx context.Context, name string, data []byte) (string, error) {
	return m.usb.OutputPath(name), m.usb.WriteOutputContext(ctx, name, data)
}

// showProgress shows a ceremony status on a live line; a warning is
// printed on a line of its own, to stay on screen.
func showProgress(st *cliutil.StatusLine, s ceremony.Status) {
	if s.Warning != "" {
		st.Done()
		fmt.Fprintln(os.Stderr, "WARNING: "+untrusted.Text(s.Warning))
		return
	}
	st.Set(s.String())
}

// outputsDir is where a QR station writes a ceremony's outputs when no
// --out is given: a folder of its own per session.
func outputsDir(h vault.Home, plan *ceremony.Plan) string {
	return filepath.Join(h.Dir, "outputs", plan.Session)
}

// writeOutput writes a ceremony output into dir, never over another file.
func writeOutput(dir, name string, data []byte) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	p := filepath.Join(dir, name)
	return p, atomicfile.Write(p, data, 0o644)
}
