// Package urtypes holds typed CBOR payloads for the UR registry types that
// wallets exchange (BCR-2020-006 bytes and crypto-psbt, BCR-2020-007
// crypto-hdkey and crypto-keypath, BCR-2020-010 crypto-output,
// BCR-2020-015 crypto-account, EIP-4527 eth-sign-request and eth-signature).
//
// Each type has Marshal (deterministic CBOR, map keys in ascending order,
// shortest integer forms), Unmarshal and URType. Unmarshal is strict: an
// unknown map key, a field of the wrong CBOR type or size, a wrong tag,
// indefinite lengths, duplicate keys and trailing bytes are all refused with
// a one-line error naming the type and the field.
package urtypes

import (
	"errors"
	"fmt"
	"strings"

	"github.com/fxamacker/cbor/v2"

	"github.com/coldtss/coldtss/qr/ur"
)

// CBOR tags of the registry (BCR-2020-006, BCR-2020-007, BCR-2020-010, EIP-4527).
const (
	TagUUID     = 37
	TagHDKey    = 303
	TagKeypath  = 304
	TagCoinInfo = 305
	TagOutput   = 308
)

// ErrMalformed wraps every refusal of Unmarshal.
var ErrMalformed = errors.New("urtypes")

var (
	encMode cbor.EncMode
	decMode cbor.DecMode
)

func init() {
	var err error
	if encMode, err = cbor.CoreDetEncOptions().EncMode(); err != nil {
		panic(err)
	}
	if decMode, err = (cbor.DecOptions{
		DupMapKey:   cbor.DupMapKeyEnforcedAPF,
		IndefLength: cbor.IndefLengthForbidden,
		TagsMd:      cbor.TagsAllowed,
		UTF8:        cbor.UTF8RejectInvalid,
	}).DecMode(); err != nil {
		panic(err)
	}
}

func errorf(typ, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrMalformed, typ, fmt.Sprintf(format, args...))
}

// Value is a registry payload that can be carried in a UR.
type Value interface {
	URType() string
	Marshal() ([]byte, error)
}

// Target is a registry payload a UR can be decoded into.
type Target interface {
	URType() string
	Unmarshal(cbor []byte) error
}

// EncodeUR returns the single-part UR of v in lower case, the form the
// registries publish, e.g. "ur:crypto-hdkey/..." (strings.ToUpper gives
// the form for alphanumeric QR codes; ur.NewEncoder makes multipart URs).
func EncodeUR(v Value) (string, error) {
	b, err := v.Marshal()
	if err != nil {
		return "", err
	}
	return strings.ToLower(ur.Encode(v.URType(), b)), nil
}

// DecodeUR decodes a single-part UR into v, refusing a UR of another type.
// A PSBT is accepted under both "crypto-psbt" and "psbt".
func DecodeUR(s string, v Target) error {
	typ, b, err := ur.Decode(s)
	if err != nil {
		return err
	}
	if !typeMatches(typ, v.URType()) {
		return fmt.Errorf("%w: got %q, want %q", ur.ErrWrongType, typ, v.URType())
	}
	return v.Unmarshal(b)
}

func typeMatches(got, want string) bool {
	if got == want {
		return true
	}
	return want == TypePSBT && got == TypePSBTv2
}

// --- decoding helpers: every one checks the CBOR major type first, so
// that no implicit conversion (text to bytes, negative to unsigned) slips by.

const (
	majUint  = 0
	majNeg   = 1
	majBytes = 2
	majText  = 3
	majArray = 4
	majMap   = 5
	majTag   = 6
	majOther = 7
)

func major(raw []byte) int {
	if len(raw) == 0 {
		return -1
	}
	return int(raw[0] >> 5)
}

// fields reads a CBOR map with unsigned keys, refusing keys not in names.
type fields struct {
	typ   string
	names map[uint64]string
	m     map[uint64]cbor.RawMessage
}

func readMap(typ string, data []byte, names map[uint64]string) (*fields, error) {
	if major(data) != majMap {
		return nil, errorf(typ, "want a CBOR map")
	}
	var m map[uint64]cbor.RawMessage
	if err := decMode.Unmarshal(data, &m); err != nil {
		return nil, errorf(typ, "map keys must be unsigned integers, without duplicates: %v", err)
	}
	for k := range m {
		if _, ok := names[k]; !ok {
			return nil, errorf(typ, "unknown field %d", k)
		}
	}
	return &fields{typ: typ, names: names, m: m}, nil
}

func (f *fields) err(k uint64, format string, args ...any) error {
	return errorf(f.typ, "field %d (%s): %s", k, f.names[k], fmt.Sprintf(format, args...))
}

func (f *fields) has(k uint64) bool { _, ok := f.m[k]; return ok }

func (f *fields) required(k uint64) error {
	if !f.has(k) {
		return errorf(f.typ, "field %d (%s) is missing", k, f.names[k])
	}
	return nil
}

func (f *fields) bytes(k uint64, sizes ...int) ([]byte, error) {
	raw, ok := f.m[k]
	if !ok {
		return nil, nil
	}
	if major(raw) != majBytes {
		return nil, f.err(k, "want a byte string")
	}
	var b []byte
	if err := decMode.Unmarshal(raw, &b); err != nil {
		return nil, f.err(k, "%v", err)
	}
	if b == nil {
		b = []byte{}
	}
	if len(sizes) > 0 {
		okSize := false
		for _, n := range sizes {
			okSize = okSize || len(b) == n
		}
		if !okSize {
			return nil, f.err(k, "want %v bytes, got %d", sizes, len(b))
		}
	}
	return b, nil
}

func (f *fields) text(k uint64) (string, error) {
	raw, ok := f.m[k]
	if !ok {
		return "", nil
	}
	if major(raw) != majText {
		return "", f.err(k, "want a text string")
	}
	var s string
	if err := decMode.Unmarshal(raw, &s); err != nil {
		return "", f.err(k, "%v", err)
	}
	return s, nil
}

func (f *fields) boolean(k uint64) (bool, error) {
	raw, ok := f.m[k]
	if !ok {
		return false, nil
	}
	if len(raw) != 1 || (raw[0] != 0xf4 && raw[0] != 0xf5) {
		return false, f.err(k, "want true or false")
	}
	return raw[0] == 0xf5, nil
}

func (f *fields) uint(k uint64, max uint64) (uint64, error) {
	raw, ok := f.m[k]
	if !ok {
		return 0, nil
	}
	if major(raw) != majUint {
		return 0, f.err(k, "want an unsigned integer")
	}
	var v uint64
	if err := decMode.Unmarshal(raw, &v); err != nil {
		return 0, f.err(k, "%v", err)
	}
	if v > max {
		return 0, f.err(k, "%d is over %d", v, max)
	}
	return v, nil
}

func (f *fields) int(k uint64) (int64, error) {
	raw, ok := f.m[k]
	if !ok {
		return 0, nil
	}
	if major(raw) != majUint && major(raw) != majNeg {
		return 0, f.err(k, "want an integer")
	}
	var v int64
	if err := decMode.Unmarshal(raw, &v); err != nil {
		return 0, f.err(k, "%v", err)
	}
	return v, nil
}

// tagged returns the content of field k, which must carry tag want.
func (f *fields) tagged(k uint64, want uint64) ([]byte, error) {
	raw := f.m[k]
	c, err := untag(raw, want)
	if err != nil {
		return nil, f.err(k, "%v", err)
	}
	return c, nil
}

// untag returns the encoded content of a tag(want) item.
func untag(raw []byte, want uint64) ([]byte, error) {
	if major(raw) != majTag {
		return nil, fmt.Errorf("want tag %d", want)
	}
	var t cbor.RawTag
	if err := decMode.Unmarshal(raw, &t); err != nil {
		return nil, err
	}
	if t.Number != want {
		return nil, fmt.Errorf("want tag %d, got tag %d", want, t.Number)
	}
	return t.Content, nil
}

// --- encoding helpers

type encMap map[uint64]any

func marshal(v any) ([]byte, error) { return encMode.Marshal(v) }

func tag(n uint64, content any) cbor.Tag { return cbor.Tag{Number: n, Content: content} }

type rawItem = cbor.RawMessage

func rawTag(raw []byte) (uint64, []byte, error) {
	if major(raw) != majTag {
		return 0, nil, fmt.Errorf("want a tag")
	}
	var t cbor.RawTag
	if err := decMode.Unmarshal(raw, &t); err != nil {
		return 0, nil, err
	}
	return t.Number, t.Content, nil
}
