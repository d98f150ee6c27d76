package ethereum

import (
	"bytes"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// unsignedLegacy is EIP-155's signing payload:
// rlp([nonce, gasPrice, gas, to, value, data, chainId, 0, 0]).
type unsignedLegacy struct {
	Nonce    uint64
	GasPrice *big.Int
	Gas      uint64
	To       *common.Address `rlp:"nil"`
	Value    *big.Int
	Data     []byte
	ChainID  *big.Int
	Zero1    *big.Int
	Zero2    *big.Int
}

// unsignedDynamic is the EIP-1559 signing payload after its 0x02 type byte.
type unsignedDynamic struct {
	ChainID    *big.Int
	Nonce      uint64
	GasTipCap  *big.Int
	GasFeeCap  *big.Int
	Gas        uint64
	To         *common.Address `rlp:"nil"`
	Value      *big.Int
	Data       []byte
	AccessList types.AccessList
}

// splitList checks data is one RLP list with nothing after it and returns
// how many items it holds.
func splitList(data []byte, what string) (int, error) {
	k, content, rest, err := rlp.Split(data)
	if err != nil {
		return 0, fmt.Errorf("data is not a valid RLP-encoded %s: %v; ask for a new request", what, err)
	}
	if k != rlp.List {
		return 0, fmt.Errorf("data is not a valid RLP-encoded %s: it is not an RLP list; ask for a new request", what)
	}
	if len(rest) > 0 {
		return 0, fmt.Errorf("data is not a valid RLP-encoded %s: %d trailing bytes after the transaction; ask for a new request", what, len(rest))
	}
	n, err := rlp.CountValues(content)
	if err != nil {
		return 0, fmt.Errorf("data is not a valid RLP-encoded %s: %v; ask for a new request", what, err)
	}
	return n, nil
}

// decodeLegacy reads an EIP-155 unsigned legacy transaction and checks its
// chain id against the request's.
func decodeLegacy(data []byte, chainID *big.Int) (*types.Transaction, types.Signer, error) {
	const what = "legacy transaction"
	n, err := splitList(data, what)
	if err != nil {
		return nil, nil, err
	}
	if n == 6 {
		return nil, nil, errPreEIP155
	}
	if n != 9 {
		return nil, nil, fmt.Errorf("data is not a valid RLP-encoded %s: it has %d fields, an unsigned EIP-155 transaction has 9; ask for a new request", what, n)
	}
	var u unsignedLegacy
	if err := rlp.DecodeBytes(data, &u); err != nil {
		return nil, nil, fmt.Errorf("data is not a valid RLP-encoded %s: %v; ask for a new request", what, err)
	}
	if u.ChainID.Sign() == 0 {
		return nil, nil, errPreEIP155
	}
	if u.Zero1.Sign() != 0 || u.Zero2.Sign() != 0 {
		return nil, nil, fmt.Errorf("data is not an unsigned EIP-155 transaction: its last two fields must be 0 but are not (is it already signed?); ask for a new request")
	}
	if err := check256("gas price", u.GasPrice); err != nil {
		return nil, nil, err
	}
	if err := check256("value", u.Value); err != nil {
		return nil, nil, err
	}
	if err := checkChain(u.ChainID, chainID); err != nil {
		return nil, nil, err
	}
	tx := types.NewTx(&types.LegacyTx{
		Nonce: u.Nonce, GasPrice: u.GasPrice, Gas: u.Gas, To: u.To, Value: u.Value, Data: u.Data,
	})
	signer := types.NewEIP155Signer(chainID)
	if err := checkHash(signer.Hash(tx), data); err != nil {
		return nil, nil, err
	}
	return tx, signer, nil
}

var errPreEIP155 = fmt.Errorf("the legacy transaction has no chain id (pre-EIP-155): once signed it could be replayed on any chain; ask for an EIP-155 or EIP-1559 transaction")

// decodeTyped reads an EIP-2718 typed transaction; only EIP-1559 (type 2) is supported.
func decodeTyped(data []byte, chainID *big.Int) (*types.Transaction, types.Signer, error) {
	switch t := data[0]; {
	case t == types.DynamicFeeTxType:
	case t == types.AccessListTxType:
		return nil, nil, fmt.Errorf("access-list (type 1) transactions are not supported: ask for an EIP-1559 (type 2) transaction")
	case t == types.BlobTxType:
		return nil, nil, fmt.Errorf("blob (type 3) transactions are not supported: ask for an EIP-1559 (type 2) transaction")
	case t == types.SetCodeTxType:
		return nil, nil, fmt.Errorf("set-code (type 4, EIP-7702) transactions are not supported: they hand the account to contract code; ask for an EIP-1559 (type 2) transaction")
	case t >= 0xc0:
		return nil, nil, fmt.Errorf("data is a legacy transaction, not a typed one: the request's kind should be %q; ask for a new request", KindLegacyTx)
	default:
		return nil, nil, fmt.Errorf("transaction type %d is not supported: ask for an EIP-1559 (type 2) transaction", t)
	}
	const what = "EIP-1559 transaction"
	n, err := splitList(data[1:], what)
	if err != nil {
		return nil, nil, err
	}
	if n != 9 {
		return nil, nil, fmt.Errorf("data is not a valid RLP-encoded %s: it has %d fields, an unsigned one has 9 (is it already signed?); ask for a new request", what, n)
	}
	var u unsignedDynamic
	if err := rlp.DecodeBytes(data[1:], &u); err != nil {
		return nil, nil, fmt.Errorf("data is not a valid RLP-encoded %s: %v; ask for a new request", what, err)
	}
	for _, f := range []struct {
		name string
		v    *big.Int
	}{{"chain id", u.ChainID}, {"max priority fee", u.GasTipCap}, {"max fee", u.GasFeeCap}, {"value", u.Value}} {
		if err := check256(f.name, f.v); err != nil {
			return nil, nil, err
		}
	}
	if err := checkChain(u.ChainID, chainID); err != nil {
		return nil, nil, err
	}
	if u.GasTipCap.Cmp(u.GasFeeCap) > 0 {
		return nil, nil, fmt.Errorf("the max priority fee (%s) is above the max fee (%s): no node accepts this; ask for a new request", gwei(u.GasTipCap), gwei(u.GasFeeCap))
	}
	tx := types.NewTx(&types.DynamicFeeTx{
		ChainID: u.ChainID, Nonce: u.Nonce, GasTipCap: u.GasTipCap, GasFeeCap: u.GasFeeCap,
		Gas: u.Gas, To: u.To, Value: u.Value, Data: u.Data, AccessList: u.AccessList,
	})
	signer := types.LatestSignerForChainID(chainID)
	if err := checkHash(signer.Hash(tx), data); err != nil {
		return nil, nil, err
	}
	return tx, signer, nil
}

func check256(name string, v *big.Int) error {
	if v.BitLen() > 256 {
		return fmt.Errorf("the transaction's %s is larger than 256 bits (value overflows): no node accepts this; do not sign", name)
	}
	return nil
}

func checkChain(inTx, inRequest *big.Int) error {
	if inTx.Cmp(inRequest) != 0 {
		return fmt.Errorf("the transaction is for chain %s (%s) but the request's chain_id is %s (%s): the request is inconsistent; do not sign", inTx, ChainName(inTx), inRequest, ChainName(inRequest))
	}
	return nil
}

// checkHash confirms go-ethereum's signing hash of what we decoded is the
// hash of the bytes we were given, so what is shown is what is signed.
func checkHash(h common.Hash, data []byte) error {
	if !bytes.Equal(h[:], crypto.Keccak256(data)) {
		return fmt.Errorf("data is not in canonical form (it does not re-encode to the same bytes): ask for a new request")
	}
	return nil
}

// encodeUnsignedLegacy is the EIP-155 signing payload of a legacy tx.
func encodeUnsignedLegacy(tx *types.Transaction, chainID *big.Int) ([]byte, error) {
	b, err := rlp.EncodeToBytes([]any{tx.Nonce(), tx.GasPrice(), tx.Gas(), tx.To(), tx.Value(), tx.Data(), chainID, uint(0), uint(0)})
	if err != nil {
		return nil, fmt.Errorf("cannot encode the transaction: %v", err)
	}
	return b, nil
}

// encodeUnsignedDynamic is the EIP-1559 signing payload of a type-2 tx.
func encodeUnsignedDynamic(tx *types.Transaction) []byte {
	b, err := rlp.EncodeToBytes([]any{tx.ChainId(), tx.Nonce(), tx.GasTipCap(), tx.GasFeeCap(), tx.Gas(), tx.To(), tx.Value(), tx.Data(), tx.AccessList()})
	if err != nil {
		panic(err) // big.Ints and byte slices always encode
	}
	return append([]byte{types.DynamicFeeTxType}, b...)
}

// maxCost is value + gas × (gas price or max fee), the most the tx can spend.
func maxCost(tx *types.Transaction) (*big.Int, error) {
	c := new(big.Int).Mul(new(big.Int).SetUint64(tx.Gas()), tx.GasFeeCap())
	c.Add(c, tx.Value())
	if c.BitLen() > 256 {
		return nil, fmt.Errorf("the transaction's maximum cost (value + gas limit × max fee) overflows 256 bits: no node accepts this; do not sign")
	}
	return c, nil
}
