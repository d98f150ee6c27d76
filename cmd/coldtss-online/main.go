// Command coldtss-online is the networked companion of the offline coldtss
// stations: it prepares unsigned transactions from a node (Bitcoin PSBTs
// from a watch-only descriptor, Ethereum signing requests) and broadcasts
// the signed results, waiting for confirmation. It never sees a key share.
package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/internal/cliutil"
)

// version is set at release time with -ldflags "-X main.version=...".
var version = "dev"

func main() { cliutil.Main(newApp()) }

var jsonFlag = &cli.BoolFlag{Name: "json", Usage: "print machine-readable JSON on standard output"}

func newApp() *cli.App {
	return &cli.App{
		Name:    "coldtss-online",
		Usage:   "prepare unsigned transactions from a node and broadcast signed ones (the online side of coldtss)",
		Version: version,
		Description: `This program runs on the networked machine. It never holds key shares.

  Bitcoin:   coldtss-online btc prepare --node http://127.0.0.1:8332 --descriptor 'wpkh([..]xpub../0/*)#..' \
                 --to bc1q...=0.1 --fee-rate 5 --out tx.psbt
  Ethereum:  coldtss-online eth prepare --node http://127.0.0.1:8545 --from 0x.. --path m/0/0 \
                 --to 0x.. --value 1.5 --out req.json
  then, after the stations have signed:
             coldtss-online broadcast --node URL tx.hex`,
		EnableBashCompletion: true,
		ExitErrHandler:       func(*cli.Context, error) {},
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return usageError{Err: fmt.Errorf("%v (see `%s --help`)", err, c.Command.HelpName)}
		},
		Commands: []*cli.Command{
			btcCommand(),
			ethCommand(),
			broadcastCommand(),
			showCommand(),
			scanCommand(),
		},
	}
}

// usageError is a mistake in the command line: exit status 2.
type usageError = cliutil.UsageError

// need returns a usage error when a required flag is missing.
func need(c *cli.Context, names ...string) error {
	for _, n := range names {
		if !c.IsSet(n) || c.String(n) == "" {
			return usageError{Err: fmt.Errorf("--%s is required (see `%s --help`)", n, c.Command.HelpName)}
		}
	}
	return nil
}
