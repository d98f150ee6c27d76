// Package qrio is what the QR commands of coldtss and coldtss-online do,
// so that both stay thin and behave alike.
//
// Show puts a files.Series (a file or a wallet export as QR parts) out as
// its --as option says: text, one part a line; an animation played in
// place on the terminal (qr/display's Player) until Ctrl-C; a PNG (a folder
// of PNGs, one a part, when the file takes several codes); an animated GIF;
// or an offline HTML page. Frames are sized by a qr/display preset.
//
// Scan reads QR codes from the source its options name (pictures, a
// folder of them or an animated GIF through qr/scan, a text file or
// standard input of parts one a line as `zbarcam --raw` prints them, or a
// V4L2 camera) into a files.Decoder until the file is complete, and
// writes it, never over an existing file. It shows progress (fragments in
// of how many, codes seen and used) on a live line, and every bad frame
// (a picture without a code, a code of another message or of a kind not
// read here) as a warning line that names the frame; the scan goes on. If
// the input ends before the file is complete, Scan fails with one line
// ("only 12 of 40 fragments were read ...: scan the rest") and writes
// nothing.
package qrio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/coldtss/coldtss/internal/atomicfile"
	"github.com/coldtss/coldtss/internal/cliutil"
	"github.com/coldtss/coldtss/qr/display"
	"github.com/coldtss/coldtss/qr/files"
)

// Console is where a command reads and talks: standard input, output and
// error, and whether standard error is a terminal (progress is then one
// line redrawn in place, else a line per step for a log).
type Console struct {
	In       io.Reader
	Out, Err io.Writer
	Live     bool
}

// Stdio is the process's own console.
func Stdio() Console {
	return Console{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Live: cliutil.IsTerminal(os.Stderr)}
}

// The --as choices of Show.
const (
	AsText     = "text"
	AsTerminal = "terminal"
	AsPNG      = "png"
	AsGIF      = "gif"
	AsHTML     = "html"
)

// DefaultPreset is the preset of the show commands: what phone wallets and
// laptop cameras read.
const DefaultPreset = "wallet"

// Loops is how many times the fragments a GIF or an HTML page holds: the
// fragments, then as many fountain parts, so that a camera that missed
// some frames completes within one more loop.
const Loops = 2

// ShowOptions are a show command's choices.
type ShowOptions struct {
	As     string // text (""), terminal, png, gif or html
	Preset string // a qr/display preset name; "" is DefaultPreset
	Out    string // the file (a folder for several PNGs) to write, never overwritten; "" prints text
}

// Check refuses a mistake in the options and returns the preset.
func (o ShowOptions) Check() (display.Preset, error) {
	switch o.As {
	case "", AsText, AsTerminal:
		if o.As == AsTerminal && o.Out != "" {
			return display.Preset{}, fmt.Errorf("--as terminal plays on the terminal and writes no file: leave out --out, or use --as png, gif or html")
		}
	case AsPNG, AsGIF, AsHTML:
		if o.Out == "" {
			return display.Preset{}, fmt.Errorf("--as %s needs --out FILE", o.As)
		}
	default:
		return display.Preset{}, fmt.Errorf("--as %q: use text, terminal, png, gif or html", o.As)
	}
	name := o.Preset
	if name == "" {
		name = DefaultPreset
	}
	p, err := display.PresetByName(name)
	if err != nil {
		return display.Preset{}, fmt.Errorf("--preset: %v", err)
	}
	return p, nil
}

// describe names a series for messages: "ur:crypto-psbt (psbt)".
func describe(s *files.Series) string {
	if s.Kind == "" {
		return s.Type
	}
	return fmt.Sprintf("%s (%s)", s.Type, s.Kind)
}

// Show shows s as o says (see the package doc). The terminal animation
// runs until ctx is done or Ctrl-C.
func Show(ctx context.Context, s *files.Series, o ShowOptions, con Console) error {
	p, err := o.Check()
	if err != nil {
		return err
	}
	if len(s.Parts) == 0 {
		return fmt.Errorf("%s has no QR part: there is nothing to show", s.Type)
	}
	var img []byte
	switch o.As {
	case AsTerminal:
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
		defer stop()
		pl := display.NewPlayer(con.Out, p, s.Next)
		pl.SetStatus(fmt.Sprintf("%s, %d part(s): Ctrl-C to stop", describe(s), len(s.Parts)))
		return pl.Run(ctx)
	case AsPNG:
		if len(s.Parts) > 1 {
			return pngFolder(s, p, o.Out, con)
		}
		img, err = display.PNG(s.Parts[0], p)
	case AsGIF, AsHTML:
		frames := append([]string(nil), s.Parts...)
		for len(frames) < Loops*len(s.Parts) && s.Format == files.UR && len(s.Parts) > 1 {
			frames = append(frames, s.Next()) // fountain parts, for a camera that missed some
		}
		if o.As == AsGIF {
			img, err = display.GIF(frames, p)
		} else {
			img, err = display.HTML(s.Type, frames, p)
		}
	default:
		text := strings.Join(s.Parts, "\n") + "\n"
		if o.Out == "" {
			_, err := io.WriteString(con.Out, text)
			return err
		}
		if err := atomicfile.WriteNew(o.Out, []byte(text), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(con.Err, "wrote %d part(s) of %s to %s\n", len(s.Parts), describe(s), o.Out)
		return nil
	}
	if err != nil {
		return err
	}
	if err := atomicfile.WriteNew(o.Out, img, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(con.Err, "wrote %s as %s (%s preset) to %s\n", describe(s), o.As, p.Name, o.Out)
	return nil
}

// pngFolder writes the parts of a series of several codes as a new folder
// of PNGs, one a part, named in order (part-001.png, ...). The folder must
// not exist; on an error, what was written is removed.
func pngFolder(s *files.Series, p display.Preset, dir string, con Console) (err error) {
	pngs := make([][]byte, len(s.Parts))
	for i, part := range s.Parts {
		if pngs[i], err = display.PNG(part, p); err != nil {
			return fmt.Errorf("part %d of %s: %v", i+1, s.Type, err)
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s already exists: it is never overwritten; %s takes %d QR codes, written as a new folder of PNGs: choose another --out", dir, s.Type, len(s.Parts))
		}
		return fmt.Errorf("cannot make the folder %s for the %d PNGs of %s: %v", dir, len(s.Parts), s.Type, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	digits := max(3, len(fmt.Sprint(len(pngs))))
	for i, b := range pngs {
		if err := atomicfile.WriteNew(filepath.Join(dir, fmt.Sprintf("part-%0*d.png", digits, i+1)), b, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(con.Err, "wrote %s as %d PNGs, one a part in order (%s preset), to the folder %s\n", describe(s), len(pngs), p.Name, dir)
	return nil
}
