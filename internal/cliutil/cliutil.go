// Package cliutil is what the coldtss and coldtss-online commands share
// about talking to people: one-line errors and exit codes, flags after
// arguments, JSON output, and a live status line.
package cliutil

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/coldtss/coldtss/internal/untrusted"
)

// UsageError is a mistake in the command line: exit status 2.
type UsageError struct{ Err error }

func (u UsageError) Error() string { return u.Err.Error() }
func (u UsageError) Unwrap() error { return u.Err }

// Main runs app and exits: on error it prints one line "<name>: <error>"
// and exits 2 for a usage error, 1 for anything else.
func Main(app *cli.App) {
	if err := app.Run(FlagsFirst(app, os.Args)); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %s\n", app.Name, untrusted.Text(OneLine(err.Error())))
		var ue UsageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// OneLine folds an error into one line for the terminal. Main also passes
// it through untrusted.Text, since errors quote files and other stations.
func OneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// IsTerminal tells whether f is a terminal.
func IsTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// PrintJSON prints v as indented JSON on standard output, through
// untrusted.JSON: strings in it may have come from files or other stations.
func PrintJSON(v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(append(untrusted.JSON(b), '\n'))
	return err
}

// StatusLine prints a live, overwritten status line on standard error when
// it is a terminal; in a log it prints a line per change instead.
type StatusLine struct {
	tty     bool
	last    int
	printed time.Time
}

// NewStatusLine returns a status line on standard error.
func NewStatusLine() *StatusLine { return &StatusLine{tty: IsTerminal(os.Stderr)} }

// Set shows line; in a log every call prints.
func (s *StatusLine) Set(line string) {
	if !s.tty {
		fmt.Fprintln(os.Stderr, line)
		return
	}
	s.show(line)
}

// Tick is Set for lines that change every second (elapsed time): in a log
// it prints at most every 15 seconds.
func (s *StatusLine) Tick(line string) {
	if !s.tty {
		if time.Since(s.printed) >= 15*time.Second {
			fmt.Fprintln(os.Stderr, line)
			s.printed = time.Now()
		}
		return
	}
	s.show(line)
}

func (s *StatusLine) show(line string) {
	pad := ""
	if n := s.last - len(line); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	fmt.Fprintf(os.Stderr, "\r%s%s", line, pad)
	s.last = len(line)
}

// Done ends the live line.
func (s *StatusLine) Done() {
	if s.tty && s.last > 0 {
		fmt.Fprintln(os.Stderr)
	}
	s.last = 0
}
