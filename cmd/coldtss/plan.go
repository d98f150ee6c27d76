package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/keys"
	"github.com/coldtss/coldtss/internal/atomicfile"
	"github.com/coldtss/coldtss/internal/cliutil"
	"github.com/coldtss/coldtss/internal/untrusted"
)

func planCommand() *cli.Command {
	return &cli.Command{
		Name:  "plan",
		Usage: "make or show a ceremony plan (keygen, signing or resharing)",
		Subcommands: []*cli.Command{
			{
				Name:      "keygen",
				Usage:     "plan a key generation between the stations whose cards are given",
				ArgsUsage: "[CARD...]",
				Flags: []cli.Flag{
					&cli.StringSliceFlag{Name: "card", Usage: "identity card file of a station (repeat for every station; card files may also be given as arguments, e.g. /stick/*.card)"},
					&cli.IntFlag{Name: "threshold", Usage: "how many stations will be needed to sign (e.g. 2 for 2-of-3)", Required: true},
					&cli.StringFlag{Name: "curve", Value: ceremony.CurveSecp256k1, Usage: "secp256k1 (Bitcoin, Ethereum) or ed25519"},
					&cli.StringFlag{Name: "label", Usage: "a name for the key, e.g. treasury-2026"},
					&cli.StringFlag{Name: "out", Usage: "plan file to write", Required: true},
					jsonFlag,
				},
				Action: func(c *cli.Context) error {
					var cards []ceremony.Card
					files := append(c.StringSlice("card"), c.Args().Slice()...)
					if len(files) == 0 {
						return usageError{Err: fmt.Errorf("give the stations' identity cards: --card FILE for each, or the files as arguments")}
					}
					for _, f := range files {
						card, err := readCard(f)
						if err != nil {
							return err
						}
						cards = append(cards, card)
					}
					plan, err := ceremony.NewKeygenPlan(ceremony.SortedCards(cards), c.Int("threshold"), c.String("curve"), c.String("label"))
					if err != nil {
						return err
					}
					return writePlan(c, plan)
				},
			},
			{
				Name:  "sign",
				Usage: "plan a signing ceremony for one or more messages with a key this station holds",
				Description: `With --psbt or --eth-request, this station reviews the transaction, shows it,
and computes what to sign from it; the plan carries the transaction so every
station reviews it again before it joins. --digest, --message and --requests
plan raw data that no station can review: stations must join those with
--allow-raw.`,
				Flags: append([]cli.Flag{
					homeFlag,
					&cli.StringFlag{Name: "key", Usage: "key id, as shown by coldtss keys list", Required: true},
					&cli.StringSliceFlag{Name: "signer", Usage: "station that will sign (repeat; at least the key's threshold)", Required: true},
					&cli.StringSliceFlag{Name: "digest", Usage: "secp256k1: 32-byte digest in hex, optionally with a non-hardened path: HEX@m/0/5 (repeat)"},
					&cli.StringSliceFlag{Name: "message", Usage: "ed25519: message in hex (repeat)"},
					&cli.StringFlag{Name: "requests", Usage: `JSON file: [{"data":"hex","path":"m/0/1","note":"..."}, ...]`},
					&cli.StringFlag{Name: "psbt", Usage: "Bitcoin: sign every input of this PSBT that belongs to the key (give --network too)"},
					&cli.StringFlag{Name: "eth-request", Usage: "Ethereum: sign this request (from coldtss-online eth prepare)"},
					&cli.StringFlag{Name: "out", Usage: "plan file to write", Required: true},
					jsonFlag,
				}, policyFlags()...),
				Action: planSign,
			},
			{
				Name:  "reshare",
				Usage: "plan a resharing of a key this station holds: replace, add or remove stations, change the threshold, or refresh",
				Description: `The key keeps its public key, chain code and addresses; its epoch goes up by
one and every share of the old epoch stops working once every new station has
saved its new share. --old names the current holders that take part (at least
the threshold); --new names the holders that stay, --card adds a new station
by its identity card. --refresh reshares to the same stations and threshold.`,
				Flags: []cli.Flag{
					homeFlag,
					&cli.StringFlag{Name: "key", Usage: "key id, as shown by coldtss keys list", Required: true},
					&cli.StringSliceFlag{Name: "old", Usage: "current holder that takes part and deals its share out (repeat; at least the key's threshold)"},
					&cli.StringSliceFlag{Name: "new", Usage: "current holder that stays in the new committee (repeat)"},
					&cli.StringSliceFlag{Name: "card", Usage: "identity card file of a station that joins the new committee (repeat)"},
					&cli.IntFlag{Name: "threshold", Usage: "stations the new committee needs to sign (default: the key's current threshold)"},
					&cli.BoolFlag{Name: "refresh", Usage: "new shares for the same stations and threshold (every holder in both committees)"},
					&cli.StringFlag{Name: "label", Usage: "a note for the plan"},
					&cli.StringFlag{Name: "out", Usage: "plan file to write", Required: true},
					jsonFlag,
				},
				Action: planReshare,
			},
			{
				Name:      "show",
				Usage:     "show a plan and its fingerprint words",
				ArgsUsage: "PLAN",
				Flags:     []cli.Flag{jsonFlag},
				Action: func(c *cli.Context) error {
					plan, err := readPlan(c.Args().First())
					if err != nil {
						return err
					}
					if c.Bool("json") {
						return cliutil.PrintJSON(planView(plan))
					}
					describePlan(os.Stdout, plan)
					return nil
				},
			},
		},
	}
}

func planSign(c *cli.Context) error {
	info, err := home(c).Key(c.String("key"))
	if err != nil {
		return err
	}
	if err := info.CheckUsable(); err != nil {
		return err
	}
	signers, err := info.Signers(c.StringSlice("signer"))
	if err != nil {
		return err
	}
	payload, err := loadPayload(c, c.String("psbt"), c.String("eth-request"))
	if err != nil {
		return err
	}
	var reqs []ceremony.SignRequest
	if payload != nil {
		if len(c.StringSlice("digest"))+len(c.StringSlice("message")) > 0 || c.String("requests") != "" {
			return usageError{Err: fmt.Errorf("a plan for a transaction signs only what the transaction needs: drop --digest, --message and --requests")}
		}
		rv, err := reviewPayload(c, info, payload)
		if err != nil {
			return err
		}
		if !c.Bool("json") {
			rv.Print(os.Stdout)
			fmt.Println()
		}
		// Each station computes the notes from the payload itself: a plan
		// that carries a transaction carries no text of its own.
		for _, r := range rv.Requests() {
			reqs = append(reqs, ceremony.SignRequest{Data: r.Data, Path: r.Path})
		}
	}
	for _, d := range c.StringSlice("digest") {
		data, path, _ := strings.Cut(d, "@")
		reqs = append(reqs, ceremony.SignRequest{Data: strings.ToLower(data), Path: path})
	}
	for _, m := range c.StringSlice("message") {
		reqs = append(reqs, ceremony.SignRequest{Data: strings.ToLower(m)})
	}
	if f := c.String("requests"); f != "" {
		b, err := readInput(f)
		if err != nil {
			return err
		}
		var more []ceremony.SignRequest
		if err := json.Unmarshal(b, &more); err != nil {
			return fmt.Errorf("%s: not a JSON list of requests: %v", f, err)
		}
		reqs = append(reqs, more...)
	}
	if len(reqs) == 0 {
		return usageError{Err: fmt.Errorf("nothing to sign: give --digest, --message or --requests")}
	}
	plan, err := ceremony.NewSignPlan(info.PlanKey(), info.Curve, info.Threshold, ceremony.SortedCards(signers), reqs, payload)
	if err != nil {
		return err
	}
	return writePlan(c, plan)
}

func planReshare(c *cli.Context) error {
	info, err := home(c).Key(c.String("key"))
	if err != nil {
		return err
	}
	rp := keys.ResharePlan{Old: c.StringSlice("old"), Threshold: c.Int("threshold"), Label: c.String("label")}
	stay := c.StringSlice("new")
	if c.Bool("refresh") {
		if len(stay)+len(c.StringSlice("card")) > 0 || (rp.Threshold != 0 && rp.Threshold != info.Threshold) {
			return usageError{Err: fmt.Errorf("--refresh keeps the same stations and threshold: drop --new, --card and --threshold")}
		}
		stay = info.Stations
		if len(rp.Old) == 0 {
			rp.Old = info.Stations
		}
	}
	if len(rp.Old) == 0 {
		return usageError{Err: fmt.Errorf("name the current holders that take part with --old (at least %d of %s)", info.Threshold, strings.Join(info.Stations, ", "))}
	}
	if rp.Threshold == 0 {
		rp.Threshold = info.Threshold
	}
	if rp.New, err = info.Signers(stay); err != nil {
		return fmt.Errorf("--new: %v", err)
	}
	for _, f := range c.StringSlice("card") {
		card, err := readCard(f)
		if err != nil {
			return err
		}
		rp.New = append(rp.New, card)
	}
	plan, err := info.PlanReshare(rp)
	if err != nil {
		return err
	}
	return writePlan(c, plan)
}

func writePlan(c *cli.Context, plan *ceremony.Plan) error {
	out := c.String("out")
	if err := atomicfile.WriteNew(out, plan.Marshal(), 0o644); err != nil {
		return err
	}
	if c.Bool("json") {
		return cliutil.PrintJSON(planView(plan))
	}
	fmt.Printf("Wrote %s\n\n", out)
	describePlan(os.Stdout, plan)
	fmt.Println("\nCopy the plan to every station and run `coldtss join PLAN --via usb:STICK` there.")
	return nil
}

func readPlan(path string) (*ceremony.Plan, error) {
	if path == "" {
		return nil, usageError{Err: fmt.Errorf("give the plan file")}
	}
	b, err := readInput(path)
	if err != nil {
		return nil, err
	}
	plan, err := ceremony.ParsePlan(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return plan, nil
}

type planJSON struct {
	Kind        string   `json:"kind"`
	Session     string   `json:"session"`
	Curve       string   `json:"curve"`
	Threshold   int      `json:"threshold"`
	Stations    []string `json:"stations"`
	Key         string   `json:"key,omitempty"`
	Epoch       int      `json:"epoch,omitempty"`
	Old         []string `json:"old,omitempty"`
	New         []string `json:"new,omitempty"`
	NewThresh   int      `json:"new_threshold,omitempty"`
	Messages    int      `json:"messages,omitempty"`
	Steps       int      `json:"steps"`
	Fingerprint string   `json:"fingerprint"`
	Words       string   `json:"fingerprint_words"`
}

func planView(p *ceremony.Plan) planJSON {
	fp := p.Fingerprint()
	v := planJSON{Kind: p.Kind, Session: p.Session, Curve: p.Curve, Threshold: p.Threshold, Stations: p.Names(),
		Messages: len(p.Messages), Steps: ceremony.TotalSteps(p.Kind, p.Curve), Fingerprint: hex.EncodeToString(fp[:]), Words: p.FingerprintWords()}
	if p.Key != nil {
		v.Key, v.Epoch = p.Key.ID, p.Key.Epoch
	}
	if p.Reshare != nil {
		v.Old, v.New, v.NewThresh = p.Reshare.Old, p.Reshare.New, p.Reshare.Threshold
	}
	return v
}

// describePlan shows a plan. Every text in it came from a file: it goes
// through untrusted.Text. For a plan that carries a transaction, the
// messages are not listed from the plan: the station's own review of the
// transaction shows what is signed.
func describePlan(w *os.File, p *ceremony.Plan) {
	fmt.Fprintf(w, "Ceremony:    %s (%s), session %s\n", untrusted.Text(p.Kind), untrusted.Text(p.Curve), untrusted.Text(p.Session))
	if p.Kind == ceremony.KindKeygen {
		fmt.Fprintf(w, "Key:         %d-of-%d", p.Threshold, len(p.Stations))
		if p.Label != "" {
			fmt.Fprintf(w, ", label %s", untrusted.Quote(p.Label))
		}
		fmt.Fprintln(w)
	} else {
		fmt.Fprintf(w, "Key:         %s (%d-of-%d), public key %s\n", untrusted.Text(p.Key.ID), p.Threshold, len(p.Key.Holders), untrusted.Text(p.Key.PublicKey))
		if p.Key.Epoch > 0 {
			fmt.Fprintf(w, "Epoch:       %d (committee %s)\n", p.Key.Epoch, untrusted.Text(p.Key.Committee))
		}
	}
	if r := p.Reshare; r != nil {
		fmt.Fprintf(w, "Reshare:     from %s (deal their shares out)\n", untrusted.Text(strings.Join(r.Old, ", ")))
		fmt.Fprintf(w, "             to   %s, %d-of-%d, epoch %d: same public key and addresses; shares of epoch %d stop working\n", untrusted.Text(strings.Join(r.New, ", ")), r.Threshold, len(r.New), p.Key.Epoch+1, p.Key.Epoch)
	}
	fmt.Fprintln(w, "Stations:")
	for _, s := range p.Stations {
		fmt.Fprintf(w, "  %-12s identity %s\n", untrusted.Text(s.Name), s.FingerprintWords())
	}
	if p.Payload != nil {
		fmt.Fprintf(w, "Signs:       %d digest(s) of a %s (%s, %d bytes); this station's own review follows\n", len(p.Messages), untrusted.Text(p.Payload.Type), untrusted.Text(p.Payload.Network), len(p.Payload.Data))
	} else {
		for i, m := range p.Messages {
			path := m.Path
			if path == "" {
				path = "m"
			}
			note := ""
			if m.Note != "" {
				note = "  (note from the plan, unchecked: " + untrusted.Quote(m.Note) + ")"
			}
			fmt.Fprintf(w, "  message %2d: %s at %s%s\n", i+1, untrusted.Text(m.Data), untrusted.Text(path), note)
		}
	}
	fmt.Fprintf(w, "Steps:       %d\n", ceremony.TotalSteps(p.Kind, p.Curve))
	fmt.Fprintf(w, "Fingerprint: %s\n", p.FingerprintWords())
}
