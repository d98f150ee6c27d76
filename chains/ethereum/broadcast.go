package ethereum

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	geth "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
)

// BroadcastNode is what Broadcast and Confirmations ask of an Ethereum
// node: the methods of *ethclient.Client they call, so the online tool
// passes its client.
type BroadcastNode interface {
	ChainID(ctx context.Context) (*big.Int, error)
	SendTransaction(ctx context.Context, tx *types.Transaction) error
	TransactionReceipt(ctx context.Context, txHash common.Hash) (*types.Receipt, error)
	BlockNumber(ctx context.Context) (uint64, error)
}

// Broadcast sends a signed transaction to node and returns its sender. It
// refuses a transaction signed for another chain than the node's (one
// without a chain id, from before EIP-155, goes to any) and one whose
// signature yields no sender. When the node refuses the transaction, the
// error gives the node's message and what to do about it. Other failed
// node calls are *NodeError.
func Broadcast(ctx context.Context, node BroadcastNode, tx *types.Transaction) (common.Address, error) {
	chainID, err := node.ChainID(ctx)
	if err != nil {
		return common.Address{}, &NodeError{"eth_chainId", err}
	}
	if txChain := tx.ChainId(); txChain != nil && txChain.Sign() != 0 && txChain.Cmp(chainID) != 0 {
		return common.Address{}, fmt.Errorf("the transaction is signed for chain %s but the node is on chain %s: use a node of chain %s", txChain, chainID, txChain)
	}
	from, err := types.Sender(types.LatestSignerForChainID(chainID), tx)
	if err != nil {
		return common.Address{}, fmt.Errorf("the transaction's signature is invalid (%v): do not retry it, sign again", err)
	}
	if err := node.SendTransaction(ctx, tx); err != nil {
		var re rpc.Error
		if errors.As(err, &re) {
			return common.Address{}, fmt.Errorf("the node refused the transaction: %s; %s", re.Error(), refusalHint(re.Error()))
		}
		return common.Address{}, &NodeError{"eth_sendRawTransaction", err}
	}
	return from, nil
}

// Confirmation is how far a sent transaction is confirmed, as a node sees
// it.
type Confirmation struct {
	Confirmations int64 // the blocks from the one holding it to the head; 0: not mined yet
	Done          bool  // it has the confirmations asked for; the fields below are set once it is mined

	BlockNumber int64
	BlockHash   common.Hash
	Status      uint64 // types.ReceiptStatusSuccessful (1): once Done, a failed transaction is an error instead
	GasUsed     uint64
}

// Confirmations asks node how far tx is confirmed. Once it has want
// confirmations, Done is set; if the transaction then turns out to have
// failed (status 0), the error says so and what it cost. Failed node calls
// are *NodeError.
func Confirmations(ctx context.Context, node BroadcastNode, tx *types.Transaction, want int64) (*Confirmation, error) {
	r, err := node.TransactionReceipt(ctx, tx.Hash())
	if errors.Is(err, geth.NotFound) {
		return &Confirmation{}, nil
	}
	if err != nil {
		return nil, &NodeError{"eth_getTransactionReceipt", err}
	}
	if r.BlockNumber == nil {
		return &Confirmation{}, nil // a receipt without a block: not mined yet
	}
	head, err := node.BlockNumber(ctx)
	if err != nil {
		return nil, &NodeError{"eth_blockNumber", err}
	}
	c := &Confirmation{Confirmations: max(int64(head)-r.BlockNumber.Int64()+1, 0),
		BlockNumber: r.BlockNumber.Int64(), BlockHash: r.BlockHash, Status: r.Status, GasUsed: r.GasUsed}
	c.Done = c.Confirmations >= want
	if c.Done && r.Status != types.ReceiptStatusSuccessful {
		return nil, fmt.Errorf("transaction %s was mined in block %d but FAILED (status 0, gas used %d of %d): nothing was transferred, the fee of %s was paid; check the call data and gas limit before trying again",
			tx.Hash().Hex(), c.BlockNumber, r.GasUsed, tx.Gas(), failedFee(tx, r))
	}
	return c, nil
}

// failedFee is what a mined transaction paid: gas used × the effective gas
// price. A receipt without the price (nodes before London) gives at most
// gas used × the max fee.
func failedFee(tx *types.Transaction, r *types.Receipt) string {
	gas := new(big.Int).SetUint64(r.GasUsed)
	if r.EffectiveGasPrice == nil {
		return "at most " + FormatETH(gas.Mul(gas, tx.GasFeeCap()))
	}
	return FormatETH(gas.Mul(gas, r.EffectiveGasPrice))
}
