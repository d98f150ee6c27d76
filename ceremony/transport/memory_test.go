package transport

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/coldtss/coldtss/ceremony"
)

func TestMemoryRoundTrip(t *testing.T) {
	m := NewMemory()
	data := []byte("packet")
	if err := m.Put(context.Background(), 1, "alice", data); err != nil {
		t.Fatal(err)
	}
	data[0] = 'X' // the transport keeps its own copy
	got, where, err := m.Get(1, "alice")
	if err != nil || string(got) != "packet" || where != "memory:01/alice" {
		t.Fatalf("Get = %q %s %v", got, where, err)
	}
	if err := m.Put(context.Background(), 1, "alice", []byte("again")); err == nil {
		t.Fatal("a second packet for the same step was accepted")
	}
	if _, where, err := m.Get(1, "bob"); !errors.Is(err, ceremony.ErrNotYet) || where != "memory:01/bob" {
		t.Fatalf("missing packet: %s %v", where, err)
	}
	if _, _, err := m.Get(2, "alice"); !errors.Is(err, ceremony.ErrNotYet) {
		t.Fatalf("missing step: %v", err)
	}
	if s := m.Strays(1, []string{"alice"}); s != nil {
		t.Fatalf("Strays = %v", s)
	}
}

func TestMemoryNotices(t *testing.T) {
	m := NewMemory()
	if n := m.Notices(); len(n) != 0 {
		t.Fatalf("Notices = %v", n)
	}
	if err := m.Abort("carol", []byte("c")); err != nil {
		t.Fatal(err)
	}
	m.PutAbortNotice("bob", []byte("forged"))
	n := m.Notices()
	if len(n) != 2 || n[0].Station != "bob" || n[1].Station != "carol" ||
		!bytes.Equal(n[0].Data, []byte("forged")) || n[1].Where != "memory:abort-carol" {
		t.Fatalf("Notices = %+v", n)
	}
}
