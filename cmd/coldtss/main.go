// Command coldtss is the offline station of a threshold cold-signing
// ceremony. It never opens a network socket: packets cross the air gap on
// a USB stick (or, later, as QR codes).
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/internal/cliutil"
)

// version is set at release time with -ldflags "-X main.version=...".
var version = "dev"

func main() { cliutil.Main(newApp()) }

func defaultHome() string {
	if h := os.Getenv("COLDTSS_HOME"); h != "" {
		return h
	}
	dir, err := os.UserHomeDir()
	if err != nil {
		return ".coldtss"
	}
	return filepath.Join(dir, ".coldtss")
}

var (
	homeFlag = &cli.StringFlag{Name: "home", Usage: "station folder (identity, shares, transcripts)", Value: defaultHome(), EnvVars: []string{"COLDTSS_HOME"}}
	passFlag = &cli.StringFlag{Name: "passphrase-file", Usage: "read the station passphrase from this file (first line) instead of asking; for scripted runs"}
	jsonFlag = &cli.BoolFlag{Name: "json", Usage: "print machine-readable JSON on standard output"}
)

func newApp() *cli.App {
	return &cli.App{
		Name:    "coldtss",
		Usage:   "offline threshold signing station (t-of-n keygen and signing over a USB stick or QR codes)",
		Version: version,
		Description: `Each laptop ("station") holds one share of a key. Stations run keygen and
signing ceremonies together, passing each step as a file on a USB stick, or
as animated QR codes from screen to camera (--via qr; see docs/qr.md).
This program never uses the network.

A ceremony, in short:
  every station:  coldtss init --name alice; coldtss preparams; coldtss id export --out /stick/alice.card
  one station:    coldtss plan keygen /stick/*.card --threshold 2 --out /stick/plan.json
  every station:  coldtss join /stick/plan.json --via usb:/stick
See docs/ceremony-runbook.md for the full procedure.`,
		EnableBashCompletion: true,
		ExitErrHandler:       func(*cli.Context, error) {},
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return usageError{Err: fmt.Errorf("%v (see `coldtss %s --help`)", err, c.Command.FullName())}
		},
		Commands: []*cli.Command{
			initCommand(),
			idCommand(),
			preparamsCommand(),
			planCommand(),
			joinCommand(),
			keysCommand(),
			addressCommand(),
			exportCommand(),
			reviewCommand(),
			qrCommand(),
			transcriptCommand(),
			backupCommand(),
			recoverCommand(),
		},
	}
}

// usageError is a mistake in the command line: exit status 2.
type usageError = cliutil.UsageError
