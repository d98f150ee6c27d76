package payload

import (
	"encoding/hex"
	"fmt"
	"io"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/chains/bitcoin"
	"github.com/coldtss/coldtss/chains/ethereum"
)

type psbtReview struct {
	raw  []byte
	acct bitcoin.Account
	rv   *bitcoin.Review
}

func (p *psbtReview) Print(w io.Writer) { p.rv.Print(w) }

func (p *psbtReview) Requests() []ceremony.SignRequest {
	var out []ceremony.SignRequest
	for _, it := range p.rv.Items {
		out = append(out, ceremony.SignRequest{Data: hex.EncodeToString(it.Digest), Path: it.Path, Note: fmt.Sprintf("input %d", it.Input)})
	}
	return out
}

func (p *psbtReview) Finish(sigs [][]byte) ([]Output, error) {
	rs := make([][]byte, len(sigs))
	for i, s := range sigs {
		rs[i] = s[:64]
	}
	signed, tx, err := bitcoin.Finalize(p.raw, p.acct, p.rv.Items, rs)
	if err != nil {
		return nil, err
	}
	out := []Output{{"signed.psbt", signed}}
	if tx != nil {
		out = append(out, Output{"tx.hex", []byte(hex.EncodeToString(tx) + "\n")})
	}
	return out, nil
}

type ethReview struct {
	req *ethereum.Request
	rv  *ethereum.Review
}

func (e *ethReview) Print(w io.Writer) { e.rv.Print(w) }

func (e *ethReview) Requests() []ceremony.SignRequest {
	return []ceremony.SignRequest{{Data: hex.EncodeToString(e.rv.Digest), Path: e.rv.Path, Note: e.req.Kind}}
}

func (e *ethReview) Finish(sigs [][]byte) ([]Output, error) {
	if len(sigs) != 1 {
		return nil, fmt.Errorf("an Ethereum request takes one signature, the ceremony made %d", len(sigs))
	}
	out, kind, err := ethereum.Finish(e.req, sigs[0])
	if err != nil {
		return nil, err
	}
	name := "signature.hex"
	if kind == "raw-transaction" {
		name = "tx.hex"
	}
	return []Output{{name, []byte("0x" + hex.EncodeToString(out) + "\n")}}, nil
}
