package files

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/coldtss/coldtss/chains/bitcoin"
	"github.com/coldtss/coldtss/chains/ethereum"
	"github.com/coldtss/coldtss/qr/bbqr"
	"github.com/coldtss/coldtss/qr/ur"
	"github.com/coldtss/coldtss/qr/urtypes"
)

// DefaultFragmentLen is the UR fragment length Encode uses unless told
// otherwise: parts of about 250 characters, which phone and laptop cameras
// read at once.
const DefaultFragmentLen = 120

// EncodeOptions says how to put a file into QR codes.
type EncodeOptions struct {
	Format Format // "" takes the kind's default: BBQr for tx.hex, UR for the rest

	// Key, if set, lets an Ethereum request go out as an eth-sign-request
	// (its derivation path names the key's fingerprint); without it the
	// request goes in ur:coldtss-file.
	Key *Key

	// Request is the Ethereum request that a signature.hex or an Ethereum
	// tx.hex answers: the file then goes out as an eth-signature with the
	// request's request-id, after checking the signature is over this
	// request by its address.
	Request *ethereum.Request

	MaxFragmentLen int // UR: bytes of CBOR per part; 0 is DefaultFragmentLen
	BBQr           bbqr.SplitOptions
}

// Series is a file as QR codes.
type Series struct {
	Kind   Kind // "" for a wallet export (EncodeValue)
	Format Format
	Type   string   // what the codes say they are: "ur:crypto-psbt", "BBQr P (PSBT)"
	Parts  []string // one cycle of parts: a UR's fragments in order (upper case), or every BBQr part

	enc  *ur.Encoder
	next int
}

// Next returns the next part to show, forever: after the UR's fragments,
// fountain-mixed parts, so that a scanner that missed some still finishes;
// BBQr parts cycle.
func (s *Series) Next() string {
	if s.enc != nil {
		return s.enc.NextPart()
	}
	p := s.Parts[s.next%len(s.Parts)]
	s.next++
	return p
}

// Encode puts a file (its bytes) into QR codes. name names the file in errors.
func Encode(name string, data []byte, opts EncodeOptions) (*Series, error) {
	kind, err := Detect(name, data)
	if err != nil {
		return nil, err
	}
	format := opts.Format
	if format == "" {
		format = UR
		if kind == Tx && opts.Request == nil {
			format = BBQr
		}
	}
	if format == BBQr {
		return encodeBBQr(name, kind, data, opts)
	}
	typ, body, err := urBody(name, kind, data, opts)
	if err != nil {
		return nil, err
	}
	return urSeries(kind, typ, body, opts.MaxFragmentLen), nil
}

// EncodeValue puts a wallet export (CryptoOutput, CryptoAccount,
// CryptoHDKey) into UR parts of at most maxFragmentLen bytes (0 is
// DefaultFragmentLen), to show to a wallet. The Series' Kind is "": it is
// not a file coldtss reads back.
func EncodeValue(v urtypes.Value, maxFragmentLen int) (*Series, error) {
	body, err := v.Marshal()
	if err != nil {
		return nil, fmt.Errorf("ur:%s: %v", v.URType(), err)
	}
	return urSeries("", v.URType(), body, maxFragmentLen), nil
}

func urSeries(kind Kind, typ string, body []byte, n int) *Series {
	if n <= 0 {
		n = DefaultFragmentLen
	}
	enc := ur.NewEncoder(typ, body, n)
	s := &Series{Kind: kind, Format: UR, Type: "ur:" + typ, enc: enc}
	for i := 0; i < enc.SeqLen(); i++ {
		s.Parts = append(s.Parts, enc.NextPart())
	}
	return s
}

func encodeBBQr(name string, kind Kind, data []byte, opts EncodeOptions) (*Series, error) {
	ft := bbqr.JSON
	body := data
	switch kind {
	case PSBT:
		ft = bbqr.PSBT
		b, err := bitcoin.PSBTBytes(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		body = b
	case Tx:
		if opts.Request != nil {
			return nil, fmt.Errorf("%s: an answer to an Ethereum request goes out as ur:eth-signature; use --format ur", name)
		}
		ft = bbqr.Transaction
		body, _ = hexText(data)
	case Signature:
		ft = bbqr.Text
		body = bytes.TrimSpace(data)
	}
	sr, err := bbqr.Split(body, ft, opts.BBQr)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return &Series{Kind: kind, Format: BBQr, Type: fmt.Sprintf("BBQr %c (%s)", rune(ft), ft), Parts: sr.Parts}, nil
}

// urBody chooses the UR type of a file and makes its CBOR.
func urBody(name string, kind Kind, data []byte, opts EncodeOptions) (string, []byte, error) {
	marshal := func(v urtypes.Value) (string, []byte, error) {
		b, err := v.Marshal()
		if err != nil {
			return "", nil, fmt.Errorf("%s: %v", name, err)
		}
		return v.URType(), b, nil
	}
	switch kind {
	case PSBT:
		b, err := bitcoin.PSBTBytes(data)
		if err != nil {
			return "", nil, fmt.Errorf("%s: %v", name, err)
		}
		return marshal(urtypes.PSBT(b))
	case EthRequest:
		req, err := ethereum.ParseRequest(data)
		if err != nil {
			return "", nil, fmt.Errorf("%s: %v", name, err)
		}
		if opts.Key != nil {
			r, ok, err := ethSignRequest(req, *opts.Key)
			if err != nil {
				return "", nil, fmt.Errorf("%s: %v", name, err)
			}
			if ok {
				return marshal(r)
			}
		}
	case Signature, Tx:
		if opts.Request != nil {
			sig, err := answer(kind, data, opts.Request)
			if err != nil {
				return "", nil, fmt.Errorf("%s: %v", name, err)
			}
			s := urtypes.EthSignature{Signature: sig}
			if opts.Request.RequestID != "" {
				u, err := parseUUID(opts.Request.RequestID)
				if err != nil {
					return "", nil, err
				}
				s.RequestID = &u
			}
			return marshal(s)
		}
		if kind == Signature {
			return "", nil, fmt.Errorf("%s is an Ethereum signature: give the request it answers (--request) so that it goes out as an eth-signature with the request's id", name)
		}
	}
	b, err := marshalEnvelope(kind, data)
	if err != nil {
		return "", nil, err
	}
	return TypeFile, b, nil
}

// answer returns the 65-byte r||s||v of an eth-signature answering req:
// for a message, the signature.hex as it is (v 27/28); for a transaction,
// the signed tx.hex's r, s and v (y-parity 0/1 for typed transactions, the
// EIP-155 v for legacy ones), which must be over the request's sign data
// and recover to its address.
func answer(kind Kind, data []byte, req *ethereum.Request) ([]byte, error) {
	reqData, err := hex.DecodeString(strings.TrimPrefix(req.Data, "0x"))
	if err != nil {
		return nil, fmt.Errorf("request data: %v", err)
	}
	from := common.HexToAddress(req.Address)
	raw, _ := hexText(data)
	if kind == Signature {
		if req.Kind != ethereum.KindPersonal && req.Kind != ethereum.KindTypedData {
			return nil, fmt.Errorf("a message signature cannot answer a %s request: give the tx.hex the ceremony wrote", req.Kind)
		}
		if req.Kind == ethereum.KindPersonal {
			s := append([]byte(nil), raw...)
			s[64] -= 27
			pub, err := crypto.SigToPub(accounts.TextHash(reqData), s)
			if err != nil || crypto.PubkeyToAddress(*pub) != from {
				return nil, fmt.Errorf("the signature is not %s's over this request's message: give the signature.hex of the ceremony that signed this request", from.Hex())
			}
		}
		return raw, nil
	}
	if req.Kind != ethereum.KindTypedTx && req.Kind != ethereum.KindLegacyTx {
		return nil, fmt.Errorf("a transaction cannot answer a %s request: give the signature.hex the ceremony wrote", req.Kind)
	}
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(raw); err != nil {
		return nil, fmt.Errorf("not a signed Ethereum transaction (%v): give the tx.hex the ceremony wrote", err)
	}
	signer := types.LatestSignerForChainID(tx.ChainId())
	if signer.Hash(tx) != crypto.Keccak256Hash(reqData) {
		return nil, fmt.Errorf("the transaction is not the one this request asked to sign: give the tx.hex of the ceremony that signed this request")
	}
	if sender, err := types.Sender(signer, tx); err != nil || sender != from {
		return nil, fmt.Errorf("the transaction is not signed by the request's address %s: do not hand it out", from.Hex())
	}
	v, r, s := tx.RawSignatureValues()
	if !v.IsUint64() || v.Uint64() > 255 {
		return nil, fmt.Errorf("the transaction's v (%s) does not fit the one byte of an eth-signature: use a typed (EIP-1559) transaction for chain ids above 109", v)
	}
	out := make([]byte, 65)
	r.FillBytes(out[:32])
	s.FillBytes(out[32:64])
	out[64] = byte(v.Uint64())
	return out, nil
}
