package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/chains/ethereum"
	"github.com/coldtss/coldtss/qr/files"
	"github.com/coldtss/coldtss/qr/qrio"
)

// coldtss qr show|scan: files as animated QR codes instead of on the stick.
// The choice of format per kind of file, and every check, is in qr/files;
// showing and scanning are in qr/qrio, shared with coldtss-online.

// scanOpts reads the source flags; a mistake is a usage error.
func scanOpts(c *cli.Context) (qrio.ScanOptions, error) {
	o := qrio.ScanFlagValues(c)
	if err := o.Check(); err != nil {
		return o, usageError{Err: err}
	}
	return o, nil
}

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
(a new folder of PNGs, one a part, when the file takes several codes), an
animated GIF or an offline HTML page; GIFs and pages hold the parts twice
over (fountain parts), for a camera that misses frames.`,
			Flags: append(qrio.ShowFlags(),
				&cli.StringFlag{Name: "format", Usage: "ur or bbqr (default: ur, except bbqr for tx.hex)"},
				&cli.StringFlag{Name: "request", Usage: "the Ethereum request (JSON) that this signature.hex or tx.hex answers"},
				&cli.IntFlag{Name: "fragment-len", Usage: "UR: bytes per part (default: the preset's)"},
				homeFlag,
				&cli.StringFlag{Name: "key", Usage: "key id: send an Ethereum request as ur:eth-sign-request for this key"},
			),
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
				return qrio.Show(c.Context, s, qrio.ShowFlagValues(c), qrio.Stdio())
			},
		}, {
			Name:  "scan",
			Usage: "scan QR codes (UR or BBQr) from pictures, a camera or zbarcam, and write the file they carry",
			Description: `Reads QR codes until the file is complete, then writes it to --out, which must
not exist yet: from pictures (--from: a PNG, JPEG or animated GIF, or a folder
of them read in name order; a text file of parts one a line is read too), a
camera (--camera /dev/video0), or parts one a line on standard input (--stdin,
as "zbarcam --raw" prints them). Progress (fragments in, codes seen and used)
is shown on standard error. A picture without a code, a damaged part, or a
code of another message or of a kind not read here is a warning line naming
the frame, and the scan goes on. If the input ends before the file is
complete, the scan fails ("only 12 of 40 fragments were read ... scan the
rest") and nothing is written.

An eth-sign-request from MetaMask or another EIP-4527 wallet becomes a coldtss
Ethereum request for --key (its fingerprint and address are checked);
--chain-id gives the chain of message requests, which carry none.

  coldtss qr scan --camera /dev/video0 --out tx.psbt
  zbarcam --raw | coldtss qr scan --stdin --key KEY --out request.json`,
			Flags: append(qrio.ScanFlags(),
				homeFlag,
				&cli.StringFlag{Name: "key", Usage: "key id: the key an eth-sign-request must be for"},
				&cli.StringFlag{Name: "chain-id", Usage: "chain of an eth-sign-request that carries no chain-id (message requests)"},
			),
			Action: func(c *cli.Context) error {
				o, err := scanOpts(c)
				if err != nil {
					return err
				}
				opts := files.DecodeOptions{Accept: []files.Kind{files.Card, files.Plan, files.PSBT, files.EthRequest}, ChainID: c.String("chain-id")}
				if c.String("key") != "" {
					k, err := walletKey(c)
					if err != nil {
						return err
					}
					opts.Key = &k
				}
				_, err = qrio.Scan(c.Context, o, opts, qrio.Stdio())
				return err
			},
		}},
	}
}

// showOptions reads how to encode the file; the preset, if --fragment-len
// is not given, says how much goes in one part.
func showOptions(c *cli.Context) (files.EncodeOptions, error) {
	var opts files.EncodeOptions
	f, err := files.ParseFormat(c.String("format"))
	if err != nil {
		return opts, usageError{Err: fmt.Errorf("--format: %v", err)}
	}
	p, err := qrio.ShowFlagValues(c).Check()
	if err != nil {
		return opts, usageError{Err: err}
	}
	opts.Format, opts.MaxFragmentLen = f, c.Int("fragment-len")
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
