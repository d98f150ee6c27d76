package ethereum

import (
	"fmt"
	"io"
	"math/big"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/coldtss/coldtss/internal/untrusted"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Policy is what a station accepts without being told otherwise.
type Policy struct {
	ChainID               *big.Int // if set, the request must be for this chain
	MaxCostWei            *big.Int // if set, refuse when value + gas*maxFee exceeds it
	AllowUnknownCall      bool     // allow calldata that is not a decoded ERC-20 transfer/approve
	AllowContractCreation bool
}

// Field is one labelled line of a review. Label and Value are as decoded,
// not escaped: Print escapes them (internal/untrusted). Quoted marks a
// string value from the request, which Print shows in quotes.
type Field struct {
	Label, Value string
	Quoted       bool
}

// Review is what a station shows before it joins a signature.
type Review struct {
	Kind     string
	ChainID  *big.Int
	Chain    string
	From     common.Address
	Path     string
	Fields   []Field
	Warnings []string
	Digest   []byte // 32 bytes to sign with the key at Path
}

// ReviewRequest checks req against the threshold key (pub33, chainCode) and
// the policy, decodes it for review and computes the digest to sign.
func ReviewRequest(req *Request, pub33, chainCode []byte, pol Policy) (*Review, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	chainID, _ := req.chainID()
	if pol.ChainID != nil && pol.ChainID.Cmp(chainID) != 0 {
		return nil, fmt.Errorf("this request is for chain %s (%s) but the stations expect chain %s (%s): do not sign", chainID, ChainName(chainID), pol.ChainID, ChainName(pol.ChainID))
	}
	child, err := DeriveKey(pub33, chainCode, req.Path)
	if err != nil {
		return nil, err
	}
	own, err := AddressOf(child)
	if err != nil {
		return nil, err
	}
	want, _ := parseAddress(req.Address)
	if own != want {
		return nil, fmt.Errorf("the request's address %s is not this key's address at %s (%s): it was made for another key or path; do not sign", want.Hex(), req.Path, own.Hex())
	}
	d, err := decodeRequest(req)
	if err != nil {
		return nil, err
	}
	r := &Review{
		Kind: req.Kind, ChainID: chainID, Chain: ChainName(chainID),
		From: own, Path: req.Path, Digest: d.digest,
	}
	if r.Chain == "unknown chain" {
		r.warn("chain id %s is not one this tool knows: check it is the chain you mean", chainID)
	}
	switch {
	case d.tx != nil:
		err = r.reviewTx(d.tx, pol)
	case d.typed != nil:
		r.Fields = d.typed.fields
		if d.typed.chainID == nil {
			r.warn("the EIP-712 domain has no chainId: the signature is valid on every chain")
		}
		if d.typed.primaryType == "Permit" {
			r.warn("this is a token permit: it lets the spender move tokens without any further signature")
		}
	default:
		r.reviewMessage(d.msg)
	}
	if err != nil {
		return nil, err
	}
	if req.Note != "" {
		r.add("requester's note", req.Note)
	}
	return r, nil
}

func (r *Review) add(label, value string) {
	r.Fields = append(r.Fields, Field{Label: label, Value: value})
}

func (r *Review) warn(format string, a ...any) {
	r.Warnings = append(r.Warnings, fmt.Sprintf(format, a...))
}

func (r *Review) reviewTx(tx *types.Transaction, pol Policy) error {
	sym := nativeSymbol(r.ChainID)
	cost, err := maxCost(tx)
	if err != nil {
		return err
	}
	if tx.Type() == types.DynamicFeeTxType {
		r.add("type", "EIP-1559 (type 2)")
	} else {
		r.add("type", "legacy (EIP-155)")
	}
	if tx.To() == nil {
		if !pol.AllowContractCreation {
			return fmt.Errorf("the transaction creates a contract (it has no recipient): the policy does not allow contract creation; refuse, or allow it explicitly")
		}
		r.add("to", "(none: creates a contract)")
		r.warn("the transaction deploys a contract of %d bytes of code that cannot be reviewed here", len(tx.Data()))
	} else {
		r.add("to", tx.To().Hex())
	}
	r.add("value", ether(tx.Value(), sym))
	r.add("nonce", fmt.Sprint(tx.Nonce()))
	r.add("gas limit", fmt.Sprint(tx.Gas()))
	if tx.Type() == types.DynamicFeeTxType {
		r.add("max fee per gas", gwei(tx.GasFeeCap()))
		r.add("max priority fee per gas", gwei(tx.GasTipCap()))
	} else {
		r.add("gas price", gwei(tx.GasPrice()))
	}
	r.add("max total cost", ether(cost, sym))
	if pol.MaxCostWei != nil && cost.Cmp(pol.MaxCostWei) > 0 {
		return fmt.Errorf("the transaction may cost up to %s (value + gas limit × max fee), more than the policy's limit of %s: ask for a smaller transaction or raise the limit", ether(cost, sym), ether(pol.MaxCostWei, sym))
	}
	if al := tx.AccessList(); len(al) > 0 {
		for i, t := range al {
			r.add(fmt.Sprintf("access list %d", i), fmt.Sprintf("%s (%d storage keys)", t.Address.Hex(), len(t.StorageKeys)))
		}
	}
	if tx.To() != nil && len(tx.Data()) > 0 {
		return r.reviewCall(tx, pol)
	}
	return nil
}

// reviewCall decodes calldata: ERC-20 transfer/approve, else unknown.
func (r *Review) reviewCall(tx *types.Transaction, pol Policy) error {
	data := tx.Data()
	method, args, ok := DecodeERC20(data)
	if ok {
		who, amount := args[0].Value, args[1].Value
		shown := amount
		if isUnlimited(amount) {
			shown = "an unlimited amount (2^256-1)"
		}
		if method == "transfer" {
			r.add("call", fmt.Sprintf("ERC-20 transfer of %s base units of token contract %s to %s", shown, tx.To().Hex(), who))
		} else {
			r.add("call", fmt.Sprintf("ERC-20 approve: let %s spend up to %s base units of token contract %s", who, shown, tx.To().Hex()))
			if isUnlimited(amount) {
				r.warn("this is an unlimited approval: %s can take all of this token from %s, now and later", who, r.From.Hex())
			}
		}
		r.add("token amount (raw)", amount+" (divide by 10^decimals of the token; decimals are not known offline)")
		if tx.Value().Sign() != 0 {
			r.warn("the token call also sends %s to the token contract", ether(tx.Value(), nativeSymbol(r.ChainID)))
		}
		return nil
	}
	what := fmt.Sprintf("%d bytes of calldata with no function selector", len(data))
	if len(data) >= 4 {
		what = fmt.Sprintf("a call to function 0x%x (%d bytes of calldata)", data[:4], len(data))
	}
	if !pol.AllowUnknownCall {
		return fmt.Errorf("the transaction contains %s, which this tool cannot decode: the policy does not allow blind contract calls; refuse, or allow unknown calls explicitly", what)
	}
	r.add("call", what+", not decoded")
	r.add("calldata", fmt.Sprintf("0x%x", data))
	r.warn("the transaction contains %s, which cannot be decoded here: you are signing blind", what)
	return nil
}

func (r *Review) reviewMessage(msg []byte) {
	r.add("message bytes", fmt.Sprint(len(msg)))
	if printable(msg) {
		r.add("message text", string(msg))
		return
	}
	r.add("message hex", fmt.Sprintf("0x%x", msg))
	if len(msg) == 32 {
		r.warn("the message is 32 binary bytes, likely a hash: you cannot see what it commits to")
	}
}

// printable reports UTF-8 text without control or format characters (tabs
// and newlines allowed): nothing that could rewrite what a terminal shows.
func printable(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range string(b) {
		if !unicode.IsPrint(c) && c != '\n' && c != '\t' {
			return false
		}
	}
	return true
}

// Print writes the review for a custodian to read. Every label and value
// goes through untrusted.Text (string values through untrusted.Quote), so
// nothing in a request can move the cursor, hide or reorder text; a value
// of several lines is shown one line under the other, each escaped.
func (r *Review) Print(w io.Writer) {
	kind := map[string]string{
		KindLegacyTx: "legacy transaction", KindTypedTx: "EIP-1559 transaction",
		KindTypedData: "EIP-712 typed data", KindPersonal: "personal message (EIP-191)",
	}[r.Kind]
	fmt.Fprintf(w, "Ethereum signing request: %s\n", kind)
	type shown struct {
		label string
		lines []string
	}
	rows := []shown{
		{"chain", []string{fmt.Sprintf("%s (%s)", r.ChainID, r.Chain)}},
		{"signer", []string{fmt.Sprintf("%s at %s", r.From.Hex(), untrusted.Text(r.Path))}},
	}
	width := len("signer")
	for _, f := range r.Fields {
		row := shown{label: untrusted.Text(f.Label)}
		if f.Quoted {
			row.lines = []string{untrusted.Quote(f.Value)}
		} else {
			for _, l := range strings.Split(f.Value, "\n") {
				row.lines = append(row.lines, untrusted.Text(l))
			}
		}
		width = max(width, utf8.RuneCountInString(row.label))
		rows = append(rows, row)
	}
	for _, row := range rows {
		pad := strings.Repeat(" ", width-utf8.RuneCountInString(row.label))
		fmt.Fprintf(w, "  %s:%s %s\n", row.label, pad, row.lines[0])
		for _, l := range row.lines[1:] {
			fmt.Fprintf(w, "  %s  %s\n", strings.Repeat(" ", width), l)
		}
	}
	for _, m := range r.Warnings {
		fmt.Fprintf(w, "WARNING: %s\n", untrusted.Text(m))
	}
	fmt.Fprintf(w, "  digest: 0x%x\n", r.Digest)
}
