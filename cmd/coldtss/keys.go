package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/backup"
	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/internal/cliutil"
)

func keysCommand() *cli.Command {
	return &cli.Command{
		Name:  "keys",
		Usage: "list or show the keys this station holds a share of (public data only)",
		Subcommands: []*cli.Command{
			{
				Name:  "list",
				Usage: "list keys",
				Flags: []cli.Flag{homeFlag, jsonFlag},
				Action: func(c *cli.Context) error {
					if err := home(c).CheckInitialized(); err != nil {
						return err
					}
					keys, err := home(c).Keys()
					if err != nil {
						return err
					}
					if c.Bool("json") {
						if keys == nil {
							keys = []backup.KeyInfo{}
						}
						return cliutil.PrintJSON(keys)
					}
					if len(keys) == 0 {
						fmt.Println("This station holds no key yet.")
						return nil
					}
					fmt.Printf("%-16s  %-9s  %-6s  %-20s  %s\n", "ID", "CURVE", "T-OF-N", "CREATED", "LABEL")
					for _, k := range keys {
						fmt.Printf("%-16s  %-9s  %-6s  %-20s  %s\n", k.ID, k.Curve, fmt.Sprintf("%d-of-%d", k.Threshold, len(k.Stations)), k.Created.Format("2006-01-02 15:04"), k.Label)
					}
					return nil
				},
			},
			{
				Name:      "show",
				Usage:     "show one key's public description",
				ArgsUsage: "KEY-ID",
				Flags:     []cli.Flag{homeFlag, jsonFlag},
				Action: func(c *cli.Context) error {
					if c.Args().Len() != 1 {
						return usageError{Err: fmt.Errorf("give one key id (see `coldtss keys list`)")}
					}
					k, err := home(c).Key(c.Args().First())
					if err != nil {
						return err
					}
					if c.Bool("json") {
						return cliutil.PrintJSON(k)
					}
					printKey(k)
					return nil
				},
			},
		},
	}
}

// keyWords is the public key's fingerprint (SHA-256) as words to read aloud.
func keyWords(pubHex string) string {
	pub, _ := hex.DecodeString(pubHex)
	h := sha256.Sum256(pub)
	return ceremony.Words(h[:])
}

func printKey(k backup.KeyInfo) {
	w := os.Stdout
	fmt.Fprintf(w, "Key:         %s", k.ID)
	if k.Label != "" {
		fmt.Fprintf(w, " (%s)", k.Label)
	}
	fmt.Fprintf(w, "\nCurve:       %s, %d-of-%d (%s), epoch %d\n", k.Curve, k.Threshold, len(k.Stations), strings.Join(k.Stations, ", "), k.Epoch)
	fmt.Fprintf(w, "Public key:  %s\n", k.PublicKey)
	fmt.Fprintf(w, "Key words:   %s\n", keyWords(k.PublicKey))
	if k.XPub != "" {
		fmt.Fprintf(w, "xpub:        %s\n", k.XPub)
	}
	fmt.Fprintf(w, "Chain code:  %s\n", k.ChainCode)
	fmt.Fprintf(w, "Created:     %s in session %s\n", k.Created.Format("2006-01-02 15:04 UTC"), k.Session)
}
