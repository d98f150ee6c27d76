package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/btcsuite/btcd/btcjson"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/rpcclient"
	"github.com/btcsuite/btcd/wire"
	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/chains/bitcoin"
)

// Flags shared by the commands that talk to a Bitcoin node.
var (
	nodeFlag      = &cli.StringFlag{Name: "node", Usage: "node JSON-RPC `URL` (http://127.0.0.1:8332)", EnvVars: []string{"COLDTSS_NODE"}}
	rpcUserFlag   = &cli.StringFlag{Name: "rpc-user", Usage: "Bitcoin node RPC user", EnvVars: []string{"COLDTSS_RPC_USER"}}
	rpcPassFlag   = &cli.StringFlag{Name: "rpc-pass", Usage: "Bitcoin node RPC password (or set COLDTSS_RPC_PASS to keep it out of the process list)", EnvVars: []string{"COLDTSS_RPC_PASS"}}
	rpcCookieFlag = &cli.StringFlag{Name: "rpc-cookie", Usage: "bitcoind's RPC cookie `FILE` (e.g. ~/.bitcoin/.cookie) instead of --rpc-user/--rpc-pass"}
)

// btcNode is a Bitcoin node (btcd or bitcoind) reached over JSON-RPC.
type btcNode struct {
	url string
	c   *rpcclient.Client
}

// dialBitcoin makes an RPC client for --node (http or https).
func dialBitcoin(c *cli.Context) (*btcNode, error) {
	raw := c.String("node")
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, usageError{Err: fmt.Errorf("--node %q is not an http:// or https:// URL of a node's JSON-RPC server", c.String("node"))}
	}
	user, pass := c.String("rpc-user"), c.String("rpc-pass")
	if u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
	}
	// rpcclient retries a refused connection for about 20 s: fail fast instead.
	hostPort := u.Host
	if u.Port() == "" {
		hostPort = net.JoinHostPort(u.Hostname(), map[string]string{"http": "80", "https": "443"}[u.Scheme])
	}
	conn, err := net.DialTimeout("tcp", hostPort, 10*time.Second)
	if err != nil {
		return nil, fmt.Errorf("cannot reach the node at %s (%v): check --node and that the node is running", u.Redacted(), err)
	}
	conn.Close()
	cookie := c.String("rpc-cookie")
	if cookie == "" && user == "" && pass == "" {
		return nil, usageError{Err: fmt.Errorf("give the node's RPC login: --rpc-user and --rpc-pass, or --rpc-cookie FILE")}
	}
	cl, err := rpcclient.New(&rpcclient.ConnConfig{
		Host:         u.Host + u.Path,
		User:         user,
		Pass:         pass,
		CookiePath:   cookie,
		HTTPPostMode: true,
		DisableTLS:   u.Scheme == "http",
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("cannot set up the RPC client for %s: %v", u.Redacted(), err)
	}
	return &btcNode{url: u.Redacted(), c: cl}, nil
}

func (n *btcNode) Close() { n.c.Shutdown() }

// call runs a raw RPC and decodes its result into out (if not nil).
func (n *btcNode) call(out any, method string, params ...any) error {
	raw := make([]json.RawMessage, len(params))
	for i, p := range params {
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		raw[i] = b
	}
	res, err := n.c.RawRequest(method, raw)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(res, out); err != nil {
		return fmt.Errorf("the node's answer to %s is not what a Bitcoin node sends (%v): check --node points at bitcoind or btcd", method, err)
	}
	return nil
}

// nodeError is an RPC failure explained: its text says what to do, and it
// wraps the failure itself (the node's *btcjson.RPCError when it refused),
// whose code chains/bitcoin reads.
type nodeError struct {
	msg string
	err error
}

func (e *nodeError) Error() string { return e.msg }
func (e *nodeError) Unwrap() error { return e.err }

// explain turns an RPC failure into one line that says what to do. Errors
// the node sent are shown with its own message.
func (n *btcNode) explain(method string, err error) error {
	var re *btcjson.RPCError
	if errors.As(err, &re) {
		return &nodeError{fmt.Sprintf("the node refused %s: %s (code %d)", method, re.Message, re.Code), err}
	}
	s := err.Error()
	switch {
	case strings.Contains(s, "401"), strings.Contains(strings.ToLower(s), "unauthorized"):
		return &nodeError{fmt.Sprintf("the node at %s refused the RPC user or password: check --rpc-user and --rpc-pass", n.url), err}
	case strings.Contains(s, "connection refused"), strings.Contains(s, "no such host"), strings.Contains(s, "timeout"), strings.Contains(s, "i/o timeout"):
		return &nodeError{fmt.Sprintf("cannot reach the node at %s (%s): check --node and that the node is running", n.url, s), err}
	}
	return &nodeError{fmt.Sprintf("%s at %s failed: %s", method, n.url, s), err}
}

// btcNode is a bitcoin.Node: each call is explained with the node's URL.
var _ bitcoin.Node = (*btcNode)(nil)

// Chain is the chain getblockchaininfo names.
func (n *btcNode) Chain() (string, error) {
	var info struct {
		Chain string `json:"chain"`
	}
	if err := n.call(&info, "getblockchaininfo"); err != nil {
		return "", n.explain("getblockchaininfo", err)
	}
	return info.Chain, nil
}

// ScanTxOutSet is bitcoind's scantxoutset start.
func (n *btcNode) ScanTxOutSet(scans []bitcoin.ScanRange) (*bitcoin.ScanResult, error) {
	var res bitcoin.ScanResult
	if err := n.call(&res, "scantxoutset", "start", scans); err != nil {
		return nil, n.explain("scantxoutset", err)
	}
	return &res, nil
}

// SearchRawTransactions is btcd's searchrawtransactions, oldest first.
func (n *btcNode) SearchRawTransactions(addr btcutil.Address, skip, count int) ([]*wire.MsgTx, error) {
	txs, err := n.c.SearchRawTransactions(addr, skip, count, false, nil)
	if err != nil {
		return nil, n.explain("searchrawtransactions", err)
	}
	return txs, nil
}

// GetTxOut is gettxout.
func (n *btcNode) GetTxOut(txid *chainhash.Hash, vout uint32, mempool bool) (*btcjson.GetTxOutResult, error) {
	res, err := n.c.GetTxOut(txid, vout, mempool)
	if err != nil {
		return nil, n.explain("gettxout", err)
	}
	return res, nil
}

// GetBlockHash is getblockhash.
func (n *btcNode) GetBlockHash(height int64) (string, error) {
	var hash string
	if err := n.call(&hash, "getblockhash", height); err != nil {
		return "", n.explain("getblockhash", err)
	}
	return hash, nil
}

// GetRawTransaction is getrawtransaction txid false blockHash.
func (n *btcNode) GetRawTransaction(txid *chainhash.Hash, blockHash string) (string, error) {
	var txHex string
	if err := n.call(&txHex, "getrawtransaction", txid.String(), false, blockHash); err != nil {
		return "", n.explain("getrawtransaction", err)
	}
	return txHex, nil
}

// btcNode is a bitcoin.BroadcastNode too.
var _ bitcoin.BroadcastNode = (*btcNode)(nil)

// SendRawTransaction is sendrawtransaction.
func (n *btcNode) SendRawTransaction(txHex string) error {
	var txid string
	if err := n.call(&txid, "sendrawtransaction", txHex); err != nil {
		return n.explain("sendrawtransaction", err)
	}
	return nil
}

// GetRawTransactionConfirmations is getrawtransaction txid 1's
// confirmations.
func (n *btcNode) GetRawTransactionConfirmations(txid *chainhash.Hash) (int64, error) {
	var v struct {
		Confirmations int64 `json:"confirmations"`
	}
	if err := n.call(&v, "getrawtransaction", txid.String(), 1); err != nil {
		return 0, n.explain("getrawtransaction", err)
	}
	return v.Confirmations, nil
}

// GetBlockCount is getblockcount.
func (n *btcNode) GetBlockCount() (int64, error) {
	var tip int64
	if err := n.call(&tip, "getblockcount"); err != nil {
		return 0, n.explain("getblockcount", err)
	}
	return tip, nil
}
