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
	"github.com/btcsuite/btcd/rpcclient"
	"github.com/urfave/cli/v2"
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

// rpcCode returns the node's error code, or 0 when err is not a node error.
func rpcCode(err error) btcjson.RPCErrorCode {
	var re *btcjson.RPCError
	if errors.As(err, &re) {
		return re.Code
	}
	return 0
}

// explain turns an RPC failure into one line that says what to do. Errors
// the node sent are shown with its own message.
func (n *btcNode) explain(method string, err error) error {
	var re *btcjson.RPCError
	if errors.As(err, &re) {
		return fmt.Errorf("the node refused %s: %s (code %d)", method, re.Message, re.Code)
	}
	s := err.Error()
	switch {
	case strings.Contains(s, "401"), strings.Contains(strings.ToLower(s), "unauthorized"):
		return fmt.Errorf("the node at %s refused the RPC user or password: check --rpc-user and --rpc-pass", n.url)
	case strings.Contains(s, "connection refused"), strings.Contains(s, "no such host"), strings.Contains(s, "timeout"), strings.Contains(s, "i/o timeout"):
		return fmt.Errorf("cannot reach the node at %s (%s): check --node and that the node is running", n.url, s)
	}
	return fmt.Errorf("%s at %s failed: %s", method, n.url, s)
}

// chainNames maps what getblockchaininfo says to coldtss network names.
var chainNames = map[string]string{
	"main": "mainnet", "mainnet": "mainnet",
	"test": "testnet", "testnet3": "testnet", "testnet": "testnet",
	"signet": "signet", "regtest": "regtest",
}

// network returns the coldtss name of the node's chain ("" if unknown).
func (n *btcNode) network() (string, error) {
	var info struct {
		Chain  string `json:"chain"`
		Blocks int64  `json:"blocks"`
	}
	if err := n.call(&info, "getblockchaininfo"); err != nil {
		return "", n.explain("getblockchaininfo", err)
	}
	if name, ok := chainNames[info.Chain]; ok {
		return name, nil
	}
	return info.Chain, nil
}
