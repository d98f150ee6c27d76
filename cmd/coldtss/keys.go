package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/keys"
	"github.com/coldtss/coldtss/internal/cliutil"
	"github.com/coldtss/coldtss/internal/untrusted"
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
					list, err := home(c).Keys()
					if err != nil {
						return err
					}
					if c.Bool("json") {
						if list == nil {
							list = []keys.Record{}
						}
						return cliutil.PrintJSON(list)
					}
					if len(list) == 0 {
						fmt.Println("This station holds no key yet.")
						return nil
					}
					fmt.Printf("%-16s  %-9s  %-6s  %-8s  %-20s  %s\n", "ID", "CURVE", "T-OF-N", "STATUS", "CREATED", "LABEL")
					pending := 0
					for _, k := range list {
						status := keys.Active
						if k.IsPending() {
							status, pending = keys.Pending, pending+1
						}
						fmt.Printf("%-16s  %-9s  %-6s  %-8s  %-20s  %s\n", k.ID, k.Curve, fmt.Sprintf("%d-of-%d", k.Threshold, len(k.Stations)), status, k.Created.Format("2006-01-02 15:04"), untrusted.Text(k.Label))
					}
					if pending > 0 {
						fmt.Println("\nA pending key cannot sign: not every station has said it saved its share. See `coldtss keys confirm --help`.")
					}
					return nil
				},
			},
			{
				Name:      "confirm",
				Usage:     "make a pending key (or a resharing's new share) usable, once every station's saved acknowledgement is on the stick",
				ArgsUsage: "KEY-ID",
				Description: `After a keygen, every station saves the key as pending, then writes a last
packet signed to say it saved its share; the key becomes usable when every
station's is in. If the ceremony stopped before (the stick was pulled, a
station timed out), bring the stick that holds every station's last-step
packet and run this on each station whose key is pending. If a station
never wrote its packet, finish its join, or, if it lost the key, do not
use the key: plan a new keygen. After a resharing that stopped at its last
step, the same command makes the new share current on a station of the new
committee (and destroys its old one).`,
				Flags:  []cli.Flag{homeFlag, jsonFlag, &cli.StringFlag{Name: "via", Usage: "usb:PATH, the stick that holds the keygen's ceremony folder", Required: true}},
				Action: keysConfirm,
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

func printKey(k keys.Record) {
	w := os.Stdout
	fmt.Fprintf(w, "Key:         %s", k.ID)
	if k.Label != "" {
		fmt.Fprintf(w, " (%s)", untrusted.Text(k.Label))
	}
	if k.IsPending() {
		fmt.Fprint(w, " PENDING: not every station has said it saved its share; it cannot sign yet")
	}
	fmt.Fprintf(w, "\nCurve:       %s, %d-of-%d (%s), epoch %d\n", k.Curve, k.Threshold, len(k.Stations), strings.Join(k.Stations, ", "), k.Epoch)
	fmt.Fprintf(w, "Public key:  %s\n", k.PublicKey)
	fmt.Fprintf(w, "Key words:   %s\n", k.Words())
	if k.XPub != "" {
		fmt.Fprintf(w, "xpub:        %s\n", k.XPub)
	}
	fmt.Fprintf(w, "Chain code:  %s\n", k.ChainCode)
	fmt.Fprintf(w, "Created:     %s in session %s\n", k.Created.Format("2006-01-02 15:04 UTC"), k.Session)
}

func keysConfirm(c *cli.Context) error {
	if c.Args().Len() != 1 {
		return usageError{Err: fmt.Errorf("give one key id (see `coldtss keys list`)")}
	}
	h := home(c)
	info, err := h.Key(c.Args().First())
	if err != nil {
		return err
	}
	// A resharing that stopped at its last step leaves the new share
	// waiting beside the current one.
	next, resharing := h.PendingReshare(info.ID)
	if resharing {
		info = next
	} else if !info.IsPending() {
		return fmt.Errorf("key %s is not pending: it is already usable", info.ID)
	}
	b, err := os.ReadFile(h.TranscriptPath(info.Session))
	if err != nil {
		return fmt.Errorf("key %s: this station has no transcript of its keygen (%v)", info.ID, err)
	}
	t, err := ceremony.ParseTranscript(b)
	if err != nil {
		return fmt.Errorf("%s: %v", h.TranscriptPath(info.Session), err)
	}
	if t.Digest != info.TranscriptHash {
		return fmt.Errorf("%s is not the transcript key %s was saved with", h.TranscriptPath(info.Session), info.ID)
	}
	usb, err := parseVia(c.String("via"), t.Plan)
	if err != nil {
		return err
	}
	step := ceremony.TotalSteps(t.Plan.Kind, t.Plan.Curve)
	packets, where := map[string][]byte{}, map[string]string{}
	for _, name := range t.Plan.Names() {
		data, w, err := usb.Get(step, name)
		where[name] = w
		if errors.Is(err, ceremony.ErrNotYet) {
			continue
		}
		if err != nil {
			return err
		}
		packets[name] = data
	}
	acks, err := ceremony.VerifySaved(t, packets, where)
	if err != nil {
		return fmt.Errorf("key %s stays pending: %v", info.ID, err)
	}
	if resharing {
		if err := h.ActivateReshared(info.ID, keys.NewCommitteeAcks(t.Plan, acks)); err != nil {
			return err
		}
		info, _ = h.Key(info.ID)
		if c.Bool("json") {
			return cliutil.PrintJSON(info)
		}
		fmt.Printf("Key %s is now at epoch %d: every new station (%s) has signed that it saved its share; this station's share of epoch %d is destroyed.\n",
			info.ID, info.Epoch, strings.Join(info.Stations, ", "), info.Epoch-1)
		return nil
	}
	if err := h.ActivateKey(info.ID, keys.Acknowledgements(acks)); err != nil {
		return err
	}
	if c.Bool("json") {
		info, _ = h.Key(info.ID)
		return cliutil.PrintJSON(info)
	}
	fmt.Printf("Key %s is now usable: every station (%s) has signed that it saved its share.\n", info.ID, strings.Join(info.Stations, ", "))
	return nil
}
