package ceremony

import (
	"crypto/ed25519"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/coldtss/coldtss/internal/untrusted"
)

// AbortFormat is the format tag of abort notices.
const AbortFormat = "coldtss-abort/1"

// MaxNoticeSize bounds an abort notice file.
const MaxNoticeSize = 16 << 10

// maxReason bounds the reason carried in a notice.
const maxReason = 4 << 10

// AbortNotice is what a station leaves for the others when it stops a
// ceremony. It is bound to the plan (its full fingerprint) and signed by
// the station, so that a courier cannot stop stations with a forged one,
// nor make a station be blamed for stopping.
type abortNotice struct {
	Format    string `json:"format"`
	Plan      string `json:"plan"` // plan fingerprint, hex
	Station   string `json:"station"`
	Step      int    `json:"step"`
	Reason    string `json:"reason"`
	Signature string `json:"signature"` // Ed25519 over signedBytes, hex
}

func (n *abortNotice) signedBytes() []byte {
	b := []byte("coldtss-abort-v1\x00")
	for _, f := range []string{n.Format, n.Plan, n.Station, n.Reason} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	return binary.BigEndian.AppendUint32(b, uint32(n.Step))
}

// NewAbortNotice makes this station's signed notice for a plan.
func newAbortNotice(plan *Plan, id *Identity, step int, reason string) []byte {
	// Valid UTF-8 only, cut at a character boundary: JSON would replace a
	// broken character and the signature would no longer verify.
	reason = strings.ToValidUTF8(reason, "\uFFFD")
	for len(reason) > maxReason {
		_, size := utf8.DecodeLastRuneInString(reason)
		reason = reason[:len(reason)-size]
	}
	fp := plan.Fingerprint()
	n := &abortNotice{Format: AbortFormat, Plan: hex.EncodeToString(fp[:]), Station: id.Name, Step: step, Reason: reason}
	n.Signature = hex.EncodeToString(ed25519.Sign(id.Sign, n.signedBytes()))
	b, _ := json.MarshalIndent(n, "", "  ")
	return append(b, '\n')
}

// TamperError is a file on the transport that no station of the plan
// signed: someone other than the stations put it there. It blames nobody.
type TamperError struct {
	Where  string
	Reason string
}

func (e *TamperError) Error() string {
	return fmt.Sprintf("suspected tampering with the stick: %s %s; no station is blamed. Stop, keep the stick as it is, and find out who handled it", untrusted.Text(e.Where), e.Reason)
}

// CheckNotice verifies a notice found on the transport against the plan.
// It returns the notice when a station of the plan signed it for this
// plan, and a *TamperError otherwise.
func checkNotice(plan *Plan, n Notice) (*abortNotice, error) {
	bad := func(why string) error { return &TamperError{Where: n.Where, Reason: why} }
	if len(n.Data) > MaxNoticeSize {
		return nil, bad(fmt.Sprintf("is an abort notice of %d bytes, more than %d", len(n.Data), MaxNoticeSize))
	}
	var a abortNotice
	if err := json.Unmarshal(n.Data, &a); err != nil || a.Format != AbortFormat {
		return nil, bad("is not a signed coldtss abort notice")
	}
	idx := plan.Index(a.Station)
	if idx < 0 || a.Station != n.Station {
		return nil, bad(fmt.Sprintf("is an abort notice in the name of %s, which is not a station of this plan", untrusted.Quote(a.Station)))
	}
	fp := plan.Fingerprint()
	if a.Plan != hex.EncodeToString(fp[:]) {
		return nil, bad("is an abort notice for another plan")
	}
	pk, _ := plan.Stations[idx].SignPublic()
	sig, err := hex.DecodeString(a.Signature)
	if err != nil || !ed25519.Verify(pk, a.signedBytes(), sig) {
		return nil, bad("is an abort notice whose signature does not verify against " + a.Station + "'s identity card (forged or altered)")
	}
	return &a, nil
}
