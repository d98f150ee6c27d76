package ethereum

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/coldtss/coldtss/internal/untrusted"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// This file reads and hashes EIP-712 typed data (eth_signTypedData_v4) on
// its own rather than through go-ethereum, which hashes out-of-range
// signed integers (int256 2^255 as -2^255), ignores the length of fixed-size
// arrays, keeps the last of two equal JSON keys, takes time growing with the
// fourth power of the number of chained struct types, and reports errors
// without saying which field is wrong. Here every value is checked against
// its type, with caps on size, into a tree of typed values; the digest is
// computed from that tree and the review is printed from that same tree, so
// what is shown is what is signed.

// Caps on typed data, checked before anything is hashed.
const (
	maxTypedTypes  = 100  // struct types declared, EIP712Domain included
	maxTypedFields = 100  // fields of one struct type
	maxTypedDepth  = 16   // structs and arrays nested in the message or domain
	maxTypedArray  = 1024 // elements of one array
	maxTypedLines  = 2000 // lines the review of the document shows
	maxNumberChars = 100  // characters of one integer value
)

// domainFields are the EIP712Domain fields EIP-712 defines, with their types.
var domainFields = map[string]string{
	"name": "string", "version": "string", "chainId": "uint256",
	"verifyingContract": "address", "salt": "bytes32",
}

var identRE = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// typedData is a checked EIP-712 document.
type typedData struct {
	primaryType string
	types       map[string][]typedField
	domain      *typedValue // of type EIP712Domain
	message     *typedValue // of type primaryType
	chainID     *big.Int    // the domain's chainId, nil if it has none
	fields      []Field     // review lines, in document order

	direct   map[string][]string // struct types each type's fields use
	deps     map[string][]string // memo: struct types each type references
	typeHash map[string][]byte   // memo: keccak256(encodeType)
}

type typedField struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// typedValue is one value of the document with its EIP-712 type.
type typedValue struct {
	typ    string        // as declared: "Person", "uint256[3]", "string"
	path   string        // "message.to[0].wallet"
	atom   []byte        // atomic types: the 32-byte encoding
	show   string        // atomic types: the value for review
	quoted bool          // show is a string value
	fields []*typedValue // structs: one per field of the type, in order
	elems  []*typedValue // arrays
	array  bool
}

// typedErr is a refusal about the document part at path.
func typedErr(path, format string, a ...any) error {
	return fmt.Errorf("typed data %s: %s", path, fmt.Sprintf(format, a...))
}

// shortQuote quotes untrusted text for an error message, escaped and cut
// to a readable length.
func shortQuote(s string) string {
	if utf8.RuneCountInString(s) > 80 {
		r := []rune(s)
		return untrusted.Quote(string(r[:64])) + fmt.Sprintf("… (%d characters)", len(r))
	}
	return untrusted.Quote(s)
}

// parseTypedData reads an eth_signTypedData_v4 document strictly, checks
// its domain's chain id against the request's and returns it with its
// EIP-712 digest.
func parseTypedData(b []byte, chainID *big.Int) (*typedData, []byte, error) {
	if !utf8.Valid(b) {
		return nil, nil, fmt.Errorf("typed data is not UTF-8 text: it must be an eth_signTypedData_v4 JSON document; ask for a new request")
	}
	if err := checkTypedJSON(b); err != nil {
		return nil, nil, err
	}
	var doc struct {
		Types       map[string][]typedField `json:"types"`
		PrimaryType *string                 `json:"primaryType"`
		Domain      map[string]any          `json:"domain"`
		Message     map[string]any          `json:"message"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("typed data is not a valid eth_signTypedData_v4 JSON document: %s; ask for a new request", untrusted.Text(err.Error()))
	}
	td := &typedData{types: doc.Types, direct: map[string][]string{}, deps: map[string][]string{}, typeHash: map[string][]byte{}}
	if err := td.checkTypes(); err != nil {
		return nil, nil, err
	}
	if doc.PrimaryType == nil {
		return nil, nil, typedErr("primaryType", "missing: the document must name the type of its message; ask for a new request")
	}
	td.primaryType = *doc.PrimaryType
	if _, ok := td.types[td.primaryType]; !ok {
		return nil, nil, typedErr("primaryType", "%s is not among its types: ask for a new request", shortQuote(td.primaryType))
	}
	if doc.Domain == nil {
		return nil, nil, typedErr("domain", "missing: the document has no domain; ask for a new request")
	}
	if doc.Message == nil {
		return nil, nil, fmt.Errorf("typed data has no message: ask for a new request")
	}

	// Check every value against its type, counting review lines, then hash.
	p := &typedParser{td: td, lines: 1} // "primary type" is one line
	var err error
	if td.domain, err = p.value("EIP712Domain", doc.Domain, "domain", 1); err != nil {
		return nil, nil, err
	}
	if td.message, err = p.value(td.primaryType, doc.Message, "message", 1); err != nil {
		return nil, nil, err
	}
	for _, f := range td.domain.fields {
		if f.path == "domain.chainId" {
			td.chainID = new(big.Int).SetBytes(f.atom)
			if td.chainID.Cmp(chainID) != 0 {
				return nil, nil, fmt.Errorf("the EIP-712 domain is for chain %s (%s) but the request's chain_id is %s (%s): the request is inconsistent; do not sign", td.chainID, ChainName(td.chainID), chainID, ChainName(chainID))
			}
		}
	}
	td.fields = td.reviewFields()
	digest := crypto.Keccak256([]byte{0x19, 0x01}, td.hashStruct(td.domain), td.hashStruct(td.message))
	return td, digest, nil
}

// checkTypedJSON walks the document's JSON tokens before it is decoded:
// valid syntax, one document, no key twice in any object (encoding/json
// would keep the last silently), no nesting deeper than the caps allow.
func checkTypedJSON(b []byte) error {
	type frame struct {
		obj     bool
		wantKey bool
		key     string
		idx     int
		seen    map[string]bool
	}
	var stack []*frame
	path := func() string { // where the current key or value is
		var s strings.Builder
		for _, f := range stack {
			switch {
			case f.obj && s.Len() > 0:
				s.WriteString("." + f.key)
			case f.obj:
				s.WriteString(f.key)
			default:
				fmt.Fprintf(&s, "[%d]", f.idx)
			}
		}
		return untrusted.Text(s.String())
	}
	done := func() { // a value ended in the innermost container
		if n := len(stack); n > 0 {
			if f := stack[n-1]; f.obj {
				f.wantKey = true
			} else {
				f.idx++
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	started := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if !started || len(stack) > 0 {
				return fmt.Errorf("typed data is not a valid eth_signTypedData_v4 JSON document: it ends early; ask for a new request")
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("typed data is not a valid eth_signTypedData_v4 JSON document: %s; ask for a new request", untrusted.Text(err.Error()))
		}
		if started && len(stack) == 0 {
			return fmt.Errorf("typed data has data after its JSON document: ask for a new request")
		}
		started = true
		if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].wantKey {
			f := stack[n-1]
			if tok == json.Delim('}') {
				stack = stack[:n-1]
				done()
				continue
			}
			k, _ := tok.(string)
			if f.seen[k] {
				f.key = k
				return fmt.Errorf("typed data gives %s twice: two programs could read different values from it; refuse it and ask for a new request", path())
			}
			f.seen[k], f.key, f.wantKey = true, k, false
			continue
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if len(stack) > maxTypedDepth {
				return fmt.Errorf("typed data %s: nested deeper than %d levels, more than this tool reviews: ask for a smaller request", path(), maxTypedDepth)
			}
			stack = append(stack, &frame{obj: tok == json.Delim('{'), wantKey: true, seen: map[string]bool{}})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			done()
		default:
			done()
		}
	}
}

// checkTypes checks the declared types: caps, names, and that every field
// type is an atomic type, a declared struct type or an array of those.
func (td *typedData) checkTypes() error {
	if len(td.types) > maxTypedTypes {
		return typedErr("types", "%d types declared, more than the %d this tool reviews: ask for a smaller request", len(td.types), maxTypedTypes)
	}
	if _, ok := td.types["EIP712Domain"]; !ok {
		return fmt.Errorf("typed data has no EIP712Domain type: it is not a valid EIP-712 document; ask for a new request")
	}
	names := make([]string, 0, len(td.types))
	for n := range td.types {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		fields := td.types[name]
		if !identRE.MatchString(name) {
			return typedErr("types", "type name %s is not a valid name (letters, digits, _ and $, not starting with a digit): ask for a new request", shortQuote(name))
		}
		if isAtomic(name) || name == "int" || name == "uint" {
			return typedErr("types", "type name %s is an atomic type and cannot be declared as a struct: ask for a new request", name)
		}
		if len(fields) > maxTypedFields {
			return typedErr("types."+name, "%d fields, more than the %d this tool reviews: ask for a smaller request", len(fields), maxTypedFields)
		}
		seen := map[string]bool{}
		for i, f := range fields {
			at := fmt.Sprintf("types.%s[%d]", name, i)
			if !identRE.MatchString(f.Name) {
				return typedErr(at, "field name %s is not a valid name (letters, digits, _ and $, not starting with a digit): ask for a new request", shortQuote(f.Name))
			}
			if seen[f.Name] {
				return typedErr(at, "field %s appears twice in type %s: ask for a new request", f.Name, name)
			}
			seen[f.Name] = true
			if err := td.checkFieldType(at, f.Type); err != nil {
				return err
			}
			if base, _, _ := splitType(f.Type); !isAtomic(base) {
				td.direct[name] = append(td.direct[name], base)
			}
			if name == "EIP712Domain" {
				want, ok := domainFields[f.Name]
				if !ok {
					return typedErr(at, "%s is not an EIP712Domain field (EIP-712 defines name, version, chainId, verifyingContract and salt): ask for a new request", f.Name)
				}
				if f.Type != want {
					return typedErr(at, "domain field %s has type %s, but EIP-712 defines it as %s: ask for a new request", f.Name, f.Type, want)
				}
			}
		}
	}
	if len(td.types["EIP712Domain"]) == 0 {
		return typedErr("types.EIP712Domain", "declares no fields, but EIP-712 needs at least one of name, version, chainId, verifyingContract and salt: ask for a new request")
	}
	return nil
}

// checkFieldType checks a field type: base name, then array dimensions.
func (td *typedData) checkFieldType(at, typ string) error {
	base, dims, ok := splitType(typ)
	if !ok {
		return typedErr(at, "type %s is not a type name optionally followed by [] or [N]: ask for a new request", shortQuote(typ))
	}
	for _, d := range dims {
		if d == 0 || d > maxTypedArray {
			return typedErr(at, "type %s: a fixed array length must be from 1 to %d: ask for a new request", typ, maxTypedArray)
		}
	}
	switch {
	case isAtomic(base):
	case base == "int" || base == "uint":
		return typedErr(at, "type %s is not an EIP-712 type: write %s256 (ask for a new request)", typ, base)
	default:
		if _, declared := td.types[base]; !declared {
			return typedErr(at, "type %s is neither an EIP-712 atomic type nor a type declared in types: ask for a new request", shortQuote(typ))
		}
	}
	return nil
}

var typeRE = regexp.MustCompile(`^([A-Za-z_$][A-Za-z0-9_$]*)((?:\[(?:0|[1-9][0-9]{0,5})?\])*)$`)

// splitType splits "Person[2][]" into "Person" and [2, -1] (-1: dynamic).
func splitType(typ string) (base string, dims []int, ok bool) {
	m := typeRE.FindStringSubmatch(typ)
	if m == nil {
		return "", nil, false
	}
	for _, d := range strings.Split(m[2], "]") {
		if d == "" {
			continue
		}
		d = strings.TrimPrefix(d, "[")
		n := -1
		if d != "" {
			n, _ = strconv.Atoi(d)
		}
		dims = append(dims, n)
	}
	return m[1], dims, true
}

// isAtomic reports whether typ is an EIP-712 atomic or dynamic
// non-struct type: bool, address, string, bytes, bytes1..32, (u)int8..256.
func isAtomic(typ string) bool {
	switch typ {
	case "bool", "address", "string", "bytes":
		return true
	}
	_, ok := atomicSize(typ)
	return ok
}

// atomicSize returns N for bytesN, intN and uintN.
func atomicSize(typ string) (int, bool) {
	var digits string
	var lo, hi, step int
	switch {
	case strings.HasPrefix(typ, "bytes"):
		digits, lo, hi, step = typ[5:], 1, 32, 1
	case strings.HasPrefix(typ, "uint"):
		digits, lo, hi, step = typ[4:], 8, 256, 8
	case strings.HasPrefix(typ, "int"):
		digits, lo, hi, step = typ[3:], 8, 256, 8
	default:
		return 0, false
	}
	if digits == "" || digits[0] == '0' || len(digits) > 3 {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < lo || n > hi || n%step != 0 {
		return 0, false
	}
	return n, true
}

// typedParser checks values against types, counting review lines.
type typedParser struct {
	td    *typedData
	lines int
}

func (p *typedParser) line(path string) error {
	p.lines++
	if p.lines > maxTypedLines {
		return typedErr(path, "the review would be longer than %d lines, more than this tool shows: ask for a smaller request", maxTypedLines)
	}
	return nil
}

// jsonKind names what a decoded JSON value is, for refusals.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a JSON string"
	case json.Number:
		return "a number"
	case bool:
		return "true or false"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%T", v)
}

// value checks v against typ at path, depth levels deep.
func (p *typedParser) value(typ string, v any, path string, depth int) (*typedValue, error) {
	out := &typedValue{typ: typ, path: path}
	if i := strings.LastIndexByte(typ, '['); i > 0 {
		if depth > maxTypedDepth {
			return nil, typedErr(path, "nested deeper than %d levels, more than this tool reviews: ask for a smaller request", maxTypedDepth)
		}
		arr, ok := v.([]any)
		if !ok {
			return nil, typedErr(path, "is %s, but its type %s needs a list: ask for a new request", jsonKind(v), typ)
		}
		if len(arr) > maxTypedArray {
			return nil, typedErr(path, "has %d elements, more than the %d this tool reviews: ask for a smaller request", len(arr), maxTypedArray)
		}
		if n := typ[i+1 : len(typ)-1]; n != "" {
			if want, _ := strconv.Atoi(n); len(arr) != want {
				return nil, typedErr(path, "has %d elements, but its type %s needs exactly %d: ask for a new request", len(arr), typ, want)
			}
		}
		out.array = true
		if len(arr) == 0 {
			return out, p.line(path)
		}
		for j, e := range arr {
			ev, err := p.value(typ[:i], e, fmt.Sprintf("%s[%d]", path, j), depth+1)
			if err != nil {
				return nil, err
			}
			out.elems = append(out.elems, ev)
		}
		return out, nil
	}
	if fields, ok := p.td.types[typ]; ok {
		if depth > maxTypedDepth {
			return nil, typedErr(path, "nested deeper than %d levels, more than this tool reviews: ask for a smaller request", maxTypedDepth)
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, typedErr(path, "is %s, but its type %s needs an object: ask for a new request", jsonKind(v), typ)
		}
		declared := make(map[string]bool, len(fields))
		for _, f := range fields {
			declared[f.Name] = true
		}
		var extra []string
		for k := range m {
			if !declared[k] {
				extra = append(extra, k)
			}
		}
		if len(extra) > 0 {
			sort.Strings(extra)
			return nil, typedErr(path, "has a field %s that type %s does not declare: ask for a new request", shortQuote(extra[0]), typ)
		}
		if len(fields) == 0 {
			return out, p.line(path)
		}
		for _, f := range fields {
			fv, present := m[f.Name]
			if !present {
				return nil, typedErr(path+"."+f.Name, "missing, but type %s declares it (%s): ask for a new request", typ, f.Type)
			}
			c, err := p.value(f.Type, fv, path+"."+f.Name, depth+1)
			if err != nil {
				return nil, err
			}
			out.fields = append(out.fields, c)
		}
		return out, nil
	}
	if err := p.line(path); err != nil {
		return nil, err
	}
	if err := atomicValue(out, v); err != nil {
		return nil, err
	}
	return out, nil
}

// atomicValue encodes v as the atomic type out.typ (EIP-712 encodeData:
// one 32-byte word) and sets how the review shows it.
func atomicValue(out *typedValue, v any) error {
	typ, path := out.typ, out.path
	mismatch := func(want string) error {
		return typedErr(path, "is %s, but its type %s needs %s: ask for a new request", jsonKind(v), typ, want)
	}
	switch typ {
	case "string":
		s, ok := v.(string)
		if !ok {
			return mismatch("a JSON string")
		}
		out.atom, out.show, out.quoted = crypto.Keccak256([]byte(s)), s, true
		return nil
	case "bool":
		b, ok := v.(bool)
		if !ok {
			return mismatch("true or false")
		}
		out.atom, out.show = make([]byte, 32), strconv.FormatBool(b)
		if b {
			out.atom[31] = 1
		}
		return nil
	case "address":
		s, ok := v.(string)
		if !ok {
			return mismatch("an address string (0x and 40 hex digits)")
		}
		if !strings.HasPrefix(s, "0x") || !common.IsHexAddress(s) {
			return typedErr(path, "%s is not an Ethereum address (0x and 40 hex digits): ask for a new request", shortQuote(s))
		}
		a, err := parseAddress(s) // now only a wrong checksum can fail
		if err != nil {
			return typedErr(path, "%v", err)
		}
		out.atom, out.show = common32(a.Bytes()), a.Hex()
		return nil
	}
	if strings.HasPrefix(typ, "bytes") {
		s, ok := v.(string)
		if !ok {
			return mismatch("a 0x-hex string")
		}
		b, err := decodeHex0x(s)
		if err != nil {
			return typedErr(path, "%s is not 0x-prefixed hex with an even number of digits: ask for a new request", shortQuote(s))
		}
		out.show = "0x" + hex.EncodeToString(b)
		if typ == "bytes" {
			out.atom = crypto.Keccak256(b)
			return nil
		}
		n, _ := atomicSize(typ)
		if len(b) != n {
			return typedErr(path, "has %d bytes, but its type %s needs exactly %d: ask for a new request", len(b), typ, n)
		}
		out.atom = make([]byte, 32)
		copy(out.atom, b)
		return nil
	}
	bits, _ := atomicSize(typ)
	signed := strings.HasPrefix(typ, "int")
	n, err := parseTypedInt(v)
	if err != nil {
		return typedErr(path, "%s: ask for a new request", err)
	}
	lo, hi := new(big.Int), new(big.Int).Lsh(big.NewInt(1), uint(bits)) // [lo, hi)
	rng := fmt.Sprintf("0 to 2^%d-1", bits)
	if signed {
		hi.Rsh(hi, 1)
		lo.Neg(hi)
		rng = fmt.Sprintf("-2^%d to 2^%d-1", bits-1, bits-1)
	}
	if n.Cmp(lo) < 0 || n.Cmp(hi) >= 0 {
		return typedErr(path, "%s is out of range for %s (%s): ask for a new request", n, typ, rng)
	}
	out.show = n.String()
	if n.Sign() < 0 {
		n.Add(n, new(big.Int).Lsh(big.NewInt(1), 256)) // two's complement
	}
	out.atom = n.FillBytes(make([]byte, 32))
	return nil
}

func common32(b []byte) []byte {
	w := make([]byte, 32)
	copy(w[32-len(b):], b)
	return w
}

// decodeHex0x decodes "0x..." hex with an even number of digits.
func decodeHex0x(s string) ([]byte, error) {
	if !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		return nil, fmt.Errorf("no 0x")
	}
	return hex.DecodeString(s[2:])
}

var (
	intRE    = regexp.MustCompile(`^-?[0-9]+$`)
	hexIntRE = regexp.MustCompile(`^0[xX][0-9a-fA-F]+$`)
	expRE    = regexp.MustCompile(`[eE]([+-]?)([0-9]+)$`)
)

// parseTypedInt reads an integer value: a JSON number that is a whole
// number, or a string of decimal digits (optionally negative) or 0x hex.
func parseTypedInt(v any) (*big.Int, error) {
	switch x := v.(type) {
	case json.Number:
		s := string(x)
		if len(s) > maxNumberChars {
			return nil, fmt.Errorf("the number %s is longer than %d characters, too long for a 256-bit integer", shortQuote(s), maxNumberChars)
		}
		if intRE.MatchString(s) {
			n, _ := new(big.Int).SetString(s, 10)
			return n, nil
		}
		// A fraction or exponent: accept only an exact whole number of
		// modest size (JSON.stringify writes 1e+21 for large numbers).
		if m := expRE.FindStringSubmatch(s); m != nil && len(strings.TrimLeft(m[2], "0")) > 2 {
			return nil, fmt.Errorf("the number %s is not a whole number of at most 256 bits", shortQuote(s))
		}
		r, ok := new(big.Rat).SetString(s)
		if !ok || !r.IsInt() {
			return nil, fmt.Errorf("the number %s is not a whole number", shortQuote(s))
		}
		return new(big.Int).Set(r.Num()), nil
	case string:
		if len(x) > maxNumberChars {
			return nil, fmt.Errorf("the number %s is longer than %d characters, too long for a 256-bit integer", shortQuote(x), maxNumberChars)
		}
		switch {
		case intRE.MatchString(x):
			n, _ := new(big.Int).SetString(x, 10)
			return n, nil
		case hexIntRE.MatchString(x):
			n, _ := new(big.Int).SetString(x[2:], 16)
			return n, nil
		}
		return nil, fmt.Errorf("%s is not a whole number (decimal digits, or 0x and hex digits)", shortQuote(x))
	}
	return nil, fmt.Errorf("is %s, but an integer type needs a number or a string of digits", jsonKind(v))
}

// dependencies returns the struct types typ references, directly or not,
// itself excluded, memoised (EIP-712 encodeType).
func (td *typedData) dependencies(typ string) []string {
	if d, ok := td.deps[typ]; ok {
		return d
	}
	seen := map[string]bool{typ: true}
	stack := []string{typ}
	var out []string
	for len(stack) > 0 {
		t := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, base := range td.direct[t] {
			if !seen[base] {
				seen[base] = true
				out = append(out, base)
				stack = append(stack, base)
			}
		}
	}
	sort.Strings(out)
	td.deps[typ] = out
	return out
}

// encodeType is EIP-712's encodeType: the type, then its dependencies in
// alphabetical order, each as Name(type1 name1,type2 name2).
func (td *typedData) encodeType(typ string) []byte {
	var b bytes.Buffer
	for _, t := range append([]string{typ}, td.dependencies(typ)...) {
		b.WriteString(t + "(")
		for i, f := range td.types[t] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(f.Type + " " + f.Name)
		}
		b.WriteByte(')')
	}
	return b.Bytes()
}

func (td *typedData) hashType(typ string) []byte {
	if h, ok := td.typeHash[typ]; ok {
		return h
	}
	h := crypto.Keccak256(td.encodeType(typ))
	td.typeHash[typ] = h
	return h
}

// hashStruct is EIP-712's hashStruct of a struct value.
func (td *typedData) hashStruct(v *typedValue) []byte {
	enc := make([]byte, 0, 32*(1+len(v.fields)))
	enc = append(enc, td.hashType(v.typ)...)
	for _, f := range v.fields {
		enc = append(enc, td.encodeValue(f)...)
	}
	return crypto.Keccak256(enc)
}

// encodeValue is the 32-byte encoding of a field value: atomic values as
// they are, structs by hashStruct, arrays as the hash of their elements'
// encodings.
func (td *typedData) encodeValue(v *typedValue) []byte {
	switch {
	case v.array:
		enc := make([]byte, 0, 32*len(v.elems))
		for _, e := range v.elems {
			enc = append(enc, td.encodeValue(e)...)
		}
		return crypto.Keccak256(enc)
	case v.atom != nil:
		return v.atom
	}
	return td.hashStruct(v)
}

// reviewFields lists the hashed domain fields, the primary type and the
// message's values, flattened, in type order: exactly what is hashed.
func (td *typedData) reviewFields() []Field {
	var out []Field
	for _, f := range td.domain.fields {
		name := strings.TrimPrefix(f.path, "domain.")
		val := f.show
		if name == "chainId" {
			val += " (" + ChainName(td.chainID) + ")"
		}
		out = append(out, Field{Label: "domain " + name, Value: val, Quoted: f.quoted})
	}
	out = append(out, Field{Label: "primary type", Value: td.primaryType})
	return appendTyped(out, td.message)
}

func appendTyped(out []Field, v *typedValue) []Field {
	switch {
	case v.array && len(v.elems) == 0:
		return append(out, Field{Label: v.path, Value: "(empty list)"})
	case v.array:
		for _, e := range v.elems {
			out = appendTyped(out, e)
		}
		return out
	case v.atom != nil:
		return append(out, Field{Label: v.path, Value: v.show, Quoted: v.quoted})
	case len(v.fields) == 0:
		return append(out, Field{Label: v.path, Value: "(no fields)"})
	}
	for _, f := range v.fields {
		out = appendTyped(out, f)
	}
	return out
}
