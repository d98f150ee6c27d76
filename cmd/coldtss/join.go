package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/backup/vault"
	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/keys"
	"github.com/coldtss/coldtss/ceremony/transport"
	"github.com/coldtss/coldtss/chains/bitcoin"
	"github.com/coldtss/coldtss/chains/payload"
	"github.com/coldtss/coldtss/internal/atomicfile"
	"github.com/coldtss/coldtss/internal/cliutil"
)

func joinCommand() *cli.Command {
	return &cli.Command{
		Name:      "join",
		Usage:     "take part in the ceremony a plan describes (keygen, signing or resharing)",
		ArgsUsage: "PLAN",
		Description: `Shows the plan and its fingerprint words, asks you to confirm them, then runs
the ceremony: writes this station's packet for each step to the stick and
waits for the other stations' packets, until the end. Keep it running while
the stick goes round. Over QR (--via qr) the station shows each packet as an
animated code and reads the others' screens with its camera: face the other
station, or with more than two, face the hub in turn (docs/qr.md). Nothing of a signing ceremony is saved while it runs:
if it stops, make a new plan and start again.`,
		Flags: append([]cli.Flag{
			homeFlag, passFlag, jsonFlag,
			&cli.DurationFlag{Name: "timeout", Value: 30 * time.Minute, Usage: "how long to wait for the other stations at each step"},
			&cli.DurationFlag{Name: "poll", Value: 200 * time.Millisecond, Usage: "how often to look for new packets"},
			&cli.StringFlag{Name: "expect-fingerprint", Usage: "the plan's fingerprint words, as read aloud; the ceremony runs only if they match"},
			&cli.BoolFlag{Name: "yes", Usage: "do not ask to confirm the fingerprint (scripted tests only)"},
			&cli.StringFlag{Name: "out", Usage: "signing: where to write the signatures (default: signatures.json in the ceremony folder); a signed transaction goes next to it"},
			&cli.BoolFlag{Name: "allow-raw", Usage: "sign raw digests or messages that this station cannot review (plans made without --psbt or --eth-request)"},
		}, append(viaFlags, policyFlags()...)...),
		Action: join,
	}
}

func parseVia(via string, plan *ceremony.Plan) (*transport.USB, error) {
	scheme, arg, ok := strings.Cut(via, ":")
	if !ok || scheme != "usb" || arg == "" {
		return nil, usageError{Err: fmt.Errorf("--via %q is not a transport: use usb:PATH", via)}
	}
	usb := &transport.USB{Root: arg, Session: plan.Session}
	// Records which stick this is, and finds a missing or read-only stick
	// or a linked ceremony folder before anything runs.
	if err := usb.Open(); err != nil {
		return nil, fmt.Errorf("--via %s: %v", arg, err)
	}
	return usb, nil
}

func join(c *cli.Context) error {
	plan, err := readPlan(c.Args().First())
	if err != nil {
		return err
	}
	h := home(c)
	cardBytes, err := h.ReadCard()
	if err != nil {
		return err
	}
	me, err := ceremony.ParseCard(cardBytes)
	if err != nil {
		return fmt.Errorf("%s: %v", h.CardPath(), err)
	}
	self := plan.Index(me.Name)
	if self < 0 || plan.Stations[self].SignKey != me.SignKey {
		return fmt.Errorf("this station (%s) is not one of the plan's stations (%s): check that you have the right plan and --home", me.Name, strings.Join(plan.Names(), ", "))
	}
	med, err := openMedium(c, h, plan, me.Name)
	if err != nil {
		return err
	}
	var info keys.Record
	var rs reshareRole
	switch {
	case plan.Kind == ceremony.KindSign:
		if info, err = h.Key(plan.Key.ID); err != nil {
			return err
		}
		if err := info.CheckSignPlan(plan); err != nil {
			return err
		}
	case plan.Kind == ceremony.KindReshare:
		if rs, err = checkReshare(h, plan, me.Name); err != nil {
			return err
		}
		info = rs.prev
	}
	needPreParams := plan.Kind == ceremony.KindKeygen || (plan.Kind == ceremony.KindReshare && rs.inNew)
	if needPreParams && plan.Curve == ceremony.CurveSecp256k1 && h.CountPreParams() == 0 {
		return fmt.Errorf("station %s has no unused pre-parameters: run `coldtss preparams --home %s` first (it takes a few minutes)", me.Name, h.Dir)
	}
	if !c.Bool("json") {
		describePlan(os.Stderr, plan)
	}
	var rv payload.Reviewed
	switch {
	case plan.Payload != nil:
		// Review before anything else: this station decodes the transaction
		// itself and signs only the digests it computed from it.
		if rv, err = reviewPayload(c, info, plan.Payload); err != nil {
			return err
		}
		rv.Print(os.Stderr)
		if err := payload.Check(plan, rv); err != nil {
			return err
		}
	case plan.Kind == ceremony.KindSign && !c.Bool("allow-raw"):
		return fmt.Errorf("the plan asks to sign %d raw message(s) that this station cannot review: plan a transaction with --psbt or --eth-request, or, if the data was checked another way, join with --allow-raw", len(plan.Messages))
	}
	if err := confirmWords(c, "plan", plan.FingerprintWords()); err != nil {
		return err
	}
	id, err := unlock(c)
	if err != nil {
		return err
	}
	// A station never takes part twice in one session: a replayed plan
	// must not make it run a second party (nor use up pre-parameters).
	if err := h.JoinSession(plan.Session); err != nil {
		return err
	}
	r := &ceremony.Runner{Plan: plan, ID: id, Transport: med.Transport(), Timeout: c.Duration("timeout"), Poll: c.Duration("poll")}
	var pending *keys.Record
	if plan.Kind == ceremony.KindKeygen {
		// Called once every station has confirmed the key, before this
		// station tells the others it saved its share.
		r.Save = func(res *ceremony.Result) error {
			if _, err := h.SaveTranscript(plan.Session, res.Transcript.Marshal()); err != nil {
				return err
			}
			info := keys.New(plan, me.Name, res)
			if plan.Curve == ceremony.CurveSecp256k1 {
				xpub, err := bitcoin.XPub(res.PublicKey, res.ChainCode, &chaincfg.MainNetParams)
				if err != nil {
					return err
				}
				info.XPub = xpub
			}
			if err := h.SaveKey(info, res.Share, id.AgeIdentity().Recipient()); err != nil {
				return err
			}
			pending = &info
			return nil
		}
	}
	if plan.Kind == ceremony.KindReshare {
		r.Save = func(res *ceremony.Result) error {
			if _, err := h.SaveTranscript(plan.Session, res.Transcript.Marshal()); err != nil {
				return err
			}
			if !rs.inNew {
				return nil // nothing to save: this station leaves the committee
			}
			rec, err := resharedRecord(plan, me.Name, res, rs)
			if err != nil {
				return err
			}
			if err := h.SaveReshared(rec, res.Share, id.AgeIdentity().Recipient()); err != nil {
				return err
			}
			pending = &rec
			return nil
		}
	}
	switch {
	case plan.Kind == ceremony.KindSign || (plan.Kind == ceremony.KindReshare && rs.inOld):
		if r.Share, err = h.Share(info.ID, id.AgeIdentity()); err != nil {
			return err
		}
	}
	switch {
	case plan.Kind == ceremony.KindSign:
	case needPreParams && plan.Curve == ceremony.CurveSecp256k1:
		// Taken off the disk now: a set is never used for two keys, even if this ceremony fails.
		if r.PreParams, err = h.TakePreParams(id.AgeIdentity()); err != nil {
			return err
		}
	}
	r.Progress = med.Progress
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	med.Start(ctx)
	start := time.Now()
	res, err := r.Run(ctx)
	took := time.Since(start)
	if err != nil {
		med.Stop()
		if pending != nil && plan.Kind == ceremony.KindReshare {
			return fmt.Errorf("%v (%s). The new share of key %s (epoch %d) is saved on this station as pending; the share of epoch %d is kept until every new station has said it saved its share", err, med.Where(), pending.ID, pending.Epoch, plan.Key.Epoch)
		}
		if pending != nil {
			return fmt.Errorf("%v (%s). Key %s is saved on this station as pending", err, med.Where(), pending.ID)
		}
		return fmt.Errorf("%v (%s)", err, med.Where())
	}
	// A QR station keeps showing its last packets until the others have them.
	med.Finished(ctx)
	med.Stop()
	tb := res.Transcript.Marshal()
	tpath, err := h.SaveTranscript(plan.Session, tb)
	if err != nil {
		return err
	}
	if usb, ok := med.(*usbMedium); ok {
		// A copy on the stick for the coordinator's records; best effort.
		_, _ = usb.Write(ctx, "transcript-"+me.Name+".json", tb)
	}
	if plan.Kind == ceremony.KindKeygen {
		return finishKeygen(c, h, plan, *pending, res, tpath, took)
	}
	if plan.Kind == ceremony.KindReshare {
		return finishReshare(c, h, plan, rs, pending, res, tpath, took)
	}
	return finishSign(ctx, c, plan, med, rv, res, tpath, took)
}

func finishKeygen(c *cli.Context, h vault.Home, plan *ceremony.Plan, info keys.Record, res *ceremony.Result, tpath string, took time.Duration) error {
	if err := h.ActivateKey(info.ID, keys.Acknowledgements(res.Saved)); err != nil {
		return fmt.Errorf("every station saved key %s, but this station could not mark it active: %v. %s", info.ID, err, keys.ConfirmHint(info.ID))
	}
	info, err := h.Key(info.ID)
	if err != nil {
		return err
	}
	if c.Bool("json") {
		return printKeyJSON(info, took)
	}
	fmt.Printf("Key generated in %s, confirmed by all %d stations, and saved by every one of them.\n", elapsed(took), len(plan.Stations))
	printKey(info)
	fmt.Printf("Transcript:  %s\n", tpath)
	fmt.Printf("Read the key words aloud: every station must show the same words. Then back up this station's share: coldtss backup create --key %s --out FILE (docs/recovery.md).\n", info.ID)
	return nil
}

// printKeyJSON prints a key's record after a ceremony with seconds: the
// time spent in the ceremony itself, after the passphrase unlock.
func printKeyJSON(info keys.Record, took time.Duration) error {
	return cliutil.PrintJSON(struct {
		keys.Record
		Seconds float64 `json:"seconds"`
	}{info, took.Seconds()})
}

func finishSign(ctx context.Context, c *cli.Context, plan *ceremony.Plan, med medium, rv payload.Reviewed, res *ceremony.Result, tpath string, took time.Duration) error {
	out, err := keys.NewSignatureFile(plan, res)
	if err != nil {
		return err
	}
	b := out.Marshal()
	// Outputs go next to --out, or into the ceremony folder on the stick,
	// written only where a link on the stick cannot redirect them.
	write := func(name string, data []byte) (string, error) { return med.Write(ctx, name, data) }
	if _, isUSB := med.(*usbMedium); isUSB && c.String("out") != "" {
		o := c.String("out")
		write = func(name string, data []byte) (string, error) {
			p := filepath.Join(filepath.Dir(o), name)
			if name == "signatures.json" {
				p = o
			}
			return p, atomicfile.Write(p, data, 0o644)
		}
	}
	path, err := write("signatures.json", b)
	if err != nil {
		return fmt.Errorf("the signatures were made but could not be written: %v", err)
	}
	var files []string
	if rv != nil {
		outs, err := rv.Finish(res.Signatures)
		if err != nil {
			return fmt.Errorf("the signatures were made (%s) but the transaction could not be finished: %v", path, err)
		}
		for _, o := range outs {
			f, err := write(o.Name, o.Data)
			if err != nil {
				return fmt.Errorf("the signatures were made (%s) but %s could not be written: %v", path, o.Name, err)
			}
			files = append(files, f)
		}
	}
	if c.Bool("json") {
		// The signature file, what was made from it, and the time spent in
		// the ceremony after the passphrase unlock.
		return cliutil.PrintJSON(struct {
			keys.SignatureFile
			Files   []string `json:"files,omitempty"`
			Seconds float64  `json:"seconds"`
		}{out, files, took.Seconds()})
	}
	fmt.Printf("Signed %d message(s) in %s; every signature verified and confirmed by all %d signers.\n", len(res.Signatures), elapsed(took), len(plan.Stations))
	fmt.Printf("Signatures:  %s\nTranscript:  %s\n", path, tpath)
	for _, f := range files {
		fmt.Printf("Wrote:       %s\n", f)
	}
	if len(files) > 0 {
		if _, isUSB := med.(*usbMedium); isUSB {
			fmt.Println("Carry the signed transaction to the online machine: coldtss-online broadcast FILE")
		} else {
			fmt.Println("Show the signed transaction to the online machine: coldtss qr show FILE --as terminal, read there with coldtss-online scan")
		}
	}
	return nil
}

// reshareRole is this station's part in a resharing and its record of the
// key before it, if it has one.
type reshareRole struct {
	inOld, inNew bool
	prev         keys.Record
	hasPrev      bool
}

// checkReshare checks a resharing plan against this station's record of
// the key: a station of the old committee must hold the key at the plan's
// epoch and committee; a station of the new committee that holds a share
// already must too.
func checkReshare(h vault.Home, plan *ceremony.Plan, me string) (reshareRole, error) {
	var rs reshareRole
	for _, n := range plan.Reshare.Old {
		rs.inOld = rs.inOld || n == me
	}
	for _, n := range plan.Reshare.New {
		rs.inNew = rs.inNew || n == me
	}
	prev, err := h.Key(plan.Key.ID)
	rs.hasPrev = err == nil && prev.ID == plan.Key.ID
	if rs.hasPrev {
		rs.prev = prev
	}
	switch {
	case rs.inOld && !rs.hasPrev:
		return rs, fmt.Errorf("this station (%s) is in the plan's old committee but holds no share of key %s: %v", me, plan.Key.ID, err)
	case rs.inOld, rs.hasPrev && prev.Status != keys.Retired:
		if err := prev.CheckResharePlan(plan); err != nil {
			return rs, err
		}
	}
	return rs, nil
}

// resharedRecord is this station's record of the key after the resharing.
func resharedRecord(plan *ceremony.Plan, me string, res *ceremony.Result, rs reshareRole) (keys.Record, error) {
	var prev *keys.Record
	if rs.hasPrev {
		prev = &rs.prev
	}
	rec := keys.Reshared(plan, me, res, prev)
	if plan.Curve == ceremony.CurveSecp256k1 && rec.XPub == "" {
		xpub, err := bitcoin.XPub(res.PublicKey, res.ChainCode, &chaincfg.MainNetParams)
		if err != nil {
			return rec, err
		}
		rec.XPub = xpub
	}
	return rec, nil
}

// finishReshare runs once every station has said it saved its new share:
// only now is the old share destroyed. A station of the new committee
// makes its new share the key's; one that left keeps the public record
// only, marked retired.
func finishReshare(c *cli.Context, h vault.Home, plan *ceremony.Plan, rs reshareRole, pending *keys.Record, res *ceremony.Result, tpath string, took time.Duration) error {
	acks := keys.NewCommitteeAcks(plan, res.Saved)
	var what string
	switch {
	case rs.inNew:
		if err := h.ActivateReshared(plan.Key.ID, acks); err != nil {
			return fmt.Errorf("every new station saved its share of key %s, but this station could not make its new share the current one: %v. Run `coldtss join` never again for this plan; see the runbook, \"Resharing\"", plan.Key.ID, err)
		}
		what = fmt.Sprintf("This station holds a share of epoch %d; its share of epoch %d is destroyed.", plan.Key.Epoch+1, plan.Key.Epoch)
	case rs.hasPrev:
		rec, err := resharedRecord(plan, rs.prev.Station, res, rs)
		if err != nil {
			return err
		}
		rec.SavedBy = acks
		if err := h.RetireKey(rec); err != nil {
			return err
		}
		what = fmt.Sprintf("This station left the committee: its share of epoch %d is destroyed; it keeps the key's public record, marked retired.", plan.Key.Epoch)
	}
	info, err := h.Key(plan.Key.ID)
	if err != nil {
		return err
	}
	if c.Bool("json") {
		return printKeyJSON(info, took)
	}
	fmt.Printf("Key %s reshared in %s to %s (%d-of-%d, epoch %d), confirmed by all %d stations; every new station saved its share.\n",
		plan.Key.ID, elapsed(took), strings.Join(plan.Reshare.New, ", "), plan.Reshare.Threshold, len(plan.Reshare.New), plan.Key.Epoch+1, len(plan.Stations))
	fmt.Println(what)
	printKey(info)
	fmt.Printf("Transcript:  %s\n", tpath)
	fmt.Println("Read the key words aloud: every station must show the same words as before. Shares and backups of the old epoch no longer work: make new backups now.")
	return nil
}
