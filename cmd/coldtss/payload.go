package main

import (
	"fmt"
	"math/big"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/keys"
	"github.com/coldtss/coldtss/ceremony/transport"
	"github.com/coldtss/coldtss/chains/amount"
	"github.com/coldtss/coldtss/chains/bitcoin"
	"github.com/coldtss/coldtss/chains/ethereum"
	"github.com/coldtss/coldtss/chains/payload"
)

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
		if _, err := bitcoin.NetworkParams(c.String("network")); c.String("network") != "" && err != nil {
			return nil, usageError{Err: fmt.Errorf("--network: %v", err)}
		}
		raw, err := readInput(psbtFile)
		if err != nil {
			return nil, err
		}
		p, err := payload.FromPSBT(raw, c.String("network"))
		if err != nil {
			return nil, fmt.Errorf("%s: %v", psbtFile, err)
		}
		return p, nil
	case ethFile != "":
		raw, err := readInput(ethFile)
		if err != nil {
			return nil, err
		}
		p, err := payload.FromEthRequest(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", ethFile, err)
		}
		return p, nil
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

// policy reads this station's review rules from its flags.
func policy(c *cli.Context) (payload.Policy, error) {
	pol := payload.Policy{Network: c.String("network"), MaxFeeRate: c.Float64("max-fee-rate"), AllowSighash: c.Bool("allow-sighash"),
		AllowUnknownCall: c.Bool("allow-unknown-call"), AllowContractCreation: c.Bool("allow-contract-creation")}
	if s := c.String("max-fee"); s != "" {
		sat, err := amount.Parse(s, "--max-fee", "BTC", 8)
		if err != nil {
			return pol, usageError{Err: err}
		}
		if !sat.IsInt64() || sat.Int64() > btcutil.MaxSatoshi {
			return pol, usageError{Err: fmt.Errorf("--max-fee %s BTC is more than the 21 million BTC that can exist", s)}
		}
		pol.MaxFee = sat.Int64()
	}
	if s := c.String("chain-id"); s != "" {
		id, ok := new(big.Int).SetString(s, 10)
		if !ok || id.Sign() <= 0 {
			return pol, usageError{Err: fmt.Errorf("--chain-id %q is not a positive decimal number", s)}
		}
		pol.ChainID = id
	}
	if s := c.String("max-cost"); s != "" {
		wei, err := ethereum.ParseEther(s, "--max-cost")
		if err != nil {
			return pol, usageError{Err: err}
		}
		pol.MaxCostWei = wei
	}
	return pol, nil
}

// reviewPayload reviews a payload for a key with this station's policy.
func reviewPayload(c *cli.Context, info keys.Record, p *ceremony.Payload) (payload.Reviewed, error) {
	pub, cc, err := info.Secp256k1("Bitcoin and Ethereum need")
	if err != nil {
		return nil, err
	}
	pol, err := policy(c)
	if err != nil {
		return nil, err
	}
	return payload.Review(p, pub, cc, pol)
}
