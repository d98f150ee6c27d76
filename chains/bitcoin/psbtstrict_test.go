package bitcoin

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/wire"
)

type bip370File struct {
	Provenance struct {
		Repo, Path, Commit string
	} `json:"provenance"`
	Invalid  []bip174Case `json:"invalid"`
	Valid    []bip174Case `json:"valid"`
	Timelock []bip174Case `json:"timelock"`
}

// splitPSBT cuts a binary PSBT into its maps, checking only the framing.
func splitPSBT(t *testing.T, data []byte) []psbtMap {
	t.Helper()
	r := &psbtReader{b: data, off: len(psbtMagic)}
	var maps []psbtMap
	for r.off < len(data) {
		m, err := r.readMap(globalMap, len(maps))
		if err != nil {
			t.Fatal(err)
		}
		maps = append(maps, m)
	}
	return maps
}

// joinPSBT writes maps back in BIP174 framing.
func joinPSBT(maps []psbtMap) []byte {
	b := append([]byte{}, psbtMagic...)
	for _, m := range maps {
		for _, f := range m.fields {
			b = appendVarBytes(b, f.key)
			b = appendVarBytes(b, f.value)
		}
		b = append(b, 0)
	}
	return b
}

func appendVarBytes(b, v []byte) []byte {
	var w bytes.Buffer
	if err := wire.WriteVarBytes(&w, 0, v); err != nil {
		panic(err)
	}
	return append(b, w.Bytes()...)
}

// withField returns data with a field inserted into map i at position at
// (-1: at the end).
func withField(t *testing.T, data []byte, i, at int, keyType byte, keyData, value []byte) []byte {
	t.Helper()
	maps := splitPSBT(t, data)
	key := append([]byte{keyType}, keyData...)
	f := psbtField{keyType: uint64(keyType), keyData: keyData, key: key, value: value}
	fs := maps[i].fields
	if at < 0 || at > len(fs) {
		at = len(fs)
	}
	maps[i].fields = append(append(append([]psbtField{}, fs[:at]...), f), fs[at:]...)
	return joinPSBT(maps)
}

func loadBIP370(t *testing.T) bip370File {
	var f bip370File
	loadJSON(t, "bip370.json", &f)
	if f.Provenance.Repo != "bitcoin/bips" || f.Provenance.Path != "bip-0370.mediawiki" || len(f.Provenance.Commit) != 40 {
		t.Fatalf("bip370.json provenance %+v", f.Provenance)
	}
	if len(f.Invalid) != 24 || len(f.Valid) != 14 || len(f.Timelock) != 9 {
		t.Fatalf("expected 24 invalid, 14 valid and 9 timelock vectors, got %d %d %d", len(f.Invalid), len(f.Valid), len(f.Timelock))
	}
	return f
}

// TestBIP370Invalid refuses every invalid PSBT of BIP370, in hex and in
// base64, saying where the problem is.
func TestBIP370Invalid(t *testing.T) {
	f := loadBIP370(t)
	v0With := regexp.MustCompile(`^PSBTv0 but with (PSBT_[A-Z_]+)\.$`)
	v2Missing := regexp.MustCompile(`^PSBTv2 missing (PSBT_[A-Z_]+)\.$`)
	for _, v := range f.Invalid {
		var want []string
		switch {
		case v.Case == "PSBTv0 but with PSBT_GLOBAL_VERSION set to 2.", v.Case == "PSBTv2 but with PSBT_GLOBAL_UNSIGNED_TX.":
			want = []string{"malformed PSBT: global: field PSBT_GLOBAL_UNSIGNED_TX (0x00): a version 2 PSBT must not have it (BIP370)", "as a version 0 PSBT"}
		case v0With.MatchString(v.Case):
			want = []string{"malformed PSBT: ", ": field " + v0With.FindStringSubmatch(v.Case)[1] + " (0x", "it belongs to PSBT version 2 (BIP370), but this is a version 0 PSBT; export it again from the wallet"}
		case v2Missing.MatchString(v.Case):
			want = []string{"malformed PSBT: ", "field " + v2Missing.FindStringSubmatch(v.Case)[1] + " (0x", "is missing, and a version 2 PSBT must have it (BIP370)", "as a version 0 PSBT"}
		case strings.Contains(v.Case, "PSBT_IN_REQUIRED_TIME_LOCKTIME"):
			want = []string{"malformed PSBT: input 0: field PSBT_IN_REQUIRED_TIME_LOCKTIME (0x11): a time lock must be at least 500000000"}
		case strings.Contains(v.Case, "PSBT_IN_REQUIRED_HEIGHT_LOCKTIME"):
			want = []string{"malformed PSBT: input 0: field PSBT_IN_REQUIRED_HEIGHT_LOCKTIME (0x12): a height lock must be above 0 and below 500000000"}
		default:
			t.Fatalf("unexpected case %q", v.Case)
		}
		for _, in := range [][]byte{mustHex(t, v.Hex), []byte(v.Base64)} {
			_, err := PSBTBytes(in)
			t.Run(v.Case, func(t *testing.T) { wantErr(t, err, append(want, "export it again from the wallet")...) })
			_, err2 := ParsePSBT(in)
			if err2 == nil || err2.Error() != err.Error() {
				t.Fatalf("%s: ParsePSBT says %v, PSBTBytes %v", v.Case, err2, err)
			}
		}
	}
}

// TestBIP370Version2 gives every well-formed version 2 PSBT of BIP370 the
// one plain refusal.
func TestBIP370Version2(t *testing.T) {
	f := loadBIP370(t)
	for _, v := range append(append([]bip174Case{}, f.Valid...), f.Timelock...) {
		for _, in := range [][]byte{mustHex(t, v.Hex), []byte(v.Base64)} {
			_, err := PSBTBytes(in)
			if err == nil || err.Error() != errPSBTv2.Error() {
				t.Fatalf("%s: %v", v.Case, err)
			}
			wantErr(t, err, "PSBT version 2 (BIP370) is not supported: export the PSBT as version 0 (BIP174) instead; Bitcoin Core and Sparrow export version 0")
			if strings.Contains(err.Error(), "invalid or out of place") {
				t.Fatalf("%s: %v", v.Case, err)
			}
			_, err = ReviewPSBT(in, newFixture(t).acct, Policy{Net: newFixture(t).net})
			if err == nil || err.Error() != errPSBTv2.Error() {
				t.Fatalf("%s: ReviewPSBT says %v", v.Case, err)
			}
		}
	}
}

// TestBIP174InvalidWhere: every invalid PSBT of BIP174 is refused by
// PSBTBytes, ParsePSBT and ReviewPSBT alike, and each malformed one says
// which map (and field) is wrong.
func TestBIP174InvalidWhere(t *testing.T) {
	var f bip174File
	loadJSON(t, "bip174.json", &f)
	where := regexp.MustCompile(`^malformed PSBT: (global|input \d+|output \d+): `)
	fx := newFixture(t)
	for i, v := range f.Invalid {
		for _, in := range [][]byte{mustHex(t, v.Hex), []byte(v.Base64)} {
			_, err := PSBTBytes(in)
			if err == nil {
				t.Fatalf("%s: accepted", v.Case)
			}
			if i > 0 && !where.MatchString(err.Error()) {
				t.Errorf("%s: %q does not say where", v.Case, err)
			}
			wantErr(t, err, "export")
			_, rerr := ReviewPSBT(in, fx.acct, Policy{Net: fx.net})
			if rerr == nil || rerr.Error() != err.Error() {
				t.Fatalf("%s: ReviewPSBT says %v", v.Case, rerr)
			}
		}
	}
}

// TestBIP174ValidBytes: the valid PSBTs of BIP174 parse, and PSBTBytes
// returns exactly the wallet's bytes whether given binary or base64 text.
func TestBIP174ValidBytes(t *testing.T) {
	var f bip174File
	loadJSON(t, "bip174.json", &f)
	for _, v := range f.Valid {
		raw := mustHex(t, v.Hex)
		var wrapped strings.Builder
		for i := 0; i < len(v.Base64); i += 64 {
			wrapped.WriteString(v.Base64[i:min(i+64, len(v.Base64))] + "\r\n")
		}
		for _, in := range [][]byte{raw, []byte(v.Base64), []byte("\n " + v.Base64 + " \n"), []byte(wrapped.String())} {
			got, err := PSBTBytes(in)
			if err != nil {
				t.Fatalf("%s: %v", v.Case, err)
			}
			if !bytes.Equal(got, raw) {
				t.Fatalf("%s: PSBTBytes changed the PSBT", v.Case)
			}
			if _, err := ParsePSBT(got); err != nil {
				t.Fatalf("%s: %v", v.Case, err)
			}
		}
	}
}

// validMaps returns BIP174's valid PSBTs with their input and output counts.
func validMaps(t *testing.T) (vs []bip174Case, nIn, nOut []int) {
	var f bip174File
	loadJSON(t, "bip174.json", &f)
	for _, v := range f.Valid {
		p, err := ParsePSBT(mustHex(t, v.Hex))
		if err != nil {
			t.Fatal(err)
		}
		vs, nIn, nOut = append(vs, v), append(nIn, len(p.Inputs)), append(nOut, len(p.Outputs))
	}
	return vs, nIn, nOut
}

// TestV0WithV2Fields adds each version-2-only field to every valid BIP174
// PSBT (global map, first input, first output) and expects a refusal that
// names the map and the field.
func TestV0WithV2Fields(t *testing.T) {
	vs, nIn, nOut := validMaps(t)
	type add struct {
		kind psbtKind
		typ  byte
		size int
	}
	adds := []add{
		{globalMap, globalTxVersion, 4}, {globalMap, globalFallbackLock, 4}, {globalMap, globalInputCount, 1},
		{globalMap, globalOutputCount, 1}, {globalMap, globalTxModifiable, 1},
		{inputMap, inPreviousTxid, 32}, {inputMap, inOutputIndex, 4}, {inputMap, inSequence, 4},
		{inputMap, inRequiredTimeLock, 4}, {inputMap, inRequiredHeight, 4},
		{outputMap, outAmount, 8}, {outputMap, outScript, 22},
	}
	n := 0
	for k, v := range vs {
		raw := mustHex(t, v.Hex)
		for _, a := range adds {
			mapIdx, where := 0, "global"
			switch {
			case a.kind == inputMap && nIn[k] == 0, a.kind == outputMap && nOut[k] == 0:
				continue
			case a.kind == inputMap:
				mapIdx, where = 1, "input 0"
			case a.kind == outputMap:
				mapIdx, where = 1+nIn[k], "output 0"
			}
			for _, at := range []int{-1, 1} {
				in := withField(t, raw, mapIdx, at, a.typ, nil, make([]byte, a.size))
				_, err := PSBTBytes(in)
				wantErr(t, err, fmt.Sprintf("malformed PSBT: %s: field %s: it belongs to PSBT version 2 (BIP370), but this is a version 0 PSBT; export it again from the wallet", where, fieldName(a.kind, uint64(a.typ))))
				n++
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d cases", n)
	}
}

// TestDuplicateKeys repeats every field of every valid BIP174 PSBT, with
// the same and with another value, and expects the map, the field and the
// key to be named.
func TestDuplicateKeys(t *testing.T) {
	vs, nIn, _ := validMaps(t)
	n := 0
	for k, v := range vs {
		raw := mustHex(t, v.Hex)
		maps := splitPSBT(t, raw)
		for i, m := range maps {
			where := "global"
			switch {
			case i > nIn[k]:
				where = fmt.Sprintf("output %d", i-1-nIn[k])
			case i > 0:
				where = fmt.Sprintf("input %d", i-1)
			}
			kind := map[bool]psbtKind{true: globalMap}[i == 0]
			if i > 0 {
				kind = map[bool]psbtKind{true: inputMap, false: outputMap}[i <= nIn[k]]
			}
			for j, f := range m.fields {
				for _, value := range [][]byte{f.value, append(bytes.Clone(f.value), 1)} {
					in := withField(t, raw, i, j+1, f.key[0], f.keyData, value)
					_, err := PSBTBytes(in)
					wantErr(t, err, fmt.Sprintf("malformed PSBT: %s: field %s: key 0x", where, fieldName(kind, f.keyType)), "appears twice in this map, which BIP174 forbids; export it again from the wallet")
					n++
				}
			}
		}
	}
	if n < 80 {
		t.Fatalf("only %d cases", n)
	}
}

// TestGlobalVersion: PSBT_GLOBAL_VERSION other than 0 is refused; 0 is
// accepted and kept byte for byte.
func TestGlobalVersion(t *testing.T) {
	vs, _, _ := validMaps(t)
	le := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	for _, v := range vs {
		raw := mustHex(t, v.Hex)
		for _, ver := range []uint32{1, 3, 4, 0x7fffffff, 0xffffffff} {
			_, err := PSBTBytes(withField(t, raw, 0, -1, globalVersion, nil, le(ver)))
			wantErr(t, err, fmt.Sprintf("unsupported PSBT: global: field PSBT_GLOBAL_VERSION (0xFB): version %d is not a PSBT version (BIP174 defines version 0, BIP370 version 2; coldtss reads version 0): export the PSBT as version 0 (BIP174)", ver))
		}
		_, err := PSBTBytes(withField(t, raw, 0, -1, globalVersion, nil, le(2)))
		wantErr(t, err, "malformed PSBT: global: field PSBT_GLOBAL_UNSIGNED_TX (0x00): a version 2 PSBT must not have it (BIP370)")
		_, err = PSBTBytes(withField(t, raw, 0, -1, globalVersion, nil, []byte{0, 0}))
		wantErr(t, err, "malformed PSBT: global: field PSBT_GLOBAL_VERSION (0xFB): its value must be a 4-byte number but has 2 bytes")
		_, err = PSBTBytes(withField(t, raw, 0, -1, globalVersion, []byte{7}, le(0)))
		wantErr(t, err, "malformed PSBT: global: field PSBT_GLOBAL_VERSION (0xFB): its key must be the key type alone, but it carries 1 byte of key data")

		v0 := withField(t, raw, 0, -1, globalVersion, nil, le(0))
		got, err := PSBTBytes(v0)
		if err != nil || !bytes.Equal(got, v0) {
			t.Fatalf("%s: explicit version 0: %v", v.Case, err)
		}
	}
}

// TestMalformedFieldsSayWhere covers refusals the published vectors do not
// reach, among them values that would make btcd's parser panic.
func TestMalformedFieldsSayWhere(t *testing.T) {
	f := newFixture(t)
	pk, _ := f.build([]coin{{typ: P2WPKH, path: []uint32{0, 1}, amount: 50_000}, {typ: P2WPKH, path: []uint32{0, 2}, amount: 50_000}},
		[]payment{{amount: 60_000}, {amount: 30_000, change: []uint32{1, 0}}})
	raw := ser(t, pk)
	if _, err := PSBTBytes(raw); err != nil {
		t.Fatal(err)
	}
	xonly := mustHex(t, "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
	pub := f.pub([]uint32{0, 1})
	maps := splitPSBT(t, raw)
	// replace returns raw with field j of map i given a new value.
	replace := func(i, j int, value []byte) []byte {
		ms := splitPSBT(t, raw)
		ms[i].fields[j].value = value
		return joinPSBT(ms)
	}
	fieldIdx := func(i int, typ uint64) int {
		for j, fl := range maps[i].fields {
			if fl.keyType == typ {
				return j
			}
		}
		t.Fatalf("map %d has no field 0x%02x", i, typ)
		return -1
	}
	wu := fieldIdx(2, inWitnessUtxo)
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"witness utxo one byte short", replace(2, wu, maps[2].fields[wu].value[:len(maps[2].fields[wu].value)-1]),
			"malformed PSBT: input 1: field PSBT_IN_WITNESS_UTXO (0x01): its value is not a transaction output of exactly the stated size; export it again from the wallet"},
		{"witness utxo one byte long", replace(2, wu, append(bytes.Clone(maps[2].fields[wu].value), 0)),
			"input 1: field PSBT_IN_WITNESS_UTXO (0x01): its value is not a transaction output of exactly the stated size"},
		{"non-witness utxo with trailing byte", replace(1, fieldIdx(1, inNonWitnessUtxo), append(bytes.Clone(maps[1].fields[fieldIdx(1, inNonWitnessUtxo)].value), 0)),
			"input 0: field PSBT_IN_NON_WITNESS_UTXO (0x00): its value is not a transaction of exactly the stated size"},
		{"empty derivation (btcd panics on it)", replace(2, fieldIdx(2, inBip32Derivation), nil),
			"input 1: field PSBT_IN_BIP32_DERIVATION (0x06): its value must be a 4-byte fingerprint and 4-byte path steps, but has 0 bytes"},
		{"empty output derivation (btcd panics on it)", replace(4, fieldIdx(4, outBip32Derivation), nil),
			"output 1: field PSBT_OUT_BIP32_DERIVATION (0x02): its value must be a 4-byte fingerprint and 4-byte path steps, but has 0 bytes"},
		{"derivation of 6 bytes", replace(1, fieldIdx(1, inBip32Derivation), make([]byte, 6)),
			"input 0: field PSBT_IN_BIP32_DERIVATION (0x06): its value must be a 4-byte fingerprint and 4-byte path steps, but has 6 bytes"},
		{"taproot derivation announcing 2^59 leaf hashes (btcd overflows)", withField(t, raw, 1, -1, inTapBip32, xonly, append([]byte{0xff, 0, 0, 0, 0, 0, 0, 0, 8}, make([]byte, 8)...)),
			"input 0: field PSBT_IN_TAP_BIP32_DERIVATION (0x16): its value does not hold the leaf hashes it announces"},
		{"taproot derivation without fingerprint", withField(t, raw, 3, -1, outTapBip32, xonly, []byte{0}),
			"output 0: field PSBT_OUT_TAP_BIP32_DERIVATION (0x07): its value must end with a 4-byte fingerprint and 4-byte path steps"},
		{"partial sig not DER", withField(t, raw, 1, -1, inPartialSig, pub, []byte{0x30, 1, 2}),
			"input 0: field PSBT_IN_PARTIAL_SIG (0x02): its value is not a DER signature with a sighash byte"},
		{"sighash of 2 bytes", withField(t, raw, 2, -1, inSighashType, nil, []byte{1, 0}),
			"input 1: field PSBT_IN_SIGHASH_TYPE (0x03): its value must be a 4-byte number but has 2 bytes"},
		{"final witness cut short", withField(t, raw, 1, -1, inFinalWitness, nil, []byte{2, 1, 0xaa, 5, 0}),
			"input 0: field PSBT_IN_FINAL_SCRIPTWITNESS (0x08): its value is not a witness stack of exactly the stated size"},
		{"taproot key sig of 63 bytes", withField(t, raw, 1, -1, inTapKeySig, nil, make([]byte, 63)),
			"input 0: field PSBT_IN_TAP_KEY_SIG (0x13): its value is not a 64- or 65-byte Schnorr signature"},
		{"taproot merkle root of 31 bytes", withField(t, raw, 1, -1, inTapMerkleRoot, nil, make([]byte, 31)),
			"input 0: field PSBT_IN_TAP_MERKLE_ROOT (0x18): its value must be 32 bytes but has 31"},
		{"taproot internal key invalid", withField(t, raw, 3, -1, outTapInternalKey, nil, make([]byte, 32)),
			"output 0: field PSBT_OUT_TAP_INTERNAL_KEY (0x05): its value is not a valid x-only public key"},
		{"xpub of 77 bytes", withField(t, raw, 0, -1, globalXPub, make([]byte, 77), make([]byte, 4)),
			"global: field PSBT_GLOBAL_XPUB (0x01): its key must hold a 78-byte extended public key, but holds 77 bytes"},
		{"bad proprietary key", withField(t, raw, 3, -1, proprietaryType, []byte{9, 'a'}, nil),
			"output 0: field PSBT_OUT_PROPRIETARY (0xFC): its key data is not <identifier length> <identifier> <subtype> as BIP174 requires"},
		{"unsigned tx not first", withField(t, raw, 0, 0, 0x0a, nil, []byte{1}),
			"malformed PSBT: global: field PSBT_GLOBAL_UNSIGNED_TX (0x00): the unsigned transaction is not the first field of the map, where wallets write it and coldtss needs it"},
		{"truncated in a value", raw[:len(raw)-3],
			"malformed PSBT: output 1: field PSBT_OUT_BIP32_DERIVATION (0x02): the PSBT ends inside its value, so it is truncated"},
		{"missing separator", raw[:len(raw)-1],
			"malformed PSBT: output 1: the PSBT ends before this map's 0x00 separator, so it is truncated"},
		{"missing output map", joinPSBT(maps[:4]),
			"malformed PSBT: output 1: missing: the PSBT ends before this map, but its transaction has 2 outputs"},
		{"trailing bytes", append(bytes.Clone(raw), 0, 0),
			"malformed PSBT: 2 unexpected bytes after its last map"},
		{"magic only", []byte("psbt\xff"),
			"malformed PSBT: global: the PSBT ends right after its magic bytes"},
	}
	// A key length that is not a canonical compact size, and a key type
	// beyond 0xFC (btcd would rewrite it as another type).
	noncanon := append(bytes.Clone(raw[:len(raw)-1]), 0xfd, 1, 0, 0x77, 0, 0)
	cases = append(cases, struct {
		name string
		in   []byte
		want string
	}{"non-canonical key length", noncanon, "output 1: a key length at byte"})
	ms := splitPSBT(t, raw)
	ms[1].fields = append(ms[1].fields, psbtField{key: []byte{0xfd, 0x00, 0x01}, value: []byte{1}})
	cases = append(cases, struct {
		name string
		in   []byte
		want string
	}{"key type 0x100", joinPSBT(ms), "input 0: field of unknown type 0x100: no BIP defines this key type and coldtss cannot carry it unchanged"})

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := PSBTBytes(c.in)
			wantErr(t, err, c.want, "export it again from the wallet")
			_, err = ReviewPSBT(c.in, f.acct, Policy{Net: f.net})
			wantErr(t, err, c.want)
		})
	}
}

// TestPSBTBytesKeepsWalletBytes: a PSBT whose fields are not in btcd's
// order, with fields coldtss does not read, comes back from PSBTBytes
// unchanged (btcd would rewrite it), and reviews and finalises from those
// bytes; the fields it does not read are listed with their text escaped.
func TestPSBTBytesKeepsWalletBytes(t *testing.T) {
	f := newFixture(t)
	pk, fund := f.build([]coin{{typ: P2WPKH, path: []uint32{0, 1}, amount: 50_000}, {typ: P2SHP2WPKH, path: []uint32{0, 2}, amount: 50_000}},
		[]payment{{amount: 60_000}, {amount: 30_000, change: []uint32{1, 0}}})
	maps := splitPSBT(t, ser(t, pk))
	for i := 1; i < len(maps); i++ { // reverse the fields of every input and output
		fs := maps[i].fields
		for a, b := 0, len(fs)-1; a < b; a, b = a+1, b-1 {
			fs[a], fs[b] = fs[b], fs[a]
		}
	}
	hostile := "SPARROW\x1b[2J\u202e"
	prop := append([]byte{byte(len(hostile))}, hostile...)
	prop = append(prop, 3, 0xaa)
	maps[1].fields = append(maps[1].fields, psbtField{key: append([]byte{proprietaryType}, prop...), keyType: proprietaryType, keyData: prop, value: []byte("x")})
	maps[0].fields = append(maps[0].fields, psbtField{key: []byte{0x0a, 1}, keyType: 0x0a, keyData: []byte{1}, value: []byte("y")})
	raw := joinPSBT(maps)

	got, err := PSBTBytes([]byte(base64.StdEncoding.EncodeToString(raw)))
	must(t, err)
	if !bytes.Equal(got, raw) {
		t.Fatal("PSBTBytes did not return the wallet's bytes")
	}
	p, err := ParsePSBT(got)
	must(t, err)
	if bytes.Equal(ser(t, p), raw) {
		t.Fatal("test PSBT is in btcd's own order; it proves nothing")
	}

	r, err := ReviewPSBT(got, f.acct, Policy{Net: f.net})
	must(t, err)
	var out bytes.Buffer
	r.Print(&out)
	for _, s := range []string{
		`! input 0 carries a field coldtss does not read (they do not change what is signed): proprietary "SPARROW\x1b[2J\u{202E}" subtype 3`,
		"! global carries a field coldtss does not read (they do not change what is signed): of unknown type 0x0A",
	} {
		if !strings.Contains(out.String(), s) {
			t.Fatalf("review lacks %q:\n%s", s, out.String())
		}
	}
	if strings.ContainsAny(out.String(), "\x1b\u202e") {
		t.Fatalf("review prints PSBT text raw:\n%q", out.String())
	}
	signed, final, err := Finalize(got, f.acct, r.Items, f.sign(r.Items))
	must(t, err)
	verifyTx(t, final, fund)
	if _, err := PSBTBytes(signed); err != nil {
		t.Fatalf("the signed PSBT does not pass our own checks: %v", err)
	}
}

func TestPSBTTypeNamesAreComplete(t *testing.T) {
	// Every version-2-only field and every field btcd reads has a name.
	for k := range v2OnlyFields {
		for typ := range v2OnlyFields[k] {
			if _, ok := psbtFieldNames[k][typ]; !ok {
				t.Fatalf("kind %d type 0x%02x has no name", k, typ)
			}
		}
		for typ := range btcdReads[k] {
			if _, ok := psbtFieldNames[k][typ]; !ok {
				t.Fatalf("kind %d type 0x%02x has no name", k, typ)
			}
		}
	}
	_ = psbt.MaxPsbtKeyLength
}
