package urtypes

import (
	"encoding/hex"
	"fmt"
)

// EIP-4527 UR type names.
const (
	TypeEthSignRequest = "eth-sign-request"
	TypeEthSignature   = "eth-signature"
)

// EthDataType is the data-type of an eth-sign-request (EIP-4527).
type EthDataType uint8

// The EIP-4527 data types.
const (
	EthTransaction      EthDataType = 1 // legacy transaction, RLP
	EthTypedData        EthDataType = 2 // EIP-712 typed data, JSON bytes
	EthRawBytes         EthDataType = 3 // personal message (EIP-191)
	EthTypedTransaction EthDataType = 4 // EIP-2718 typed transaction
)

// UUID is a 16-byte request id, CBOR tag 37.
type UUID [16]byte

func (u UUID) String() string {
	h := hex.EncodeToString(u[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// EthSignRequest is eth-sign-request (EIP-4527): {1: request-id #6.37,
// 2: sign-data, 3: data-type, 4: chain-id, 5: derivation-path #6.304,
// 6: address, 7: origin}.
type EthSignRequest struct {
	RequestID      *UUID
	SignData       []byte
	DataType       EthDataType
	ChainID        int64 // 0: absent
	DerivationPath Keypath
	Address        []byte // 20 bytes, or none
	Origin         string
}

// URType returns "eth-sign-request".
func (EthSignRequest) URType() string { return TypeEthSignRequest }

// Marshal returns the CBOR map.
func (r EthSignRequest) Marshal() ([]byte, error) {
	if r.DataType < EthTransaction || r.DataType > EthTypedTransaction {
		return nil, fmt.Errorf("urtypes: eth-sign-request: data-type %d is not 1-4", r.DataType)
	}
	if r.SignData == nil {
		return nil, fmt.Errorf("urtypes: eth-sign-request: sign-data is missing")
	}
	if r.Address != nil && len(r.Address) != 20 {
		return nil, fmt.Errorf("urtypes: eth-sign-request: address must be 20 bytes, got %d", len(r.Address))
	}
	path, err := r.DerivationPath.value()
	if err != nil {
		return nil, err
	}
	m := encMap{2: r.SignData, 3: uint8(r.DataType), 5: tag(TagKeypath, path)}
	if r.RequestID != nil {
		m[1] = tag(TagUUID, r.RequestID[:])
	}
	if r.ChainID != 0 {
		m[4] = r.ChainID
	}
	if r.Address != nil {
		m[6] = r.Address
	}
	if r.Origin != "" {
		m[7] = r.Origin
	}
	return marshal(m)
}

var ethSignRequestFields = map[uint64]string{1: "request-id", 2: "sign-data", 3: "data-type",
	4: "chain-id", 5: "derivation-path", 6: "address", 7: "origin"}

// Unmarshal reads an eth-sign-request map.
func (r *EthSignRequest) Unmarshal(data []byte) error {
	f, err := readMap(TypeEthSignRequest, data, ethSignRequestFields)
	if err != nil {
		return err
	}
	var q EthSignRequest
	if q.RequestID, err = f.uuid(1); err != nil {
		return err
	}
	for _, k := range []uint64{2, 3, 5} {
		if err := f.required(k); err != nil {
			return err
		}
	}
	if q.SignData, err = f.bytes(2); err != nil {
		return err
	}
	dt, err := f.uint(3, 4)
	if err != nil {
		return err
	}
	if dt == 0 {
		return f.err(3, "0 is not a data type (1-4)")
	}
	q.DataType = EthDataType(dt)
	if q.ChainID, err = f.int(4); err != nil {
		return err
	}
	if f.has(4) && q.ChainID == 0 {
		return f.err(4, "must not be 0")
	}
	c, err := f.tagged(5, TagKeypath)
	if err != nil {
		return err
	}
	if err := q.DerivationPath.Unmarshal(c); err != nil {
		return f.err(5, "%v", err)
	}
	if q.Address, err = f.bytes(6, 20); err != nil {
		return err
	}
	if q.Origin, err = f.text(7); err != nil {
		return err
	}
	*r = q
	return nil
}

func (f *fields) uuid(k uint64) (*UUID, error) {
	if !f.has(k) {
		return nil, nil
	}
	c, err := f.tagged(k, TagUUID)
	if err != nil {
		return nil, err
	}
	b, err := byteString("uuid", c)
	if err != nil || len(b) != 16 {
		return nil, f.err(k, "want a 16-byte byte string in tag %d", TagUUID)
	}
	var u UUID
	copy(u[:], b)
	return &u, nil
}

// EthSignature is eth-signature (EIP-4527): {1: request-id #6.37,
// 2: signature (65 bytes r||s||v), 3: origin}.
type EthSignature struct {
	RequestID *UUID
	Signature []byte
	Origin    string
}

// URType returns "eth-signature".
func (EthSignature) URType() string { return TypeEthSignature }

// Marshal returns the CBOR map.
func (s EthSignature) Marshal() ([]byte, error) {
	if len(s.Signature) != 65 {
		return nil, fmt.Errorf("urtypes: eth-signature: signature must be 65 bytes, got %d", len(s.Signature))
	}
	m := encMap{2: s.Signature}
	if s.RequestID != nil {
		m[1] = tag(TagUUID, s.RequestID[:])
	}
	if s.Origin != "" {
		m[3] = s.Origin
	}
	return marshal(m)
}

var ethSignatureFields = map[uint64]string{1: "request-id", 2: "signature", 3: "origin"}

// Unmarshal reads an eth-signature map.
func (s *EthSignature) Unmarshal(data []byte) error {
	f, err := readMap(TypeEthSignature, data, ethSignatureFields)
	if err != nil {
		return err
	}
	var v EthSignature
	if v.RequestID, err = f.uuid(1); err != nil {
		return err
	}
	if err := f.required(2); err != nil {
		return err
	}
	if v.Signature, err = f.bytes(2, 65); err != nil {
		return err
	}
	if v.Origin, err = f.text(3); err != nil {
		return err
	}
	*s = v
	return nil
}
