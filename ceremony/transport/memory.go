package transport

import (
	"fmt"
	"sync"

	"github.com/coldtss/coldtss/ceremony"
)

// Memory is an in-process transport for tests and benchmarks: every
// station of one ceremony shares one Memory.
type Memory struct {
	mu      sync.Mutex
	packets map[string][]byte
	aborts  map[string]string
}

// NewMemory returns an empty in-memory transport.
func NewMemory() *Memory {
	return &Memory{packets: map[string][]byte{}, aborts: map[string]string{}}
}

func key(step int, station string) string { return fmt.Sprintf("%02d/%s", step, station) }

func (m *Memory) Put(step int, station string, data []byte) error {
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

func (m *Memory) Abort(station, reason string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.aborts[station] = reason
	return nil
}

func (m *Memory) Aborted(known []string) (string, string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range known {
		if r, ok := m.aborts[k]; ok {
			return k, r, true
		}
	}
	return "", "", false
}
