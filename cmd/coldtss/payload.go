package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/keys"
	"github.com/coldtss/coldtss/ceremony/transport"
	"github.com/coldtss/coldtss/chains/bitcoin"
	"github.com/coldtss/coldtss/chains/ethereum"
	"github.com/coldtss/coldtss/internal/untrusted"
)

// Payload types a signing plan can carry.
const (
	payloadPSBT       = "bitcoin-psbt"
	payloadEthRequest = "ethereum-request"
)

// reviewed is a payload this station has decoded and checked against its
// own policy: what it shows the custodians, the digests it will sign, and
// how the signatures become a transaction.
type reviewed interface {
	Print(w io.Writer)
	Requests() []ceremony.SignRequest
	// Finish turns the ceremony's signatures (r||s||recid each) into the
	// finished artefacts, by file name; the caller writes them.
	Finish(sigs [][]byte) ([]output, error)
}

// policyFlags are the review rules a station applies before it signs.
// They are local: each station sets its own.
func policyFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "network", Usage: "Bitcoin network: mainnet, testnet, signet or regtest (at join: the network this station expects)"},
		&cli.Float64Flag{Name: "max-fee-rate", Value: 1000, Usage: "Bitcoin: refuse a fee rate above this many sat/vB"},
		&cli.StringFlag{Name: "max-fee", Value: "0.05", Usage: "Bitcoin: refuse a fee above this many BTC"},
		&cli.BoolFlag{Name: "allow-sighash", Usage: "Bitcoin: allow inputs with a sighash type other than ALL"},
		&cli.StringFlag{Name: "chain-id", Usage: "Ethereum: the chain ID this station expects (e.g. 1 for mainnet); other chains are refused"},
		&cli.StringFlag{Name: "max-cost", Usage: "Ethereum: refuse a transaction whose value plus maximum fee exceeds this many ETH"},
		&cli.BoolFlag{Name: "allow-unknown-call", Usage: "Ethereum: allow contract calls this station cannot decode"},
		&cli.BoolFlag{Name: "allow-contract-creation", Usage: "Ethereum: allow transactions that deploy a contract"},
	}
}

// loadPayload reads a PSBT or an Ethereum request file into a plan
// payload; it returns nil when neither is given.
func loadPayload(c *cli.Context, psbtFile, ethFile string) (*ceremony.Payload, error) {
	switch {
	case psbtFile != "" && ethFile != "":
		return nil, usageError{Err: fmt.Errorf("give --psbt or --eth-request, not both: one plan signs one transaction")}
	case psbtFile != "":
		raw, err := readInput(psbtFile)
		if err != nil {
			return nil, err
		}
		// The plan carries the PSBT exactly as the wallet exported it
		// (base64 decoded, never re-serialised in another field order).
		data, err := bitcoin.PSBTBytes(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", psbtFile, err)
		}
		net := c.String("network")
		if net == "" {
			net = "mainnet"
		}
		if _, err := bitcoin.NetworkParams(net); err != nil {
			return nil, usageError{Err: fmt.Errorf("--network: %v", err)}
		}
		return &ceremony.Payload{Type: payloadPSBT, Network: net, Data: data}, nil
	case ethFile != "":
		raw, err := readInput(ethFile)
		if err != nil {
			return nil, err
		}
		req, err := ethereum.ParseRequest(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", ethFile, err)
		}
		return &ceremony.Payload{Type: payloadEthRequest, Network: "chain " + req.ChainID, Data: req.Marshal()}, nil
	}
	return nil, nil
}

// maxInput bounds any file a station reads that came from elsewhere: a
// plan with its payload, a PSBT, a request, a card, a transcript.
const maxInput = ceremony.MaxPayload*2 + 1<<20

// readInput reads a file that may have come on the stick: a regular file
// only, never through a link or a named pipe, of bounded size.
func readInput(path string) ([]byte, error) {
	return transport.ReadFile(path, "an input file", maxInput)
}

// reviewPayload decodes a payload for the given key and applies this
// station's policy. It never trusts digests computed by someone else.
func reviewPayload(c *cli.Context, info keys.Record, p *ceremony.Payload) (reviewed, error) {
	pub, cc, err := info.Secp256k1("Bitcoin and Ethereum need")
	if err != nil {
		return nil, err
	}
	switch p.Type {
	case payloadPSBT:
		if want := c.String("network"); want != "" && want != p.Network {
			return nil, fmt.Errorf("the plan is for Bitcoin %s but this station expects %s (--network): stop and check which network the transaction is for", p.Network, want)
		}
		net, err := bitcoin.NetworkParams(p.Network)
		if err != nil {
			return nil, err
		}
		acct, err := bitcoin.NewAccount(pub, cc, net, bitcoin.P2WPKH)
		if err != nil {
			return nil, err
		}
		maxFee, err := btcutil.NewAmount(0)
		if s := c.String("max-fee"); s != "" {
			f, perr := strconv.ParseFloat(s, 64)
			if perr != nil || f < 0 {
				return nil, usageError{Err: fmt.Errorf("--max-fee %q is not an amount in BTC", s)}
			}
			maxFee, err = btcutil.NewAmount(f)
		}
		if err != nil {
			return nil, usageError{Err: fmt.Errorf("--max-fee: %v", err)}
		}
		pol := bitcoin.Policy{MaxFeeRate: c.Float64("max-fee-rate"), MaxFee: int64(maxFee), AllowSighash: c.Bool("allow-sighash"), Net: net}
		rv, err := bitcoin.ReviewPSBT(p.Data, acct, pol)
		if err != nil {
			return nil, fmt.Errorf("PSBT: %v", err)
		}
		return &psbtReview{raw: p.Data, acct: acct, rv: rv}, nil
	case payloadEthRequest:
		req, err := ethereum.ParseRequest(p.Data)
		if err != nil {
			return nil, fmt.Errorf("Ethereum request: %v", err)
		}
		if want := "chain " + req.ChainID; p.Network != want {
			return nil, fmt.Errorf("the plan says it is for %s but the request it carries is for chain %s: the plan was altered; stop", untrusted.Quote(p.Network), req.ChainID)
		}
		pol := ethereum.Policy{AllowUnknownCall: c.Bool("allow-unknown-call"), AllowContractCreation: c.Bool("allow-contract-creation")}
		if s := c.String("chain-id"); s != "" {
			id, ok := new(big.Int).SetString(s, 10)
			if !ok || id.Sign() <= 0 {
				return nil, usageError{Err: fmt.Errorf("--chain-id %q is not a positive decimal number", s)}
			}
			pol.ChainID = id
		}
		if s := c.String("max-cost"); s != "" {
			wei, err := ethereum.ParseEther(s, "--max-cost")
			if err != nil {
				return nil, usageError{Err: err}
			}
			pol.MaxCostWei = wei
		}
		rv, err := ethereum.ReviewRequest(req, pub, cc, pol)
		if err != nil {
			return nil, fmt.Errorf("Ethereum request: %v", err)
		}
		return &ethReview{req: req, rv: rv}, nil
	}
	return nil, fmt.Errorf("the plan carries a %q payload, which this version of coldtss cannot review: refuse it, or update coldtss on every station", p.Type)
}

// checkRequests makes sure the plan's digests are exactly those this
// station computed from the payload itself.
func checkRequests(plan *ceremony.Plan, rv reviewed) error {
	mine := rv.Requests()
	if len(mine) != len(plan.Messages) {
		return fmt.Errorf("the plan asks for %d signatures but its %s needs %d: the plan was altered; stop", len(plan.Messages), plan.Payload.Type, len(mine))
	}
	for i, m := range mine {
		got := plan.Messages[i]
		path := got.Path
		if path == "" {
			path = "m"
		}
		if !strings.EqualFold(got.Data, m.Data) || path != m.Path {
			return fmt.Errorf("message %d of the plan (%s at %s) is not what this station computed from the %s (%s at %s): the plan was altered; stop", i+1, got.Data, path, plan.Payload.Type, m.Data, m.Path)
		}
	}
	return nil
}

// output is a finished artefact: a file name and its content.
type output struct {
	Name string
	Data []byte
}

type psbtReview struct {
	raw  []byte
	acct bitcoin.Account
	rv   *bitcoin.Review
}

func (p *psbtReview) Print(w io.Writer) { p.rv.Print(w) }

func (p *psbtReview) Requests() []ceremony.SignRequest {
	var out []ceremony.SignRequest
	for _, it := range p.rv.Items {
		out = append(out, ceremony.SignRequest{Data: hex.EncodeToString(it.Digest), Path: it.Path, Note: fmt.Sprintf("input %d", it.Input)})
	}
	return out
}

func (p *psbtReview) Finish(sigs [][]byte) ([]output, error) {
	rs := make([][]byte, len(sigs))
	for i, s := range sigs {
		rs[i] = s[:64]
	}
	signed, tx, err := bitcoin.Finalize(p.raw, p.acct, p.rv.Items, rs)
	if err != nil {
		return nil, err
	}
	out := []output{{"signed.psbt", signed}}
	if tx != nil {
		out = append(out, output{"tx.hex", []byte(hex.EncodeToString(tx) + "\n")})
	}
	return out, nil
}

type ethReview struct {
	req *ethereum.Request
	rv  *ethereum.Review
}

func (e *ethReview) Print(w io.Writer) { e.rv.Print(w) }

func (e *ethReview) Requests() []ceremony.SignRequest {
	return []ceremony.SignRequest{{Data: hex.EncodeToString(e.rv.Digest), Path: e.rv.Path, Note: e.req.Kind}}
}

func (e *ethReview) Finish(sigs [][]byte) ([]output, error) {
	if len(sigs) != 1 {
		return nil, fmt.Errorf("an Ethereum request takes one signature, the ceremony made %d", len(sigs))
	}
	out, kind, err := ethereum.Finish(e.req, sigs[0])
	if err != nil {
		return nil, err
	}
	name := "signature.hex"
	if kind == "raw-transaction" {
		name = "tx.hex"
	}
	return []output{{name, []byte("0x" + hex.EncodeToString(out) + "\n")}}, nil
}
