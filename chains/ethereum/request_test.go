package ethereum

import (
	"strings"
	"testing"
)

// The optional request_id carries an EIP-4527 request-id through a
// coldtss request, so that the eth-signature can echo it.
func TestRequestID(t *testing.T) {
	const id = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"
	with := strings.Replace(goodRequest, `"data"`, `"request_id":"`+id+`","data"`, 1)
	r, err := ParseRequest([]byte(with))
	if err != nil {
		t.Fatal(err)
	}
	if r.RequestID != id || !strings.Contains(string(r.Marshal()), `"request_id": "`+id+`"`) {
		t.Fatalf("request_id lost: %+v", r)
	}
	plain, err := ParseRequest([]byte(goodRequest))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(plain.Marshal()), "request_id") {
		t.Fatalf("a request without request_id writes one:\n%s", plain.Marshal())
	}
	for _, bad := range []string{"9B1DEB4D-3B7D-4BAD-9BDD-2B0D7B3DCB6D", "9b1deb4d3b7d4bad9bdd2b0d7b3dcb6d", "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6", "9b1deb4d-3b7d-4bad-9bdd_2b0d7b3dcb6d", "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6g"} {
		_, err := ParseRequest([]byte(strings.Replace(with, id, bad, 1)))
		wantErr(t, err, "request_id", "not a lower-case UUID")
	}
}
