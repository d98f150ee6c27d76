package main

import (
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/qr/display"
	"github.com/coldtss/coldtss/qr/files"
	"github.com/coldtss/coldtss/qr/qrio"
)

// coldtss-online show|scan: PSBTs and Ethereum requests out to the
// stations (or a wallet) as QR codes, signed results back in. qr/files
// chooses the format and makes every check; qr/qrio shows and scans, the
// same as coldtss qr show|scan.

// maxQRInput bounds a file shown.
const maxQRInput = 16 << 20

func showCommand() *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     "show a PSBT or an Ethereum request as QR codes (UR or BBQr): text, terminal, PNG, GIF or HTML",
		ArgsUsage: "FILE",
		Description: `A PSBT goes out as ur:crypto-psbt (BBQr P with --format bbqr), an Ethereum
request as ur:coldtss-file (BBQr J), which "coldtss qr scan" reads. The parts
are printed one a line (--as text), played on the terminal until Ctrl-C
(--as terminal), or written to --out as a PNG (a new folder of PNGs, one a
part, when the file takes several codes), an animated GIF or an offline HTML
page, sized by --preset.`,
		Flags: append(qrio.ShowFlags(),
			&cli.StringFlag{Name: "format", Usage: "ur or bbqr (default ur)"},
			&cli.IntFlag{Name: "fragment-len", Usage: "UR: bytes per part (default: the preset's)"},
		),
		Action: func(c *cli.Context) error {
			if c.Args().Len() != 1 {
				return usageError{Err: fmt.Errorf("give one file to show")}
			}
			f, err := files.ParseFormat(c.String("format"))
			if err != nil {
				return usageError{Err: fmt.Errorf("--format: %v", err)}
			}
			o := qrio.ShowFlagValues(c)
			p, err := o.Check()
			if err != nil {
				return usageError{Err: err}
			}
			name := c.Args().First()
			data, err := readLimited(name)
			if err != nil {
				return err
			}
			if k, err := files.Detect(name, data); err != nil {
				return err
			} else if k != files.PSBT && k != files.EthRequest {
				return fmt.Errorf("%s is a %s: coldtss-online shows PSBTs and Ethereum requests; the stations show their own files with coldtss qr show", name, k)
			}
			s, err := files.Encode(name, data, files.EncodeOptions{Format: f, MaxFragmentLen: fragmentLen(c, p)})
			if err != nil {
				return err
			}
			return qrio.Show(c.Context, s, o, qrio.Stdio())
		},
	}
}

// fragmentLen is --fragment-len, or the preset's.
func fragmentLen(c *cli.Context, p display.Preset) int {
	if n := c.Int("fragment-len"); n != 0 {
		return n
	}
	return p.Fragment
}

func scanCommand() *cli.Command {
	return &cli.Command{
		Name:  "scan",
		Usage: "scan the stations' signed result (signed PSBT, tx.hex or signature.hex) from pictures, a camera or zbarcam, and write it",
		Description: `Reads QR codes until the file is complete, and writes it to --out, which must
not exist yet: a signed PSBT (ur:crypto-psbt, BBQr P), a transaction (BBQr T,
ur:coldtss-file) to pass to "coldtss-online broadcast", or a message
signature (ur:eth-signature). The codes come from pictures (--from: a PNG,
JPEG or animated GIF, or a folder of them; a text file of parts one a line
is read too), a camera (--camera /dev/video0), or parts one a line on
standard input (--stdin, as "zbarcam --raw" prints them). Progress is shown
on standard error; a picture without a code or a code that is not read here
is a warning line naming the frame, and the scan goes on. If the input ends
before the file is complete, nothing is written.`,
		Flags: qrio.ScanFlags(),
		Action: func(c *cli.Context) error {
			o := qrio.ScanFlagValues(c)
			if err := o.Check(); err != nil {
				return usageError{Err: err}
			}
			_, err := qrio.Scan(c.Context, o, files.DecodeOptions{Accept: []files.Kind{files.PSBT, files.Tx, files.Signature}}, qrio.Stdio())
			return err
		},
	}
}

func readLimited(name string) ([]byte, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", name, err)
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxQRInput+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", name, err)
	}
	if len(b) > maxQRInput {
		return nil, fmt.Errorf("%s is larger than %d bytes: check you picked the right file", name, maxQRInput)
	}
	return b, nil
}
