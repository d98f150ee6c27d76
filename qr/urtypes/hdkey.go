package urtypes

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/fxamacker/cbor/v2"
)

// UR type names.
const (
	TypeBytes    = "bytes"
	TypePSBT     = "crypto-psbt"
	TypePSBTv2   = "psbt" // newer name of crypto-psbt, accepted by DecodeUR
	TypeHDKey    = "crypto-hdkey"
	TypeKeypath  = "crypto-keypath"
	TypeCoinInfo = "crypto-coin-info"
	TypeOutput   = "crypto-output"
	TypeAccount  = "crypto-account"
)

// PathComponent is one step of a crypto-keypath: a child index, a
// wildcard ([] in CBOR) or an index range ([low, high]), and whether the
// derivation is hardened.
type PathComponent struct {
	Index    uint32
	RangeEnd uint32 // with Range: the last index of Index..RangeEnd
	Range    bool
	Wildcard bool
	Hardened bool
}

func (c PathComponent) String() string {
	s := strconv.FormatUint(uint64(c.Index), 10)
	switch {
	case c.Wildcard:
		s = "*"
	case c.Range:
		s = fmt.Sprintf("<%d-%d>", c.Index, c.RangeEnd)
	}
	if c.Hardened {
		s += "'"
	}
	return s
}

// Keypath is crypto-keypath (BCR-2020-007, tag 304): {1: components,
// 2: source-fingerprint, 3: depth}.
type Keypath struct {
	Components        []PathComponent
	SourceFingerprint uint32 // 0: absent (the spec forbids 0)
	Depth             *uint8
}

// URType returns "crypto-keypath".
func (Keypath) URType() string { return TypeKeypath }

// String renders the path as m/44'/0'/0', prefixed by the fingerprint.
func (p Keypath) String() string {
	var b strings.Builder
	if p.SourceFingerprint != 0 {
		fmt.Fprintf(&b, "[%08x]", p.SourceFingerprint)
	}
	b.WriteString("m")
	for _, c := range p.Components {
		b.WriteString("/" + c.String())
	}
	return b.String()
}

func (p Keypath) value() (any, error) {
	m := encMap{}
	comps := make([]any, 0, 2*len(p.Components))
	for i, c := range p.Components {
		if c.Index > 1<<31-1 || (c.Range && (c.RangeEnd > 1<<31-1 || c.RangeEnd <= c.Index)) {
			return nil, fmt.Errorf("urtypes: crypto-keypath: component %d: index out of range", i)
		}
		switch {
		case c.Wildcard:
			comps = append(comps, []any{})
		case c.Range:
			comps = append(comps, []any{c.Index, c.RangeEnd})
		default:
			comps = append(comps, c.Index)
		}
		comps = append(comps, c.Hardened)
	}
	if len(p.Components) > 0 {
		m[1] = comps
	}
	if p.SourceFingerprint != 0 {
		m[2] = p.SourceFingerprint
	}
	if p.Depth != nil {
		m[3] = *p.Depth
	}
	return m, nil
}

// Marshal returns the untagged CBOR map (the body of a crypto-keypath UR).
func (p Keypath) Marshal() ([]byte, error) {
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	return marshal(v)
}

var keypathFields = map[uint64]string{1: "components", 2: "source-fingerprint", 3: "depth"}

// Unmarshal reads an untagged crypto-keypath map.
func (p *Keypath) Unmarshal(data []byte) error {
	f, err := readMap(TypeKeypath, data, keypathFields)
	if err != nil {
		return err
	}
	*p = Keypath{}
	if raw, ok := f.m[1]; ok {
		if major(raw) != majArray {
			return f.err(1, "want an array")
		}
		var items []cbor.RawMessage
		if err := decMode.Unmarshal(raw, &items); err != nil {
			return f.err(1, "%v", err)
		}
		if len(items)%2 != 0 {
			return f.err(1, "want [index, hardened] pairs, got %d items", len(items))
		}
		for i := 0; i < len(items); i += 2 {
			c, err := readComponent(items[i], items[i+1])
			if err != nil {
				return f.err(1, "component %d: %v", i/2, err)
			}
			p.Components = append(p.Components, c)
		}
	}
	fp, err := f.uint(2, 1<<32-1)
	if err != nil {
		return err
	}
	if f.has(2) && fp == 0 {
		return f.err(2, "must not be 0")
	}
	p.SourceFingerprint = uint32(fp)
	if f.has(3) {
		d, err := f.uint(3, 255)
		if err != nil {
			return err
		}
		d8 := uint8(d)
		p.Depth = &d8
	}
	return nil
}

func readComponent(idx, hard cbor.RawMessage) (PathComponent, error) {
	var c PathComponent
	if len(hard) != 1 || (hard[0] != 0xf4 && hard[0] != 0xf5) {
		return c, fmt.Errorf("hardened flag: want true or false")
	}
	c.Hardened = hard[0] == 0xf5
	switch major(idx) {
	case majUint:
		var v uint64
		if err := decMode.Unmarshal(idx, &v); err != nil || v > 1<<31-1 {
			return c, fmt.Errorf("index: want an unsigned integer below 2^31")
		}
		c.Index = uint32(v)
	case majArray:
		var r []uint64
		if err := decMode.Unmarshal(idx, &r); err != nil {
			return c, fmt.Errorf("index: want [] or [low, high]")
		}
		switch {
		case len(r) == 0:
			c.Wildcard = true
		case len(r) == 2 && r[0] < r[1] && r[1] <= 1<<31-1:
			c.Range, c.Index, c.RangeEnd = true, uint32(r[0]), uint32(r[1])
		default:
			return c, fmt.Errorf("index: want [] or [low, high] with low < high < 2^31")
		}
	default:
		return c, fmt.Errorf("index: want an unsigned integer, [] or [low, high]")
	}
	return c, nil
}

// CoinInfo is crypto-coin-info (tag 305): {1: type (SLIP-44, default 0
// bitcoin), 2: network (default 0 mainnet)}; defaults are not encoded.
type CoinInfo struct {
	Type    uint32
	Network uint64
}

// URType returns "crypto-coin-info".
func (CoinInfo) URType() string { return TypeCoinInfo }

func (c CoinInfo) value() any {
	m := encMap{}
	if c.Type != 0 {
		m[1] = c.Type
	}
	if c.Network != 0 {
		m[2] = c.Network
	}
	return m
}

// Marshal returns the untagged CBOR map.
func (c CoinInfo) Marshal() ([]byte, error) { return marshal(c.value()) }

var coinInfoFields = map[uint64]string{1: "type", 2: "network"}

// Unmarshal reads an untagged crypto-coin-info map.
func (c *CoinInfo) Unmarshal(data []byte) error {
	f, err := readMap(TypeCoinInfo, data, coinInfoFields)
	if err != nil {
		return err
	}
	t, err := f.uint(1, 1<<31-1)
	if err != nil {
		return err
	}
	n, err := f.uint(2, 1<<63-1)
	if err != nil {
		return err
	}
	*c = CoinInfo{Type: uint32(t), Network: n}
	return nil
}

// HDKey is crypto-hdkey (BCR-2020-007, tag 303). A master key has
// IsMaster, KeyData and ChainCode only.
type HDKey struct {
	IsMaster          bool
	IsPrivate         bool
	KeyData           []byte // 33 bytes
	ChainCode         []byte // 32 bytes, or none
	UseInfo           *CoinInfo
	Origin            *Keypath
	Children          *Keypath
	ParentFingerprint uint32 // 0: absent
	Name              string
	Note              string
}

// URType returns "crypto-hdkey".
func (HDKey) URType() string { return TypeHDKey }

func (k HDKey) value() (any, error) {
	if len(k.KeyData) != 33 {
		return nil, fmt.Errorf("urtypes: crypto-hdkey: key-data must be 33 bytes, got %d", len(k.KeyData))
	}
	if k.ChainCode != nil && len(k.ChainCode) != 32 {
		return nil, fmt.Errorf("urtypes: crypto-hdkey: chain-code must be 32 bytes, got %d", len(k.ChainCode))
	}
	m := encMap{3: k.KeyData}
	if k.IsMaster {
		if k.ChainCode == nil || k.IsPrivate || k.UseInfo != nil || k.Origin != nil || k.Children != nil || k.ParentFingerprint != 0 || k.Name != "" || k.Note != "" {
			return nil, fmt.Errorf("urtypes: crypto-hdkey: a master key has key-data and chain-code only")
		}
		m[1] = true
		m[4] = k.ChainCode
		return m, nil
	}
	if k.IsPrivate {
		m[2] = true
	}
	if k.ChainCode != nil {
		m[4] = k.ChainCode
	}
	if k.UseInfo != nil {
		m[5] = tag(TagCoinInfo, k.UseInfo.value())
	}
	for key, p := range map[uint64]*Keypath{6: k.Origin, 7: k.Children} {
		if p == nil {
			continue
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		m[key] = tag(TagKeypath, v)
	}
	if k.ParentFingerprint != 0 {
		m[8] = k.ParentFingerprint
	}
	if k.Name != "" {
		m[9] = k.Name
	}
	if k.Note != "" {
		m[10] = k.Note
	}
	return m, nil
}

// Marshal returns the untagged CBOR map (the body of a crypto-hdkey UR).
func (k HDKey) Marshal() ([]byte, error) {
	v, err := k.value()
	if err != nil {
		return nil, err
	}
	return marshal(v)
}

var hdkeyFields = map[uint64]string{1: "is-master", 2: "is-private", 3: "key-data", 4: "chain-code",
	5: "use-info", 6: "origin", 7: "children", 8: "parent-fingerprint", 9: "name", 10: "note"}

// Unmarshal reads an untagged crypto-hdkey map.
func (k *HDKey) Unmarshal(data []byte) error {
	f, err := readMap(TypeHDKey, data, hdkeyFields)
	if err != nil {
		return err
	}
	var h HDKey
	if h.IsMaster, err = f.boolean(1); err != nil {
		return err
	}
	if h.IsPrivate, err = f.boolean(2); err != nil {
		return err
	}
	if err := f.required(3); err != nil {
		return err
	}
	if h.KeyData, err = f.bytes(3, 33); err != nil {
		return err
	}
	if h.ChainCode, err = f.bytes(4, 32); err != nil {
		return err
	}
	if f.has(1) {
		if !h.IsMaster {
			return f.err(1, "if present must be true")
		}
		for key := range f.m {
			if key != 1 && key != 3 && key != 4 {
				return errorf(TypeHDKey, "field %d (%s) is not allowed in a master key", key, hdkeyFields[key])
			}
		}
		if err := f.required(4); err != nil {
			return err
		}
	}
	if f.has(5) {
		c, err := f.tagged(5, TagCoinInfo)
		if err != nil {
			return err
		}
		h.UseInfo = new(CoinInfo)
		if err := h.UseInfo.Unmarshal(c); err != nil {
			return f.err(5, "%v", err)
		}
	}
	for key, dst := range map[uint64]**Keypath{6: &h.Origin, 7: &h.Children} {
		if !f.has(key) {
			continue
		}
		c, err := f.tagged(key, TagKeypath)
		if err != nil {
			return err
		}
		*dst = new(Keypath)
		if err := (*dst).Unmarshal(c); err != nil {
			return f.err(key, "%v", err)
		}
	}
	fp, err := f.uint(8, 1<<32-1)
	if err != nil {
		return err
	}
	if f.has(8) && fp == 0 {
		return f.err(8, "must not be 0")
	}
	h.ParentFingerprint = uint32(fp)
	if h.Name, err = f.text(9); err != nil {
		return err
	}
	if h.Note, err = f.text(10); err != nil {
		return err
	}
	*k = h
	return nil
}

// Bytes is the registry type bytes (BCR-2020-006): a CBOR byte string.
type Bytes []byte

// URType returns "bytes".
func (Bytes) URType() string { return TypeBytes }

// Marshal returns the CBOR byte string.
func (b Bytes) Marshal() ([]byte, error) { return marshal([]byte(b)) }

// Unmarshal reads a CBOR byte string.
func (b *Bytes) Unmarshal(data []byte) error {
	v, err := byteString(TypeBytes, data)
	*b = v
	return err
}

// PSBT is crypto-psbt (BCR-2020-006; newer name psbt): a CBOR byte string
// holding a BIP-174 PSBT, which must start with the magic "psbt\xff".
type PSBT []byte

// URType returns "crypto-psbt".
func (PSBT) URType() string { return TypePSBT }

var psbtMagic = "psbt\xff"

// Marshal returns the CBOR byte string.
func (p PSBT) Marshal() ([]byte, error) {
	if !strings.HasPrefix(string(p), psbtMagic) {
		return nil, fmt.Errorf("urtypes: crypto-psbt: not a PSBT (no psbt magic)")
	}
	return marshal([]byte(p))
}

// Unmarshal reads a CBOR byte string holding a PSBT.
func (p *PSBT) Unmarshal(data []byte) error {
	v, err := byteString(TypePSBT, data)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(string(v), psbtMagic) {
		return errorf(TypePSBT, "not a PSBT (no psbt magic)")
	}
	*p = v
	return nil
}

func byteString(typ string, data []byte) ([]byte, error) {
	if major(data) != majBytes {
		return nil, errorf(typ, "want a CBOR byte string")
	}
	var v []byte
	if err := decMode.Unmarshal(data, &v); err != nil {
		return nil, errorf(typ, "%v", err)
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}
