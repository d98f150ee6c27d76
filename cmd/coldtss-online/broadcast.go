package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"
	"time"

	"github.com/btcsuite/btcd/btcjson"
	geth "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/urfave/cli/v2"

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
// progress, or fails after --timeout.
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
	var buf bytes.Buffer
	if err := tx.btc.Serialize(&buf); err != nil {
		return nil, fmt.Errorf("cannot serialise the transaction: %v", err)
	}
	txid := tx.btc.TxHash()
	res := &broadcastResult{Chain: "bitcoin", TxID: txid.String()}
	var sent string
	if err := node.call(&sent, "sendrawtransaction", hex.EncodeToString(buf.Bytes())); err != nil {
		var re *btcjson.RPCError
		if errors.As(err, &re) {
			return nil, fmt.Errorf("the node refused the transaction: %s; %s", re.Message, hintFor(btcHints, re.Message))
		}
		return nil, node.explain("sendrawtransaction", err)
	}
	want := int64(c.Int("confirmations"))
	if want == 0 {
		return res, nil
	}
	fmt.Fprintf(os.Stderr, "Sent bitcoin transaction %s\n", txid)
	err = waitLoop(c, res.TxID, func() (int64, bool, error) {
		conf, err := node.confirmations(tx)
		if err != nil || conf < want {
			return conf, false, err
		}
		var tip int64
		if err := node.call(&tip, "getblockcount"); err != nil {
			return conf, false, node.explain("getblockcount", err)
		}
		res.Confirmations, res.BlockHeight = conf, tip-conf+1
		if res.BlockHash, err = node.GetBlockHash(res.BlockHeight); err != nil {
			return conf, false, err
		}
		return conf, true, nil
	})
	return res, err
}

// confirmations of a sent transaction: from gettxout on any unspent output
// (works without -txindex), else from getrawtransaction.
func (n *btcNode) confirmations(tx *signedTx) (int64, error) {
	h := tx.btc.TxHash()
	for i := range tx.btc.TxOut {
		out, err := n.GetTxOut(&h, uint32(i), true)
		if err != nil {
			return 0, err
		}
		if out != nil {
			return out.Confirmations, nil
		}
	}
	var v struct {
		Confirmations int64 `json:"confirmations"`
	}
	if err := n.call(&v, "getrawtransaction", h.String(), 1); err != nil {
		return 0, nil // every output spent and no transaction index: cannot tell yet
	}
	return v.Confirmations, nil
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
	chainID, err := ec.ChainID(ctx)
	if err != nil {
		return nil, ethExplain(node, "eth_chainId", err)
	}
	txChain := tx.eth.ChainId()
	if txChain != nil && txChain.Sign() != 0 && txChain.Cmp(chainID) != 0 {
		return nil, fmt.Errorf("the transaction is signed for chain %s but the node is on chain %s: use a node of chain %s", txChain, chainID, txChain)
	}
	signer := types.LatestSignerForChainID(chainID)
	from, err := types.Sender(signer, tx.eth)
	if err != nil {
		return nil, fmt.Errorf("the transaction's signature is invalid (%v): do not retry it, sign again", err)
	}
	res := &broadcastResult{Chain: "ethereum", TxID: tx.eth.Hash().Hex(), From: from.Hex()}
	if err := ec.SendTransaction(ctx, tx.eth); err != nil {
		var re rpc.Error
		if errors.As(err, &re) {
			return nil, fmt.Errorf("the node refused the transaction: %s; %s", re.Error(), hintFor(ethHints, re.Error()))
		}
		return nil, ethExplain(node, "eth_sendRawTransaction", err)
	}
	want := int64(c.Int("confirmations"))
	if want == 0 {
		return res, nil
	}
	fmt.Fprintf(os.Stderr, "Sent ethereum transaction %s from %s\n", res.TxID, res.From)
	var receipt *types.Receipt
	err = waitLoop(c, res.TxID, func() (int64, bool, error) {
		ctx, cancel := context.WithTimeout(c.Context, 30*time.Second)
		defer cancel()
		r, err := ec.TransactionReceipt(ctx, tx.eth.Hash())
		if errors.Is(err, geth.NotFound) {
			return 0, false, nil
		}
		if err != nil {
			return 0, false, ethExplain(node, "eth_getTransactionReceipt", err)
		}
		head, err := ec.BlockNumber(ctx)
		if err != nil {
			return 0, false, ethExplain(node, "eth_blockNumber", err)
		}
		conf := int64(head) - r.BlockNumber.Int64() + 1
		receipt, res.Confirmations = r, conf
		return conf, conf >= want, nil
	})
	if err != nil {
		return nil, err
	}
	res.BlockHeight = receipt.BlockNumber.Int64()
	res.BlockHash = receipt.BlockHash.Hex()
	res.Status, res.GasUsed = &receipt.Status, receipt.GasUsed
	if receipt.Status != types.ReceiptStatusSuccessful {
		fee := new(big.Int).Mul(receipt.EffectiveGasPrice, new(big.Int).SetUint64(receipt.GasUsed))
		return nil, fmt.Errorf("transaction %s was mined in block %d but FAILED (status 0, gas used %d of %d): nothing was transferred, the fee of %s was paid; check the call data and gas limit before trying again", res.TxID, res.BlockHeight, receipt.GasUsed, tx.eth.Gas(), ethereum.FormatETH(fee))
	}
	return res, nil
}
