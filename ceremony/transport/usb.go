// Package transport holds the ways packets cross the air gap: a folder on a
// USB stick, and memory (for tests and benchmarks). QR lives in package qr.
package transport

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/coldtss/coldtss/backup"
	"github.com/coldtss/coldtss/ceremony"
)

// USB is a folder shared by carrying a stick from station to station (or a
// folder all simulated stations see). Layout, one folder per ceremony so
// that several ceremonies can share one stick:
//
//	<root>/coldtss-<session>/step-01/alice.pkt
//	<root>/coldtss-<session>/abort-bob.txt
//
// Writes are atomic (temp file, fsync, rename); readers poll.
type USB struct {
	Root    string
	Session string
}

// Dir is the ceremony's folder on the stick.
func (u *USB) Dir() string { return filepath.Join(u.Root, "coldtss-"+u.Session) }

func (u *USB) stepDir(step int) string { return filepath.Join(u.Dir(), fmt.Sprintf("step-%02d", step)) }

// PacketPath is where a station's packet for a step lives.
func (u *USB) PacketPath(step int, station string) string {
	return filepath.Join(u.stepDir(step), station+".pkt")
}

// Put writes a packet atomically. An existing packet for the same step is
// never replaced: a station writes each step once.
func (u *USB) Put(_ context.Context, step int, station string, data []byte) error {
	p := u.PacketPath(step, station)
	if _, err := os.Stat(p); err == nil {
		return fmt.Errorf("%s already exists: another process is running this plan as %s, or the plan was run before (make a new plan)", p, station)
	}
	// Packets are public: folders readable by every station's user, even
	// on a stick formatted with Unix permissions.
	if err := os.MkdirAll(u.stepDir(step), 0o755); err != nil {
		return err
	}
	return backup.WriteFileAtomic(p, data, 0o644)
}

// Get reads a packet, or returns ceremony.ErrNotYet.
func (u *USB) Get(step int, station string) ([]byte, string, error) {
	p := u.PacketPath(step, station)
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, p, ceremony.ErrNotYet
	}
	if err != nil {
		return nil, p, fmt.Errorf("%s: cannot read: %v", p, err)
	}
	return b, p, nil
}

// Strays lists packet files of a step whose names are not known stations.
func (u *USB) Strays(step int, known []string) []string {
	entries, _ := os.ReadDir(u.stepDir(step))
	ok := map[string]bool{}
	for _, k := range known {
		ok[k+".pkt"] = true
	}
	var out []string
	for _, e := range entries {
		n := e.Name()
		if strings.HasSuffix(n, ".pkt") && !strings.HasPrefix(n, ".") && !ok[n] {
			out = append(out, filepath.Join(u.stepDir(step), n))
		}
	}
	sort.Strings(out)
	return out
}

// Abort leaves this station's signed notice for the other stations.
func (u *USB) Abort(station string, notice []byte) error {
	return backup.WriteFileAtomic(filepath.Join(u.Dir(), "abort-"+station+".json"), notice, 0o644)
}

// Notices returns every abort notice in the ceremony folder.
func (u *USB) Notices() []ceremony.Notice {
	paths, _ := filepath.Glob(filepath.Join(u.Dir(), "abort-*.json"))
	sort.Strings(paths)
	var out []ceremony.Notice
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), "abort-"), ".json")
		out = append(out, ceremony.Notice{Station: name, Where: p, Data: b})
	}
	return out
}
