package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/chains/ethereum"
	"github.com/coldtss/coldtss/internal/atomicfile"
	"github.com/coldtss/coldtss/qr/display"
	"github.com/coldtss/coldtss/qr/files"
)

// coldtss qr show|scan: files as animated QR codes instead of on the stick.
// The choice of format per kind of file, and every check, is in qr/files.

func qrCommand() *cli.Command {
	return &cli.Command{
		Name:  "qr",
		Usage: "show a file as QR codes, or scan one in (cards, plans, PSBTs, Ethereum requests and signatures)",
		Subcommands: []*cli.Command{{
			Name:      "show",
			Usage:     "show a file as QR codes: UR (crypto-psbt, eth-sign-request, eth-signature, coldtss-file) or BBQr",
			ArgsUsage: "FILE",
			Description: `FILE is an identity card, a plan, a PSBT, an Ethereum request, or a finished
signature.hex / tx.hex. A PSBT goes out as ur:crypto-psbt (or BBQr P with
--format bbqr); an Ethereum request as ur:eth-sign-request when --key is given
(its path then names the key's fingerprint); a signature.hex or Ethereum
tx.hex answering a wallet's request as ur:eth-signature (--request names that
request, for its request-id); a Bitcoin tx.hex as BBQr T. The parts are
printed one a line (--as text, the form zbarimg and other tools read), played
on the terminal until Ctrl-C (--as terminal), or written to --out as a PNG
(one part only), an animated GIF or an offline HTML page.`,
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "format", Usage: "ur or bbqr (default: ur, except bbqr for tx.hex)"},
				&cli.StringFlag{Name: "as", Value: "text", Usage: "text (one part a line), terminal, png, gif or html"},
				&cli.StringFlag{Name: "preset", Value: "wallet", Usage: "QR size and speed: wallet, default, dense or robust (qr/display presets)"},
				&cli.StringFlag{Name: "out", Usage: "write the parts to this file instead of standard output (never overwritten)"},
				&cli.StringFlag{Name: "request", Usage: "the Ethereum request (JSON) that this signature.hex or tx.hex answers"},
				&cli.IntFlag{Name: "fragment-len", Usage: "UR: bytes per part (default 120)"},
				homeFlag,
				&cli.StringFlag{Name: "key", Usage: "key id: send an Ethereum request as ur:eth-sign-request for this key"},
			},
			Action: func(c *cli.Context) error {
				if c.Args().Len() != 1 {
					return usageError{Err: fmt.Errorf("give one file to show")}
				}
				opts, err := showOptions(c)
				if err != nil {
					return err
				}
				name := c.Args().First()
				data, err := readInput(name)
				if err != nil {
					return err
				}
				s, err := files.Encode(name, data, opts)
				if err != nil {
					return err
				}
				return writeParts(c, s)
			},
		}, {
			Name:  "scan",
			Usage: "read QR parts (UR or BBQr) and write the file they carry",
			Description: `Reads the parts one a line, as "zbarcam --raw" prints them, until the file is
complete; then writes it to --out, which must not exist yet. An eth-sign-request
from MetaMask or another EIP-4527 wallet becomes a coldtss Ethereum request for
--key (its fingerprint and address are checked); --chain-id gives the chain of
message requests, which carry none. Any damaged, foreign or mixed part stops
the scan with its error, and nothing is written.

  zbarcam --raw | coldtss qr scan --stdin --key KEY --out request.json`,
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "out", Usage: "file to write (never overwritten)", Required: true},
				&cli.StringFlag{Name: "from", Usage: "a text file of parts, one a line"},
				&cli.BoolFlag{Name: "stdin", Usage: "read parts from standard input"},
				&cli.StringFlag{Name: "camera", Usage: "video device (not built yet: use zbarcam --raw | coldtss qr scan --stdin)"},
				homeFlag,
				&cli.StringFlag{Name: "key", Usage: "key id: the key an eth-sign-request must be for"},
				&cli.StringFlag{Name: "chain-id", Usage: "chain of an eth-sign-request that carries no chain-id (message requests)"},
			},
			Action: func(c *cli.Context) error {
				opts := files.DecodeOptions{Accept: []files.Kind{files.Card, files.Plan, files.PSBT, files.EthRequest}, ChainID: c.String("chain-id")}
				if c.String("key") != "" {
					k, err := walletKey(c)
					if err != nil {
						return err
					}
					opts.Key = &k
				}
				return scanTo(c, opts)
			},
		}},
	}
}

func showOptions(c *cli.Context) (files.EncodeOptions, error) {
	var opts files.EncodeOptions
	f, err := files.ParseFormat(c.String("format"))
	if err != nil {
		return opts, usageError{Err: fmt.Errorf("--format: %v", err)}
	}
	opts.Format, opts.MaxFragmentLen = f, c.Int("fragment-len")
	switch c.String("as") {
	case "text", "terminal":
	case "png", "gif", "html":
		if c.String("out") == "" {
			return opts, usageError{Err: fmt.Errorf("--as %s needs --out FILE", c.String("as"))}
		}
	default:
		return opts, usageError{Err: fmt.Errorf("--as %q: use text, terminal, png, gif or html", c.String("as"))}
	}
	p, err := display.PresetByName(c.String("preset"))
	if err != nil {
		return opts, usageError{Err: fmt.Errorf("--preset: %v", err)}
	}
	if opts.MaxFragmentLen == 0 {
		opts.MaxFragmentLen = p.Fragment
	}
	if r := c.String("request"); r != "" {
		b, err := readInput(r)
		if err != nil {
			return opts, err
		}
		req, err := ethereum.ParseRequest(b)
		if err != nil {
			return opts, fmt.Errorf("--request %s: %v", r, err)
		}
		opts.Request = req
	}
	if c.String("key") != "" {
		k, err := walletKey(c)
		if err != nil {
			return opts, err
		}
		opts.Key = &k
	}
	return opts, nil
}

// writeParts shows a series as --as says: text (to --out or standard
// output), the terminal player, or a PNG, GIF or HTML file.
func writeParts(c *cli.Context, s *files.Series) error {
	p, _ := display.PresetByName(c.String("preset"))
	var img []byte
	var err error
	switch c.String("as") {
	case "terminal":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		pl := display.NewPlayer(os.Stdout, p, s.Next)
		pl.SetStatus(fmt.Sprintf("%s (%s), %d part(s): Ctrl-C to stop", s.Type, s.Kind, len(s.Parts)))
		return pl.Run(ctx)
	case "png":
		if len(s.Parts) != 1 {
			return usageError{Err: fmt.Errorf("%s takes %d QR codes; a PNG holds one: use --as gif or html, or a larger --preset", s.Type, len(s.Parts))}
		}
		img, err = display.PNG(s.Parts[0], p)
	case "gif", "html":
		frames := append([]string(nil), s.Parts...)
		for len(frames) < 2*len(s.Parts) && s.Format == files.UR && len(s.Parts) > 1 {
			frames = append(frames, s.Next()) // fountain parts, for a scanner that missed some
		}
		if c.String("as") == "gif" {
			img, err = display.GIF(frames, p)
		} else {
			img, err = display.HTML(s.Type, frames, p)
		}
	}
	if err != nil {
		return err
	}
	if img != nil {
		if err := atomicfile.WriteNew(c.String("out"), img, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "wrote %s (%s) as %s to %s\n", s.Type, s.Kind, c.String("as"), c.String("out"))
		return nil
	}
	text := strings.Join(s.Parts, "\n") + "\n"
	if out := c.String("out"); out != "" {
		if err := atomicfile.WriteNew(out, []byte(text), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "wrote %d part(s) of %s (%s) to %s\n", len(s.Parts), s.Type, s.Kind, out)
		return nil
	}
	fmt.Print(text)
	return nil
}

// scanTo reads parts from --from or --stdin and writes the file to --out.
func scanTo(c *cli.Context, opts files.DecodeOptions) error {
	out := c.String("out")
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("%s already exists: it is never overwritten; choose another --out or move the old file away", out)
	}
	var in io.Reader
	switch {
	case c.String("camera") != "":
		return usageError{Err: fmt.Errorf("--camera is not built yet: pipe a scanner in, e.g. zbarcam --raw %s | coldtss qr scan --stdin ...", c.String("camera"))}
	case c.Bool("stdin") && c.String("from") == "":
		in = os.Stdin
	case c.String("from") != "" && !c.Bool("stdin"):
		b, err := readInput(c.String("from"))
		if err != nil {
			return err
		}
		in = strings.NewReader(string(b))
	default:
		return usageError{Err: fmt.Errorf("give one of --from FILE or --stdin")}
	}
	f, err := files.ReadLines(in, opts)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteNew(out, f.Data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s: %s from %s\n", out, f.Kind, f.From)
	return nil
}
