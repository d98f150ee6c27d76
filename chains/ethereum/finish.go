package ethereum

import (
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// Finish turns the ceremony's 65-byte signature r||s||recid (recid 0/1) over
// a request's digest into what the requester needs: for transactions the
// signed raw transaction (kind "raw-transaction"), for messages the 65-byte
// Ethereum signature r||s||v with v = 27+recid (kind "signature"). It refuses
// a signature that does not recover to the request's address.
func Finish(req *Request, sig []byte) (out []byte, kind string, err error) {
	if len(sig) != 65 {
		return nil, "", fmt.Errorf("signature must be 65 bytes (r||s||recid), got %d: use the signature the ceremony produced for this request", len(sig))
	}
	v := sig[64]
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:64])
	if !crypto.ValidateSignatureValues(v, r, s, true) {
		return nil, "", fmt.Errorf("signature is malformed (recid must be 0 or 1, r and s in range, s in the low half): use the signature the ceremony produced for this request")
	}
	d, err := decodeRequest(req)
	if err != nil {
		return nil, "", err
	}
	if d.tx != nil {
		signed, err := d.tx.WithSignature(d.signer, sig)
		if err != nil {
			return nil, "", fmt.Errorf("cannot attach the signature to the transaction: %v", err)
		}
		from, err := types.Sender(types.LatestSignerForChainID(d.chainID), signed)
		if err != nil {
			return nil, "", fmt.Errorf("the signed transaction's sender cannot be recovered (%v): do not broadcast it", err)
		}
		if from != d.from {
			return nil, "", fmt.Errorf("the signature recovers to %s, not the request's address %s: it was made by another key or over other data; do not broadcast it", from.Hex(), d.from.Hex())
		}
		raw, err := signed.MarshalBinary()
		if err != nil {
			return nil, "", fmt.Errorf("cannot encode the signed transaction: %v", err)
		}
		return raw, "raw-transaction", nil
	}
	pub, err := crypto.SigToPub(d.digest, sig)
	if err != nil {
		return nil, "", fmt.Errorf("the signature's signer cannot be recovered (%v): use the signature the ceremony produced for this request", err)
	}
	if from := crypto.PubkeyToAddress(*pub); from != d.from {
		return nil, "", fmt.Errorf("the signature recovers to %s, not the request's address %s: it was made by another key or over other data; do not hand it out", from.Hex(), d.from.Hex())
	}
	out = append([]byte(nil), sig...)
	out[64] += 27
	return out, "signature", nil
}
