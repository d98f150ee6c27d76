package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/backup"
	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/internal/atomicfile"
	"github.com/coldtss/coldtss/internal/cliutil"
)

func initCommand() *cli.Command {
	return &cli.Command{
		Name:  "init",
		Usage: "create this station's identity (signing and sealing keys), encrypted under a passphrase",
		Description: `Creates the station folder (--home) with the station identity encrypted
under the station passphrase (age, scrypt), and its public identity card.
Choose a passphrase you will remember years from now; without it the
station's shares can only be recovered from backups (coldtss backup create;
docs/recovery.md).`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "name", Usage: "station name, e.g. alice (lower-case letters, digits, '-')", Required: true},
			homeFlag, passFlag, jsonFlag,
		},
		Action: func(c *cli.Context) error {
			h := home(c)
			if h.Initialized() {
				return fmt.Errorf("%s already holds a station identity; nothing was changed (use another --home for another station)", h.Dir)
			}
			id, err := ceremony.NewIdentity(c.String("name"))
			if err != nil {
				return err
			}
			pass, err := readPassphrase(c, "New station passphrase: ", true)
			if err != nil {
				return err
			}
			enc, err := backup.EncryptWithPassphrase(id.MarshalSecret(), pass)
			if err != nil {
				return err
			}
			card := id.Card()
			cb, _ := json.MarshalIndent(card, "", "  ")
			if err := h.SaveIdentity(enc, append(cb, '\n')); err != nil {
				return err
			}
			if c.Bool("json") {
				return cliutil.PrintJSON(cardView(card))
			}
			fmt.Printf("Station %q created in %s\nIdentity fingerprint: %s\n", card.Name, h.Dir, card.FingerprintWords())
			fmt.Println("Next: `coldtss preparams` (for secp256k1 keys), then `coldtss id export --out FILE` to hand your card to the coordinator.")
			return nil
		},
	}
}

type cardJSON struct {
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"`
	Words       string `json:"fingerprint_words"`
	SignKey     string `json:"sign_key"`
	SealKey     string `json:"seal_key"`
	Created     string `json:"created"`
}

func cardView(c ceremony.Card) cardJSON {
	fp := c.Fingerprint()
	return cardJSON{Name: c.Name, Fingerprint: fmt.Sprintf("%x", fp[:]), Words: c.FingerprintWords(), SignKey: c.SignKey, SealKey: c.SealKey, Created: c.Created}
}

func readCard(path string) (ceremony.Card, error) {
	b, err := readInput(path)
	if err != nil {
		return ceremony.Card{}, err
	}
	c, err := ceremony.ParseCard(b)
	if err != nil {
		return ceremony.Card{}, fmt.Errorf("%s: %v", path, err)
	}
	return c, nil
}

func idCommand() *cli.Command {
	return &cli.Command{
		Name:  "id",
		Usage: "show or export this station's public identity card",
		Subcommands: []*cli.Command{
			{
				Name:  "show",
				Usage: "show the station's name and identity fingerprint (words to read aloud)",
				Flags: []cli.Flag{homeFlag, jsonFlag, &cli.StringFlag{Name: "card", Usage: "show this card file instead of the station's own"}},
				Action: func(c *cli.Context) error {
					var card ceremony.Card
					var err error
					if f := c.String("card"); f != "" {
						card, err = readCard(f)
					} else {
						if err := home(c).CheckInitialized(); err != nil {
							return err
						}
						card, err = readCard(home(c).CardPath())
					}
					if err != nil {
						return err
					}
					if c.Bool("json") {
						return cliutil.PrintJSON(cardView(card))
					}
					fmt.Printf("Station:     %s\nFingerprint: %s\nCreated:     %s\n", card.Name, card.FingerprintWords(), card.Created)
					return nil
				},
			},
			{
				Name:  "export",
				Usage: "write the public identity card to a file (e.g. on the stick) for the coordinator",
				Flags: []cli.Flag{homeFlag, &cli.StringFlag{Name: "out", Usage: "file to write (default: standard output)"}},
				Action: func(c *cli.Context) error {
					b, err := home(c).ReadCard()
					if err != nil {
						return err
					}
					card, err := ceremony.ParseCard(b)
					if err != nil {
						return fmt.Errorf("%s: %v", home(c).CardPath(), err)
					}
					out := c.String("out")
					if out == "" {
						_, err := os.Stdout.Write(b)
						return err
					}
					if err := atomicfile.Write(out, b, 0o644); err != nil {
						return err
					}
					fmt.Fprintf(os.Stderr, "Wrote %s's card to %s. Fingerprint: %s\n", card.Name, out, card.FingerprintWords())
					return nil
				},
			},
		},
	}
}

func preparamsCommand() *cli.Command {
	return &cli.Command{
		Name:  "preparams",
		Usage: "precompute Paillier pre-parameters for secp256k1 keygen (slow; one set per key)",
		Description: `ECDSA keygen needs safe primes and a Paillier key for every station; finding
them takes from seconds to several minutes. Run this before the ceremony.
Each set is stored encrypted and used for exactly one key.`,
		Flags: []cli.Flag{homeFlag, passFlag, jsonFlag, &cli.IntFlag{Name: "count", Value: 1, Usage: "how many sets to make"}},
		Action: func(c *cli.Context) error {
			n := c.Int("count")
			if n < 1 || n > 100 {
				return usageError{Err: fmt.Errorf("--count must be from 1 to 100, got %d", n)}
			}
			id, err := unlock(c)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			h := home(c)
			st := cliutil.NewStatusLine()
			for i := 1; i <= n; i++ {
				start := time.Now()
				done := make(chan struct{})
				go func() {
					t := time.NewTicker(time.Second)
					defer t.Stop()
					for {
						st.Tick(fmt.Sprintf("pre-parameters %d of %d: searching for safe primes, %s elapsed (usually 10 s to 3 min)", i, n, elapsed(time.Since(start))))
						select {
						case <-done:
							return
						case <-t.C:
						}
					}
				}()
				pp, err := ceremony.GeneratePreParams(ctx)
				close(done)
				if err != nil {
					st.Done()
					return fmt.Errorf("pre-parameter generation stopped: %v (sets already made are kept)", err)
				}
				if _, err := h.AddPreParams(pp, id.AgeIdentity().Recipient()); err != nil {
					st.Done()
					return err
				}
				st.Set(fmt.Sprintf("pre-parameters %d of %d: done in %s", i, n, elapsed(time.Since(start))))
				st.Done()
			}
			if c.Bool("json") {
				return cliutil.PrintJSON(map[string]int{"unused_preparams": h.CountPreParams()})
			}
			fmt.Printf("This station now has %d unused pre-parameter set(s).\n", h.CountPreParams())
			return nil
		},
	}
}
