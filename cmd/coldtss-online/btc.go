package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/chains/bitcoin"
	"github.com/coldtss/coldtss/internal/atomicfile"
	"github.com/coldtss/coldtss/internal/cliutil"
)

func btcCommand() *cli.Command {
	return &cli.Command{
		Name:  "btc",
		Usage: "Bitcoin: prepare a PSBT for the stations to sign",
		Subcommands: []*cli.Command{{
			Name:      "prepare",
			Usage:     "find the descriptor's coins on a node and write an unsigned PSBT",
			ArgsUsage: " ",
			Description: `Scans the receive (/0/*) and change (/1/*) addresses of the key's descriptor
on the node, picks coins, adds change to the next unused change address and
writes a PSBT for the stations (coldtss plan sign --psbt FILE).
Finding coins needs btcd started with --addrindex (and --txindex), or bitcoind
(scantxoutset).`,
			Flags: []cli.Flag{
				nodeFlag, rpcUserFlag, rpcPassFlag, rpcCookieFlag,
				&cli.StringFlag{Name: "descriptor", Usage: "the key's output `DESCRIPTOR` (as coldtss prints it), receive or change branch"},
				&cli.StringFlag{Name: "network", Usage: "mainnet, testnet, signet or regtest (default: from the descriptor's xpub/tpub)"},
				&cli.StringSliceFlag{Name: "to", Usage: "pay `ADDRESS=AMOUNT_BTC` (repeat for several payments)"},
				&cli.Float64Flag{Name: "fee-rate", Usage: "fee rate in sat/vB"},
				&cli.IntFlag{Name: "gap", Value: 20, Usage: "scan this many unused addresses past the last used one"},
				&cli.IntFlag{Name: "min-conf", Value: 1, Usage: "spend only coins with at least this many confirmations"},
				&cli.BoolFlag{Name: "spend-all", Usage: "spend every coin found (consolidate), not just enough for the payments"},
				&cli.StringFlag{Name: "out", Usage: "write the PSBT (binary) to `FILE`; never overwrites"},
				jsonFlag,
			},
			Action: btcPrepare,
		}},
	}
}

// btcPrepareResult is the --json output of btc prepare.
type btcPrepareResult struct {
	File        string          `json:"file"`
	Network     string          `json:"network"`
	TxID        string          `json:"unsigned_txid"`
	Inputs      []btcJSONInput  `json:"inputs"`
	Outputs     []btcJSONOutput `json:"outputs"`
	FeeSat      int64           `json:"fee_sat"`
	VSize       int64           `json:"vsize"`
	FeeRate     float64         `json:"fee_rate"`
	ChangeIndex uint32          `json:"change_index"`
	Backend     string          `json:"coins_from"`
}

type btcJSONInput struct {
	Outpoint string `json:"outpoint"`
	Address  string `json:"address"`
	Path     string `json:"path"`
	Sat      int64  `json:"amount_sat"`
}

type btcJSONOutput struct {
	Address string `json:"address"`
	Sat     int64  `json:"amount_sat"`
	Change  bool   `json:"change"`
	Path    string `json:"path,omitempty"`
}

func btcPrepare(c *cli.Context) error {
	if c.Args().Present() {
		return usageError{Err: fmt.Errorf("unexpected argument %q: btc prepare takes only flags", c.Args().First())}
	}
	if err := need(c, "node", "descriptor", "out"); err != nil {
		return err
	}
	if len(c.StringSlice("to")) == 0 {
		return usageError{Err: fmt.Errorf("--to ADDRESS=AMOUNT_BTC is required (repeat it for several payments)")}
	}
	if !c.IsSet("fee-rate") {
		return usageError{Err: fmt.Errorf("--fee-rate is required (sat/vB; ask the node with estimatesmartfee or look at a mempool explorer)")}
	}
	if c.Int("gap") < 1 || c.Int("gap") > bitcoin.MaxGap {
		return usageError{Err: fmt.Errorf("--gap %d must be between 1 and %d", c.Int("gap"), bitcoin.MaxGap)}
	}
	var acct bitcoin.Account
	var err error
	if name := c.String("network"); name != "" {
		net, err := bitcoin.NetworkParams(name)
		if err != nil {
			return usageError{Err: fmt.Errorf("--network: %v", err)}
		}
		acct, _, err = bitcoin.ParseDescriptorNet(c.String("descriptor"), net)
		if err != nil {
			return fmt.Errorf("--descriptor: %v", err)
		}
	} else if acct, _, err = bitcoin.ParseDescriptor(c.String("descriptor")); err != nil {
		return fmt.Errorf("--descriptor: %v", err)
	}
	pays, err := bitcoin.ParsePayments(c.StringSlice("to"), acct.Net)
	if errors.Is(err, bitcoin.ErrPaymentSyntax) {
		return usageError{Err: err}
	} else if err != nil {
		return err
	}
	out := c.String("out")
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s already exists: choose another --out or move the old file away (it is never overwritten)", out)
	}
	opts := bitcoin.PSBTOptions{Account: acct, Payments: pays, FeeRate: c.Float64("fee-rate"), SpendAll: c.Bool("spend-all"),
		Coins: bitcoin.CoinOptions{Gap: uint32(c.Int("gap")), MinConf: int64(c.Int("min-conf"))}}

	node, err := dialBitcoin(c)
	if err != nil {
		return err
	}
	defer node.Close()
	p, err := bitcoin.PreparePSBT(node, opts)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteNew(out, p.PSBT, 0o644); err != nil {
		return err
	}
	rev, found := p.Review, p.Coins
	if c.Bool("json") {
		res := btcPrepareResult{File: out, Network: bitcoin.NetworkName(acct.Net), TxID: rev.TxID, FeeSat: rev.Fee, VSize: rev.VSize,
			FeeRate: rev.FeeRate, ChangeIndex: found.NextChange, Backend: found.Backend}
		for _, in := range rev.Inputs {
			res.Inputs = append(res.Inputs, btcJSONInput{in.Outpoint, in.Address, in.Path, in.Amount})
		}
		for _, o := range rev.Outputs {
			res.Outputs = append(res.Outputs, btcJSONOutput{o.Address, o.Amount, o.Change, o.Path})
		}
		return cliutil.PrintJSON(res)
	}
	fmt.Printf("Found %d spendable coin(s), %s, on %d address(es) (%s).\n", len(found.UTXOs), formatBTC(found.Total()), found.Addresses, found.Backend)
	if found.Unconfirmed > 0 {
		fmt.Printf("Left out %d coin(s) with fewer than %d confirmation(s).\n", found.Unconfirmed, c.Int("min-conf"))
	}
	rev.Print(os.Stdout)
	if p.AboveDefaultFeeRate() {
		fmt.Printf("Note: stations refuse more than %d sat/vB unless their policy allows it.\n", bitcoin.DefaultMaxFeeRate)
	}
	fmt.Printf("Wrote %s: give it to the stations (coldtss plan sign --psbt %s).\n", out, out)
	return nil
}
