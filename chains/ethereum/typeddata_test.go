package ethereum

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"
)

// mailTypes is a Mail/Person type set for building documents.
const mailTypes = `"EIP712Domain":[{"name":"name","type":"string"},{"name":"chainId","type":"uint256"}],
"Person":[{"name":"name","type":"string"},{"name":"wallet","type":"address"}],
"Mail":[{"name":"from","type":"Person"},{"name":"to","type":"Person"},{"name":"contents","type":"string"}]`

const mailMessage = `{"from":{"name":"Cow","wallet":"0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},"to":{"name":"Bob","wallet":"0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},"contents":"Hello, Bob!"}`

// doc builds a typed data document for chain 1.
func doc(types, primary, message string) []byte {
	return []byte(fmt.Sprintf(`{"types":{%s},"primaryType":%q,"domain":{"name":"Test","chainId":1},"message":%s}`, types, primary, message))
}

// oneField is a document whose message has one field v of type typ.
func oneField(typ, v string) []byte {
	return doc(`"EIP712Domain":[{"name":"name","type":"string"},{"name":"chainId","type":"uint256"}],"T":[{"name":"v","type":"`+typ+`"}]`, "T", `{"v":`+v+`}`)
}

// gethDigest is go-ethereum's EIP-712 digest of a document.
func gethDigest(t *testing.T, b []byte) []byte {
	t.Helper()
	var td apitypes.TypedData
	if err := json.Unmarshal(b, &td); err != nil {
		t.Fatal(err)
	}
	h, _, err := apitypes.TypedDataAndHash(td)
	if err != nil {
		t.Fatalf("go-ethereum: %v", err)
	}
	return h
}

// TestTypedDataMatchesGoEthereum: on valid, in-range documents our digest
// is go-ethereum's.
func TestTypedDataMatchesGoEthereum(t *testing.T) {
	docs := [][]byte{
		doc(mailTypes, "Mail", mailMessage),
		// A declared type nothing references is allowed and not hashed.
		doc(mailTypes+`,"Unused":[{"name":"x","type":"uint8"},{"name":"p","type":"Person[]"}]`, "Mail", mailMessage),
		oneField("int8", "-128"), oneField("int8", "127"), oneField("int256", `"-57896044618658097711785492504343953926634992332820282019728792003956564819968"`),
		oneField("int64", "-1"), oneField("uint256", `"0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"`),
		oneField("uint32", `"4294967295"`), oneField("bool", "true"), oneField("bool", "false"),
		oneField("bytes", `"0x"`), oneField("bytes", `"0xdeadbeef"`), oneField("bytes4", `"0xdeadbeef"`), oneField("bytes32", `"0x`+strings.Repeat("ab", 32)+`"`),
		oneField("string", `""`), oneField("string", `"héllo 🚀"`), oneField("address", `"0x0000000000000000000000000000000000000000"`),
		oneField("uint8[]", "[]"), oneField("uint8[3]", "[1,2,3]"), oneField("int16[2][]", "[[1,-2],[3,-4],[5,6]]"),
		oneField("string[][1]", `[["a","b"]]`), oneField("bytes[2]", `["0x01","0x"]`),
		doc(mailTypes+`,"Group":[{"name":"members","type":"Person[]"},{"name":"mails","type":"Mail[2]"}]`, "Group",
			`{"members":[{"name":"A","wallet":"0x0000000000000000000000000000000000000001"}],"mails":[`+mailMessage+`,`+mailMessage+`]}`),
	}
	for i, b := range docs {
		td, d, err := parseTypedData(b, big.NewInt(1))
		if err != nil {
			t.Fatalf("doc %d: %v", i, err)
		}
		if want := gethDigest(t, b); !bytes.Equal(d, want) {
			t.Fatalf("doc %d: digest %x, go-ethereum %x", i, d, want)
		}
		if len(td.fields) == 0 {
			t.Fatalf("doc %d: no review", i)
		}
	}
}

// TestTypedDataRandomVectors checks the 123 random EIP-712 vectors
// go-ethereum ships (signer/core/apitypes/testdata/typed-data.json, from
// ethers.js's generator): digest and encodeData of the message. They are
// read from the module cache, not copied here.
func TestTypedDataRandomVectors(t *testing.T) {
	path := gethFile(t, "signer/core/apitypes/testdata/typed-data.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("go-ethereum's typed-data vectors are not in the module cache (%v)", err)
	}
	var vs []struct {
		Name        string          `json:"name"`
		Domain      json.RawMessage `json:"domain"`
		PrimaryType string          `json:"primaryType"`
		Types       json.RawMessage `json:"types"`
		Data        json.RawMessage `json:"data"`
		Encoded     string          `json:"encoded"`
		Digest      string          `json:"digest"`
	}
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) != 123 {
		t.Fatalf("expected 123 vectors, got %d", len(vs))
	}
	for _, v := range vs {
		d := []byte(fmt.Sprintf(`{"types":%s,"primaryType":%q,"domain":%s,"message":%s}`, v.Types, v.PrimaryType, v.Domain, v.Data))
		chain := big.NewInt(1)
		var dom struct{ ChainId *big.Int }
		if json.Unmarshal(v.Domain, &dom) == nil && dom.ChainId != nil {
			chain = dom.ChainId
		}
		td, digest, err := parseTypedData(d, chain)
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		if got := hexutil.Encode(digest); got != v.Digest {
			t.Fatalf("%s: digest %s, want %s", v.Name, got, v.Digest)
		}
		enc := td.hashType(td.message.typ)
		for _, f := range td.message.fields {
			enc = append(enc, td.encodeValue(f)...)
		}
		if got := hexutil.Encode(enc); got != v.Encoded {
			t.Fatalf("%s: encodeData %s, want %s", v.Name, got, v.Encoded)
		}
	}
}

// gethFile finds a file of the go-ethereum module this package builds with.
func gethFile(t *testing.T, rel string) string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/ethereum/go-ethereum").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Skipf("cannot locate the go-ethereum module (%v)", err)
	}
	return filepath.Join(dir, rel)
}

// TestTypedDataRefusalWording checks each EIP-712 refusal's wording: it
// names the field path and says what to do.
func TestTypedDataRefusalWording(t *testing.T) {
	f := newFixture(t)
	twoTo255 := new(big.Int).Lsh(big.NewInt(1), 255).String()
	twoTo256 := new(big.Int).Lsh(big.NewInt(1), 256).String()
	dom := `"EIP712Domain":[{"name":"name","type":"string"},{"name":"chainId","type":"uint256"}]`
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		// Integers out of range for their width.
		{"int256 2^255", oneField("int256", `"`+twoTo255+`"`), "typed data message.v: " + twoTo255 + " is out of range for int256 (-2^255 to 2^255-1): ask for a new request"},
		{"int256 -2^255-1", oneField("int256", `"-`+new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(1)).String()+`"`), "is out of range for int256 (-2^255 to 2^255-1)"},
		{"int8 128", oneField("int8", "128"), "typed data message.v: 128 is out of range for int8 (-2^7 to 2^7-1): ask for a new request"},
		{"int8 -129", oneField("int8", "-129"), "typed data message.v: -129 is out of range for int8 (-2^7 to 2^7-1): ask for a new request"},
		{"int8 0xff", oneField("int8", `"0xff"`), "typed data message.v: 255 is out of range for int8 (-2^7 to 2^7-1)"},
		{"uint8 256", oneField("uint8", "256"), "typed data message.v: 256 is out of range for uint8 (0 to 2^8-1): ask for a new request"},
		{"uint8 -1", oneField("uint8", "-1"), "typed data message.v: -1 is out of range for uint8 (0 to 2^8-1): ask for a new request"},
		{"uint256 2^256", oneField("uint256", `"`+twoTo256+`"`), "typed data message.v: " + twoTo256 + " is out of range for uint256 (0 to 2^256-1)"},
		{"uint256 negative string", oneField("uint256", `"-5"`), "typed data message.v: -5 is out of range for uint256"},
		{"not a number", oneField("uint8", `"abc"`), `typed data message.v: "abc" is not a whole number (decimal digits, or 0x and hex digits): ask for a new request`},
		{"empty string number", oneField("uint8", `""`), `typed data message.v: "" is not a whole number`},
		{"fraction", oneField("uint8", "1.5"), `typed data message.v: the number "1.5" is not a whole number: ask for a new request`},
		{"huge exponent", oneField("uint256", "1e999999999"), `typed data message.v: the number "1e999999999" is not a whole number of at most 256 bits`},
		{"too many digits", oneField("uint256", `"`+strings.Repeat("1", 101)+`"`), "is longer than 100 characters, too long for a 256-bit integer"},
		{"bool for integer", oneField("uint8", "true"), "typed data message.v: is true or false, but an integer type needs a number or a string of digits: ask for a new request"},
		// Fixed-size arrays.
		{"uint256[3] of 2", oneField("uint256[3]", "[1,2]"), "typed data message.v: has 2 elements, but its type uint256[3] needs exactly 3: ask for a new request"},
		{"uint256[3] of 4", oneField("uint256[3]", "[1,2,3,4]"), "typed data message.v: has 4 elements, but its type uint256[3] needs exactly 3"},
		{"inner fixed array", oneField("uint8[2][]", "[[1,2],[3]]"), "typed data message.v[1]: has 1 elements, but its type uint8[2] needs exactly 2"},
		{"bytes4 of 3", oneField("bytes4", `"0x010203"`), "typed data message.v: has 3 bytes, but its type bytes4 needs exactly 4: ask for a new request"},
		// Duplicate JSON keys, anywhere.
		{"dup in message", doc(mailTypes, "Mail", strings.Replace(mailMessage, `"contents":"Hello, Bob!"`, `"contents":"Hello, Bob!","contents":"Pay Mallory"`, 1)), "typed data gives message.contents twice: two programs could read different values from it; refuse it and ask for a new request"},
		{"dup in nested object", doc(mailTypes, "Mail", strings.Replace(mailMessage, `"wallet":"0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"`, `"wallet":"0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB","wallet":"0x0000000000000000000000000000000000000001"`, 1)), "typed data gives message.to.wallet twice"},
		{"dup in domain", []byte(strings.Replace(string(doc(mailTypes, "Mail", mailMessage)), `"chainId":1`, `"chainId":1,"chainId":5`, 1)), "typed data gives domain.chainId twice"},
		{"dup type", []byte(strings.Replace(string(doc(mailTypes, "Mail", mailMessage)), `"Person":`, `"Person":[],"Person":`, 1)), "typed data gives types.Person twice"},
		{"dup in field entry", []byte(strings.Replace(string(doc(mailTypes, "Mail", mailMessage)), `{"name":"contents","type":"string"}`, `{"name":"contents","type":"string","type":"bytes"}`, 1)), "typed data gives types.Mail[2].type twice"},
		{"dup primaryType", []byte(strings.Replace(string(doc(mailTypes, "Mail", mailMessage)), `"primaryType":"Mail"`, `"primaryType":"Mail","primaryType":"Person"`, 1)), "typed data gives primaryType twice"},
		{"dup with hostile key", []byte(strings.Replace(string(doc(mailTypes, "Mail", mailMessage)), `"contents":"Hello, Bob!"`, `"a\u001b":1,"a\u001b":2`, 1)), `typed data gives message.a\x1b twice`},
		// Names and types.
		{"bad type name", doc(mailTypes+`,"Ma il":[]`, "Mail", mailMessage), `typed data types: type name "Ma il" is not a valid name (letters, digits, _ and $, not starting with a digit): ask for a new request`},
		{"bad field name", doc(dom+`,"T":[{"name":"x-y","type":"uint8"}]`, "T", `{"x-y":1}`), `typed data types.T[0]: field name "x-y" is not a valid name (letters, digits, _ and $, not starting with a digit): ask for a new request`},
		{"undeclared type", doc(mailTypes+`,"Box":[{"name":"a","type":"uint8"},{"name":"b","type":"Persn"}]`, "Mail", mailMessage), `typed data types.Box[1]: type "Persn" is neither an EIP-712 atomic type nor a type declared in types: ask for a new request`},
		{"malformed array type", doc(dom+`,"T":[{"name":"v","type":"uint8[x]"}]`, "T", `{"v":[]}`), `typed data types.T[0]: type "uint8[x]" is not a type name optionally followed by [] or [N]: ask for a new request`},
		{"zero-length array type", doc(dom+`,"T":[{"name":"v","type":"uint8[0]"}]`, "T", `{"v":[]}`), "typed data types.T[0]: type uint8[0]: a fixed array length must be from 1 to 1024"},
		{"uint alias", doc(dom+`,"T":[{"name":"v","type":"uint"}]`, "T", `{"v":1}`), "typed data types.T[0]: type uint is not an EIP-712 type: write uint256"},
		{"bytes33", doc(dom+`,"T":[{"name":"v","type":"bytes33"}]`, "T", `{"v":"0x"}`), `typed data types.T[0]: type "bytes33" is neither an EIP-712 atomic type nor a type declared in types`},
		{"atomic type declared", doc(dom+`,"address":[]`, "EIP712Domain", `{"name":"x","chainId":1}`), "typed data types: type name address is an atomic type and cannot be declared as a struct"},
		{"field twice", doc(dom+`,"T":[{"name":"v","type":"uint8"},{"name":"v","type":"string"}]`, "T", `{"v":1}`), "typed data types.T[1]: field v appears twice in type T: ask for a new request"},
		{"unknown domain field", doc(`"EIP712Domain":[{"name":"name","type":"string"},{"name":"owner","type":"address"}],"T":[]`, "T", `{}`), "typed data types.EIP712Domain[1]: owner is not an EIP712Domain field (EIP-712 defines name, version, chainId, verifyingContract and salt): ask for a new request"},
		{"domain chainId as string", doc(`"EIP712Domain":[{"name":"chainId","type":"string"}],"T":[]`, "T", `{}`), "typed data types.EIP712Domain[0]: domain field chainId has type string, but EIP-712 defines it as uint256: ask for a new request"},
		{"empty domain type", doc(`"EIP712Domain":[],"T":[]`, "T", `{}`), "typed data types.EIP712Domain: declares no fields"},
		{"no primaryType", []byte(`{"types":{` + dom + `},"domain":{"name":"x","chainId":1},"message":{}}`), "typed data primaryType: missing: the document must name the type of its message; ask for a new request"},
		// Addresses.
		{"malformed address", oneField("address", `"0x1234"`), `typed data message.v: "0x1234" is not an Ethereum address (0x and 40 hex digits): ask for a new request`},
		{"address reading checksum", oneField("address", `"checksum"`), `typed data message.v: "checksum" is not an Ethereum address (0x and 40 hex digits): ask for a new request`},
		{"address without 0x", oneField("address", `"CD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"`), "is not an Ethereum address (0x and 40 hex digits)"},
		{"bad checksum", doc(mailTypes, "Mail", strings.Replace(mailMessage, "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB", "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBBB", 1)),
			`typed data message.to.wallet: "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBBB" has a wrong EIP-55 checksum (expected 0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB): it was mistyped or altered; do not sign`},
		// What go-ethereum used to report without a path.
		{"null string", doc(mailTypes, "Mail", strings.Replace(mailMessage, `"Hello, Bob!"`, `null`, 1)), "typed data message.contents: is null, but its type string needs a JSON string: ask for a new request"},
		{"missing field", doc(mailTypes, "Mail", strings.Replace(mailMessage, `,"contents":"Hello, Bob!"`, ``, 1)), "typed data message.contents: missing, but type Mail declares it (string): ask for a new request"},
		{"number for string", doc(mailTypes, "Mail", strings.Replace(mailMessage, `"Cow"`, `7`, 1)), "typed data message.from.name: is a number, but its type string needs a JSON string: ask for a new request"},
		{"string for struct", doc(mailTypes, "Mail", `{"from":"Cow","to":{"name":"Bob","wallet":"0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},"contents":"x"}`), "typed data message.from: is a JSON string, but its type Person needs an object: ask for a new request"},
		{"object for list", oneField("uint8[]", "{}"), "typed data message.v: is an object, but its type uint8[] needs a list: ask for a new request"},
		{"bytes not hex", oneField("bytes", `"0x123"`), `typed data message.v: "0x123" is not 0x-prefixed hex with an even number of digits: ask for a new request`},
		{"domain value", []byte(strings.Replace(string(doc(mailTypes, "Mail", mailMessage)), `"chainId":1`, `"chainId":"one"`, 1)), `typed data domain.chainId: "one" is not a whole number`},
		{"undeclared domain value", []byte(strings.Replace(string(doc(mailTypes, "Mail", mailMessage)), `"chainId":1`, `"chainId":1,"version":"2"`, 1)), `typed data domain: has a field "version" that type EIP712Domain does not declare: ask for a new request`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.review(f.req(KindTypedData, "1", c.data), Policy{})
			wantErr(t, err, c.want)
		})
	}
	// All-lowercase and all-uppercase addresses carry no checksum: accepted.
	for _, a := range []string{"0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "0xBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"} {
		if _, err := f.review(f.req(KindTypedData, "1", oneField("address", `"`+a+`"`)), Policy{}); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	// The extremes of each width are accepted.
	for _, c := range [][2]string{{"int8", "-128"}, {"int8", "127"}, {"uint8", "255"}, {"int256", `"-` + twoTo255 + `"`}, {"uint256", "1e21"}} {
		if _, err := f.review(f.req(KindTypedData, "1", oneField(c[0], c[1])), Policy{}); err != nil {
			t.Fatalf("%s %s: %v", c[0], c[1], err)
		}
	}
}

// chainTypes declares n struct types T0..T(n-1), each holding the next.
func chainTypes(n int) string {
	var b strings.Builder
	b.WriteString(`"EIP712Domain":[{"name":"name","type":"string"},{"name":"chainId","type":"uint256"}]`)
	for i := 0; i < n; i++ {
		next := "uint8"
		if i+1 < n {
			next = fmt.Sprintf("T%d", i+1)
		}
		fmt.Fprintf(&b, `,"T%d":[{"name":"a","type":"uint8"},{"name":"n","type":"%s"}]`, i, next)
	}
	return b.String()
}

func TestTypedDataCaps(t *testing.T) {
	f := newFixture(t)
	dom := `"EIP712Domain":[{"name":"name","type":"string"},{"name":"chainId","type":"uint256"}]`
	var manyFields, manyFieldsMsg []string
	for i := 0; i < 101; i++ {
		manyFields = append(manyFields, fmt.Sprintf(`{"name":"f%d","type":"bool"}`, i))
		manyFieldsMsg = append(manyFieldsMsg, fmt.Sprintf(`"f%d":true`, i))
	}
	deep := "1"
	for i := 0; i < 17; i++ {
		deep = "[" + deep + "]"
	}
	longList := "[" + strings.TrimSuffix(strings.Repeat("1,", 1025), ",") + "]"
	var lines []string
	for i := 0; i < 40; i++ {
		lines = append(lines, "["+strings.TrimSuffix(strings.Repeat("true,", 60), ",")+"]")
	}
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"101 types", doc(chainTypes(100), "T0", `{}`), "typed data types: 101 types declared, more than the 100 this tool reviews: ask for a smaller request"},
		{"101 fields", doc(dom+`,"T":[`+strings.Join(manyFields, ",")+`]`, "T", "{"+strings.Join(manyFieldsMsg, ",")+"}"), "typed data types.T: 101 fields, more than the 100 this tool reviews: ask for a smaller request"},
		{"JSON nested 18 deep", oneField("uint8"+strings.Repeat("[]", 17), deep), "typed data message.v" + strings.Repeat("[0]", 15) + ": nested deeper than 16 levels, more than this tool reviews: ask for a smaller request"},
		{"types nested 17 deep", doc(chainTypes(20), "T0", nested(20)), "typed data message" + strings.Repeat(".n", 16) + ": nested deeper than 16 levels, more than this tool reviews: ask for a smaller request"},
		{"1025 elements", oneField("uint8[]", longList), "typed data message.v: has 1025 elements, more than the 1024 this tool reviews: ask for a smaller request"},
		{"2001 lines", oneField("bool[][]", "["+strings.Join(lines, ",")+"]"), "the review would be longer than 2000 lines, more than this tool shows: ask for a smaller request"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.review(f.req(KindTypedData, "1", c.data), Policy{})
			wantErr(t, err, c.want)
		})
	}
}

// nested is a message for chainTypes(n) nested as deep as the types go.
func nested(n int) string {
	v := "1"
	for i := n - 1; i >= 0; i-- {
		v = fmt.Sprintf(`{"a":1,"n":%s}`, v)
	}
	return v
}

// TestTypedDataWorstCase: documents at the caps, inside the 1 MiB request
// limit, review quickly (go-ethereum's encoder took minutes on 800 chained
// types; ours memoises type dependencies and type hashes). Times are
// logged, not asserted; each run must succeed.
func TestTypedDataWorstCase(t *testing.T) {
	f := newFixture(t)
	// 100 types (99 structs and the domain), each struct with up to 100
	// fields that are lists of every later type, so every encodeType spans
	// nearly all types; the message fills every list of T0 with one
	// element whose own lists are empty.
	const n = 99
	var types strings.Builder
	types.WriteString(`"EIP712Domain":[{"name":"name","type":"string"},{"name":"chainId","type":"uint256"}]`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&types, `,"T%d":[{"name":"x","type":"uint256"}`, i)
		for j := i + 1; j < n && j-i < 100; j++ {
			fmt.Fprintf(&types, `,{"name":"l%d","type":"T%d[]"}`, j, j)
		}
		types.WriteString("]")
	}
	empty := func(i int) string {
		var b strings.Builder
		fmt.Fprintf(&b, `{"x":%d`, i)
		for j := i + 1; j < n && j-i < 100; j++ {
			fmt.Fprintf(&b, `,"l%d":[]`, j)
		}
		return b.String() + "}"
	}
	wide := func(k int) string { // T0 with lists 1..k holding one element each
		var b strings.Builder
		b.WriteString(`{"x":0`)
		for j := 1; j < n; j++ {
			if j <= k {
				fmt.Fprintf(&b, `,"l%d":[%s]`, j, empty(j))
			} else {
				fmt.Fprintf(&b, `,"l%d":[]`, j)
			}
		}
		return b.String() + "}"
	}
	// As many filled lists as the 2000-line cap allows.
	k := 0
	for k < n-1 {
		if _, _, err := parseTypedData(doc(types.String(), "T0", wide(k+1)), big.NewInt(1)); err != nil {
			break
		}
		k++
	}
	if k < 20 {
		t.Fatalf("only %d lists fit under the line cap", k)
	}
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"100 types, every type referencing every later one", doc(types.String(), "T0", wide(0))},
		{fmt.Sprintf("same, %d types hashed", k+1), doc(types.String(), "T0", wide(k))},
		{"16 chained types, nested 16 deep", doc(chainTypes(15), "T0", nested(15))},
	} {
		req := f.req(KindTypedData, "1", c.data)
		if len(req.Marshal()) > maxRequestSize {
			t.Fatalf("%s: request of %d bytes is over the cap", c.name, len(req.Marshal()))
		}
		parsed, err := ParseRequest(req.Marshal())
		if err != nil {
			t.Fatal(err)
		}
		const loops = 5
		start := time.Now()
		for i := 0; i < loops; i++ {
			if _, err := f.review(parsed, Policy{}); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
		}
		t.Logf("%s: request %d KB, %v per review", c.name, len(req.Marshal())/1024, time.Since(start)/loops)
	}

	// 800 chained types (what took go-ethereum minutes) are refused by a
	// cap before anything is hashed: the number of types, or, with the
	// message nested as deep as the types, the nesting depth.
	for _, c := range []struct {
		data []byte
		want string
	}{
		{doc(chainTypes(800), "T0", nested(1)), "typed data types: 801 types declared, more than the 100 this tool reviews: ask for a smaller request"},
		{doc(chainTypes(800), "T0", nested(800)), "typed data message" + strings.Repeat(".n", 16) + ": nested deeper than 16 levels"},
	} {
		start := time.Now()
		const loops = 20
		for i := 0; i < loops; i++ {
			_, err := f.review(f.req(KindTypedData, "1", c.data), Policy{})
			wantErr(t, err, c.want)
		}
		t.Logf("800 chained types (%d KB): refused in %v", len(c.data)/1024, time.Since(start)/loops)
	}
}

// js writes s as a JSON string.
func js(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestPrintEscapesRequestText: every string from a request that the review
// prints is escaped by untrusted.Text.
func TestPrintEscapesRequestText(t *testing.T) {
	f := newFixture(t)
	evil := "ok\x1b[2J\u202eevil\r\u200bx"
	esc := `ok\x1b[2J\u{202E}evil\r\u{200B}x`
	data := []byte(fmt.Sprintf(`{"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},{"name":"chainId","type":"uint256"}],
		"Note":[{"name":"text","type":"string"},{"name":"tags","type":"string[]"}]},"primaryType":"Note",
		"domain":{"name":%s,"version":"1\n  chain: 5","chainId":1},"message":{"text":%s,"tags":["a\"b",%s]}}`, js(evil), js(evil), js(evil)))
	req := f.req(KindTypedData, "1", data)
	req.Note = "note " + evil + "\nsecond line"
	rev, err := f.review(req, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	rev.Print(&buf)
	out := buf.String()
	if strings.ContainsAny(out, "\x1b\r\u202e\u200b") {
		t.Fatalf("raw control or format characters in the review:\n%q", out)
	}
	for _, s := range []string{
		`domain name:      "` + esc + `"`,
		`domain version:   "1\n  chain: 5"`,
		`message.text:     "` + esc + `"`,
		`message.tags[0]:  "a\"b"`,
		`message.tags[1]:  "` + esc + `"`,
		"requester's note: note " + esc + "\n                    second line\n",
	} {
		if !strings.Contains(out, s) {
			t.Fatalf("review lacks %q:\n%s", s, out)
		}
	}

	// A personal message of several lines is shown line by line, escaped.
	msg := "Sign in to example.org\n\x1b[1A  chain: 5\u202e"
	rev, err = f.review(f.req(KindPersonal, "1", []byte(msg)), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	rev.Print(&buf)
	if strings.ContainsAny(buf.String(), "\x1b\u202e") {
		t.Fatalf("raw control characters:\n%q", buf.String())
	}
	if field(rev, "message hex") == "" {
		// Escapes make the text non-printable: it is shown as hex.
		t.Fatalf("%+v", rev.Fields)
	}
	rev, err = f.review(f.req(KindPersonal, "1", []byte("line one\n  chain: 5")), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	rev.Print(&buf)
	if !strings.Contains(buf.String(), "  message text:  line one\n                   chain: 5\n") {
		t.Fatalf("multi-line message:\n%s", buf.String())
	}
}
