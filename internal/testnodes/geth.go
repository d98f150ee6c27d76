package testnodes

import (
	"context"
	"fmt"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
)

// Geth is a geth --dev node: chain id 1337, one funded, unlocked developer
// account, a block made as soon as a transaction arrives.
type Geth struct {
	URL     string // http://127.0.0.1:PORT
	Client  *ethclient.Client
	ChainID *big.Int
	Dev     common.Address // the funded developer account
}

// StartGeth starts geth --dev with its HTTP JSON-RPC on a free loopback port
// and a temporary data directory, and waits until it answers. The node is
// stopped when the test ends.
func StartGeth(t testing.TB) *Geth {
	t.Helper()
	bin := binary(t, "geth")
	dir := t.TempDir()
	port := freePort(t)
	g := &Geth{URL: fmt.Sprintf("http://127.0.0.1:%d", port)}
	p := start(t, "geth", bin, dir, []string{"HOME=" + dir},
		"--dev", "--datadir", filepath.Join(dir, "data"),
		"--http", "--http.addr", "127.0.0.1", "--http.port", fmt.Sprint(port),
		"--http.api", "eth,net,web3", "--ipcdisable", "--nodiscover", "--maxpeers", "0",
		"--port", "0", "--authrpc.port", "0")
	var err error
	g.Client, err = ethclient.Dial(g.URL)
	if err != nil {
		t.Fatalf("geth client: %v", err)
	}
	t.Cleanup(g.Client.Close)
	var accounts []common.Address
	p.waitReady(t, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := g.Client.Client().CallContext(ctx, &accounts, "eth_accounts"); err != nil {
			return err
		}
		if len(accounts) == 0 {
			return fmt.Errorf("no developer account yet")
		}
		g.ChainID, err = g.Client.ChainID(ctx)
		return err
	})
	g.Dev = accounts[0]
	return g
}

// Fund sends wei from the developer account and waits for the receipt.
func (g *Geth) Fund(t testing.TB, to common.Address, wei *big.Int) *types.Receipt {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var hash common.Hash
	err := g.Client.Client().CallContext(ctx, &hash, "eth_sendTransaction", map[string]any{
		"from": g.Dev, "to": to, "value": (*hexutil.Big)(wei),
	})
	if err != nil {
		t.Fatalf("geth: eth_sendTransaction (funding %s): %v", to, err)
	}
	return g.WaitReceipt(t, hash)
}

// WaitReceipt waits up to 30 s for a transaction's receipt and fails the
// test unless its status is 1.
func (g *Geth) WaitReceipt(t testing.TB, hash common.Hash) *types.Receipt {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		r, err := g.Client.TransactionReceipt(context.Background(), hash)
		if err == nil {
			if r.Status != types.ReceiptStatusSuccessful {
				t.Fatalf("geth: transaction %s failed (receipt status %d)", hash, r.Status)
			}
			return r
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("geth: no receipt for %s within 30 s", hash)
	return nil
}
