package ethereum

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/signer/core/apitypes"
)

// parseTypedData reads an eth_signTypedData_v4 document strictly and checks
// its domain's chain id against the request's.
func parseTypedData(b []byte, chainID *big.Int) (*apitypes.TypedData, []byte, error) {
	if !utf8.Valid(b) {
		return nil, nil, fmt.Errorf("typed data is not UTF-8 text: it must be an eth_signTypedData_v4 JSON document; ask for a new request")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	var td apitypes.TypedData
	if err := dec.Decode(&td); err != nil {
		return nil, nil, fmt.Errorf("typed data is not a valid eth_signTypedData_v4 JSON document: %v; ask for a new request", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, fmt.Errorf("typed data has data after its JSON document: ask for a new request")
	}
	if _, ok := td.Types["EIP712Domain"]; !ok {
		return nil, nil, fmt.Errorf("typed data has no EIP712Domain type: it is not a valid EIP-712 document; ask for a new request")
	}
	if td.PrimaryType == "" || td.Types[td.PrimaryType] == nil {
		return nil, nil, fmt.Errorf("typed data's primaryType %q is not among its types: ask for a new request", td.PrimaryType)
	}
	if td.Message == nil {
		return nil, nil, fmt.Errorf("typed data has no message: ask for a new request")
	}
	exactNumbers(td.Message)
	if domainHas(&td, "chainId") {
		dc := (*big.Int)(td.Domain.ChainId)
		if dc == nil {
			return nil, nil, fmt.Errorf("typed data's domain declares chainId but gives none: ask for a new request")
		}
		if dc.Cmp(chainID) != 0 {
			return nil, nil, fmt.Errorf("the EIP-712 domain is for chain %s (%s) but the request's chain_id is %s (%s): the request is inconsistent; do not sign", dc, ChainName(dc), chainID, ChainName(chainID))
		}
	}
	digest, _, err := apitypes.TypedDataAndHash(td)
	if err != nil {
		return nil, nil, fmt.Errorf("typed data cannot be hashed under EIP-712: %v; ask for a new request", err)
	}
	return &td, digest, nil
}

// exactNumbers turns JSON numbers back into what go-ethereum expects
// (float64), except integers a float64 would round, which become decimal
// strings so they are hashed exactly.
func exactNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = exactNumbers(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = exactNumbers(e)
		}
		return x
	case json.Number:
		if n, ok := new(big.Int).SetString(string(x), 10); ok && n.BitLen() > 53 {
			return n.String()
		}
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return string(x)
		}
		return f
	}
	return v
}

// domainHas reports whether the EIP712Domain type (what is hashed) has a field.
func domainHas(td *apitypes.TypedData, name string) bool {
	for _, f := range td.Types["EIP712Domain"] {
		if f.Name == name {
			return true
		}
	}
	return false
}

// typedDataFields lists the hashed domain fields, the primary type and the
// message's fields (flattened, in type order) for review.
func typedDataFields(td *apitypes.TypedData) []Field {
	var out []Field
	dm := td.Domain.Map()
	for _, f := range td.Types["EIP712Domain"] {
		v := dm[f.Name]
		s := formatValue(f.Type, v)
		if f.Name == "chainId" && td.Domain.ChainId != nil {
			c := (*big.Int)(td.Domain.ChainId)
			s = c.String() + " (" + ChainName(c) + ")"
		}
		out = append(out, Field{"domain " + f.Name, s})
	}
	out = append(out, Field{"primary type", td.PrimaryType})
	return appendStruct(out, td, td.PrimaryType, td.Message, "message")
}

func appendStruct(out []Field, td *apitypes.TypedData, typ string, m map[string]any, prefix string) []Field {
	for _, f := range td.Types[typ] {
		out = appendValue(out, td, f.Type, m[f.Name], prefix+"."+f.Name)
	}
	return out
}

func appendValue(out []Field, td *apitypes.TypedData, typ string, v any, label string) []Field {
	if i := strings.LastIndex(typ, "["); i > 0 && strings.HasSuffix(typ, "]") {
		arr, _ := v.([]any)
		if len(arr) == 0 {
			return append(out, Field{label, "(empty list)"})
		}
		for j, e := range arr {
			out = appendValue(out, td, typ[:i], e, fmt.Sprintf("%s[%d]", label, j))
		}
		return out
	}
	if _, ok := td.Types[typ]; ok {
		m, _ := v.(map[string]any)
		return appendStruct(out, td, typ, m, label)
	}
	return append(out, Field{label, formatValue(typ, v)})
}

// formatValue renders a primitive EIP-712 value of type typ; strings are
// quoted so hidden or control characters show.
func formatValue(typ string, v any) string {
	switch x := v.(type) {
	case nil:
		return "(none)"
	case string:
		if typ == "string" || !printable([]byte(x)) {
			return strconv.Quote(x)
		}
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case fmt.Stringer:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}
