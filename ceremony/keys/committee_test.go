package keys

import (
	"encoding/json"
	"testing"
)

// A record read back from an indented key.json or backup holds its cards
// re-indented: its committee id must not change with that.
func TestCommitteeIDIgnoresIndentation(t *testing.T) {
	compact := []json.RawMessage{json.RawMessage(`{"name":"alice","sign_key":"aa"}`), json.RawMessage(`{"name":"bob","sign_key":"bb"}`)}
	indented := []json.RawMessage{json.RawMessage("{\n  \"name\": \"alice\",\n  \"sign_key\": \"aa\"\n}"), json.RawMessage("{\n  \"name\": \"bob\",\n  \"sign_key\": \"bb\"\n}")}
	if a, b := CommitteeID("0123456789abcdef", 1, 2, compact), CommitteeID("0123456789abcdef", 1, 2, indented); a != b {
		t.Fatalf("committee id depends on indentation: %s vs %s", a, b)
	}
	if a, b := CommitteeID("0123456789abcdef", 1, 2, compact), CommitteeID("0123456789abcdef", 2, 2, compact); a == b {
		t.Fatal("epochs 1 and 2 have one committee id")
	}
}
