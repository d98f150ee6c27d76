package qrio

import (
	"github.com/urfave/cli/v2"
)

// ShowFlags are the flags of every command that shows QR codes: --as,
// --preset and --out, read back by ShowFlagValues.
func ShowFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "as", Value: AsText, Usage: "text (one part a line), terminal (played until Ctrl-C), png (a new folder of PNGs for several parts), gif or html"},
		&cli.StringFlag{Name: "preset", Value: DefaultPreset, Usage: "QR size and speed: wallet, default, dense or robust (qr/display presets)"},
		&cli.StringFlag{Name: "out", Usage: "write to this file instead of standard output; never overwritten"},
	}
}

// ShowFlagValues reads the flags of ShowFlags.
func ShowFlagValues(c *cli.Context) ShowOptions {
	return ShowOptions{As: c.String("as"), Preset: c.String("preset"), Out: c.String("out")}
}

// ScanFlags are the flags of every command that scans QR codes: the
// source (--from, --camera, --stdin) and --out, read back by
// ScanFlagValues.
func ScanFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "out", Usage: "file to write (never overwritten)", Required: true},
		&cli.StringFlag{Name: "from", Usage: "pictures of the codes (PNG, JPEG, GIF, animated GIF, or a folder of them), or a text file of parts one a line"},
		&cli.StringFlag{Name: "camera", Usage: "video device to scan with (Linux V4L2), e.g. /dev/video0"},
		&cli.BoolFlag{Name: "stdin", Usage: "read parts one a line from standard input, as zbarcam --raw prints them"},
	}
}

// ScanFlagValues reads the flags of ScanFlags.
func ScanFlagValues(c *cli.Context) ScanOptions {
	return ScanOptions{From: c.String("from"), Camera: c.String("camera"), Stdin: c.Bool("stdin"), Out: c.String("out")}
}
