package files

import (
	"fmt"

	"github.com/fxamacker/cbor/v2"

	"github.com/coldtss/coldtss/internal/untrusted"
)

// TypeFile is the UR type of the coldtss file envelope: a CBOR map
// {1: kind (text), 2: the file's bytes}, nothing else (docs/formats.md,
// "QR file envelope").
const TypeFile = "coldtss-file"

var (
	envEnc cbor.EncMode
	envDec cbor.DecMode
)

func init() {
	var err error
	if envEnc, err = cbor.CoreDetEncOptions().EncMode(); err != nil {
		panic(err)
	}
	if envDec, err = (cbor.DecOptions{
		DupMapKey:   cbor.DupMapKeyEnforcedAPF,
		IndefLength: cbor.IndefLengthForbidden,
		UTF8:        cbor.UTF8RejectInvalid,
	}).DecMode(); err != nil {
		panic(err)
	}
}

func marshalEnvelope(k Kind, data []byte) ([]byte, error) {
	return envEnc.Marshal(map[uint64]any{1: string(k), 2: data})
}

// unmarshalEnvelope reads the envelope strictly: exactly keys 1 and 2, a
// known kind, deterministic encoding (re-encoding gives the same bytes).
func unmarshalEnvelope(b []byte) (Kind, []byte, error) {
	var m map[uint64]cbor.RawMessage
	if err := envDec.Unmarshal(b, &m); err != nil {
		return "", nil, fmt.Errorf("ur:%s is not a CBOR map {1: kind, 2: bytes} (%v)", TypeFile, err)
	}
	if len(m) != 2 || m[1] == nil || m[2] == nil {
		return "", nil, fmt.Errorf("ur:%s must hold exactly fields 1 (kind) and 2 (bytes)", TypeFile)
	}
	if len(m[1]) == 0 || m[1][0]>>5 != 3 || len(m[2]) == 0 || m[2][0]>>5 != 2 {
		return "", nil, fmt.Errorf("ur:%s: field 1 must be text and field 2 a byte string", TypeFile)
	}
	var kind string
	var data []byte
	if err := envDec.Unmarshal(m[1], &kind); err != nil {
		return "", nil, fmt.Errorf("ur:%s: field 1: %v", TypeFile, err)
	}
	if err := envDec.Unmarshal(m[2], &data); err != nil {
		return "", nil, fmt.Errorf("ur:%s: field 2: %v", TypeFile, err)
	}
	if !knownKind(Kind(kind)) {
		return "", nil, fmt.Errorf("ur:%s holds a file of kind %s, which this coldtss does not know: it may need a newer coldtss", TypeFile, untrusted.Quote(short(kind)))
	}
	again, err := marshalEnvelope(Kind(kind), data)
	if err != nil || string(again) != string(b) {
		return "", nil, fmt.Errorf("ur:%s is not in deterministic CBOR: the QR code was not made by coldtss or was altered", TypeFile)
	}
	return Kind(kind), data, nil
}

// short cuts untrusted text to 40 characters for an error.
func short(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "..."
	}
	return s
}
