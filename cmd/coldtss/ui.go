package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/coldtss/coldtss/backup"
	"github.com/coldtss/coldtss/backup/vault"
	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/internal/cliutil"
)

func home(c *cli.Context) vault.Home { return vault.Home{Dir: c.String("home")} }

// stdinReader is shared so that prompts read lines in order.
var stdinReader = bufio.NewReader(os.Stdin)

// readPassphrase returns the station passphrase: from --passphrase-file, or
// asked on the terminal without echo.
func readPassphrase(c *cli.Context, prompt string, confirm bool) (string, error) {
	if f := c.String("passphrase-file"); f != "" {
		return passphraseFile("--passphrase-file", f)
	}
	if !cliutil.IsTerminal(os.Stdin) {
		return "", errors.New("no terminal to ask the passphrase on: give --passphrase-file")
	}
	return askPassphrase(prompt, "passphrase", confirm)
}

// passphraseFile returns the first line of the passphrase file path given
// with flag, refusing an empty one.
func passphraseFile(flag, path string) (string, error) {
	b, err := readSmall(path, flag)
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	if line = strings.TrimRight(line, "\r"); line == "" {
		return "", fmt.Errorf("%s %s is empty", flag, path)
	}
	return line, nil
}

// askPassphrase asks a passphrase on the terminal without echo, refusing an
// empty one; with confirm it asks again and refuses two that differ. what
// names the passphrase in the repeat prompt and the errors ("passphrase",
// "backup passphrase").
func askPassphrase(prompt, what string, confirm bool) (string, error) {
	ask := func(p string) (string, error) {
		fmt.Fprint(os.Stderr, p)
		b, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(os.Stderr)
		return string(b), err
	}
	pass, err := ask(prompt)
	if err != nil {
		return "", err
	}
	if pass == "" {
		return "", fmt.Errorf("the %s is empty", what)
	}
	if confirm {
		again, err := ask("Repeat the " + what + ": ")
		if err != nil {
			return "", err
		}
		if again != pass {
			return "", fmt.Errorf("the two %ss differ; nothing was written", what)
		}
	}
	return pass, nil
}

// unlock decrypts the station identity.
func unlock(c *cli.Context) (*ceremony.Identity, error) {
	h := home(c)
	enc, err := h.ReadIdentity()
	if err != nil {
		return nil, err
	}
	pass, err := readPassphrase(c, "Station passphrase: ", false)
	if err != nil {
		return nil, err
	}
	pt, err := backup.DecryptWithPassphrase(enc, pass)
	if errors.Is(err, backup.ErrWrongPassphrase) {
		return nil, fmt.Errorf("%s: wrong passphrase for this station; nothing was changed. Try again (check the keyboard layout and caps lock)", h.IdentityPath())
	}
	if err != nil {
		return nil, fmt.Errorf("%s: cannot open the station identity: %v", h.IdentityPath(), err)
	}
	return ceremony.UnmarshalIdentity(pt)
}

// confirmWords shows fingerprint words and requires the operator to confirm
// them, or checks them against --expect-fingerprint, or skips with --yes.
func confirmWords(c *cli.Context, what, words string) error {
	if exp := c.String("expect-fingerprint"); exp != "" {
		if normWords(exp) != normWords(words) {
			return fmt.Errorf("%s fingerprint is %q, not the expected %q: the plan differs from the one the other stations have; stop and compare plan files", what, words, exp)
		}
		return nil
	}
	if c.Bool("yes") {
		return nil
	}
	if !cliutil.IsTerminal(os.Stdin) {
		return errors.New("cannot ask for confirmation without a terminal: give --expect-fingerprint WORDS (or --yes in scripted tests)")
	}
	fmt.Fprintf(os.Stderr, "\nRead these words aloud. Every station must show exactly the same words:\n\n    %s\n\nDo all stations show the same words? Type yes to go on: ", words)
	line, err := stdinReader.ReadString('\n')
	if err != nil && err != io.EOF {
		return err
	}
	if strings.TrimSpace(strings.ToLower(line)) != "yes" {
		return fmt.Errorf("%s fingerprint not confirmed; nothing was done", what)
	}
	return nil
}

func normWords(s string) string {
	s = strings.ReplaceAll(s, "/", " ")
	s = strings.ReplaceAll(s, "-", " ")
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

func elapsed(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}
