// Package payload owns what a signing plan can carry for the stations to
// review: a Bitcoin PSBT or an Ethereum signing request. It turns a
// wallet's file into a plan payload, reviews a payload against a
// station's own policy (every station decodes it itself and computes the
// digests it will sign), checks that a plan asks for exactly those
// digests, and turns the ceremony's signatures into the finished files.
package payload

import (
	"fmt"
	"io"
	"math/big"
	"strings"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/chains/bitcoin"
	"github.com/coldtss/coldtss/chains/ethereum"
	"github.com/coldtss/coldtss/internal/untrusted"
)

// Payload types a signing plan can carry.
const (
	PSBT       = "bitcoin-psbt"
	EthRequest = "ethereum-request"
)

// Policy is a station's own review rules, set by its operator.
type Policy struct {
	// Bitcoin
	Network      string  // the network this station expects ("" accepts the plan's)
	MaxFeeRate   float64 // sat/vB
	MaxFee       int64   // satoshis
	AllowSighash bool
	// Ethereum
	ChainID               *big.Int // the chain this station expects, or nil
	MaxCostWei            *big.Int // nil: no cap
	AllowUnknownCall      bool
	AllowContractCreation bool
}

// Reviewed is a payload this station has decoded and checked against its
// own policy: what it shows the custodians, the digests it will sign, and
// how the signatures become the finished files.
type Reviewed interface {
	Print(w io.Writer)
	Requests() []ceremony.SignRequest
	// Finish turns the ceremony's signatures (r||s||recid each) into the
	// finished files, by name; the caller writes them.
	Finish(sigs [][]byte) ([]Output, error)
}

// Output is a finished file: its name and content.
type Output struct {
	Name string
	Data []byte
}

// FromPSBT makes the payload of a PSBT file (binary or base64) for the
// given network ("" is mainnet). The payload carries the PSBT exactly as
// the wallet exported it (base64 decoded, never re-serialised).
func FromPSBT(raw []byte, network string) (*ceremony.Payload, error) {
	data, err := bitcoin.PSBTBytes(raw)
	if err != nil {
		return nil, err
	}
	if network == "" {
		network = "mainnet"
	}
	if _, err := bitcoin.NetworkParams(network); err != nil {
		return nil, err
	}
	return &ceremony.Payload{Type: PSBT, Network: network, Data: data}, nil
}

// FromEthRequest makes the payload of an Ethereum request file.
func FromEthRequest(raw []byte) (*ceremony.Payload, error) {
	req, err := ethereum.ParseRequest(raw)
	if err != nil {
		return nil, err
	}
	return &ceremony.Payload{Type: EthRequest, Network: "chain " + req.ChainID, Data: req.Marshal()}, nil
}

// LooksLikeEthRequest tells an Ethereum request (JSON) from a PSBT.
func LooksLikeEthRequest(b []byte) bool {
	for _, ch := range b {
		switch ch {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return true
		}
		return false
	}
	return false
}

// Review decodes a payload for the key (33-byte public key and chain code)
// and applies the station's policy. It never trusts digests computed by
// someone else.
func Review(p *ceremony.Payload, pub, chainCode []byte, pol Policy) (Reviewed, error) {
	switch p.Type {
	case PSBT:
		if pol.Network != "" && pol.Network != p.Network {
			return nil, fmt.Errorf("the plan is for Bitcoin %s but this station expects %s (--network): stop and check which network the transaction is for", untrusted.Text(p.Network), pol.Network)
		}
		net, err := bitcoin.NetworkParams(p.Network)
		if err != nil {
			return nil, err
		}
		acct, err := bitcoin.NewAccount(pub, chainCode, net, bitcoin.P2WPKH)
		if err != nil {
			return nil, err
		}
		rv, err := bitcoin.ReviewPSBT(p.Data, acct, bitcoin.Policy{MaxFeeRate: pol.MaxFeeRate, MaxFee: pol.MaxFee, AllowSighash: pol.AllowSighash, Net: net})
		if err != nil {
			return nil, fmt.Errorf("PSBT: %v", err)
		}
		return &psbtReview{raw: p.Data, acct: acct, rv: rv}, nil
	case EthRequest:
		req, err := ethereum.ParseRequest(p.Data)
		if err != nil {
			return nil, fmt.Errorf("Ethereum request: %v", err)
		}
		if want := "chain " + req.ChainID; p.Network != want {
			return nil, fmt.Errorf("the plan says it is for %s but the request it carries is for chain %s: the plan was altered; stop", untrusted.Quote(p.Network), req.ChainID)
		}
		epol := ethereum.Policy{ChainID: pol.ChainID, MaxCostWei: pol.MaxCostWei, AllowUnknownCall: pol.AllowUnknownCall, AllowContractCreation: pol.AllowContractCreation}
		rv, err := ethereum.ReviewRequest(req, pub, chainCode, epol)
		if err != nil {
			return nil, fmt.Errorf("Ethereum request: %v", err)
		}
		return &ethReview{req: req, rv: rv}, nil
	}
	return nil, fmt.Errorf("the plan carries a %s payload, which this version of coldtss cannot review: refuse it, or update coldtss on every station", untrusted.Quote(p.Type))
}

// Check makes sure the plan's digests are exactly those this station
// computed from the payload itself.
func Check(plan *ceremony.Plan, rv Reviewed) error {
	mine := rv.Requests()
	if len(mine) != len(plan.Messages) {
		return fmt.Errorf("the plan asks for %d signatures but its %s needs %d: the plan was altered; stop", len(plan.Messages), untrusted.Text(plan.Payload.Type), len(mine))
	}
	for i, m := range mine {
		got := plan.Messages[i]
		path := got.Path
		if path == "" {
			path = "m"
		}
		if !strings.EqualFold(got.Data, m.Data) || path != m.Path {
			return fmt.Errorf("message %d of the plan (%s at %s) is not what this station computed from the %s (%s at %s): the plan was altered; stop", i+1, untrusted.Text(got.Data), untrusted.Text(path), untrusted.Text(plan.Payload.Type), m.Data, m.Path)
		}
	}
	return nil
}
