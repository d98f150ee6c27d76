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

// Node is what PrepareTx asks of an Ethereum node: the methods of
// *ethclient.Client it calls, so the online tool passes its client.
type Node interface {
	ChainID(ctx context.Context) (*big.Int, error)
	PendingNonceAt(ctx context.Context, account common.Address) (uint64, error)
	BalanceAt(ctx context.Context, account common.Address, blockNumber *big.Int) (*big.Int, error)
	EstimateGas(ctx context.Context, msg geth.CallMsg) (uint64, error)
	SuggestGasPrice(ctx context.Context) (*big.Int, error)
	SuggestGasTipCap(ctx context.Context) (*big.Int, error)
	FeeHistory(ctx context.Context, blockCount uint64, lastBlock *big.Int, rewardPercentiles []float64) (*geth.FeeHistory, error)
}

// NodeError is a node call that failed. Method is the JSON-RPC method
// ("eth_chainId"); the caller, who knows where the node is, explains it.
type NodeError struct {
	Method string
	Err    error
}

func (e *NodeError) Error() string { return e.Method + ": " + e.Err.Error() }
func (e *NodeError) Unwrap() error { return e.Err }

// TxOptions says what transaction PrepareTx makes.
type TxOptions struct {
	From  common.Address // the key's address at Path
	Path  string         // its derivation below the master, e.g. "m/0/0"
	To    common.Address
	Value *big.Int // wei; nil means 0
	Data  []byte   // call data

	ChainID *big.Int // the chain the caller expects; nil accepts the node's
	Nonce   *uint64  // nil: the node's pending nonce for From
	Gas     *uint64  // nil: the node's gas estimate
	Legacy  bool     // an EIP-155 transaction with a gas price, not EIP-1559 fees
}

// Transaction types as Prepared.Type names them.
const (
	TypeEIP1559 = "EIP-1559"
	TypeLegacy  = "legacy (EIP-155)"
)

// Prepared is an unsigned transaction as a signing request, with the facts
// it was made from.
type Prepared struct {
	Request *Request
	Tx      *types.Transaction

	ChainID *big.Int
	Chain   string // ChainName(ChainID)
	Type    string // TypeEIP1559 or TypeLegacy
	Nonce   uint64
	Gas     uint64

	GasPrice       *big.Int // legacy only, else nil
	MaxFee         *big.Int // EIP-1559 only, else nil
	MaxPriorityFee *big.Int // EIP-1559 only, else nil

	MaxCost *big.Int // value + gas × (gas price or max fee), in wei
	Balance *big.Int // From's balance on the node, in wei
}

// PerGas is the most the transaction pays per gas: the gas price or the
// max fee.
func (p *Prepared) PerGas() *big.Int {
	if p.GasPrice != nil {
		return p.GasPrice
	}
	return p.MaxFee
}

// PrepareTx reads the chain id, nonce, balance, gas and fees from node and
// makes the unsigned transaction opts describes as a signing request. It
// refuses a node on another chain than opts.ChainID and a balance that
// cannot pay the value and the most the fee can be. Failed node calls are
// *NodeError, except a failed gas estimate, which says why itself.
func PrepareTx(ctx context.Context, node Node, opts TxOptions) (*Prepared, error) {
	value := opts.Value
	if value == nil {
		value = new(big.Int)
	}
	chainID, err := node.ChainID(ctx)
	if err != nil {
		return nil, &NodeError{"eth_chainId", err}
	}
	if opts.ChainID != nil && opts.ChainID.Cmp(chainID) != 0 {
		return nil, fmt.Errorf("the node is on chain %s (%s) but --chain-id says %s (%s): connect to the right node or fix --chain-id", chainID, ChainName(chainID), opts.ChainID, ChainName(opts.ChainID))
	}
	p := &Prepared{ChainID: chainID, Chain: ChainName(chainID)}
	if opts.Nonce != nil {
		p.Nonce = *opts.Nonce
	} else if p.Nonce, err = node.PendingNonceAt(ctx, opts.From); err != nil {
		return nil, &NodeError{"eth_getTransactionCount", err}
	}
	if p.Balance, err = node.BalanceAt(ctx, opts.From, nil); err != nil {
		return nil, &NodeError{"eth_getBalance", err}
	}
	if p.Balance.Cmp(value) < 0 {
		return nil, fmt.Errorf("insufficient funds: %s has %s, the value alone is %s: fund the address or lower --value", opts.From.Hex(), FormatETH(p.Balance), FormatETH(value))
	}
	if opts.Gas != nil {
		p.Gas = *opts.Gas
	} else if p.Gas, err = node.EstimateGas(ctx, geth.CallMsg{From: opts.From, To: &opts.To, Value: value, Data: opts.Data}); err != nil {
		return nil, fmt.Errorf("the node cannot estimate the gas (%s): the call would fail as it stands (check --to, --value and --data), or give --gas", rpcMessage(err))
	}

	if opts.Legacy {
		p.Type = TypeLegacy
		if p.GasPrice, err = node.SuggestGasPrice(ctx); err != nil {
			return nil, &NodeError{"eth_gasPrice", err}
		}
		p.Tx = newLegacyTx(chainID, p.Nonce, p.GasPrice, p.Gas, opts.To, value, opts.Data)
	} else {
		p.Type = TypeEIP1559
		if p.MaxPriorityFee, err = node.SuggestGasTipCap(ctx); err != nil {
			return nil, &NodeError{"eth_maxPriorityFeePerGas", err}
		}
		hist, err := node.FeeHistory(ctx, 1, nil, []float64{})
		if err != nil {
			return nil, &NodeError{"eth_feeHistory", err}
		}
		base, err := nextBaseFee(hist)
		if err != nil {
			return nil, err
		}
		p.MaxFee = MaxFeePerGas(base, p.MaxPriorityFee)
		p.Tx = newDynamicFeeTx(chainID, p.Nonce, p.MaxPriorityFee, p.MaxFee, p.Gas, opts.To, value, opts.Data)
	}
	// The same sum the stations' review computes, overflow check included.
	if p.MaxCost, err = maxCost(p.Tx); err != nil {
		return nil, err
	}
	if p.Balance.Cmp(p.MaxCost) < 0 {
		return nil, fmt.Errorf("insufficient funds: %s has %s, needs %s (value %s + up to %s fee): fund the address or lower --value", opts.From.Hex(), FormatETH(p.Balance), FormatETH(p.MaxCost), FormatETH(value), FormatETH(new(big.Int).Sub(p.MaxCost, value)))
	}
	if p.Request, err = NewTxRequest(p.Tx, opts.From, opts.Path); err != nil {
		return nil, fmt.Errorf("cannot make the signing request: %v", err)
	}
	return p, nil
}

// MaxFeePerGas is the EIP-1559 max fee PrepareTx offers: twice the next
// block's base fee plus the tip. The base fee rises at most 12.5% a block,
// so the transaction stays includable through six full blocks in a row.
func MaxFeePerGas(base, tip *big.Int) *big.Int {
	return new(big.Int).Add(new(big.Int).Lsh(base, 1), tip)
}

// nextBaseFee is the next block's base fee: the last one eth_feeHistory
// gives.
func nextBaseFee(hist *geth.FeeHistory) (*big.Int, error) {
	if hist == nil || len(hist.BaseFee) == 0 || hist.BaseFee[len(hist.BaseFee)-1] == nil {
		return nil, fmt.Errorf("the node reports no base fee (eth_feeHistory): the chain may not have EIP-1559; use --legacy")
	}
	return hist.BaseFee[len(hist.BaseFee)-1], nil
}

// newLegacyTx is an unsigned EIP-155 transaction: its chain id is in V
// (chainId*2+35), with R and S zero, as NewTxRequest expects.
func newLegacyTx(chainID *big.Int, nonce uint64, price *big.Int, gas uint64, to common.Address, value *big.Int, data []byte) *types.Transaction {
	v := new(big.Int).Add(new(big.Int).Lsh(chainID, 1), big.NewInt(35))
	return types.NewTx(&types.LegacyTx{Nonce: nonce, GasPrice: price, Gas: gas, To: &to, Value: value, Data: data, V: v})
}

// newDynamicFeeTx is an unsigned EIP-1559 transaction.
func newDynamicFeeTx(chainID *big.Int, nonce uint64, tip, maxFee *big.Int, gas uint64, to common.Address, value *big.Int, data []byte) *types.Transaction {
	return types.NewTx(&types.DynamicFeeTx{ChainID: chainID, Nonce: nonce, GasTipCap: tip, GasFeeCap: maxFee, Gas: gas, To: &to, Value: value, Data: data})
}

// rpcMessage is the node's own error message, or the error text.
func rpcMessage(err error) string {
	var re rpc.Error
	if errors.As(err, &re) {
		return re.Error()
	}
	return err.Error()
}

// MessageOptions says what message PrepareMessage makes a request for.
type MessageOptions struct {
	From    common.Address // the key's address at Path
	Path    string         // its derivation below the master, e.g. "m/0/0"
	ChainID *big.Int

	Kind    string // KindPersonal (personal_sign, EIP-191) or KindTypedData (EIP-712)
	Message []byte // the message bytes, or the eth_signTypedData_v4 JSON
	Name    string // names typed data in errors, e.g. its file
}

// PrepareMessage makes a personal_sign or EIP-712 signing request and
// checks it reads back the way the stations will read it.
func PrepareMessage(opts MessageOptions) (*Request, error) {
	var req *Request
	switch opts.Kind {
	case KindTypedData:
		var err error
		if req, err = NewTypedDataRequest(opts.Message, opts.ChainID, opts.From, opts.Path); err != nil {
			return nil, fmt.Errorf("%s: %v", opts.Name, err)
		}
	case KindPersonal:
		req = NewPersonalRequest(opts.Message, opts.ChainID, opts.From, opts.Path)
	default:
		return nil, fmt.Errorf("message kind %q is unknown: expected %s or %s", opts.Kind, KindPersonal, KindTypedData)
	}
	if _, err := ParseRequest(req.Marshal()); err != nil {
		return nil, fmt.Errorf("cannot make the signing request: %v", err)
	}
	return req, nil
}
