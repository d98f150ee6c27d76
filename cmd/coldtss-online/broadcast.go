package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/chains/bitcoin"
	"github.com/coldtss/coldtss/chains/ethereum"
	"github.com/coldtss/coldtss/internal/cliutil"
)

func broadcastCommand() *cli.Command {
	return &cli.Command{
		Name:      "broadcast",
		Usage:     "send a signed transaction to a node and wait until it is confirmed",
		ArgsUsage: "FILE",
		Description: `FILE holds a signed transaction in hex (the tx.hex coldtss writes) or a
finalized PSBT. The chain is recognised from the file unless --chain is given.`,
		Flags: []cli.Flag{
			nodeFlag, rpcUserFlag, rpcPassFlag, rpcCookieFlag,
			&cli.StringFlag{Name: "chain", Usage: "bitcoin or ethereum (default: recognised from FILE)"},
			&cli.IntFlag{Name: "confirmations", Value: 1, Usage: "wait for this many confirmations (0: do not wait)"},
			&cli.DurationFlag{Name: "timeout", Value: 10 * time.Minute, Usage: "give up waiting after this long"},
			jsonFlag,
		},
		Action: broadcast,
	}
}

// broadcastResult is the --json output of broadcast.
type broadcastResult struct {
	Chain         string  `json:"chain"`
	TxID          string  `json:"txid"`
	Confirmations int64   `json:"confirmations"`
	BlockHeight   int64   `json:"block_height,omitempty"`
	BlockHash     string  `json:"block_hash,omitempty"`
	Status        *uint64 `json:"status,omitempty"`
	GasUsed       uint64  `json:"gas_used,omitempty"`
	From          string  `json:"from,omitempty"`
}

func broadcast(c *cli.Context) error {
	if c.NArg() != 1 {
		return usageError{Err: fmt.Errorf("give exactly one FILE with the signed transaction (tx.hex)")}
	}
	if err := need(c, "node"); err != nil {
		return err
	}
	chain := strings.ToLower(c.String("chain"))
	switch chain {
	case "", "bitcoin", "ethereum":
	case "btc":
		chain = "bitcoin"
	case "eth":
		chain = "ethereum"
	default:
		return usageError{Err: fmt.Errorf("--chain %q: use bitcoin or ethereum", c.String("chain"))}
	}
	if c.Int("confirmations") < 0 {
		return usageError{Err: fmt.Errorf("--confirmations must be 0 or more")}
	}
	name := c.Args().First()
	raw, err := os.ReadFile(name)
	if err != nil {
		return fmt.Errorf("cannot read %s: %v", name, err)
	}
	tx, err := readSigned(name, raw, chain)
	if err != nil {
		return err
	}
	var res *broadcastResult
	if tx.btc != nil {
		res, err = broadcastBitcoin(c, tx)
	} else {
		res, err = broadcastEthereum(c, tx)
	}
	if err != nil {
		return err
	}
	if c.Bool("json") {
		return cliutil.PrintJSON(res)
	}
	if res.Confirmations == 0 {
		fmt.Printf("Sent %s transaction %s (not waiting for confirmation).\n", res.Chain, res.TxID)
		return nil
	}
	fmt.Printf("Confirmed: %s transaction %s\n", res.Chain, res.TxID)
	fmt.Printf("  in block %d (%s), %d confirmation(s)\n", res.BlockHeight, res.BlockHash, res.Confirmations)
	if res.Status != nil {
		fmt.Printf("  status %d (success), gas used %d, from %s\n", *res.Status, res.GasUsed, res.From)
	}
	return nil
}

// waitLoop polls check every half second until it reports done, showing
// progress, or fails after --timeout. It is the one loop for both chains:
// how long to wait and what the operator sees meanwhile are the command's;
// what a poll asks the node is the chain package's (bitcoin.Confirmations,
// ethereum.Confirmations).
func waitLoop(c *cli.Context, txid string, check func() (conf int64, done bool, err error)) error {
	want := int64(c.Int("confirmations"))
	start := time.Now()
	p := cliutil.NewStatusLine()
	defer p.Done()
	shown := int64(-1)
	for {
		conf, done, err := check()
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		line := fmt.Sprintf("waiting for confirmation: %d of %d (%d s)", conf, want, int(time.Since(start).Seconds()))
		if conf != shown {
			p.Set(line) // a new count is always worth a line
			shown = conf
		} else {
			p.Tick(line)
		}
		if time.Since(start) > c.Duration("timeout") {
			return fmt.Errorf("transaction %s was sent but has %d of %d confirmations after %s: it may still confirm; run the same broadcast command again later to check (it is safe), or raise the fee", txid, conf, want, c.Duration("timeout"))
		}
		select {
		case <-c.Context.Done():
			return fmt.Errorf("stopped waiting; transaction %s was sent", txid)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func broadcastBitcoin(c *cli.Context, tx *signedTx) (*broadcastResult, error) {
	node, err := dialBitcoin(c)
	if err != nil {
		return nil, err
	}
	defer node.Close()
	res := &broadcastResult{Chain: "bitcoin", TxID: tx.btc.TxHash().String()}
	if err := bitcoin.Broadcast(node, tx.btc); err != nil {
		return nil, err
	}
	want := int64(c.Int("confirmations"))
	if want == 0 {
		return res, nil
	}
	fmt.Fprintf(os.Stderr, "Sent bitcoin transaction %s\n", res.TxID)
	err = waitLoop(c, res.TxID, func() (int64, bool, error) {
		cf, err := bitcoin.Confirmations(node, tx.btc, want)
		if err != nil {
			return 0, false, err
		}
		res.Confirmations, res.BlockHeight, res.BlockHash = cf.Confirmations, cf.BlockHeight, cf.BlockHash
		return cf.Confirmations, cf.Done, nil
	})
	return res, err
}

func broadcastEthereum(c *cli.Context, tx *signedTx) (*broadcastResult, error) {
	node := c.String("node")
	ctx, cancel := context.WithTimeout(c.Context, time.Minute)
	defer cancel()
	ec, err := ethclient.DialContext(ctx, node)
	if err != nil {
		return nil, fmt.Errorf("--node %q: %v: give the node's http:// or ws:// JSON-RPC URL", node, err)
	}
	defer ec.Close()
	from, err := ethereum.Broadcast(ctx, ec, tx.eth)
	if err != nil {
		return nil, ethNodeError(node, err)
	}
	res := &broadcastResult{Chain: "ethereum", TxID: tx.eth.Hash().Hex(), From: from.Hex()}
	want := int64(c.Int("confirmations"))
	if want == 0 {
		return res, nil
	}
	fmt.Fprintf(os.Stderr, "Sent ethereum transaction %s from %s\n", res.TxID, res.From)
	err = waitLoop(c, res.TxID, func() (int64, bool, error) {
		ctx, cancel := context.WithTimeout(c.Context, 30*time.Second)
		defer cancel()
		cf, err := ethereum.Confirmations(ctx, ec, tx.eth, want)
		if err != nil {
			return 0, false, ethNodeError(node, err)
		}
		res.Confirmations, res.BlockHeight, res.BlockHash = cf.Confirmations, cf.BlockNumber, cf.BlockHash.Hex()
		res.Status, res.GasUsed = &cf.Status, cf.GasUsed
		return cf.Confirmations, cf.Done, nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
