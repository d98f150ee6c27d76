package urtypes

import (
	"fmt"
	"strings"
)

// ScriptType is a BCR-2020-010 script expression tag.
type ScriptType uint64

// The script expressions that wrap a single key.
const (
	ScriptSH     ScriptType = 400 // sh(...)
	ScriptWSH    ScriptType = 401 // wsh(...)
	ScriptPK     ScriptType = 402 // pk(...)
	ScriptPKH    ScriptType = 403 // pkh(...)
	ScriptWPKH   ScriptType = 404 // wpkh(...)
	ScriptCombo  ScriptType = 405 // combo(...)
	ScriptTR     ScriptType = 409 // tr(...)
	ScriptCosig  ScriptType = 410 // cosigner(...), BCR-2020-015
	scriptMulti  ScriptType = 406
	scriptSorted ScriptType = 407
)

var scriptNames = map[ScriptType]string{ScriptSH: "sh", ScriptWSH: "wsh", ScriptPK: "pk", ScriptPKH: "pkh",
	ScriptWPKH: "wpkh", ScriptCombo: "combo", ScriptTR: "tr", ScriptCosig: "cosigner"}

func (s ScriptType) String() string {
	if n, ok := scriptNames[s]; ok {
		return n
	}
	return fmt.Sprintf("script(%d)", uint64(s))
}

// Output is crypto-output (BCR-2020-010) for single-key descriptors:
// script expressions, outermost first (e.g. sh, wpkh), around a
// crypto-hdkey (tag 303). Multisig (406, 407) and crypto-eckey (306)
// are not supported and are refused.
type Output struct {
	Scripts []ScriptType
	Key     HDKey
}

// URType returns "crypto-output".
func (Output) URType() string { return TypeOutput }

// String renders the expression, e.g. "sh(wpkh(crypto-hdkey))".
func (o Output) String() string {
	var b strings.Builder
	for _, s := range o.Scripts {
		b.WriteString(s.String() + "(")
	}
	b.WriteString("crypto-hdkey")
	b.WriteString(strings.Repeat(")", len(o.Scripts)))
	return b.String()
}

func (o Output) value() (any, error) {
	if len(o.Scripts) == 0 {
		return nil, fmt.Errorf("urtypes: crypto-output: no script expression")
	}
	k, err := o.Key.value()
	if err != nil {
		return nil, err
	}
	v := any(tag(TagHDKey, k))
	for i := len(o.Scripts) - 1; i >= 0; i-- {
		if _, ok := scriptNames[o.Scripts[i]]; !ok {
			return nil, fmt.Errorf("urtypes: crypto-output: unsupported script expression %d", uint64(o.Scripts[i]))
		}
		v = tag(uint64(o.Scripts[i]), v)
	}
	return v, nil
}

// Marshal returns the tagged script expression (the body of a
// crypto-output UR).
func (o Output) Marshal() ([]byte, error) {
	v, err := o.value()
	if err != nil {
		return nil, err
	}
	return marshal(v)
}

// Unmarshal reads a script expression around a crypto-hdkey.
func (o *Output) Unmarshal(data []byte) error {
	var out Output
	raw := data
	for depth := 0; ; depth++ {
		if major(raw) != majTag {
			return errorf(TypeOutput, "want a tagged script expression around tag %d crypto-hdkey", TagHDKey)
		}
		var n uint64
		var content []byte
		var err error
		if n, content, err = rawTag(raw); err != nil {
			return errorf(TypeOutput, "%v", err)
		}
		if n == TagHDKey {
			if depth == 0 {
				return errorf(TypeOutput, "a crypto-hdkey without a script expression")
			}
			if err := out.Key.Unmarshal(content); err != nil {
				return errorf(TypeOutput, "key: %v", err)
			}
			break
		}
		st := ScriptType(n)
		if _, ok := scriptNames[st]; !ok {
			if st == scriptMulti || st == scriptSorted || n == 306 {
				return errorf(TypeOutput, "tag %d (multisig or crypto-eckey) is not supported", n)
			}
			return errorf(TypeOutput, "unknown tag %d", n)
		}
		if depth >= 3 {
			return errorf(TypeOutput, "script expressions nested too deep")
		}
		out.Scripts = append(out.Scripts, st)
		raw = content
	}
	*o = out
	return nil
}

// Account is crypto-account (BCR-2020-015): {1: master-fingerprint,
// 2: [crypto-output]}. BCR-2020-015 wraps each output in tag 308; the
// Keystone registry writes them bare. Unmarshal reads both (not mixed)
// and records which in TagOutputs, so Marshal writes the same form.
type Account struct {
	MasterFingerprint uint32
	Outputs           []Output
	TagOutputs        bool // wrap each output in tag 308, as BCR-2020-015 does
}

// URType returns "crypto-account".
func (Account) URType() string { return TypeAccount }

// Marshal returns the CBOR map.
func (a Account) Marshal() ([]byte, error) {
	if a.MasterFingerprint == 0 {
		return nil, fmt.Errorf("urtypes: crypto-account: master-fingerprint is 0")
	}
	outs := make([]any, 0, len(a.Outputs))
	for _, o := range a.Outputs {
		v, err := o.value()
		if err != nil {
			return nil, err
		}
		if a.TagOutputs {
			v = tag(TagOutput, v)
		}
		outs = append(outs, v)
	}
	return marshal(encMap{1: a.MasterFingerprint, 2: outs})
}

var accountFields = map[uint64]string{1: "master-fingerprint", 2: "output-descriptors"}

// Unmarshal reads a crypto-account map.
func (a *Account) Unmarshal(data []byte) error {
	f, err := readMap(TypeAccount, data, accountFields)
	if err != nil {
		return err
	}
	for _, k := range []uint64{1, 2} {
		if err := f.required(k); err != nil {
			return err
		}
	}
	fp, err := f.uint(1, 1<<32-1)
	if err != nil {
		return err
	}
	if fp == 0 {
		return f.err(1, "must not be 0")
	}
	acc := Account{MasterFingerprint: uint32(fp)}
	if major(f.m[2]) != majArray {
		return f.err(2, "want an array")
	}
	var items []rawItem
	if err := decMode.Unmarshal(f.m[2], &items); err != nil {
		return f.err(2, "%v", err)
	}
	for i, it := range items {
		raw := []byte(it)
		n, c, err := rawTag(raw)
		tagged := err == nil && n == TagOutput
		if tagged {
			raw = c
		}
		if i == 0 {
			acc.TagOutputs = tagged
		} else if tagged != acc.TagOutputs {
			return f.err(2, "output %d: tag %d on some outputs only", i, TagOutput)
		}
		var o Output
		if err := o.Unmarshal(raw); err != nil {
			return f.err(2, "output %d: %v", i, err)
		}
		acc.Outputs = append(acc.Outputs, o)
	}
	*a = acc
	return nil
}
