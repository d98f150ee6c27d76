package main

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/chains/ethereum"
	"github.com/coldtss/coldtss/internal/atomicfile"
	"github.com/coldtss/coldtss/internal/bip32"
	"github.com/coldtss/coldtss/internal/cliutil"
)

func ethCommand() *cli.Command {
	return &cli.Command{
		Name:  "eth",
		Usage: "Ethereum: prepare a transaction or message request for the stations to sign",
		Subcommands: []*cli.Command{ethMessageCommand(), {
			Name:      "prepare",
			Usage:     "read chain id, nonce, fees and gas from a node and write a signing request",
			ArgsUsage: " ",
			Description: `Makes an EIP-1559 transaction (or, with --legacy, an EIP-155 one) from the
key's address at --path, with the nonce, fees and gas the node suggests, and
writes it as a coldtss Ethereum request for the stations
(coldtss plan sign --eth-request FILE).`,
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "node", Usage: "Ethereum node JSON-RPC `URL` (http://127.0.0.1:8545)", EnvVars: []string{"COLDTSS_ETH_NODE"}},
				&cli.StringFlag{Name: "from", Usage: "the key's `ADDRESS` at --path (as `coldtss address --chain ethereum` shows it)"},
				&cli.StringFlag{Name: "path", Usage: "derivation `PATH` of the sending key below the master, e.g. m/0/0"},
				&cli.StringFlag{Name: "to", Usage: "recipient `ADDRESS` (0x..., checksummed or all one case)"},
				&cli.StringFlag{Name: "value", Value: "0", Usage: "amount in `ETH` (exact decimal, e.g. 1.25)"},
				&cli.StringFlag{Name: "data", Usage: "call data as 0x-hex"},
				&cli.BoolFlag{Name: "legacy", Usage: "make a legacy EIP-155 transaction with a gas price instead of EIP-1559 fees"},
				&cli.Uint64Flag{Name: "gas", Usage: "gas limit (default: the node's eth_estimateGas)"},
				&cli.Uint64Flag{Name: "nonce", Usage: "nonce (default: the node's pending nonce for --from)"},
				&cli.StringFlag{Name: "chain-id", Usage: "the chain id you expect; refused if the node is on another chain"},
				&cli.StringFlag{Name: "out", Usage: "write the request (JSON) to `FILE`; never overwrites"},
				jsonFlag,
			},
			Action: ethPrepare,
		}},
	}
}

// ethPrepareResult is the --json output of eth prepare.
type ethPrepareResult struct {
	File        string `json:"file"`
	ChainID     string `json:"chain_id"`
	Chain       string `json:"chain"`
	Type        string `json:"type"`
	From        string `json:"from"`
	Path        string `json:"path"`
	To          string `json:"to"`
	ValueWei    string `json:"value_wei"`
	Nonce       uint64 `json:"nonce"`
	Gas         uint64 `json:"gas"`
	GasPrice    string `json:"gas_price_wei,omitempty"`
	MaxFee      string `json:"max_fee_per_gas_wei,omitempty"`
	MaxPriority string `json:"max_priority_fee_per_gas_wei,omitempty"`
	MaxCostWei  string `json:"max_cost_wei"`
}

func ethPrepare(c *cli.Context) error {
	if c.Args().Present() {
		return usageError{Err: fmt.Errorf("unexpected argument %q: eth prepare takes only flags", c.Args().First())}
	}
	if err := need(c, "node", "from", "path", "to", "out"); err != nil {
		return err
	}
	from, err := fromAndPath(c)
	if err != nil {
		return err
	}
	to, err := ethereum.ParseAddress("--to", c.String("to"))
	if err != nil {
		return ethUsage(err)
	}
	value, err := ethereum.ParseEther(c.String("value"), "value")
	if err != nil {
		return fmt.Errorf("--value: %v", err)
	}
	data, err := ethereum.ParseCallData("--data", c.String("data"))
	if err != nil {
		return ethUsage(err)
	}
	var wantChain *big.Int
	if s := c.String("chain-id"); s != "" {
		if wantChain, err = ethereum.ParseChainID("--chain-id", s); err != nil {
			return ethUsage(err)
		}
	}
	out := c.String("out")
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s already exists: choose another --out or move the old file away (it is never overwritten)", out)
	}

	opts := ethereum.TxOptions{From: from, Path: c.String("path"), To: to, Value: value, Data: data, ChainID: wantChain, Legacy: c.Bool("legacy")}
	if c.IsSet("nonce") {
		n := c.Uint64("nonce")
		opts.Nonce = &n
	}
	if c.IsSet("gas") {
		g := c.Uint64("gas")
		opts.Gas = &g
	}

	ctx, cancel := context.WithTimeout(c.Context, 2*time.Minute)
	defer cancel()
	node := c.String("node")
	ec, err := ethclient.DialContext(ctx, node)
	if err != nil {
		return fmt.Errorf("--node %q: %v: give the node's http:// or ws:// JSON-RPC URL", node, err)
	}
	defer ec.Close()
	p, err := ethereum.PrepareTx(ctx, ec, opts)
	if err != nil {
		return ethNodeError(node, err)
	}
	if err := atomicfile.WriteNew(out, p.Request.Marshal(), 0o644); err != nil {
		return err
	}
	if c.Bool("json") {
		return cliutil.PrintJSON(ethPrepareResult{File: out, ChainID: p.ChainID.String(), Chain: p.Chain, Type: p.Type,
			From: from.Hex(), Path: opts.Path, To: to.Hex(), ValueWei: value.String(), Nonce: p.Nonce, Gas: p.Gas,
			GasPrice: weiString(p.GasPrice), MaxFee: weiString(p.MaxFee), MaxPriority: weiString(p.MaxPriorityFee), MaxCostWei: p.MaxCost.String()})
	}
	fmt.Printf("Ethereum %s transaction on chain %s (%s)\n", p.Type, p.ChainID, p.Chain)
	fmt.Printf("  from   %s (%s), nonce %d, balance %s\n", from.Hex(), opts.Path, p.Nonce, ethereum.FormatETH(p.Balance))
	fmt.Printf("  to     %s\n", to.Hex())
	fmt.Printf("  value  %s\n", ethereum.FormatETH(value))
	if len(data) > 0 {
		fmt.Printf("  data   %d bytes\n", len(data))
	}
	if opts.Legacy {
		fmt.Printf("  gas    %d at %s\n", p.Gas, formatGwei(p.GasPrice))
	} else {
		fmt.Printf("  gas    %d, max fee %s, priority fee %s per gas\n", p.Gas, formatGwei(p.MaxFee), formatGwei(p.MaxPriorityFee))
	}
	fmt.Printf("  at most %s in total\n", ethereum.FormatETH(p.MaxCost))
	fmt.Printf("Wrote %s: give it to the stations (coldtss plan sign --eth-request %s).\n", out, out)
	return nil
}

// weiString is a wei amount in decimal, or "" for none.
func weiString(wei *big.Int) string {
	if wei == nil {
		return ""
	}
	return wei.String()
}

// ethNodeError explains a chains/ethereum error that is a failed node
// call (*ethereum.NodeError); other errors say what to do already.
func ethNodeError(node string, err error) error {
	var ne *ethereum.NodeError
	if errors.As(err, &ne) {
		return ethExplain(node, ne.Method, ne.Err)
	}
	return err
}

// ethExplain turns a failed call into one line that says what to do.
func ethExplain(node, method string, err error) error {
	var re rpc.Error
	if errors.As(err, &re) {
		return fmt.Errorf("the node refused %s: %s", method, re.Error())
	}
	var he rpc.HTTPError
	if errors.As(err, &he) {
		return fmt.Errorf("the node at %s answered %s with HTTP %d: check --node (and that the %s API is enabled)", node, method, he.StatusCode, strings.SplitN(method, "_", 2)[0])
	}
	return fmt.Errorf("cannot reach the Ethereum node at %s (%v): check --node and that the node is running", node, err)
}

func ethMessageCommand() *cli.Command {
	return &cli.Command{
		Name:      "message",
		Usage:     "write a request to sign a message: personal_sign (EIP-191) text or EIP-712 typed data",
		ArgsUsage: " ",
		Description: `Needs no node. The stations show the message (or the typed data's domain and
fields) and sign it with the key at --path; the result is a 65-byte signature
(r || s || v, v = 27 or 28), as personal_sign and eth_signTypedData_v4 return it.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "from", Usage: "the key's `ADDRESS` at --path (as `coldtss address --chain ethereum` shows it)"},
			&cli.StringFlag{Name: "path", Usage: "derivation `PATH` of the signing key below the master, e.g. m/0/0"},
			&cli.StringFlag{Name: "chain-id", Usage: "the chain the message is meant for (shown to the stations; typed data must name the same chain)"},
			&cli.StringFlag{Name: "text", Usage: "personal_sign: the message text"},
			&cli.StringFlag{Name: "file", Usage: "personal_sign: the message, read as bytes from `FILE`"},
			&cli.StringFlag{Name: "typed-data", Usage: "EIP-712: the typed data JSON (as given to eth_signTypedData_v4) in `FILE`"},
			&cli.StringFlag{Name: "out", Usage: "write the request (JSON) to `FILE`; never overwrites"},
		},
		Action: ethMessage,
	}
}

// ethUsage makes an input chains/ethereum could not read at all
// (ethereum.ErrSyntax) a usage error.
func ethUsage(err error) error {
	if errors.Is(err, ethereum.ErrSyntax) {
		return usageError{Err: err}
	}
	return err
}

// fromAndPath reads --from and checks --path: the signing address and
// where it sits below the threshold key.
func fromAndPath(c *cli.Context) (common.Address, error) {
	from, err := ethereum.ParseAddress("--from", c.String("from"))
	if err != nil {
		return from, ethUsage(err)
	}
	if _, err := bip32.ParsePath(c.String("path")); err != nil {
		return from, usageError{Err: fmt.Errorf("--path: %v", err)}
	}
	return from, nil
}

func ethMessage(c *cli.Context) error {
	if c.Args().Present() {
		return usageError{Err: fmt.Errorf("unexpected argument %q: eth message takes only flags", c.Args().First())}
	}
	if err := need(c, "from", "path", "chain-id", "out"); err != nil {
		return err
	}
	from, err := fromAndPath(c)
	if err != nil {
		return err
	}
	chainID, err := ethereum.ParseChainID("--chain-id", c.String("chain-id"))
	if err != nil {
		return ethUsage(err)
	}
	opts := ethereum.MessageOptions{From: from, Path: c.String("path"), ChainID: chainID}
	switch given := btoi(c.IsSet("text")) + btoi(c.IsSet("file")) + btoi(c.IsSet("typed-data")); {
	case given != 1:
		return usageError{Err: fmt.Errorf("give exactly one of --text, --file or --typed-data")}
	case c.IsSet("typed-data"):
		opts.Kind, opts.Name = ethereum.KindTypedData, c.String("typed-data")
		if opts.Message, err = os.ReadFile(opts.Name); err != nil {
			return fmt.Errorf("cannot read --typed-data: %v", err)
		}
	default:
		opts.Kind, opts.Message = ethereum.KindPersonal, []byte(c.String("text"))
		if f := c.String("file"); f != "" {
			if opts.Message, err = os.ReadFile(f); err != nil {
				return fmt.Errorf("cannot read --file: %v", err)
			}
		}
		if len(opts.Message) == 0 {
			return usageError{Err: fmt.Errorf("the message is empty: there is nothing to sign")}
		}
	}
	req, err := ethereum.PrepareMessage(opts)
	if err != nil {
		return err
	}
	out := c.String("out")
	if err := atomicfile.WriteNew(out, req.Marshal(), 0o644); err != nil {
		return err
	}
	fmt.Printf("Wrote %s (%s for %s at %s, chain %s): give it to the stations (coldtss plan sign --eth-request %s).\n", out, req.Kind, from.Hex(), c.String("path"), chainID, out)
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
