package transport

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/coldtss/coldtss/ceremony"
)

// Memory is an in-process transport for tests and benchmarks: every
// station of one ceremony shares one Memory.
type Memory struct {
	mu      sync.Mutex
	packets map[string][]byte
	aborts  map[string][]byte
}

// NewMemory returns an empty in-memory transport.
func NewMemory() *Memory {
	return &Memory{packets: map[string][]byte{}, aborts: map[string][]byte{}}
}

func key(step int, station string) string { return fmt.Sprintf("%02d/%s", step, station) }

func (m *Memory) Put(_ context.Context, step int, station string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(step, station)
	if _, ok := m.packets[k]; ok {
		return fmt.Errorf("memory:%s already written", k)
	}
	m.packets[k] = append([]byte(nil), data...)
	return nil
}

func (m *Memory) Get(step int, station string) ([]byte, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(step, station)
	b, ok := m.packets[k]
	if !ok {
		return nil, "memory:" + k, ceremony.ErrNotYet
	}
	return b, "memory:" + k, nil
}

func (m *Memory) Strays(int, []string) []string { return nil }

func (m *Memory) Abort(station string, notice []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.aborts[station] = append([]byte(nil), notice...)
	return nil
}

// Notices returns every abort notice, in name order.
func (m *Memory) Notices() []ceremony.Notice {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []ceremony.Notice
	for st, b := range m.aborts {
		out = append(out, ceremony.Notice{Station: st, Where: "memory:abort-" + st, Data: b})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Station < out[j].Station })
	return out
}

// PutAbortNotice places raw bytes as if station had left them (tests: forged notices).
func (m *Memory) PutAbortNotice(station string, data []byte) { _ = m.Abort(station, data) }
