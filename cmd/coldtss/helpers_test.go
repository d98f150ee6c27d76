package main

import (
	"encoding/json"
	"math/big"
	"net"
	"testing"
)

type bigInt = big.Int

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

// jsonNumberField returns a top-level field of a JSON object as its literal text.
func jsonNumberField(t *testing.T, b []byte, field string) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	v, ok := m[field]
	if !ok {
		t.Fatalf("share has no field %s", field)
	}
	return string(v)
}
