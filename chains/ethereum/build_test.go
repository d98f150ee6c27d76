package ethereum

import (
	"bytes"
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"

	geth "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
)

// The online tool passes its *ethclient.Client as the Node.
var _ Node = (*ethclient.Client)(nil)

// fakeNode answers PrepareTx from fixed values and records what it was
// asked. A method listed in fail returns an error instead.
type fakeNode struct {
	chainID  *big.Int
	nonce    uint64
	balance  *big.Int
	gas      uint64
	price    *big.Int
	tip      *big.Int
	baseFees []*big.Int

	fail  map[string]error // by JSON-RPC method name
	calls []string
	call  geth.CallMsg // what EstimateGas was asked
}

var errDown = errors.New("connection refused")

func (f *fakeNode) called(method string) error {
	f.calls = append(f.calls, method)
	return f.fail[method]
}

func (f *fakeNode) ChainID(context.Context) (*big.Int, error) {
	return f.chainID, f.called("eth_chainId")
}

func (f *fakeNode) PendingNonceAt(_ context.Context, _ common.Address) (uint64, error) {
	return f.nonce, f.called("eth_getTransactionCount")
}

func (f *fakeNode) BalanceAt(_ context.Context, _ common.Address, block *big.Int) (*big.Int, error) {
	if block != nil {
		return nil, errors.New("balance asked at a past block")
	}
	return f.balance, f.called("eth_getBalance")
}

func (f *fakeNode) EstimateGas(_ context.Context, msg geth.CallMsg) (uint64, error) {
	f.call = msg
	return f.gas, f.called("eth_estimateGas")
}

func (f *fakeNode) SuggestGasPrice(context.Context) (*big.Int, error) {
	return f.price, f.called("eth_gasPrice")
}

func (f *fakeNode) SuggestGasTipCap(context.Context) (*big.Int, error) {
	return f.tip, f.called("eth_maxPriorityFeePerGas")
}

func (f *fakeNode) FeeHistory(_ context.Context, blocks uint64, last *big.Int, pct []float64) (*geth.FeeHistory, error) {
	if blocks != 1 || last != nil || len(pct) != 0 {
		return nil, errors.New("unexpected fee history query")
	}
	return &geth.FeeHistory{BaseFee: f.baseFees}, f.called("eth_feeHistory")
}

var (
	buildFrom = common.HexToAddress("0x1111111111111111111111111111111111111111")
	buildTo   = common.HexToAddress("0x00000000000000000000000000000000c01d7550")
)

func gweiInt(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e9)) }

func etherInt(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e18)) }

// newFakeNode is a geth --dev like node: chain 1337, 10 ETH, 10 gwei gas
// price, 1 gwei tip, base fee 3 gwei for the next block.
func newFakeNode() *fakeNode {
	return &fakeNode{chainID: big.NewInt(1337), nonce: 7, balance: etherInt(10), gas: 21000,
		price: gweiInt(10), tip: gweiInt(1), baseFees: []*big.Int{gweiInt(2), gweiInt(3)}}
}

func buildOpts() TxOptions {
	return TxOptions{From: buildFrom, Path: "m/0/0", To: buildTo, Value: etherInt(1), Data: []byte{0xca, 0xfe}}
}

func TestMaxFeePerGas(t *testing.T) {
	for _, c := range []struct{ base, tip, want int64 }{{0, 0, 0}, {0, 5, 5}, {3, 1, 7}, {1e9, 2e9, 4e9}} {
		base, tip := big.NewInt(c.base), big.NewInt(c.tip)
		if got := MaxFeePerGas(base, tip); got.Int64() != c.want {
			t.Errorf("MaxFeePerGas(%d, %d) = %s, want %d", c.base, c.tip, got, c.want)
		}
		if base.Int64() != c.base || tip.Int64() != c.tip {
			t.Errorf("MaxFeePerGas changed its arguments")
		}
	}
}

// checkRequest checks the request carries tx as the stations will decode it.
func checkRequest(t *testing.T, p *Prepared, kind string) {
	t.Helper()
	req, err := ParseRequest(p.Request.Marshal())
	if err != nil {
		t.Fatalf("the stations cannot read the request: %v", err)
	}
	if req.Kind != kind || req.ChainID != "1337" || req.Path != "m/0/0" || req.Address != buildFrom.Hex() {
		t.Fatalf("request %+v", req)
	}
	d, err := decodeRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	if d.tx.Nonce() != p.Nonce || d.tx.Gas() != p.Gas || *d.tx.To() != buildTo || d.tx.Value().Cmp(etherInt(1)) != 0 ||
		!bytes.Equal(d.tx.Data(), []byte{0xca, 0xfe}) || d.tx.GasFeeCap().Cmp(p.PerGas()) != 0 || d.chainID.Int64() != 1337 {
		t.Fatalf("decoded %+v, prepared %+v", d.tx, p)
	}
}

func TestPrepareTxEIP1559(t *testing.T) {
	n := newFakeNode()
	p, err := PrepareTx(context.Background(), n, buildOpts())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"eth_chainId", "eth_getTransactionCount", "eth_getBalance", "eth_estimateGas", "eth_maxPriorityFeePerGas", "eth_feeHistory"}
	if strings.Join(n.calls, " ") != strings.Join(want, " ") {
		t.Fatalf("node calls %v, want %v", n.calls, want)
	}
	if n.call.From != buildFrom || *n.call.To != buildTo || n.call.Value.Cmp(etherInt(1)) != 0 || !bytes.Equal(n.call.Data, []byte{0xca, 0xfe}) {
		t.Fatalf("gas estimated for %+v", n.call)
	}
	// max fee = 2 × the last base fee (3 gwei) + tip (1 gwei).
	if p.Type != TypeEIP1559 || p.Chain != "geth --dev (local)" || p.ChainID.Int64() != 1337 || p.Nonce != 7 || p.Gas != 21000 ||
		p.GasPrice != nil || p.MaxFee.Cmp(gweiInt(7)) != 0 || p.MaxPriorityFee.Cmp(gweiInt(1)) != 0 || p.Balance.Cmp(etherInt(10)) != 0 {
		t.Fatalf("prepared %+v", p)
	}
	if want := new(big.Int).Add(etherInt(1), gweiInt(7*21000)); p.MaxCost.Cmp(want) != 0 {
		t.Fatalf("max cost %s, want %s", p.MaxCost, want)
	}
	tx := p.Tx
	if tx.Type() != types.DynamicFeeTxType || tx.ChainId().Int64() != 1337 || tx.GasTipCap().Cmp(gweiInt(1)) != 0 || tx.GasFeeCap().Cmp(gweiInt(7)) != 0 {
		t.Fatalf("tx %+v", tx)
	}
	if v, r, s := tx.RawSignatureValues(); v.Sign() != 0 || r.Sign() != 0 || s.Sign() != 0 {
		t.Fatalf("the transaction is signed: v %s r %s s %s", v, r, s)
	}
	checkRequest(t, p, KindTypedTx)
}

func TestPrepareTxLegacy(t *testing.T) {
	n := newFakeNode()
	opts := buildOpts()
	opts.Legacy = true
	p, err := PrepareTx(context.Background(), n, opts)
	if err != nil {
		t.Fatal(err)
	}
	if n.calls[len(n.calls)-1] != "eth_gasPrice" || strings.Contains(strings.Join(n.calls, " "), "eth_feeHistory") {
		t.Fatalf("node calls %v", n.calls)
	}
	if p.Type != TypeLegacy || p.GasPrice.Cmp(gweiInt(10)) != 0 || p.MaxFee != nil || p.MaxPriorityFee != nil {
		t.Fatalf("prepared %+v", p)
	}
	if want := new(big.Int).Add(etherInt(1), gweiInt(10*21000)); p.MaxCost.Cmp(want) != 0 {
		t.Fatalf("max cost %s, want %s", p.MaxCost, want)
	}
	// EIP-155: unsigned, the chain id in V = 1337*2+35, R and S zero.
	v, r, s := p.Tx.RawSignatureValues()
	if p.Tx.Type() != types.LegacyTxType || v.Int64() != 2709 || r.Sign() != 0 || s.Sign() != 0 || p.Tx.GasPrice().Cmp(gweiInt(10)) != 0 {
		t.Fatalf("tx %+v: v %s r %s s %s", p.Tx, v, r, s)
	}
	checkRequest(t, p, KindLegacyTx)
}

// TestPrepareTxOverrides checks a given nonce and gas are used and the node
// is not asked for them; a nil value is zero.
func TestPrepareTxOverrides(t *testing.T) {
	n := newFakeNode()
	n.fail = map[string]error{"eth_getTransactionCount": errDown, "eth_estimateGas": errDown}
	opts := buildOpts()
	nonce, gas := uint64(42), uint64(60000)
	opts.Nonce, opts.Gas, opts.Value = &nonce, &gas, nil
	p, err := PrepareTx(context.Background(), n, opts)
	if err != nil {
		t.Fatal(err)
	}
	if p.Nonce != 42 || p.Gas != 60000 || p.Tx.Nonce() != 42 || p.Tx.Gas() != 60000 || p.Tx.Value().Sign() != 0 {
		t.Fatalf("prepared %+v", p)
	}
	if c := strings.Join(n.calls, " "); strings.Contains(c, "eth_getTransactionCount") || strings.Contains(c, "eth_estimateGas") {
		t.Fatalf("the node was asked for what was given: %v", n.calls)
	}
	if p.MaxCost.Cmp(gweiInt(7*60000)) != 0 {
		t.Fatalf("max cost %s", p.MaxCost)
	}
}

func TestPrepareTxChainMismatch(t *testing.T) {
	n := newFakeNode()
	opts := buildOpts()
	opts.ChainID = big.NewInt(1)
	_, err := PrepareTx(context.Background(), n, opts)
	if err == nil || err.Error() != "the node is on chain 1337 (geth --dev (local)) but --chain-id says 1 (Ethereum mainnet): connect to the right node or fix --chain-id" {
		t.Fatalf("error %v", err)
	}
	if len(n.calls) != 1 {
		t.Fatalf("went on asking the node after the chain was wrong: %v", n.calls)
	}
	opts.ChainID = big.NewInt(1337)
	if _, err := PrepareTx(context.Background(), newFakeNode(), opts); err != nil {
		t.Fatalf("the right chain id is refused: %v", err)
	}
}

func TestPrepareTxInsufficientFunds(t *testing.T) {
	n := newFakeNode()
	n.balance = etherInt(1)
	opts := buildOpts()
	opts.Value = etherInt(2)
	_, err := PrepareTx(context.Background(), n, opts)
	if err == nil || err.Error() != "insufficient funds: "+buildFrom.Hex()+" has 1 ETH, the value alone is 2 ETH: fund the address or lower --value" {
		t.Fatalf("error %v", err)
	}
	if strings.Contains(strings.Join(n.calls, " "), "eth_estimateGas") {
		t.Fatalf("estimated gas for a value it cannot pay: %v", n.calls)
	}

	// The value is there, the fee is not: 1 ETH + 21000 × 7 gwei.
	n = newFakeNode()
	n.balance = etherInt(1)
	_, err = PrepareTx(context.Background(), n, buildOpts())
	if err == nil || err.Error() != "insufficient funds: "+buildFrom.Hex()+" has 1 ETH, needs 1.000147 ETH (value 1 ETH + up to 0.000147 ETH fee): fund the address or lower --value" {
		t.Fatalf("error %v", err)
	}
	// Exactly enough is enough.
	n = newFakeNode()
	n.balance = new(big.Int).Add(etherInt(1), gweiInt(7*21000))
	if _, err := PrepareTx(context.Background(), n, buildOpts()); err != nil {
		t.Fatalf("an exact balance is refused: %v", err)
	}
}

func TestPrepareTxNoBaseFee(t *testing.T) {
	const want = "the node reports no base fee (eth_feeHistory): the chain may not have EIP-1559; use --legacy"
	for _, fees := range [][]*big.Int{nil, {gweiInt(1), nil}} {
		n := newFakeNode()
		n.baseFees = fees
		if _, err := PrepareTx(context.Background(), n, buildOpts()); err == nil || err.Error() != want {
			t.Fatalf("base fees %v: error %v", fees, err)
		}
	}
	if _, err := nextBaseFee(nil); err == nil || err.Error() != want {
		t.Fatalf("no fee history: error %v", err)
	}
	// A legacy transaction needs no base fee.
	n := newFakeNode()
	n.baseFees = nil
	opts := buildOpts()
	opts.Legacy = true
	if _, err := PrepareTx(context.Background(), n, opts); err != nil {
		t.Fatal(err)
	}
}

// rpcErr is a JSON-RPC error as the node returns it.
type rpcErr struct{ msg string }

func (e rpcErr) Error() string  { return e.msg }
func (e rpcErr) ErrorCode() int { return -32000 }

// TestPrepareTxNodeErrors checks each failed node call is a NodeError that
// names its method, and a failed gas estimate says what the node said.
func TestPrepareTxNodeErrors(t *testing.T) {
	for _, c := range []struct {
		method string
		legacy bool
	}{{"eth_chainId", false}, {"eth_getTransactionCount", false}, {"eth_getBalance", false},
		{"eth_maxPriorityFeePerGas", false}, {"eth_feeHistory", false}, {"eth_gasPrice", true}} {
		n := newFakeNode()
		n.fail = map[string]error{c.method: errDown}
		opts := buildOpts()
		opts.Legacy = c.legacy
		_, err := PrepareTx(context.Background(), n, opts)
		var ne *NodeError
		if !errors.As(err, &ne) || ne.Method != c.method || !errors.Is(err, errDown) {
			t.Errorf("%s fails: error %#v", c.method, err)
		}
	}
	n := newFakeNode()
	n.fail = map[string]error{"eth_estimateGas": rpcErr{"execution reverted"}}
	_, err := PrepareTx(context.Background(), n, buildOpts())
	if err == nil || err.Error() != "the node cannot estimate the gas (execution reverted): the call would fail as it stands (check --to, --value and --data), or give --gas" {
		t.Fatalf("error %v", err)
	}
	var ne *NodeError
	if errors.As(err, &ne) {
		t.Fatalf("a failed gas estimate is a NodeError: %v", err)
	}
}

func TestPrepareMessage(t *testing.T) {
	opts := MessageOptions{From: buildFrom, Path: "m/0/0", ChainID: big.NewInt(1), Kind: KindPersonal, Message: []byte("hello")}
	req, err := PrepareMessage(opts)
	if err != nil {
		t.Fatal(err)
	}
	if req.Kind != KindPersonal || req.Data != "0x68656c6c6f" || req.ChainID != "1" || req.Address != buildFrom.Hex() || req.Path != "m/0/0" {
		t.Fatalf("request %+v", req)
	}

	// More than the stations read: refused before it is written.
	opts.Message = bytes.Repeat([]byte{'a'}, maxRequestSize/2)
	wantErr(t, mustFail(PrepareMessage(opts)), "cannot make the signing request: request file is", "more than the")

	var v mailVector
	loadJSON(t, "eip712_mail.json", &v)
	opts = MessageOptions{From: buildFrom, Path: "m", ChainID: big.NewInt(1), Kind: KindTypedData, Message: v.TypedData, Name: "mail.json"}
	if req, err = PrepareMessage(opts); err != nil || req.Kind != KindTypedData {
		t.Fatalf("typed data: %+v, %v", req, err)
	}
	// Errors in typed data name where it came from.
	opts.ChainID = big.NewInt(5)
	err = mustFail(PrepareMessage(opts))
	if !strings.HasPrefix(err.Error(), "mail.json: ") {
		t.Fatalf("error %v", err)
	}
	opts.Kind = "sms"
	wantErr(t, mustFail(PrepareMessage(opts)), `message kind "sms" is unknown`)
}

func mustFail(_ *Request, err error) error { return err }
