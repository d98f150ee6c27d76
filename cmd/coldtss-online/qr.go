package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/internal/atomicfile"
	"github.com/coldtss/coldtss/qr/files"
)

// coldtss-online show|scan: PSBTs and Ethereum requests out to the
// stations (or a wallet) as QR codes, signed results back in. qr/files
// chooses the format and makes every check.

// maxQRInput bounds a file shown or a file of parts read.
const maxQRInput = 16 << 20

func showCommand() *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     "show a PSBT or an Ethereum request as QR parts (UR or BBQr), one a line",
		ArgsUsage: "FILE",
		Description: `A PSBT goes out as ur:crypto-psbt (BBQr P with --format bbqr), an Ethereum
request as ur:coldtss-file (BBQr J), which "coldtss qr scan" reads. Show the
parts with any QR tool, e.g. one qrencode image per line.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Usage: "ur or bbqr (default ur)"},
			&cli.StringFlag{Name: "out", Usage: "write the parts to this file instead of standard output (never overwritten)"},
			&cli.IntFlag{Name: "fragment-len", Usage: "UR: bytes per part (default 120)"},
		},
		Action: func(c *cli.Context) error {
			if c.Args().Len() != 1 {
				return usageError{Err: fmt.Errorf("give one file to show")}
			}
			f, err := files.ParseFormat(c.String("format"))
			if err != nil {
				return usageError{Err: fmt.Errorf("--format: %v", err)}
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
			s, err := files.Encode(name, data, files.EncodeOptions{Format: f, MaxFragmentLen: c.Int("fragment-len")})
			if err != nil {
				return err
			}
			text := strings.Join(s.Parts, "\n") + "\n"
			if out := c.String("out"); out != "" {
				if err := atomicfile.WriteNew(out, []byte(text), 0o644); err != nil {
					return err
				}
				fmt.Fprintf(os.Stderr, "wrote %d part(s) of %s to %s\n", len(s.Parts), s.Type, out)
				return nil
			}
			fmt.Print(text)
			return nil
		},
	}
}

func scanCommand() *cli.Command {
	return &cli.Command{
		Name:  "scan",
		Usage: "read the stations' signed result as QR parts and write it (signed PSBT, tx.hex or signature.hex)",
		Description: `Reads parts one a line (as "zbarcam --raw" prints them) until the file is
complete, and writes it to --out, which must not exist yet: a signed PSBT
(ur:crypto-psbt, BBQr P), a transaction (BBQr T, ur:coldtss-file) to pass to
"coldtss-online broadcast", or a message signature (ur:eth-signature). A
damaged, foreign or mixed part stops the scan with its error; nothing is
written.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "file to write (never overwritten)", Required: true},
			&cli.StringFlag{Name: "from", Usage: "a text file of parts, one a line"},
			&cli.BoolFlag{Name: "stdin", Usage: "read parts from standard input"},
		},
		Action: func(c *cli.Context) error {
			out := c.String("out")
			if _, err := os.Lstat(out); err == nil {
				return fmt.Errorf("%s already exists: it is never overwritten; choose another --out or move the old file away", out)
			}
			var in io.Reader
			switch {
			case c.Bool("stdin") && c.String("from") == "":
				in = os.Stdin
			case c.String("from") != "" && !c.Bool("stdin"):
				b, err := readLimited(c.String("from"))
				if err != nil {
					return err
				}
				in = strings.NewReader(string(b))
			default:
				return usageError{Err: fmt.Errorf("give one of --from FILE or --stdin")}
			}
			f, err := files.ReadLines(in, files.DecodeOptions{Accept: []files.Kind{files.PSBT, files.Tx, files.Signature}})
			if err != nil {
				return err
			}
			if err := atomicfile.WriteNew(out, f.Data, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "wrote %s: %s from %s\n", out, f.Kind, f.From)
			return nil
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
