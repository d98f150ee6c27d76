// Package ethereum turns a threshold key into an Ethereum signer: it reads
// signing requests (transactions, EIP-712 typed data, personal messages),
// shows them for review, checks them against a station's policy, computes the
// digest the ceremony signs, and turns the ceremony's signature into a signed
// transaction or an Ethereum signature.
package ethereum

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strings"

	"github.com/coldtss/coldtss/internal/bip32"
	"github.com/coldtss/coldtss/internal/untrusted"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// RequestFormat names version 1 of the request file.
const RequestFormat = "coldtss-eth-request/1"

// Request kinds; each maps onto an EIP-4527 eth-sign-request data-type.
const (
	KindLegacyTx  = "transaction"       // data-type 1: rlp([nonce,gasPrice,gas,to,value,data,chainId,0,0]) (EIP-155 unsigned)
	KindTypedTx   = "typed-transaction" // data-type 4: 0x02 || rlp([chainId,nonce,tip,feeCap,gas,to,value,data,accessList])
	KindTypedData = "typed-data"        // data-type 2: EIP-712 JSON (eth_signTypedData_v4), UTF-8
	KindPersonal  = "personal-message"  // data-type 3: raw message bytes (EIP-191 personal_sign)
)

// Request is a signing request file, written by the online tool and read by
// the stations.
type Request struct {
	Format  string `json:"format"`
	Kind    string `json:"kind"`
	ChainID string `json:"chain_id"` // decimal; required for all kinds
	Path    string `json:"path"`     // non-hardened, e.g. "m/0/0"
	Address string `json:"address"`  // EIP-55; the signer the requester expects
	Data    string `json:"data"`     // 0x-hex sign data as above
	Note    string `json:"note,omitempty"`
	// RequestID is the request-id of the EIP-4527 eth-sign-request this
	// request came from (a lower-case UUID, 8-4-4-4-12 hex digits), echoed
	// in the eth-signature that answers it; empty for requests made here.
	RequestID string `json:"request_id,omitempty"`
}

// maxRequestSize bounds a request file; EIP-712 documents are the largest.
const maxRequestSize = 1 << 20

// ParseRequest reads a request file strictly: no unknown or duplicate keys,
// no trailing data, every field well-formed. It does not decode the sign
// data; ReviewRequest does.
func ParseRequest(b []byte) (*Request, error) {
	if len(b) > maxRequestSize {
		return nil, fmt.Errorf("request file is %d bytes, more than the %d allowed: check you picked the right file", len(b), maxRequestSize)
	}
	if err := checkDuplicateKeys(b); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var r Request
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("request file is not valid JSON for %s: %s; check it is an untouched coldtss Ethereum request", RequestFormat, untrusted.Text(err.Error()))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("request file has data after the JSON object: check it is an untouched coldtss Ethereum request")
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

// checkDuplicateKeys refuses a top-level object with a key given twice: two
// parsers could otherwise read different values from one file.
func checkDuplicateKeys(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	t, err := dec.Token()
	if err != nil || t != json.Delim('{') {
		return fmt.Errorf("request file is not a JSON object: check it is an untouched coldtss Ethereum request")
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fmt.Errorf("request file is not valid JSON: %s; check it is an untouched coldtss Ethereum request", untrusted.Text(err.Error()))
		}
		k, _ := t.(string)
		if seen[k] {
			return fmt.Errorf("request file gives %s twice: refuse it and ask for a new request", shortQuote(k))
		}
		seen[k] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return fmt.Errorf("request file is not valid JSON: %s; check it is an untouched coldtss Ethereum request", untrusted.Text(err.Error()))
		}
	}
	return nil
}

func (r *Request) validate() error {
	if r.Format != RequestFormat {
		return fmt.Errorf("request format is %s, expected %q: this is not a coldtss Ethereum request or needs a newer coldtss", shortQuote(r.Format), RequestFormat)
	}
	switch r.Kind {
	case KindLegacyTx, KindTypedTx, KindTypedData, KindPersonal:
	default:
		return fmt.Errorf("request kind %s is unknown: expected %s, %s, %s or %s", shortQuote(r.Kind), KindLegacyTx, KindTypedTx, KindTypedData, KindPersonal)
	}
	if _, err := r.chainID(); err != nil {
		return err
	}
	if r.Path == "" {
		return fmt.Errorf("request has no path: it must name the key's derivation path, e.g. \"m/0/0\" (\"m\" for the key itself)")
	}
	if _, err := bip32.ParsePath(r.Path); err != nil {
		return fmt.Errorf("request path: %v", err)
	}
	if _, err := parseAddress(r.Address); err != nil {
		return fmt.Errorf("request address: %v", err)
	}
	if _, err := r.data(); err != nil {
		return err
	}
	if r.RequestID != "" && !validUUID(r.RequestID) {
		return fmt.Errorf("request request_id %s is not a lower-case UUID (8-4-4-4-12 hex digits): the file is damaged; ask for a new request", shortQuote(r.RequestID))
	}
	return nil
}

// validUUID reports whether s is a UUID in its canonical lower-case text form.
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// chainID parses ChainID: decimal digits, no sign or leading zero, not zero.
func (r *Request) chainID() (*big.Int, error) {
	s := r.ChainID
	if s == "" {
		return nil, fmt.Errorf("request has no chain_id: every request must name its chain (1 for Ethereum mainnet)")
	}
	if strings.Trim(s, "0123456789") != "" || (len(s) > 1 && s[0] == '0') {
		return nil, fmt.Errorf("request chain_id %s is not a decimal number: write it in plain digits, e.g. \"1\"", shortQuote(s))
	}
	id, _ := new(big.Int).SetString(s, 10)
	if id.Sign() == 0 {
		return nil, fmt.Errorf("request chain_id is 0, which no chain uses: the request is broken; ask for a new one")
	}
	if id.BitLen() > 256 {
		return nil, fmt.Errorf("request chain_id %s is larger than 256 bits: the request is broken; ask for a new one", s)
	}
	return id, nil
}

// data decodes the 0x-hex sign data.
func (r *Request) data() ([]byte, error) {
	s := r.Data
	if !strings.HasPrefix(s, "0x") {
		return nil, fmt.Errorf("request data must be hex starting with 0x: the file is damaged or not a coldtss request; ask for a new one")
	}
	b, err := hex.DecodeString(s[2:])
	if err != nil {
		return nil, fmt.Errorf("request data is not valid hex (%s): the file is damaged; ask for a new request", untrusted.Text(err.Error()))
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("request data is empty: there is nothing to sign; ask for a new request")
	}
	return b, nil
}

// parseAddress reads a 0x address; mixed case must carry a valid EIP-55 checksum.
func parseAddress(s string) (common.Address, error) {
	if !strings.HasPrefix(s, "0x") || !common.IsHexAddress(s) {
		return common.Address{}, fmt.Errorf("%s is not an Ethereum address (0x and 40 hex digits)", shortQuote(s))
	}
	a := common.HexToAddress(s)
	if badChecksum(s, a) {
		return common.Address{}, fmt.Errorf("%s has a wrong EIP-55 checksum (expected %s): it was mistyped or altered; do not sign", shortQuote(s), a.Hex())
	}
	return a, nil
}

// Marshal writes the request as indented JSON with a final newline.
func (r *Request) Marshal() []byte {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		panic(err) // only strings: cannot fail
	}
	return append(b, '\n')
}

// NewTxRequest makes a request for an unsigned transaction: an EIP-1559
// DynamicFeeTx, or an EIP-155 LegacyTx. An unsigned LegacyTx has no chain-id
// field, so it must carry its chain id the EIP-155 way, in V = chainId*2+35
// with R and S zero.
func NewTxRequest(tx *types.Transaction, from common.Address, path string) (*Request, error) {
	v, rr, s := tx.RawSignatureValues()
	if rr.Sign() != 0 || s.Sign() != 0 {
		return nil, fmt.Errorf("the transaction is already signed: give the unsigned transaction")
	}
	req := &Request{Format: RequestFormat, Path: path, Address: from.Hex()}
	var data []byte
	var chainID *big.Int
	switch tx.Type() {
	case types.LegacyTxType:
		if v.Cmp(big.NewInt(35)) < 0 {
			return nil, fmt.Errorf("the legacy transaction has no chain id: set V to chainId*2+35 (EIP-155) with R and S zero, or make an EIP-1559 transaction")
		}
		chainID = new(big.Int).Rsh(new(big.Int).Sub(v, big.NewInt(35)), 1)
		var err error
		data, err = encodeUnsignedLegacy(tx, chainID)
		if err != nil {
			return nil, err
		}
		req.Kind = KindLegacyTx
	case types.DynamicFeeTxType:
		if v.Sign() != 0 {
			return nil, fmt.Errorf("the transaction is already signed: give the unsigned transaction")
		}
		chainID = tx.ChainId()
		data = encodeUnsignedDynamic(tx)
		req.Kind = KindTypedTx
	default:
		return nil, fmt.Errorf("transaction type %d is not supported: use an EIP-1559 (type 2) or EIP-155 legacy transaction", tx.Type())
	}
	req.ChainID = chainID.String()
	req.Data = "0x" + hex.EncodeToString(data)
	if err := req.validate(); err != nil {
		return nil, err
	}
	if _, err := decodeRequest(req); err != nil {
		return nil, err
	}
	return req, nil
}

// NewPersonalRequest makes a personal_sign (EIP-191) request for msg.
func NewPersonalRequest(msg []byte, chainID *big.Int, from common.Address, path string) *Request {
	return &Request{
		Format:  RequestFormat,
		Kind:    KindPersonal,
		ChainID: chainID.String(),
		Path:    path,
		Address: from.Hex(),
		Data:    "0x" + hex.EncodeToString(msg),
	}
}

// NewTypedDataRequest makes an EIP-712 request for an eth_signTypedData_v4
// JSON document; it refuses documents that do not hash or whose domain names
// another chain.
func NewTypedDataRequest(typedJSON []byte, chainID *big.Int, from common.Address, path string) (*Request, error) {
	req := &Request{
		Format:  RequestFormat,
		Kind:    KindTypedData,
		ChainID: chainID.String(),
		Path:    path,
		Address: from.Hex(),
		Data:    "0x" + hex.EncodeToString(typedJSON),
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	if _, err := decodeRequest(req); err != nil {
		return nil, err
	}
	return req, nil
}
