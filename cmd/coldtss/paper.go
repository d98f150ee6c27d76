package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/backup"
	"github.com/coldtss/coldtss/backup/paper"
	"github.com/coldtss/coldtss/ceremony/transport"
	"github.com/coldtss/coldtss/internal/atomicfile"
	"github.com/coldtss/coldtss/internal/untrusted"
)

// paperCommand is `coldtss backup paper`: a printable sheet of a backup file.
func paperCommand() *cli.Command {
	return &cli.Command{
		Name:      "paper",
		Usage:     "print a backup file on paper: a PDF (and PNGs) with QR codes, a typed text form and restore instructions",
		UsageText: "coldtss backup paper --backup FILE --key ID --out sheet.pdf [--png-out DIR] [--paper a4|letter] [--no-text]",
		Description: "The sheet holds the backup file exactly as `backup create` wrote it, still encrypted: it needs the backup's\n" +
			"passphrase or age identity to open. It prints the key's public facts (id, station, epoch, committee, fingerprint\n" +
			"words) from this station's record of --key. Restore it with `coldtss backup paper-restore`.",
		Flags: []cli.Flag{
			homeFlag,
			&cli.StringFlag{Name: "backup", Usage: "the backup file to print (from `coldtss backup create`)", Required: true},
			&cli.StringFlag{Name: "key", Usage: "id of the key the backup is of (see `coldtss keys list`)", Required: true},
			&cli.StringFlag{Name: "out", Usage: "PDF file to write", Required: true},
			&cli.StringFlag{Name: "png-out", Usage: "also write each page as a 300 dpi PNG into this folder"},
			&cli.StringFlag{Name: "paper", Usage: "a4 or letter", Value: "a4"},
			&cli.BoolFlag{Name: "no-text", Usage: "leave out the text form (QR codes only), for a backup too large to print with it"},
		},
		Action: func(c *cli.Context) error {
			size, err := paper.ParsePaper(c.String("paper"))
			if err != nil {
				return err
			}
			rec, err := home(c).Key(c.String("key"))
			if err != nil {
				return err
			}
			data, err := transport.ReadFile(c.String("backup"), "backup file", backup.MaxSize)
			if err != nil {
				return err
			}
			meta := paper.Meta{KeyID: rec.ID, Label: rec.Label, Station: rec.Station, Epoch: rec.Epoch,
				Committee: rec.Committee(), KeyWords: rec.Words(), Created: time.Now().UTC()}
			pdf, pngs, err := paper.Render(data, meta, paper.Options{Paper: size, NoText: c.Bool("no-text")})
			if err != nil {
				return fmt.Errorf("%s: %v", untrusted.Text(c.String("backup")), err)
			}
			if err := atomicfile.Write(c.String("out"), pdf, 0o600); err != nil {
				return fmt.Errorf("writing the sheet %s: %v: check the folder exists and is writable", untrusted.Text(c.String("out")), err)
			}
			if dir := c.String("png-out"); dir != "" {
				if err := os.MkdirAll(dir, 0o700); err != nil {
					return fmt.Errorf("making the folder %s for the PNGs: %v", untrusted.Text(dir), err)
				}
				for i, b := range pngs {
					p := filepath.Join(dir, fmt.Sprintf("sheet-page-%d.png", i+1))
					if err := atomicfile.Write(p, b, 0o600); err != nil {
						return fmt.Errorf("writing %s: %v", untrusted.Text(p), err)
					}
				}
			}
			sum := sha256.Sum256(data)
			fmt.Printf("Wrote %s: %d page(s), %s, the backup of key %s (station %s, epoch %d), %d bytes, SHA-256 %s.\n",
				untrusted.Text(c.String("out")), len(pngs), size, untrusted.Text(rec.ID), untrusted.Text(rec.Station), rec.Epoch, len(data), hex.EncodeToString(sum[:]))
			fmt.Println("Print it at 100% (no \"fit to page\"), check it restores (`coldtss backup paper-restore`), then delete the PDF and PNGs.")
			return nil
		},
	}
}

// paperRestoreCommand is `coldtss backup paper-restore`: the backup file
// back from photos or scans of its sheet, or from its typed text form.
func paperRestoreCommand() *cli.Command {
	return &cli.Command{
		Name:      "paper-restore",
		Usage:     "read a paper backup back into a backup file, from photos or scans of its QR codes or its typed text form",
		UsageText: "coldtss backup paper-restore (--from PHOTO_OR_FOLDER... | --text FILE) --out backup.age",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "from", Usage: "a photo or scan (PNG, JPEG) of the sheet, or a folder of them; repeatable"},
			&cli.StringFlag{Name: "text", Usage: "a file with the sheet's text form, typed"},
			&cli.StringFlag{Name: "out", Usage: "backup file to write", Required: true},
		},
		Action: func(c *cli.Context) error {
			from, text := c.StringSlice("from"), c.String("text")
			var (
				data []byte
				err  error
			)
			switch {
			case len(from) > 0 && text != "":
				return fmt.Errorf("give either --from (photos) or --text (the typed text form), not both")
			case len(from) > 0:
				data, err = paper.ReadPictures(from, func(w string) { fmt.Fprintln(os.Stderr, "warning:", w) })
			case text != "":
				var f *os.File
				if f, err = os.Open(text); err != nil {
					return fmt.Errorf("%s: %v: give the file you typed the text form into", untrusted.Text(text), err)
				}
				data, err = paper.ReadText(f, untrusted.Text(text))
				f.Close()
			default:
				return fmt.Errorf("nothing to read: give --from with photos or scans of the sheet, or --text with its typed text form")
			}
			if err != nil {
				return err
			}
			out := c.String("out")
			if err := atomicfile.WriteNew(out, data, 0o600); err != nil {
				return fmt.Errorf("writing %s: %v: choose a new file name", untrusted.Text(out), err)
			}
			sum := sha256.Sum256(data)
			fmt.Printf("Wrote %s: %d bytes, SHA-256 %s.\nCheck that the sheet shows the same SHA-256, then run `coldtss backup verify %s`.\n",
				untrusted.Text(out), len(data), hex.EncodeToString(sum[:]), untrusted.Text(out))
			return nil
		},
	}
}
