package ethereum

import (
	"math/big"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// decoded is a request's sign data, decoded and checked, with its digest.
type decoded struct {
	chainID *big.Int
	from    common.Address
	digest  []byte

	tx     *types.Transaction // transactions (unsigned)
	signer types.Signer
	typed  *typedData // typed data
	msg    []byte     // personal message
}

// decodeRequest validates req and decodes its sign data by kind. Review and
// Finish both go through it, so they agree on what is signed.
func decodeRequest(req *Request) (*decoded, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	d := &decoded{}
	d.chainID, _ = req.chainID()
	d.from, _ = parseAddress(req.Address)
	data, _ := req.data()
	var err error
	switch req.Kind {
	case KindLegacyTx:
		d.tx, d.signer, err = decodeLegacy(data, d.chainID)
	case KindTypedTx:
		d.tx, d.signer, err = decodeTyped(data, d.chainID)
	case KindTypedData:
		d.typed, d.digest, err = parseTypedData(data, d.chainID)
	case KindPersonal:
		d.msg = data
		d.digest = accounts.TextHash(data)
	}
	if err != nil {
		return nil, err
	}
	if d.tx != nil {
		d.digest = d.signer.Hash(d.tx).Bytes()
	}
	return d, nil
}
