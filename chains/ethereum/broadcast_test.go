package ethereum

import (
	"context"
	"errors"
	"math/big"
	"testing"

	geth "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
)

// The online tool passes its *ethclient.Client as the BroadcastNode.
var _ BroadcastNode = (*ethclient.Client)(nil)

// fakeSender answers Broadcast and Confirmations from fixed values and
// records what it was sent. A method listed in fail returns an error
// instead.
type fakeSender struct {
	chainID *big.Int
	receipt *types.Receipt // nil: not found
	head    uint64

	fail map[string]error // by JSON-RPC method name
	sent []*types.Transaction
}

func (f *fakeSender) ChainID(context.Context) (*big.Int, error) {
	return f.chainID, f.fail["eth_chainId"]
}

func (f *fakeSender) SendTransaction(_ context.Context, tx *types.Transaction) error {
	if err := f.fail["eth_sendRawTransaction"]; err != nil {
		return err
	}
	f.sent = append(f.sent, tx)
	return nil
}

func (f *fakeSender) TransactionReceipt(_ context.Context, h common.Hash) (*types.Receipt, error) {
	if err := f.fail["eth_getTransactionReceipt"]; err != nil {
		return nil, err
	}
	if f.receipt == nil || f.receipt.TxHash != h {
		return nil, geth.NotFound
	}
	return f.receipt, nil
}

func (f *fakeSender) BlockNumber(context.Context) (uint64, error) {
	return f.head, f.fail["eth_blockNumber"]
}

// signedTx is a 1 ETH transfer with 21000 gas at 7 gwei, signed for
// chainID (0: before EIP-155, for any chain) by a new key, whose address
// it returns too.
func signedTx(t *testing.T, chainID int64) (*types.Transaction, common.Address) {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	var signer types.Signer = types.HomesteadSigner{}
	tx := newLegacyTx(big.NewInt(1), 3, gweiInt(7), 21000, buildTo, etherInt(1), nil)
	if chainID != 0 {
		signer = types.LatestSignerForChainID(big.NewInt(chainID))
		tx = newDynamicFeeTx(big.NewInt(chainID), 3, gweiInt(1), gweiInt(7), 21000, buildTo, etherInt(1), nil)
	}
	signed, err := types.SignTx(tx, signer, key)
	if err != nil {
		t.Fatal(err)
	}
	return signed, crypto.PubkeyToAddress(key.PublicKey)
}

func TestBroadcast(t *testing.T) {
	for _, chain := range []int64{1337, 0} {
		tx, want := signedTx(t, chain)
		n := &fakeSender{chainID: big.NewInt(1337)}
		from, err := Broadcast(context.Background(), n, tx)
		if err != nil {
			t.Fatalf("chain %d: %v", chain, err)
		}
		if from != want || len(n.sent) != 1 || n.sent[0].Hash() != tx.Hash() {
			t.Fatalf("chain %d: from %s (want %s), sent %v", chain, from.Hex(), want.Hex(), n.sent)
		}
	}
}

// TestBroadcastRefusals checks each refusal is one line that says what to
// do, sends nothing it should not, and that failed node calls are
// *NodeError.
func TestBroadcastRefusals(t *testing.T) {
	tx, _ := signedTx(t, 1337)

	n := &fakeSender{chainID: big.NewInt(1)}
	_, err := Broadcast(context.Background(), n, tx)
	if err == nil || err.Error() != "the transaction is signed for chain 1337 but the node is on chain 1: use a node of chain 1337" || len(n.sent) != 0 {
		t.Errorf("another chain: %v (sent %d)", err, len(n.sent))
	}

	// s above n/2 is refused since Homestead: no sender.
	v, r, _ := tx.RawSignatureValues()
	sig := append(append(common.LeftPadBytes(r.Bytes(), 32), common.LeftPadBytes(new(big.Int).Sub(crypto.S256().Params().N, big.NewInt(1)).Bytes(), 32)...), byte(v.Uint64()))
	bad, err := tx.WithSignature(types.LatestSignerForChainID(big.NewInt(1337)), sig)
	if err != nil {
		t.Fatal(err)
	}
	n = &fakeSender{chainID: big.NewInt(1337)}
	_, err = Broadcast(context.Background(), n, bad)
	if err == nil || err.Error() != "the transaction's signature is invalid (invalid transaction v, r, s values): do not retry it, sign again" || len(n.sent) != 0 {
		t.Errorf("bad signature: %v (sent %d)", err, len(n.sent))
	}

	n = &fakeSender{chainID: big.NewInt(1337), fail: map[string]error{"eth_sendRawTransaction": rpcErr{"nonce too low: address 0x1111111111111111111111111111111111111111, tx: 3 state: 4"}}}
	_, err = Broadcast(context.Background(), n, tx)
	if want := "the node refused the transaction: nonce too low: address 0x1111111111111111111111111111111111111111, tx: 3 state: 4; " +
		"a transaction with this nonce from this address is already mined: prepare a new one (eth prepare reads the current nonce) and sign it"; err == nil || err.Error() != want {
		t.Errorf("refused: %v\nwant %s", err, want)
	}
	var ne *NodeError
	if errors.As(err, &ne) {
		t.Errorf("a refusal is a NodeError: %v", err)
	}

	for _, method := range []string{"eth_chainId", "eth_sendRawTransaction"} {
		n = &fakeSender{chainID: big.NewInt(1337), fail: map[string]error{method: errDown}}
		_, err = Broadcast(context.Background(), n, tx)
		if !errors.As(err, &ne) || ne.Method != method || !errors.Is(err, errDown) {
			t.Errorf("%s fails: error %#v", method, err)
		}
	}
}

// minedReceipt is tx's receipt in block 100, as geth gives it.
func minedReceipt(tx *types.Transaction, status uint64) *types.Receipt {
	return &types.Receipt{TxHash: tx.Hash(), Status: status, GasUsed: 21000, EffectiveGasPrice: gweiInt(5),
		BlockNumber: big.NewInt(100), BlockHash: common.HexToHash("0xb10c")}
}

func TestConfirmations(t *testing.T) {
	tx, _ := signedTx(t, 1337)
	ctx := context.Background()

	n := &fakeSender{head: 99}
	if c, err := Confirmations(ctx, n, tx, 1); err != nil || *c != (Confirmation{}) {
		t.Fatalf("not mined: %+v, %v", c, err)
	}
	n.receipt = minedReceipt(tx, types.ReceiptStatusSuccessful)
	n.receipt.BlockNumber = nil
	if c, err := Confirmations(ctx, n, tx, 1); err != nil || *c != (Confirmation{}) {
		t.Fatalf("a receipt without a block: %+v, %v", c, err)
	}
	n.receipt = minedReceipt(tx, types.ReceiptStatusSuccessful)
	if c, err := Confirmations(ctx, n, tx, 1); err != nil || c.Confirmations != 0 || c.Done {
		t.Fatalf("mined past the node's head: %+v, %v", c, err)
	}
	n.head = 100
	c, err := Confirmations(ctx, n, tx, 2)
	if err != nil || c.Confirmations != 1 || c.Done {
		t.Fatalf("1 of 2: %+v, %v", c, err)
	}
	n.head = 101
	c, err = Confirmations(ctx, n, tx, 2)
	if want := (Confirmation{Confirmations: 2, Done: true, BlockNumber: 100, BlockHash: common.HexToHash("0xb10c"), Status: 1, GasUsed: 21000}); err != nil || *c != want {
		t.Fatalf("2 of 2: %+v, %v; want %+v", c, err, want)
	}
}

// TestConfirmationsFailed checks a failed transaction is an error once it
// has the confirmations asked for, and says what it cost.
func TestConfirmationsFailed(t *testing.T) {
	tx, _ := signedTx(t, 1337)
	ctx := context.Background()
	n := &fakeSender{receipt: minedReceipt(tx, types.ReceiptStatusFailed), head: 100}
	if c, err := Confirmations(ctx, n, tx, 2); err != nil || c.Confirmations != 1 || c.Done {
		t.Fatalf("failed, 1 of 2: %+v, %v", c, err)
	}
	n.head = 101
	_, err := Confirmations(ctx, n, tx, 2)
	want := "transaction " + tx.Hash().Hex() + " was mined in block 100 but FAILED (status 0, gas used 21000 of 21000): nothing was transferred, the fee of 0.000105 ETH was paid; check the call data and gas limit before trying again"
	if err == nil || err.Error() != want {
		t.Fatalf("failed: %v\nwant %s", err, want)
	}
	// Without the effective gas price, the max fee (7 gwei) bounds it.
	n.receipt.EffectiveGasPrice = nil
	_, err = Confirmations(ctx, n, tx, 2)
	wantErr(t, err, "the fee of at most 0.000147 ETH was paid")
}

func TestConfirmationsNodeErrors(t *testing.T) {
	tx, _ := signedTx(t, 1337)
	for _, method := range []string{"eth_getTransactionReceipt", "eth_blockNumber"} {
		n := &fakeSender{receipt: minedReceipt(tx, types.ReceiptStatusSuccessful), head: 100, fail: map[string]error{method: errDown}}
		_, err := Confirmations(context.Background(), n, tx, 1)
		var ne *NodeError
		if !errors.As(err, &ne) || ne.Method != method || !errors.Is(err, errDown) {
			t.Errorf("%s fails: error %#v", method, err)
		}
	}
}
