package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/backup"
	"github.com/coldtss/coldtss/chains/bitcoin"
	"github.com/coldtss/coldtss/chains/payload"
	"github.com/coldtss/coldtss/internal/atomicfile"
	"github.com/coldtss/coldtss/internal/cliutil"
	"github.com/coldtss/coldtss/internal/untrusted"
	"github.com/coldtss/coldtss/recovery"
)

func recoverCommand() *cli.Command {
	return &cli.Command{
		Name:  "recover",
		Usage: "emergency recovery: rebuild a key from threshold-many backups on this machine and sign a sweep",
		Description: `The last resort, when no ceremony can be held (docs/recovery.md, "Emergency
recovery"). On one offline machine, reads the backups of as many stations as
the key's threshold (--backup, once per file), rebuilds the key, checks it
against the key's public key, and then, without ever showing the key:
  --psbt FILE --network N   reviews the PSBT like a station and signs it: signed.psbt, tx.hex
  --eth-request FILE        reviews the request like a station and signs it: tx.hex or signature.hex
  --message FILE            (ed25519 keys) signs the file's bytes: signature.hex
With none of them it only checks the backups. --export-xprv shows the key
itself as a BIP32 xprv with the joint chain code, after you type the
sentence it asks for. Every run writes a transcript (no secret) to --out.`,
		Flags: append([]cli.Flag{
			&cli.StringSliceFlag{Name: "backup", Usage: "a backup file (repeat: one per station)", Required: true},
			&cli.StringSliceFlag{Name: "backup-passphrase-file", Aliases: []string{"passphrase-file"}, Usage: "read the backup passphrase from this file (first line): once for every backup, or once per --backup in the same order"},
			&cli.StringSliceFlag{Name: "identity", Usage: "open backups made to age recipients with this age identity file; repeatable"},
			&cli.StringFlag{Name: "psbt", Usage: "a PSBT (binary or base64) to sign with the recovered key"},
			&cli.StringFlag{Name: "eth-request", Usage: "a coldtss-eth-request/1 file (from coldtss-online eth prepare) to sign with the recovered key"},
			&cli.StringFlag{Name: "message", Usage: "ed25519 keys: a file whose bytes to sign"},
			&cli.BoolFlag{Name: "export-xprv", Usage: "show the recovered key as an xprv (asks you to type a sentence first); anyone who sees it can spend everything"},
			&cli.StringFlag{Name: "out", Usage: "folder for the signed files and the recovery transcript", Required: true},
			&cli.BoolFlag{Name: "yes", Usage: "sign without asking after the review (scripted tests only)"},
			jsonFlag,
		}, policyFlags()...),
		Action: recoverAction,
	}
}

// recoverAction reads the flags, runs the recovery and always writes the
// transcript once the output folder is known.
func recoverAction(c *cli.Context) (err error) {
	action := "check"
	n := 0
	for _, a := range []struct{ flag, name string }{{"psbt", "bitcoin-psbt"}, {"eth-request", "ethereum-request"}, {"message", "ed25519-message"}, {"export-xprv", "export-xprv"}} {
		if c.IsSet(a.flag) {
			action, n = a.name, n+1
		}
	}
	if n > 1 {
		return usageError{Err: errors.New("give one of --psbt, --eth-request, --message or --export-xprv: a recovery run does one thing")}
	}
	out := c.String("out")
	if err := os.MkdirAll(out, 0o700); err != nil {
		return fmt.Errorf("--out %s: %v", out, err)
	}
	tr := recovery.NewTranscript("coldtss "+version, selfHash(), action)
	// A new file per run: recovery-TIME.json, or -2, -3… in the same second.
	base := filepath.Join(out, "recovery-"+tr.Started.Format("20060102T150405Z"))
	tpath := base + ".json"
	for i := 2; fileExists(tpath); i++ {
		tpath = fmt.Sprintf("%s-%d.json", base, i)
	}
	defer func() {
		tr.Finish(err)
		if werr := atomicfile.Write(tpath, tr.Marshal(), 0o644); werr != nil {
			if err == nil {
				err = fmt.Errorf("the recovery transcript could not be written to %s: %v", tpath, werr)
			}
			return
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "Transcript of this failed recovery: %s\n", tpath)
		} else if !c.Bool("json") {
			fmt.Printf("Transcript:  %s\n", tpath)
		}
	}()
	return runRecovery(c, tr, out, tpath)
}

func runRecovery(c *cli.Context, tr *recovery.Transcript, out, tpath string) error {
	bs, err := readBackups(c, tr)
	if err != nil {
		return err
	}
	key, err := recovery.Reconstruct(bs)
	if err != nil {
		return err
	}
	defer key.Destroy()
	tr.Recovered(key)
	rec := key.Record()
	info := os.Stdout
	if c.Bool("json") {
		info = os.Stderr
	}
	fmt.Fprintf(info, "Recovered key %s (%s, %d-of-%d, epoch %d) from %d backups; it is the key's public key %s.\nKey words: %s\n",
		rec.ID, rec.Curve, rec.Threshold, len(rec.Stations), rec.Epoch, len(bs), rec.PublicKey, rec.Words())
	files := []string{}
	write := func(o payload.Output) error {
		p := filepath.Join(out, o.Name)
		if err := atomicfile.Write(p, o.Data, 0o644); err != nil {
			return fmt.Errorf("%s could not be written: %v", p, err)
		}
		tr.AddOutput(p, o)
		files = append(files, p)
		return nil
	}
	switch tr.Action {
	case "bitcoin-psbt", "ethereum-request":
		file := c.String("psbt") + c.String("eth-request")
		if _, _, err := rec.Secp256k1("Bitcoin and Ethereum need"); err != nil {
			return fmt.Errorf("%v (an ed25519 key signs messages: --message FILE)", err)
		}
		p, err := loadPayload(c, c.String("psbt"), c.String("eth-request"))
		if err != nil {
			return err
		}
		tr.SetInput(file, p.Data)
		pol, err := policy(c)
		if err != nil {
			return err
		}
		if b, err := json.Marshal(pol); err == nil {
			tr.Policy = b
		}
		rv, err := key.Review(p, pol)
		if err != nil {
			return fmt.Errorf("%s: %v", file, err)
		}
		var review bytes.Buffer
		rv.Print(&review)
		tr.Review = strings.Split(strings.TrimRight(review.String(), "\n"), "\n")
		info.Write(review.Bytes())
		if err := confirmSign(c); err != nil {
			return err
		}
		tr.Confirmed = "yes"
		signed, err := key.Sign(rv)
		if err != nil {
			return err
		}
		tr.SetSigned(signed)
		for _, o := range signed.Outputs {
			if err := write(o); err != nil {
				return err
			}
		}
	case "ed25519-message":
		msg, err := readInput(c.String("message"))
		if err != nil {
			return err
		}
		tr.SetInput(c.String("message"), msg)
		sig, err := key.SignMessage(msg)
		if err != nil {
			return err
		}
		tr.Signed = append(tr.Signed, recovery.SignedRequest{Digest: recovery.Hash(msg), Path: "m", PublicKey: rec.PublicKey, Note: "ed25519 signature over the message bytes (digest is their SHA-256)"})
		if err := write(payload.Output{Name: "signature.hex", Data: []byte(hex.EncodeToString(sig) + "\n")}); err != nil {
			return err
		}
	case "export-xprv":
		network := c.String("network")
		if network == "" {
			network = "mainnet"
		}
		net, err := bitcoin.NetworkParams(network)
		if err != nil {
			return usageError{Err: fmt.Errorf("--network: %v", err)}
		}
		fmt.Fprintf(os.Stderr, "\nThe key itself is about to be shown. Anyone who sees it, or a photo of it, can spend everything this key holds, on every chain.\nType this sentence exactly to show it:\n\n    %s\n\n> ", recovery.ExportConfirmation)
		line, rerr := stdinReader.ReadString('\n')
		if rerr != nil && rerr != io.EOF {
			return rerr
		}
		ex, err := key.ExtendedPrivateKey(net, line)
		if err != nil {
			return err
		}
		tr.Confirmed = recovery.ExportConfirmation
		tr.SetExport(ex)
		fmt.Printf("%s\n", ex.XPrv)
		fmt.Fprintf(os.Stderr, "Above: the key of %s as a BIP32 master (depth 0, the joint chain code) for %s; its xpub is %s. Import it into a wallet on an offline machine, sweep, then destroy every copy.\n", rec.ID, ex.Network, ex.XPub)
		return nil
	}
	if c.Bool("json") {
		return cliutil.PrintJSON(struct {
			Key        string   `json:"key"`
			Action     string   `json:"action"`
			Files      []string `json:"files"`
			Transcript string   `json:"transcript"`
		}{rec.ID, tr.Action, files, tpath})
	}
	for _, f := range files {
		fmt.Printf("Wrote:       %s\n", f)
	}
	if tr.Action == "check" {
		fmt.Println("The backups rebuild the key. Nothing was signed.")
	} else if len(files) > 0 {
		fmt.Println("Carry the signed file to the online machine: coldtss-online broadcast FILE")
	}
	return nil
}

// readBackups opens every --backup with its passphrase or the identities.
func readBackups(c *cli.Context, tr *recovery.Transcript) ([]recovery.Backup, error) {
	files := c.StringSlice("backup")
	passFiles := c.StringSlice("backup-passphrase-file")
	if len(passFiles) > 1 && len(passFiles) != len(files) {
		return nil, usageError{Err: fmt.Errorf("%d --backup-passphrase-file for %d backups: give one for all, or one per --backup in the same order", len(passFiles), len(files))}
	}
	var ids []age.Identity
	for _, f := range c.StringSlice("identity") {
		b, err := readSmall(f, "--identity")
		if err != nil {
			return nil, err
		}
		got, err := backup.ParseIdentities(b)
		if err != nil {
			return nil, fmt.Errorf("--identity %s: %v", f, err)
		}
		ids = append(ids, got...)
	}
	var out []recovery.Backup
	for i, f := range files {
		data, err := readSmall(f, "--backup")
		if err != nil {
			return nil, err
		}
		var pass string
		switch {
		case len(passFiles) == 1:
			pass, err = passphraseFile("--backup-passphrase-file", passFiles[0])
		case len(passFiles) > 1:
			pass, err = passphraseFile("--backup-passphrase-file", passFiles[i])
		case backup.Describe(data) == "a passphrase":
			pass, err = askBackupPassphrase(f)
		case len(ids) == 0:
			err = fmt.Errorf("%s is encrypted to %s: give --identity FILE with the age identity of one of them", f, backup.Describe(data))
		}
		if err != nil {
			tr.AddBackupFile(f, data)
			return nil, err
		}
		b, err := recovery.Open(f, data, pass, ids...)
		if err != nil {
			tr.AddBackupFile(f, data)
			return nil, err
		}
		tr.AddBackup(&b)
		out = append(out, b)
	}
	return out, nil
}

func askBackupPassphrase(file string) (string, error) {
	if !cliutil.IsTerminal(os.Stdin) {
		return "", fmt.Errorf("%s is under a passphrase and there is no terminal to ask it on: give --backup-passphrase-file", file)
	}
	return askPassphrase(fmt.Sprintf("Passphrase of backup %s: ", untrusted.Text(file)), "passphrase of "+file, false)
}

// confirmSign asks the person to confirm the review, unless --yes.
func confirmSign(c *cli.Context) error {
	if c.Bool("yes") {
		return nil
	}
	if !cliutil.IsTerminal(os.Stdin) {
		return errors.New("cannot ask to confirm the review without a terminal: run it on a terminal (or --yes in scripted tests); nothing was signed")
	}
	fmt.Fprint(os.Stderr, "\nSign exactly this with the recovered key? Type yes to sign: ")
	line, err := stdinReader.ReadString('\n')
	if err != nil && err != io.EOF {
		return err
	}
	if strings.TrimSpace(strings.ToLower(line)) != "yes" {
		return errors.New("the review was not confirmed; nothing was signed")
	}
	return nil
}

func fileExists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// selfHash is the SHA-256 of this program's binary, for the transcript.
func selfHash() string {
	p, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}
