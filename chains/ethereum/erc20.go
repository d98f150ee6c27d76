package ethereum

import (
	"bytes"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
)

var (
	selTransfer = []byte{0xa9, 0x05, 0x9c, 0xbb} // transfer(address,uint256)
	selApprove  = []byte{0x09, 0x5e, 0xa7, 0xb3} // approve(address,uint256)
)

// DecodeERC20 decodes calldata of an ERC-20 transfer(address,uint256) or
// approve(address,uint256). args are the recipient ("to") or "spender" as an
// EIP-55 address and the raw "amount" in the token's base units. ok is false
// for anything else, including malformed arguments.
func DecodeERC20(data []byte) (method string, args []Field, ok bool) {
	if len(data) != 4+64 {
		return "", nil, false
	}
	var who string
	switch sel := data[:4]; {
	case bytes.Equal(sel, selTransfer):
		method, who = "transfer", "to"
	case bytes.Equal(sel, selApprove):
		method, who = "approve", "spender"
	default:
		return "", nil, false
	}
	word := data[4:36]
	if !bytes.Equal(word[:12], make([]byte, 12)) {
		return "", nil, false // not a clean ABI address
	}
	addr := common.BytesToAddress(word[12:])
	amount := new(big.Int).SetBytes(data[36:68])
	return method, []Field{{Label: who, Value: addr.Hex()}, {Label: "amount", Value: amount.String()}}, true
}

// isUnlimited reports the 2^256-1 "infinite approval" amount.
func isUnlimited(amount string) bool {
	return amount == math.MaxBig256.String()
}
