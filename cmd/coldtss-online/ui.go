package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// oneLine folds an error into one line for the terminal.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeNew writes a new file (mode 0644) and refuses to replace one.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if os.IsExist(err) {
		return fmt.Errorf("%s already exists: choose another --out or move the old file away (it is never overwritten)", path)
	}
	if err != nil {
		return fmt.Errorf("cannot create %s: %v", path, err)
	}
	if _, err = f.Write(data); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("cannot write %s: %v; nothing was written", path, err)
	}
	return nil
}

// progress prints a live, overwritten status line on a terminal, or at
// most one line every 15 seconds (and on every change of text) otherwise.
type progress struct {
	tty     bool
	last    int
	text    string
	printed time.Time
}

func newProgress() *progress { return &progress{tty: isTerminal(os.Stderr)} }

// Set shows line; key is the part whose change is worth a new log line.
func (p *progress) Set(key, line string) {
	if !p.tty {
		if key != p.text || time.Since(p.printed) >= 15*time.Second {
			fmt.Fprintln(os.Stderr, line)
			p.text, p.printed = key, time.Now()
		}
		return
	}
	pad := ""
	if n := p.last - len(line); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	fmt.Fprintf(os.Stderr, "\r%s%s", line, pad)
	p.last = len(line)
}

func (p *progress) Done() {
	if p.tty && p.last > 0 {
		fmt.Fprintln(os.Stderr)
	}
	p.last = 0
}
