package transport

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/coldtss/coldtss/qr/ur"
)

// TestQRFrameGolden rebuilds the documented ceremony frame (docs/formats.md,
// "QR ceremony frames") byte for byte: its CBOR and its single-part UR.
// COLDTSS_UPDATE_GOLDEN=1 writes the file once; never regenerate it for a
// format change without bumping the format.
func TestQRFrameGolden(t *testing.T) {
	session, _ := hex.DecodeString("000102030405060708090a0b0c0d0e0f")
	it := qrItem{Kind: qrPacket, Session: session, Step: 2, Station: "alice", Data: []byte("packet")}
	b, err := qrEnc.Marshal(&it)
	if err != nil {
		t.Fatal(err)
	}
	type vector struct {
		Comment string            `json:"comment"`
		Inputs  map[string]string `json:"inputs"`
		Outputs map[string]string `json:"outputs"`
	}
	got := vector{
		Comment: "a ceremony frame: alice's packet for step 2 (the six bytes \"packet\" stand for a real packet), session 000102...0f (section QR ceremony frames)",
		Inputs:  map[string]string{"kind": "0", "session": hex.EncodeToString(session), "step": "2", "station": "alice", "data": "packet"},
		Outputs: map[string]string{"cbor": hex.EncodeToString(b), "ur": ur.Encode(URTypePacket, b)},
	}
	path := filepath.Join("..", "..", "testdata", "golden", "qr-frame.json")
	if os.Getenv("COLDTSS_UPDATE_GOLDEN") == "1" {
		out, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(path, append(out, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want vector
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	for k, v := range want.Outputs {
		if got.Outputs[k] != v {
			t.Errorf("%s: got %s, the golden file has %s", k, got.Outputs[k], v)
		}
	}
	// And it reads back as what it was.
	q, err := NewQR(QROptions{Session: session, Self: "bob", Stations: []string{"alice", "bob"}})
	if err != nil {
		t.Fatal(err)
	}
	q.Feed(want.Outputs["ur"], "the golden frame")
	if d, _, err := q.Get(2, "alice"); err != nil || string(d) != "packet" {
		t.Fatalf("the golden frame does not read back: %q %v (%s)", d, err, q.Warning())
	}
}
