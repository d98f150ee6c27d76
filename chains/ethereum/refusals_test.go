package ethereum

import (
	"bytes"
	"crypto/ecdsa"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

const goodRequest = `{"format":"coldtss-eth-request/1","kind":"personal-message","chain_id":"1","path":"m/0/0","address":"0x9858EfFD232B4033E47d90003D41EC34EcaEda94","data":"0x6869"}`

func TestParseRequestRefusals(t *testing.T) {
	if _, err := ParseRequest([]byte(goodRequest)); err != nil {
		t.Fatal(err)
	}
	swap := func(old, new string) string { return strings.Replace(goodRequest, old, new, 1) }
	for _, c := range []struct {
		name, in string
		want     []string
	}{
		{"malformed JSON", `{"format":`, []string{"not valid JSON"}},
		{"not an object", `[1]`, []string{"not a JSON object"}},
		{"trailing data", goodRequest + `{}`, []string{"data after the JSON object"}},
		{"unknown field", swap(`"data"`, `"extra":1,"data"`), []string{"unknown field", "extra"}},
		{"duplicate key", swap(`"data":"0x6869"`, `"data":"0x6869","data":"0x00"`), []string{`gives "data" twice`}},
		{"unknown format", swap("coldtss-eth-request/1", "coldtss-eth-request/9"), []string{`format is "coldtss-eth-request/9"`, "newer coldtss"}},
		{"unknown kind", swap("personal-message", "eth_sign"), []string{`kind "eth_sign" is unknown`}},
		{"no chain id", swap(`"chain_id":"1"`, `"chain_id":""`), []string{"no chain_id"}},
		{"hex chain id", swap(`"chain_id":"1"`, `"chain_id":"0x1"`), []string{`chain_id "0x1" is not a decimal`}},
		{"leading zero", swap(`"chain_id":"1"`, `"chain_id":"01"`), []string{`chain_id "01" is not a decimal`}},
		{"chain id zero", swap(`"chain_id":"1"`, `"chain_id":"0"`), []string{"chain_id is 0"}},
		{"no path", swap(`"path":"m/0/0"`, `"path":""`), []string{"no path"}},
		{"hardened path", swap(`"path":"m/0/0"`, `"path":"m/44'/60'/0'/0/0"`), []string{"is hardened", "non-hardened"}},
		{"bad path", swap(`"path":"m/0/0"`, `"path":"m/x"`), []string{"request path", "is not a number"}},
		{"bad address", swap("0x9858EfFD232B4033E47d90003D41EC34EcaEda94", "0x9858"), []string{"request address", "not an Ethereum address"}},
		{"bad checksum", swap("0x9858EfFD232B4033E47d90003D41EC34EcaEda94", "0x9858EFFD232B4033E47d90003D41EC34EcaEda94"), []string{"wrong EIP-55 checksum", "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"}},
		{"data without 0x", swap(`"data":"0x6869"`, `"data":"6869"`), []string{"starting with 0x"}},
		{"data not hex", swap(`"data":"0x6869"`, `"data":"0x68zz"`), []string{"not valid hex"}},
		{"data empty", swap(`"data":"0x6869"`, `"data":"0x"`), []string{"data is empty"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseRequest([]byte(c.in))
			wantErr(t, err, c.want...)
		})
	}
}

// fixture builds requests for the test key at m/0/0.
type fixture struct {
	k    *testKey
	from common.Address
	to   common.Address
}

func newFixture(t *testing.T) *fixture {
	k := newTestKey(t)
	return &fixture{k: k, from: k.address(t, "m/0/0"), to: common.HexToAddress("0x3535353535353535353535353535353535353535")}
}

func (f *fixture) req(kind, chain string, data []byte) *Request {
	return &Request{Format: RequestFormat, Kind: kind, ChainID: chain, Path: "m/0/0", Address: f.from.Hex(), Data: hexutil.Encode(data)}
}

func (f *fixture) review(req *Request, pol Policy) (*Review, error) {
	return ReviewRequest(req, f.k.pub33, f.k.chainCode, pol)
}

func enc(t *testing.T, v any) []byte {
	b, err := rlp.EncodeToBytes(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// legacy is an EIP-155 signing payload with the given fields.
func (f *fixture) legacy(t *testing.T, price, value *big.Int, gas uint64, to *common.Address, data []byte, chain int64) []byte {
	return enc(t, []any{uint64(1), price, gas, to, value, data, big.NewInt(chain), uint(0), uint(0)})
}

func dynamic(t *testing.T, chain int64, tip, fee, value *big.Int, to *common.Address, data []byte) []byte {
	return append([]byte{2}, enc(t, []any{big.NewInt(chain), uint64(1), tip, fee, uint64(21000), to, value, data, types.AccessList{}})...)
}

func TestReviewRefusals(t *testing.T) {
	f := newFixture(t)
	one := big.NewInt(1)
	gwei20 := big.NewInt(20_000_000_000)
	eth := new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)
	two256 := new(big.Int).Lsh(one, 256)
	max256 := new(big.Int).Sub(two256, one)
	good := f.legacy(t, gwei20, eth, 21000, &f.to, nil, 1)
	if _, err := f.review(f.req(KindLegacyTx, "1", good), Policy{}); err != nil {
		t.Fatal(err)
	}
	unknownCall := []byte{0xde, 0xad, 0xbe, 0xef, 1, 2, 3}

	for _, c := range []struct {
		name string
		req  *Request
		pol  Policy
		want []string
	}{
		{"malformed RLP", f.req(KindLegacyTx, "1", good[:len(good)-3]), Policy{}, []string{"data is not a valid RLP-encoded legacy transaction"}},
		{"not a list", f.req(KindLegacyTx, "1", enc(t, "abc")), Policy{}, []string{"not a valid RLP-encoded legacy transaction", "not an RLP list"}},
		{"trailing bytes", f.req(KindLegacyTx, "1", append(bytes.Clone(good), 0x80)), Policy{}, []string{"1 trailing bytes"}},
		{"wrong field count", f.req(KindLegacyTx, "1", enc(t, []any{uint(1), uint(2), uint(3)})), Policy{}, []string{"has 3 fields", "9"}},
		{"non-canonical integer", f.req(KindLegacyTx, "1", enc(t, []any{[]byte{0, 1}, gwei20, uint(21000), f.to, eth, []byte{}, one, uint(0), uint(0)})), Policy{}, []string{"not a valid RLP-encoded legacy transaction", "non-canonical"}},
		{"tx chain differs from chain_id", f.req(KindLegacyTx, "5", good), Policy{}, []string{"the transaction is for chain 1 (Ethereum mainnet) but the request's chain_id is 5 (Goerli"}},
		{"policy chain", f.req(KindLegacyTx, "5", f.legacy(t, gwei20, eth, 21000, &f.to, nil, 5)), Policy{ChainID: one}, []string{"this request is for chain 5 (Goerli", "but the stations expect chain 1 (Ethereum mainnet)"}},
		{"pre-EIP-155, 6 fields", f.req(KindLegacyTx, "1", enc(t, []any{uint(1), gwei20, uint(21000), f.to, eth, []byte{}})), Policy{}, []string{"pre-EIP-155", "replayed on any chain"}},
		{"pre-EIP-155, chain id 0", f.req(KindLegacyTx, "1", f.legacy(t, gwei20, eth, 21000, &f.to, nil, 0)), Policy{}, []string{"pre-EIP-155"}},
		{"signed legacy", f.req(KindLegacyTx, "1", enc(t, []any{uint(1), gwei20, uint(21000), f.to, eth, []byte{}, one, uint(5), uint(6)})), Policy{}, []string{"last two fields must be 0"}},
		{"value over 256 bits", f.req(KindLegacyTx, "1", f.legacy(t, gwei20, two256, 21000, &f.to, nil, 1)), Policy{}, []string{"value is larger than 256 bits"}},
		{"gas price over 256 bits", f.req(KindLegacyTx, "1", f.legacy(t, two256, eth, 21000, &f.to, nil, 1)), Policy{}, []string{"gas price is larger than 256 bits"}},
		{"max fee over 256 bits", f.req(KindTypedTx, "1", dynamic(t, 1, one, two256, eth, &f.to, nil)), Policy{}, []string{"max fee is larger than 256 bits"}},
		{"max cost overflows", f.req(KindLegacyTx, "1", f.legacy(t, one, max256, 21000, &f.to, nil, 1)), Policy{}, []string{"maximum cost", "overflows 256 bits"}},
		{"max cost over policy", f.req(KindLegacyTx, "1", good), Policy{MaxCostWei: eth}, []string{"may cost up to 1.00042 ETH", "policy's limit of 1 ETH"}},
		{"contract creation", f.req(KindLegacyTx, "1", f.legacy(t, gwei20, eth, 21000, nil, []byte{0x60, 0x00}, 1)), Policy{}, []string{"creates a contract", "does not allow contract creation"}},
		{"unknown call", f.req(KindLegacyTx, "1", f.legacy(t, gwei20, eth, 21000, &f.to, unknownCall, 1)), Policy{}, []string{"function 0xdeadbeef", "cannot decode", "blind"}},
		{"calldata without selector", f.req(KindTypedTx, "1", dynamic(t, 1, one, one, eth, &f.to, []byte{1, 2})), Policy{}, []string{"2 bytes of calldata with no function selector"}},
		{"typed chain differs", f.req(KindTypedTx, "10", dynamic(t, 1, one, one, eth, &f.to, nil)), Policy{}, []string{"the transaction is for chain 1 (Ethereum mainnet) but the request's chain_id is 10 (OP Mainnet)"}},
		{"tip above fee cap", f.req(KindTypedTx, "1", dynamic(t, 1, big.NewInt(3), one, eth, &f.to, nil)), Policy{}, []string{"max priority fee", "above the max fee"}},
		{"typed trailing bytes", f.req(KindTypedTx, "1", append(dynamic(t, 1, one, one, eth, &f.to, nil), 1)), Policy{}, []string{"EIP-1559 transaction", "trailing bytes"}},
		{"typed malformed", f.req(KindTypedTx, "1", []byte{2, 0xc5, 1}), Policy{}, []string{"data is not a valid RLP-encoded EIP-1559 transaction"}},
		{"access-list tx", f.req(KindTypedTx, "1", []byte{1, 0xc0}), Policy{}, []string{"access-list (type 1)", "not supported"}},
		{"blob tx", f.req(KindTypedTx, "1", []byte{3, 0xc0}), Policy{}, []string{"blob (type 3)", "not supported"}},
		{"set-code tx", f.req(KindTypedTx, "1", []byte{4, 0xc0}), Policy{}, []string{"set-code (type 4", "not supported"}},
		{"legacy given as typed", f.req(KindTypedTx, "1", good), Policy{}, []string{"legacy transaction, not a typed one", `"transaction"`}},
		{"hardened path", func() *Request { r := f.req(KindPersonal, "1", []byte("x")); r.Path = "m/0h"; return r }(), Policy{}, []string{"is hardened"}},
		{"address of another path", func() *Request { r := f.req(KindPersonal, "1", []byte("x")); r.Path = "m/0/1"; return r }(), Policy{},
			[]string{"the request's address " + f.from.Hex() + " is not this key's address at m/0/1 (" + f.k.address(t, "m/0/1").Hex() + "): it was made for another key or path; do not sign"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.review(c.req, c.pol)
			wantErr(t, err, c.want...)
		})
	}

	// Allowed by policy, the same requests pass with a warning.
	rev, err := f.review(f.req(KindLegacyTx, "1", f.legacy(t, gwei20, eth, 21000, &f.to, unknownCall, 1)), Policy{AllowUnknownCall: true})
	if err != nil || !hasWarning(rev, "function 0xdeadbeef") || field(rev, "calldata") != "0xdeadbeef010203" {
		t.Fatalf("%v %+v", err, rev)
	}
	rev, err = f.review(f.req(KindLegacyTx, "1", f.legacy(t, gwei20, eth, 21000, nil, []byte{0x60, 0x00}, 1)), Policy{AllowContractCreation: true})
	if err != nil || !hasWarning(rev, "deploys a contract") || field(rev, "to") != "(none: creates a contract)" {
		t.Fatalf("%v %+v", err, rev)
	}
	rev, err = f.review(f.req(KindLegacyTx, "1", good), Policy{MaxCostWei: new(big.Int).Mul(eth, big.NewInt(2))})
	if err != nil {
		t.Fatal(err)
	}
	rev, err = f.review(f.req(KindLegacyTx, "99999", f.legacy(t, gwei20, eth, 21000, &f.to, nil, 99999)), Policy{})
	if err != nil || !hasWarning(rev, "chain id 99999 is not one this tool knows") {
		t.Fatalf("%v %+v", err, rev)
	}
}

const mailDoc = `{"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"chainId","type":"uint256"}],"Mail":[{"name":"contents","type":"string"}]},
"primaryType":"Mail","domain":{"name":"Ether Mail","chainId":CHAIN},"message":{"contents":"hi"}}`

func TestTypedDataRefusals(t *testing.T) {
	f := newFixture(t)
	doc := func(chain string) []byte { return []byte(strings.Replace(mailDoc, "CHAIN", chain, 1)) }
	if _, err := f.review(f.req(KindTypedData, "1", doc("1")), Policy{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		data []byte
		want []string
	}{
		{"domain chain differs", doc("5"), []string{"the EIP-712 domain is for chain 5 (Goerli", "the request's chain_id is 1 (Ethereum mainnet)"}},
		{"not JSON", []byte("{"), []string{"not a valid eth_signTypedData_v4 JSON document"}},
		{"not UTF-8", []byte{0xff, 0xfe}, []string{"not UTF-8"}},
		{"unknown key", []byte(strings.Replace(string(doc("1")), `"primaryType"`, `"extra":1,"primaryType"`, 1)), []string{"unknown field"}},
		{"trailing", append(doc("1"), []byte(" {}")...), []string{"data after its JSON document"}},
		{"no domain type", []byte(`{"types":{"Mail":[{"name":"contents","type":"string"}]},"primaryType":"Mail","domain":{},"message":{"contents":"hi"}}`), []string{"no EIP712Domain type"}},
		{"missing primary type", []byte(strings.Replace(string(doc("1")), `"primaryType":"Mail"`, `"primaryType":"Letter"`, 1)), []string{`typed data primaryType: "Letter" is not among its types: ask for a new request`}},
		{"no message", []byte(strings.Replace(string(doc("1")), `,"message":{"contents":"hi"}`, ``, 1)), []string{"has no message"}},
		{"undeclared message field", []byte(strings.Replace(string(doc("1")), `"contents":"hi"`, `"contents":"hi","extra":"x"`, 1)), []string{`typed data message: has a field "extra" that type Mail does not declare: ask for a new request`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.review(f.req(KindTypedData, "1", c.data), Policy{})
			wantErr(t, err, c.want...)
		})
	}
	// NewTypedDataRequest refuses the same.
	_, err := NewTypedDataRequest(doc("5"), big.NewInt(1), f.from, "m/0/0")
	wantErr(t, err, "EIP-712 domain is for chain 5")

	// A domain without chainId is allowed, with a warning.
	noChain := `{"types":{"EIP712Domain":[{"name":"name","type":"string"}],"Mail":[{"name":"contents","type":"string"}]},"primaryType":"Mail","domain":{"name":"Ether Mail"},"message":{"contents":"hi"}}`
	rev, err := f.review(f.req(KindTypedData, "1", []byte(noChain)), Policy{})
	if err != nil || !hasWarning(rev, "no chainId") {
		t.Fatalf("%v %+v", err, rev)
	}
}

func TestNewTxRequestRefusals(t *testing.T) {
	f := newFixture(t)
	_, err := NewTxRequest(types.NewTx(&types.LegacyTx{GasPrice: big.NewInt(1), Gas: 21000, To: &f.to, Value: big.NewInt(1)}), f.from, "m/0/0")
	wantErr(t, err, "legacy transaction has no chain id", "V to chainId*2+35")
	_, err = NewTxRequest(types.NewTx(&types.AccessListTx{ChainID: big.NewInt(1), GasPrice: big.NewInt(1), Gas: 21000, To: &f.to, Value: big.NewInt(1)}), f.from, "m/0/0")
	wantErr(t, err, "transaction type 1 is not supported")
	key, _ := crypto.GenerateKey()
	signed, _ := types.SignNewTx(key, types.LatestSignerForChainID(big.NewInt(1)), &types.DynamicFeeTx{ChainID: big.NewInt(1), GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(1), Gas: 21000, To: &f.to})
	_, err = NewTxRequest(signed, f.from, "m/0/0")
	wantErr(t, err, "already signed")
	_, err = NewTxRequest(types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1), GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(1), Gas: 21000, To: &f.to}), f.from, "m/0h")
	wantErr(t, err, "is hardened")
}

func TestFinishRefusals(t *testing.T) {
	f := newFixture(t)
	priv := f.k.child(t, "m/0/0")
	other, _ := crypto.GenerateKey()
	chain := big.NewInt(1)
	txReq, err := NewTxRequest(types.NewTx(&types.DynamicFeeTx{ChainID: chain, GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(2), Gas: 21000, To: &f.to, Value: big.NewInt(1)}), f.from, "m/0/0")
	if err != nil {
		t.Fatal(err)
	}
	msgReq := NewPersonalRequest([]byte("hello"), chain, f.from, "m/0/0")
	sign := func(req *Request, key *ecdsa.PrivateKey) []byte {
		rev, err := f.review(req, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		sig, _ := crypto.Sign(rev.Digest, key)
		return sig
	}
	for _, req := range []*Request{txReq, msgReq} {
		if _, _, err := Finish(req, sign(req, priv)); err != nil {
			t.Fatal(err)
		}
		_, _, err := Finish(req, sign(req, other))
		wantErr(t, err, "the signature recovers to "+crypto.PubkeyToAddress(other.PublicKey).Hex(), "not the request's address "+f.from.Hex())

		// A good signature over another request's digest also recovers elsewhere.
		otherMsg := NewPersonalRequest([]byte("other"), chain, f.from, "m/0/0")
		_, _, err = Finish(req, sign(otherMsg, priv))
		wantErr(t, err, "the signature recovers to", "not the request's address")

		sig := sign(req, priv)
		_, _, err = Finish(req, sig[:64])
		wantErr(t, err, "must be 65 bytes", "got 64")
		bad := bytes.Clone(sig)
		bad[64] = 27
		_, _, err = Finish(req, bad)
		wantErr(t, err, "signature is malformed")
		// High-S twin of a valid signature: ceremonies give low-S only.
		high := bytes.Clone(sig)
		s := new(big.Int).Sub(crypto.S256().Params().N, new(big.Int).SetBytes(sig[32:64]))
		copy(high[32:64], common.LeftPadBytes(s.Bytes(), 32))
		high[64] ^= 1
		_, _, err = Finish(req, high)
		wantErr(t, err, "signature is malformed", "low half")
	}
	// Finish re-checks the request itself.
	broken := *txReq
	broken.ChainID = "5"
	_, _, err = Finish(&broken, sign(txReq, priv))
	wantErr(t, err, "the transaction is for chain 1")
}
