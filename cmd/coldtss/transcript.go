package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/internal/cliutil"
)

func transcriptCommand() *cli.Command {
	return &cli.Command{
		Name:  "transcript",
		Usage: "check a ceremony transcript",
		Subcommands: []*cli.Command{
			{
				Name:      "verify",
				Usage:     "verify a transcript: plan, packet digests, results, every station's signature, and every signature made",
				ArgsUsage: "TRANSCRIPT",
				Flags:     []cli.Flag{jsonFlag},
				Action: func(c *cli.Context) error {
					path := c.Args().First()
					if path == "" {
						return usageError{Err: fmt.Errorf("give the transcript file")}
					}
					b, err := readInput(path)
					if err != nil {
						return fmt.Errorf("cannot read the transcript: %v", err)
					}
					t, err := ceremony.ParseTranscript(b)
					if err != nil {
						return fmt.Errorf("%s: %v", path, err)
					}
					if err := t.Verify(); err != nil {
						return fmt.Errorf("%s: DOES NOT VERIFY: %v", path, err)
					}
					if c.Bool("json") {
						return cliutil.PrintJSON(map[string]any{"ok": true, "kind": t.Plan.Kind, "session": t.Plan.Session, "stations": t.Plan.Names(), "results": len(t.Results), "digest": t.Digest})
					}
					fmt.Printf("%s: OK\n", path)
					fmt.Printf("  %s ceremony %s, %d packets, confirmed by %s\n", t.Plan.Kind, t.Plan.Session, len(t.Packets), strings.Join(t.Plan.Names(), ", "))
					fmt.Printf("  plan fingerprint %s\n", t.Plan.FingerprintWords())
					return nil
				},
			},
		},
	}
}
