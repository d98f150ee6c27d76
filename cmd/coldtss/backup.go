package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"filippo.io/age"
	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/backup"
	"github.com/coldtss/coldtss/internal/atomicfile"
	"github.com/coldtss/coldtss/internal/cliutil"
	"github.com/coldtss/coldtss/internal/untrusted"
)

var (
	backupPassFlag = &cli.StringFlag{Name: "backup-passphrase-file", Usage: "read the backup passphrase from this file (first line) instead of asking; for scripted runs"}
	identityFlag   = &cli.StringSliceFlag{Name: "identity", Usage: "open a backup made to age recipients with this age identity file (age-keygen output or a plugin's AGE-PLUGIN-… line); repeatable"}
)

func backupCommand() *cli.Command {
	return &cli.Command{
		Name:  "backup",
		Usage: "make, check and restore cold backups of this station's shares (age files)",
		Description: `A backup holds one station's share of one key at one epoch, the key's public
record and the station's identity, as an age file: it opens with the plain
age tool even without coldtss (docs/recovery.md, "The age-only recipe").
Encrypt it under a backup passphrase, or to age recipients of the people
who keep it (X25519 age1…, post-quantum age1pq1…, a hardware token's plugin
age1<name>1…). age allows a passphrase only alone in a file: for both, make
two backups. ` + "`backup paper`" + ` prints a backup on paper and ` + "`backup paper-restore`" + `
reads it back. Format: docs/formats.md, "Backup file"; procedures:
docs/recovery.md.`,
		Subcommands: []*cli.Command{backupCreateCommand(), backupVerifyCommand(), backupRestoreCommand(), paperCommand(), paperRestoreCommand()},
	}
}

func backupCreateCommand() *cli.Command {
	return &cli.Command{
		Name:  "create",
		Usage: "write a backup of this station's share of a key",
		Description: `Unlocks the station (station passphrase: --passphrase-file or asked) and
writes the backup to --out, 0600, never over an existing file. Without
--backup-passphrase-file, --recipient or --recipients-file it asks for a new
backup passphrase twice. Test it at once with ` + "`coldtss backup verify`" + `.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "key", Usage: "id of the key (see `coldtss keys list`)", Required: true},
			&cli.StringFlag{Name: "out", Usage: "backup file to write (e.g. on a stick kept offsite)", Required: true},
			backupPassFlag,
			&cli.StringSliceFlag{Name: "recipient", Usage: "encrypt to this age recipient (age1…, age1pq1…, age1<plugin>1…); repeatable"},
			&cli.StringFlag{Name: "recipients-file", Usage: "encrypt to every age recipient in this file (one a line, # comments)"},
			&cli.BoolFlag{Name: "compress", Usage: "gzip the contents before encrypting (a secp256k1 backup: about 8 kB instead of 18); for paper sheets; opened without coldtss it is `age -d FILE | gunzip`"},
			homeFlag, passFlag, jsonFlag,
		},
		Action: func(c *cli.Context) error {
			h := home(c)
			rec, err := h.Key(c.String("key"))
			if err != nil {
				return err
			}
			opts := backup.CreateOptions{Compress: c.Bool("compress")}
			for _, s := range c.StringSlice("recipient") {
				r, err := backup.ParseRecipient(s)
				if err != nil {
					return usageError{Err: fmt.Errorf("--recipient %s %v", untrusted.Quote(s), err)}
				}
				opts.Recipients = append(opts.Recipients, r)
			}
			if f := c.String("recipients-file"); f != "" {
				b, err := readSmall(f, "--recipients-file")
				if err != nil {
					return err
				}
				rs, err := backup.ParseRecipients(b)
				if err != nil {
					return fmt.Errorf("--recipients-file %s: %v", f, err)
				}
				opts.Recipients = append(opts.Recipients, rs...)
			}
			if c.String("backup-passphrase-file") != "" && len(opts.Recipients) > 0 {
				return usageError{Err: errors.New("a backup is either under a passphrase or to age recipients (age allows a passphrase only alone in a file): make two backups, one with --backup-passphrase-file and one with --recipient")}
			}
			out := c.String("out")
			if _, err := os.Lstat(out); err == nil {
				return fmt.Errorf("%s already exists: a backup is never written over a file; choose another name", out)
			}
			id, err := unlock(c)
			if err != nil {
				return err
			}
			if id.Name != rec.Station {
				return fmt.Errorf("key %s's record names station %s, but this station is %s: the station folder is damaged", rec.ID, untrusted.Text(rec.Station), id.Name)
			}
			share, err := h.Share(rec.ID, id.AgeIdentity())
			if err != nil {
				return err
			}
			if len(opts.Recipients) == 0 {
				if opts.Passphrase, err = backupPassphrase(c, true); err != nil {
					return err
				}
			}
			contents := &backup.Contents{
				Format: backup.Format, KeyID: rec.ID, Epoch: rec.Epoch, Committee: rec.Committee(), Station: rec.Station,
				Key: rec, Share: share, Identity: id.MarshalSecret(), Created: time.Now().UTC().Truncate(time.Second),
			}
			data, err := backup.Create(contents, opts)
			if err != nil {
				return fmt.Errorf("key %s: %v", rec.ID, err)
			}
			if err := atomicfile.WriteNew(out, data, 0o600); err != nil {
				return err
			}
			to := backup.Describe(data)
			if c.Bool("json") {
				return cliutil.PrintJSON(backupView{File: out, KeyID: rec.ID, Station: rec.Station, Epoch: rec.Epoch, Committee: contents.Committee, EncryptedTo: to})
			}
			fmt.Printf("Wrote the backup of key %s, station %s, epoch %d, committee %s to %s, encrypted to %s.\n", rec.ID, untrusted.Text(rec.Station), rec.Epoch, contents.Committee, out, to)
			fmt.Printf("Test it now, and again wherever it is kept: coldtss backup verify %s --key %s\n", out, rec.ID)
			return nil
		},
	}
}

type backupView struct {
	File        string `json:"file"`
	KeyID       string `json:"key_id"`
	Station     string `json:"station"`
	Epoch       int    `json:"epoch"`
	Committee   string `json:"committee"`
	EncryptedTo string `json:"encrypted_to,omitempty"`
	Home        string `json:"home,omitempty"`
	NewIdentity bool   `json:"new_identity,omitempty"`
}

func backupVerifyCommand() *cli.Command {
	return &cli.Command{
		Name:      "verify",
		Usage:     "prove a backup opens and matches this station's key, without showing any secret",
		ArgsUsage: "BACKUP",
		Description: `Opens the backup (backup passphrase, or --identity for a backup made to age
recipients), checks that its share is the station's share of the key (its
public point is x_i·G and the stations' points add up to the public key),
and that it is of the key, epoch and committee this station holds now.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "key", Usage: "id of the key the backup must be of (default: the key it names, which this station must hold)"},
			backupPassFlag, identityFlag, homeFlag, jsonFlag,
		},
		Action: func(c *cli.Context) error {
			file, contents, err := openBackup(c)
			if err != nil {
				return err
			}
			if err := contents.Verify(); err != nil {
				return fmt.Errorf("%s: %v", file, err)
			}
			h := home(c)
			if err := h.CheckInitialized(); err != nil {
				return err
			}
			keyID := c.String("key")
			if keyID == "" {
				keyID = contents.KeyID
			}
			rec, err := h.Key(keyID)
			if err != nil {
				return err
			}
			if err := contents.CheckCurrent(rec); err != nil {
				return fmt.Errorf("%s: %v", file, err)
			}
			if c.Bool("json") {
				return cliutil.PrintJSON(backupView{File: file, KeyID: rec.ID, Station: contents.Station, Epoch: contents.Epoch, Committee: contents.Committee})
			}
			fmt.Printf("backup of key %s, station %s, epoch %d, committee %s: opens and matches\n", rec.ID, untrusted.Text(contents.Station), contents.Epoch, contents.Committee)
			return nil
		},
	}
}

func backupRestoreCommand() *cli.Command {
	return &cli.Command{
		Name:      "restore",
		Usage:     "rebuild this station from a backup (on a new laptop, into a fresh --home)",
		ArgsUsage: "BACKUP",
		Description: `Opens the backup, checks its share, and writes the station's identity (under
a NEW station passphrase, asked twice or --passphrase-file), its card, the
key's record and the share into --home. A home that already holds the same
station only gets the key added; a home of another station is refused.
Then ` + "`coldtss keys list`" + ` shows the key and the station can join a signing.`,
		Flags: []cli.Flag{backupPassFlag, identityFlag, homeFlag, passFlag, jsonFlag},
		Action: func(c *cli.Context) error {
			file, contents, err := openBackup(c)
			if err != nil {
				return err
			}
			h := home(c)
			if err := contents.Verify(); err != nil {
				return fmt.Errorf("%s: %v", file, err)
			}
			var pass string
			if !h.Initialized() {
				if pass, err = readPassphrase(c, "New station passphrase: ", true); err != nil {
					return err
				}
			}
			created, err := h.Restore(contents, pass)
			if err != nil {
				return fmt.Errorf("%s: %v", file, err)
			}
			if c.Bool("json") {
				return cliutil.PrintJSON(backupView{File: file, KeyID: contents.KeyID, Station: contents.Station, Epoch: contents.Epoch, Committee: contents.Committee, Home: h.Dir, NewIdentity: created})
			}
			if created {
				fmt.Printf("Restored station %s into %s under the new station passphrase.\n", untrusted.Text(contents.Station), h.Dir)
			}
			fmt.Printf("Restored key %s (epoch %d, committee %s) for station %s.\n", contents.KeyID, contents.Epoch, contents.Committee, untrusted.Text(contents.Station))
			fmt.Println("Check with `coldtss keys list`; the station can now join a signing. Make sure no other laptop still acts as this station.")
			return nil
		},
	}
}

// openBackup reads the BACKUP argument and opens it with the backup
// passphrase or the --identity files.
func openBackup(c *cli.Context) (string, *backup.Contents, error) {
	if c.NArg() != 1 {
		return "", nil, usageError{Err: errors.New("give exactly one backup file")}
	}
	file := c.Args().First()
	data, err := readSmall(file, "backup")
	if err != nil {
		return "", nil, err
	}
	var ids []age.Identity
	for _, f := range c.StringSlice("identity") {
		b, err := readSmall(f, "--identity")
		if err != nil {
			return "", nil, err
		}
		got, err := backup.ParseIdentities(b)
		if err != nil {
			return "", nil, fmt.Errorf("--identity %s: %v", f, err)
		}
		ids = append(ids, got...)
	}
	var pass string
	if len(ids) == 0 || c.String("backup-passphrase-file") != "" {
		if backup.Describe(data) != "a passphrase" && c.String("backup-passphrase-file") == "" {
			return "", nil, fmt.Errorf("%s is encrypted to %s: give --identity FILE with the age identity of one of them", file, backup.Describe(data))
		}
		if pass, err = backupPassphrase(c, false); err != nil {
			return "", nil, err
		}
	}
	contents, err := backup.Open(data, pass, ids...)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %v", file, err)
	}
	return file, contents, nil
}

// backupPassphrase reads the backup passphrase from --backup-passphrase-file
// or asks it on the terminal (twice for a new backup).
func backupPassphrase(c *cli.Context, confirm bool) (string, error) {
	if f := c.String("backup-passphrase-file"); f != "" {
		return passphraseFile("--backup-passphrase-file", f)
	}
	if !cliutil.IsTerminal(os.Stdin) {
		return "", errors.New("no terminal to ask the backup passphrase on: give --backup-passphrase-file, or --recipient for a backup to age recipients")
	}
	prompt := "Backup passphrase: "
	if confirm {
		prompt = "New backup passphrase (not the station passphrase; keep it apart from the backup): "
	}
	return askPassphrase(prompt, "backup passphrase", confirm)
}

// readSmall reads a file that is at most backup.MaxSize bytes.
func readSmall(path, what string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s %s: %v", what, path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, backup.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s %s: %v", what, path, err)
	}
	if len(b) > backup.MaxSize {
		return nil, fmt.Errorf("%s %s is larger than %d bytes: not a file coldtss reads here", what, path, backup.MaxSize)
	}
	return b, nil
}
