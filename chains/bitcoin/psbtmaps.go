package bitcoin

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/coldtss/coldtss/internal/untrusted"
)

// This file reads a PSBT's key-value maps as the wallet wrote them (BIP174
// framing) and applies coldtss's strict checks before btcd's psbt package
// sees the bytes: no key twice in a map, version 0 only, no version-2
// fields in a version-0 PSBT, and every field btcd decodes well-formed, so
// that each refusal can say where the problem is.

// psbtKind says which kind of map a field is in.
type psbtKind int

const (
	globalMap psbtKind = iota
	inputMap
	outputMap
)

// psbtField is one key-value pair exactly as written.
type psbtField struct {
	keyType uint64
	keyData []byte
	key     []byte // the whole key: key type (compact size) then key data
	value   []byte
}

// psbtMap is one map: the global map, or the map of one input or output.
type psbtMap struct {
	kind   psbtKind
	index  int
	fields []psbtField
}

// rawPSBT is a version-0 PSBT's maps, checked.
type rawPSBT struct {
	global  psbtMap
	inputs  []psbtMap
	outputs []psbtMap
}

// Key types this file refers to (BIP174, BIP370, BIP371).
const (
	globalUnsignedTx   = 0x00
	globalXPub         = 0x01
	globalTxVersion    = 0x02
	globalFallbackLock = 0x03
	globalInputCount   = 0x04
	globalOutputCount  = 0x05
	globalTxModifiable = 0x06
	globalVersion      = 0xFB
	proprietaryType    = 0xFC

	inNonWitnessUtxo   = 0x00
	inWitnessUtxo      = 0x01
	inPartialSig       = 0x02
	inSighashType      = 0x03
	inRedeemScript     = 0x04
	inWitnessScript    = 0x05
	inBip32Derivation  = 0x06
	inFinalScriptSig   = 0x07
	inFinalWitness     = 0x08
	inPreviousTxid     = 0x0E
	inOutputIndex      = 0x0F
	inSequence         = 0x10
	inRequiredTimeLock = 0x11
	inRequiredHeight   = 0x12
	inTapKeySig        = 0x13
	inTapScriptSig     = 0x14
	inTapLeafScript    = 0x15
	inTapBip32         = 0x16
	inTapInternalKey   = 0x17
	inTapMerkleRoot    = 0x18

	outRedeemScript    = 0x00
	outWitnessScript   = 0x01
	outBip32Derivation = 0x02
	outAmount          = 0x03
	outScript          = 0x04
	outTapInternalKey  = 0x05
	outTapTree         = 0x06
	outTapBip32        = 0x07
)

// psbtFieldNames names the key types the BIPs define, per kind of map.
var psbtFieldNames = [3]map[uint64]string{
	globalMap: {
		0x00: "PSBT_GLOBAL_UNSIGNED_TX", 0x01: "PSBT_GLOBAL_XPUB", 0x02: "PSBT_GLOBAL_TX_VERSION",
		0x03: "PSBT_GLOBAL_FALLBACK_LOCKTIME", 0x04: "PSBT_GLOBAL_INPUT_COUNT", 0x05: "PSBT_GLOBAL_OUTPUT_COUNT",
		0x06: "PSBT_GLOBAL_TX_MODIFIABLE", 0x07: "PSBT_GLOBAL_SP_ECDH_SHARE", 0x08: "PSBT_GLOBAL_SP_DLEQ",
		0x09: "PSBT_GLOBAL_GENERIC_SIGNED_MESSAGE", 0xFB: "PSBT_GLOBAL_VERSION", 0xFC: "PSBT_GLOBAL_PROPRIETARY",
	},
	inputMap: {
		0x00: "PSBT_IN_NON_WITNESS_UTXO", 0x01: "PSBT_IN_WITNESS_UTXO", 0x02: "PSBT_IN_PARTIAL_SIG",
		0x03: "PSBT_IN_SIGHASH_TYPE", 0x04: "PSBT_IN_REDEEM_SCRIPT", 0x05: "PSBT_IN_WITNESS_SCRIPT",
		0x06: "PSBT_IN_BIP32_DERIVATION", 0x07: "PSBT_IN_FINAL_SCRIPTSIG", 0x08: "PSBT_IN_FINAL_SCRIPTWITNESS",
		0x09: "PSBT_IN_POR_COMMITMENT", 0x0A: "PSBT_IN_RIPEMD160", 0x0B: "PSBT_IN_SHA256",
		0x0C: "PSBT_IN_HASH160", 0x0D: "PSBT_IN_HASH256", 0x0E: "PSBT_IN_PREVIOUS_TXID",
		0x0F: "PSBT_IN_OUTPUT_INDEX", 0x10: "PSBT_IN_SEQUENCE", 0x11: "PSBT_IN_REQUIRED_TIME_LOCKTIME",
		0x12: "PSBT_IN_REQUIRED_HEIGHT_LOCKTIME", 0x13: "PSBT_IN_TAP_KEY_SIG", 0x14: "PSBT_IN_TAP_SCRIPT_SIG",
		0x15: "PSBT_IN_TAP_LEAF_SCRIPT", 0x16: "PSBT_IN_TAP_BIP32_DERIVATION", 0x17: "PSBT_IN_TAP_INTERNAL_KEY",
		0x18: "PSBT_IN_TAP_MERKLE_ROOT", 0x19: "PSBT_IN_P2C_TWEAK", 0x1A: "PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS",
		0x1B: "PSBT_IN_MUSIG2_PUB_NONCE", 0x1C: "PSBT_IN_MUSIG2_PARTIAL_SIG", 0x1D: "PSBT_IN_SP_ECDH_SHARE",
		0x1E: "PSBT_IN_SP_DLEQ", 0x1F: "PSBT_IN_SP_SPEND_BIP32_DERIVATION", 0x20: "PSBT_IN_SP_TWEAK",
		0xFC: "PSBT_IN_PROPRIETARY",
	},
	outputMap: {
		0x00: "PSBT_OUT_REDEEM_SCRIPT", 0x01: "PSBT_OUT_WITNESS_SCRIPT", 0x02: "PSBT_OUT_BIP32_DERIVATION",
		0x03: "PSBT_OUT_AMOUNT", 0x04: "PSBT_OUT_SCRIPT", 0x05: "PSBT_OUT_TAP_INTERNAL_KEY",
		0x06: "PSBT_OUT_TAP_TREE", 0x07: "PSBT_OUT_TAP_BIP32_DERIVATION", 0x08: "PSBT_OUT_MUSIG2_PARTICIPANT_PUBKEYS",
		0x09: "PSBT_OUT_SP_V0_INFO", 0x0A: "PSBT_OUT_SP_V0_LABEL", 0x35: "PSBT_OUT_DNSSEC_PROOF",
		0xFC: "PSBT_OUT_PROPRIETARY",
	},
}

// v2OnlyFields are the BIP370 fields a version-0 PSBT must not carry.
var v2OnlyFields = [3]map[uint64]bool{
	globalMap: {globalTxVersion: true, globalFallbackLock: true, globalInputCount: true, globalOutputCount: true, globalTxModifiable: true},
	inputMap:  {inPreviousTxid: true, inOutputIndex: true, inSequence: true, inRequiredTimeLock: true, inRequiredHeight: true},
	outputMap: {outAmount: true, outScript: true},
}

// btcdReads are the key types btcd's psbt package decodes; it keeps every
// other field as an opaque "unknown" and writes it back unchanged.
var btcdReads = [3]map[uint64]bool{
	globalMap: {globalUnsignedTx: true, globalXPub: true},
	inputMap: {inNonWitnessUtxo: true, inWitnessUtxo: true, inPartialSig: true, inSighashType: true,
		inRedeemScript: true, inWitnessScript: true, inBip32Derivation: true, inFinalScriptSig: true,
		inFinalWitness: true, inTapKeySig: true, inTapScriptSig: true, inTapLeafScript: true,
		inTapBip32: true, inTapInternalKey: true, inTapMerkleRoot: true},
	outputMap: {outRedeemScript: true, outWitnessScript: true, outBip32Derivation: true,
		outTapInternalKey: true, outTapTree: true, outTapBip32: true},
}

// where names a map for a custodian: "global", "input 2", "output 0".
func (m *psbtMap) where() string {
	switch m.kind {
	case inputMap:
		return fmt.Sprintf("input %d", m.index)
	case outputMap:
		return fmt.Sprintf("output %d", m.index)
	}
	return "global"
}

// fieldName names a key type in map kind k: "PSBT_IN_WITNESS_UTXO (0x01)".
func fieldName(k psbtKind, t uint64) string {
	if n, ok := psbtFieldNames[k][t]; ok {
		return fmt.Sprintf("%s (0x%02X)", n, t)
	}
	return fmt.Sprintf("of unknown type 0x%02X", t)
}

// malformedAt is the refusal for a problem in map m (and field f, if any).
func malformedAt(m *psbtMap, f *psbtField, format string, a ...any) error {
	where := m.where()
	if f != nil {
		where += ": field " + fieldName(m.kind, f.keyType)
	}
	return fmt.Errorf("malformed PSBT: %s: %s; export it again from the wallet", where, fmt.Sprintf(format, a...))
}

// errPSBTv2 is the refusal for a well-formed version 2 PSBT.
var errPSBTv2 = fmt.Errorf("PSBT version 2 (BIP370) is not supported: export the PSBT as version 0 (BIP174) instead; Bitcoin Core and Sparrow export version 0, other wallets may call it \"PSBTv0\" or \"BIP174\"")

// psbtReader reads the BIP174 framing from a byte slice.
type psbtReader struct {
	b   []byte
	off int
}

// readCompactSize reads a canonical compact size unsigned integer from the
// start of b and says how many bytes it took.
func readCompactSize(b []byte) (v uint64, n int, ok bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	switch c := b[0]; {
	case c < 0xfd:
		return uint64(c), 1, true
	case c == 0xfd && len(b) >= 3:
		v = uint64(binary.LittleEndian.Uint16(b[1:3]))
		return v, 3, v >= 0xfd
	case c == 0xfe && len(b) >= 5:
		v = uint64(binary.LittleEndian.Uint32(b[1:5]))
		return v, 5, v > 0xffff
	case c == 0xff && len(b) >= 9:
		v = binary.LittleEndian.Uint64(b[1:9])
		return v, 9, v > 0xffffffff
	}
	return 0, 0, false
}

// take returns the next n bytes, capacity-clipped so that no append by a
// library can write into the PSBT itself.
func (r *psbtReader) take(n uint64) ([]byte, bool) {
	if n > uint64(len(r.b)-r.off) {
		return nil, false
	}
	end := r.off + int(n)
	s := r.b[r.off:end:end]
	r.off = end
	return s, true
}

func (r *psbtReader) size() (uint64, bool) {
	v, n, ok := readCompactSize(r.b[r.off:])
	if ok {
		r.off += n
	}
	return v, ok
}

// readMap reads one map up to its 0x00 separator, refusing repeated keys
// and keys btcd could not carry unchanged.
func (r *psbtReader) readMap(kind psbtKind, index int) (psbtMap, error) {
	m := psbtMap{kind: kind, index: index}
	if r.off >= len(r.b) {
		return m, errMissingMap
	}
	seen := map[string]bool{}
	for {
		if r.off >= len(r.b) {
			return m, malformedAt(&m, nil, "the PSBT ends before this map's 0x00 separator, so it is truncated")
		}
		start := r.off
		keyLen, ok := r.size()
		if !ok {
			return m, malformedAt(&m, nil, "a key length at byte %d is cut short or not a canonical compact size", start)
		}
		if keyLen == 0 {
			return m, nil
		}
		if keyLen > psbt.MaxPsbtKeyLength {
			return m, malformedAt(&m, nil, "a key at byte %d is %d bytes long, more than the %d allowed", start, keyLen, psbt.MaxPsbtKeyLength)
		}
		key, ok := r.take(keyLen)
		if !ok {
			return m, malformedAt(&m, nil, "the PSBT ends inside a key at byte %d, so it is truncated", start)
		}
		t, n, ok := readCompactSize(key)
		if !ok {
			return m, malformedAt(&m, nil, "the key at byte %d does not start with a canonical key type", start)
		}
		f := psbtField{keyType: t, keyData: key[n:len(key):len(key)], key: key}
		if t > proprietaryType {
			return m, malformedAt(&m, &f, "no BIP defines this key type and coldtss cannot carry it unchanged")
		}
		if seen[string(key)] {
			return m, malformedAt(&m, &f, "key %s appears twice in this map, which BIP174 forbids", shortHex(key))
		}
		seen[string(key)] = true
		valLen, ok := r.size()
		if !ok {
			return m, malformedAt(&m, &f, "the PSBT ends inside its value length, or the length is not a canonical compact size")
		}
		if valLen > psbt.MaxPsbtValueLength {
			return m, malformedAt(&m, &f, "its value is %d bytes long, more than the %d allowed", valLen, psbt.MaxPsbtValueLength)
		}
		if f.value, ok = r.take(valLen); !ok {
			return m, malformedAt(&m, &f, "the PSBT ends inside its value, so it is truncated")
		}
		m.fields = append(m.fields, f)
	}
}

var errMissingMap = fmt.Errorf("missing map")

// plural writes "1 byte", "2 bytes".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// shortHex writes b in hex, shortened when long.
func shortHex(b []byte) string {
	if len(b) > 40 {
		return "0x" + hex.EncodeToString(b[:36]) + fmt.Sprintf("… (%d bytes)", len(b))
	}
	return "0x" + hex.EncodeToString(b)
}

// get returns the field of a key type with empty key data, if present.
func (m *psbtMap) get(t uint64) *psbtField {
	for i := range m.fields {
		if m.fields[i].keyType == t && len(m.fields[i].keyData) == 0 {
			return &m.fields[i]
		}
	}
	return nil
}

// checkPSBTMaps walks every map of a binary PSBT (magic included) and
// applies the strict checks. A well-formed version-2 PSBT gets errPSBTv2.
func checkPSBTMaps(data []byte) (*rawPSBT, error) {
	r := &psbtReader{b: data, off: len(psbtMagic)}
	g, err := r.readMap(globalMap, 0)
	if err == errMissingMap {
		return nil, fmt.Errorf("malformed PSBT: global: the PSBT ends right after its magic bytes; export it again from the wallet")
	}
	if err != nil {
		return nil, err
	}
	version := uint32(0)
	if f := g.get(globalVersion); f != nil {
		if len(f.value) != 4 {
			return nil, malformedAt(&g, f, "its value must be a 4-byte number but has %d bytes", len(f.value))
		}
		version = binary.LittleEndian.Uint32(f.value)
	}
	switch version {
	case 0:
	case 2:
		err := checkPSBTv2(r, &g)
		if err != errPSBTv2 {
			// Malformed as well as unsupported: say both.
			err = fmt.Errorf("%s, as a version 0 PSBT (coldtss does not read version 2)", err)
		}
		return nil, err
	default:
		return nil, fmt.Errorf("unsupported PSBT: global: field %s: version %d is not a PSBT version (BIP174 defines version 0, BIP370 version 2; coldtss reads version 0): export the PSBT as version 0 (BIP174)", fieldName(globalMap, globalVersion), version)
	}

	// Version 0: the unsigned transaction comes first (btcd, like every
	// wallet, needs it there) and the version-2 fields are absent.
	if len(g.fields) == 0 || g.fields[0].keyType != globalUnsignedTx {
		if g.get(globalUnsignedTx) == nil {
			return nil, malformedAt(&g, nil, "field %s is missing, and a version 0 PSBT must have it", fieldName(globalMap, globalUnsignedTx))
		}
		return nil, malformedAt(&g, g.get(globalUnsignedTx), "the unsigned transaction is not the first field of the map, where wallets write it and coldtss needs it")
	}
	for i := range g.fields {
		if err := checkField(&g, &g.fields[i], 0); err != nil {
			return nil, err
		}
	}
	var tx wire.MsgTx
	utx := g.fields[0]
	vr := bytes.NewReader(utx.value)
	if tx.DeserializeNoWitness(vr) != nil || vr.Len() != 0 {
		return nil, malformedAt(&g, &utx, "its value is not a transaction without witnesses of exactly the stated size")
	}
	for i, in := range tx.TxIn {
		if len(in.SignatureScript) != 0 || len(in.Witness) != 0 {
			return nil, malformedAt(&g, &utx, "input %d of the transaction already has a scriptSig, but a PSBT's transaction must be unsigned", i)
		}
	}

	raw := &rawPSBT{global: g}
	for i := range tx.TxIn {
		m, err := r.readMap(inputMap, i)
		if err == errMissingMap {
			return nil, malformedAt(&m, nil, "missing: the PSBT ends before this map, but its transaction has %d inputs", len(tx.TxIn))
		}
		if err != nil {
			return nil, err
		}
		for j := range m.fields {
			if err := checkField(&m, &m.fields[j], 0); err != nil {
				return nil, err
			}
		}
		raw.inputs = append(raw.inputs, m)
	}
	for i := range tx.TxOut {
		m, err := r.readMap(outputMap, i)
		if err == errMissingMap {
			return nil, malformedAt(&m, nil, "missing: the PSBT ends before this map, but its transaction has %d outputs", len(tx.TxOut))
		}
		if err != nil {
			return nil, err
		}
		for j := range m.fields {
			if err := checkField(&m, &m.fields[j], 0); err != nil {
				return nil, err
			}
		}
		raw.outputs = append(raw.outputs, m)
	}
	if extra := len(data) - r.off; extra > 0 {
		return nil, fmt.Errorf("malformed PSBT: %d unexpected bytes after its last map; export it again from the wallet", extra)
	}
	return raw, nil
}

// checkField checks one field of a PSBT of the given version: version-2
// fields only in version 2, and every field btcd decodes in the form it
// needs (so btcd never fails, or panics, without saying where).
func checkField(m *psbtMap, f *psbtField, version uint32) error {
	bad := func(format string, a ...any) error { return malformedAt(m, f, format, a...) }
	noKeyData := func() error {
		if len(f.keyData) != 0 {
			return bad("its key must be the key type alone, but it carries %s of key data", plural(len(f.keyData), "byte"))
		}
		return nil
	}
	if version == 0 && v2OnlyFields[m.kind][f.keyType] {
		return bad("it belongs to PSBT version 2 (BIP370), but this is a version 0 PSBT")
	}
	if f.keyType == proprietaryType {
		if _, _, ok := proprietaryKey(f.keyData); !ok {
			return bad("its key data is not <identifier length> <identifier> <subtype> as BIP174 requires")
		}
		return nil
	}
	switch m.kind {
	case globalMap:
		switch f.keyType {
		case globalUnsignedTx, globalVersion:
			return noKeyData()
		case globalXPub:
			if len(f.keyData) != 78 {
				return bad("its key must hold a 78-byte extended public key, but holds %d bytes", len(f.keyData))
			}
			k, err := psbt.DecodeExtendedKey(bytes.Clone(f.keyData))
			if err != nil {
				return bad("its key is not a valid extended public key")
			}
			if want := 4 * (int(k.Depth()) + 1); len(f.value) != want {
				return bad("its value must be a fingerprint and %d path steps (%d bytes), but has %d bytes", k.Depth(), want, len(f.value))
			}
		}
	case inputMap:
		switch f.keyType {
		case inNonWitnessUtxo:
			if err := noKeyData(); err != nil {
				return err
			}
			var tx wire.MsgTx
			vr := bytes.NewReader(f.value)
			if tx.Deserialize(vr) != nil || vr.Len() != 0 {
				return bad("its value is not a transaction of exactly the stated size")
			}
		case inWitnessUtxo:
			if err := noKeyData(); err != nil {
				return err
			}
			vr := bytes.NewReader(f.value)
			var out wire.TxOut
			if len(f.value) < 10 || wire.ReadTxOut(vr, 0, 0, &out) != nil || vr.Len() != 0 {
				return bad("its value is not a transaction output of exactly the stated size")
			}
		case inPartialSig:
			if !validPubKey(f.keyData) {
				return bad("its key does not hold a valid public key")
			}
			if _, err := ecdsa.ParseDERSignature(f.value); err != nil {
				return bad("its value is not a DER signature with a sighash byte")
			}
		case inSighashType:
			if err := noKeyData(); err != nil {
				return err
			}
			if len(f.value) != 4 {
				return bad("its value must be a 4-byte number but has %d bytes", len(f.value))
			}
		case inRedeemScript, inWitnessScript, inFinalScriptSig:
			return noKeyData()
		case inFinalWitness:
			if err := noKeyData(); err != nil {
				return err
			}
			if !validWitness(f.value) {
				return bad("its value is not a witness stack of exactly the stated size")
			}
		case inBip32Derivation:
			if !validPubKey(f.keyData) {
				return bad("its key does not hold a valid public key")
			}
			if len(f.value) < 4 || len(f.value)%4 != 0 {
				return bad("its value must be a 4-byte fingerprint and 4-byte path steps, but has %d bytes", len(f.value))
			}
		case inTapKeySig:
			if err := noKeyData(); err != nil {
				return err
			}
			if !validSchnorrSig(f.value) {
				return bad("its value is not a 64- or 65-byte Schnorr signature")
			}
		case inTapScriptSig:
			if len(f.keyData) != 64 || !validXOnly(f.keyData[:32]) {
				return bad("its key must hold an x-only public key and a leaf hash (64 bytes)")
			}
			if !validSchnorrSig(f.value) {
				return bad("its value is not a 64- or 65-byte Schnorr signature")
			}
		case inTapLeafScript:
			if _, err := txscript.ParseControlBlock(f.keyData); err != nil {
				return bad("its key does not hold a valid control block")
			}
			if len(f.value) < 1 {
				return bad("its value must be a script and a leaf version, but is empty")
			}
		case inTapBip32:
			return checkTapBip32(f, bad)
		case inTapInternalKey:
			if err := noKeyData(); err != nil {
				return err
			}
			if !validXOnly(f.value) {
				return bad("its value is not a valid x-only public key")
			}
		case inTapMerkleRoot:
			if err := noKeyData(); err != nil {
				return err
			}
			if len(f.value) != 32 {
				return bad("its value must be 32 bytes but has %d", len(f.value))
			}
		}
	case outputMap:
		switch f.keyType {
		case outRedeemScript, outWitnessScript, outTapTree:
			return noKeyData()
		case outBip32Derivation:
			if !validPubKey(f.keyData) {
				return bad("its key does not hold a valid public key")
			}
			if len(f.value) < 4 || len(f.value)%4 != 0 {
				return bad("its value must be a 4-byte fingerprint and 4-byte path steps, but has %d bytes", len(f.value))
			}
		case outTapInternalKey:
			if err := noKeyData(); err != nil {
				return err
			}
			if !validXOnly(f.value) {
				return bad("its value is not a valid x-only public key")
			}
		case outTapBip32:
			return checkTapBip32(f, bad)
		}
	}
	return nil
}

// checkTapBip32 checks a taproot BIP32 derivation: x-only key; value
// <compact size n> <n 32-byte leaf hashes> <fingerprint> <path steps>.
func checkTapBip32(f *psbtField, bad func(string, ...any) error) error {
	if !validXOnly(f.keyData) {
		return bad("its key does not hold a valid x-only public key")
	}
	n, size, ok := readCompactSize(f.value)
	if !ok || n > uint64(len(f.value)-size)/32 {
		return bad("its value does not hold the leaf hashes it announces")
	}
	rest := len(f.value) - size - int(n)*32
	if rest < 4 || rest%4 != 0 {
		return bad("its value must end with a 4-byte fingerprint and 4-byte path steps")
	}
	return nil
}

// proprietaryKey splits proprietary key data into identifier and subtype.
func proprietaryKey(keyData []byte) (ident []byte, subtype uint64, ok bool) {
	n, size, ok := readCompactSize(keyData)
	if !ok || n > uint64(len(keyData)-size) {
		return nil, 0, false
	}
	ident = keyData[size : size+int(n)]
	subtype, _, ok = readCompactSize(keyData[size+int(n):])
	return ident, subtype, ok
}

func validPubKey(b []byte) bool {
	_, err := btcec.ParsePubKey(b)
	return err == nil
}

func validXOnly(b []byte) bool {
	_, err := schnorr.ParsePubKey(b)
	return err == nil
}

func validSchnorrSig(b []byte) bool {
	if len(b) != 64 && len(b) != 65 {
		return false
	}
	_, err := schnorr.ParseSignature(b[:64])
	return err == nil
}

// validWitness reports whether b is exactly one serialised witness stack.
func validWitness(b []byte) bool {
	n, size, ok := readCompactSize(b)
	if !ok {
		return false
	}
	b = b[size:]
	for ; n > 0; n-- {
		l, size, ok := readCompactSize(b)
		if !ok || l > uint64(len(b)-size) {
			return false
		}
		b = b[size+int(l):]
	}
	return len(b) == 0
}

// checkPSBTv2 checks a version-2 PSBT against BIP370 and returns errPSBTv2
// if it is well formed, or says what is wrong with it.
func checkPSBTv2(r *psbtReader, g *psbtMap) error {
	for i := range g.fields {
		f := &g.fields[i]
		if err := checkField(g, f, 2); err != nil {
			return err
		}
		if f.keyType == globalUnsignedTx {
			return malformedAt(g, f, "a version 2 PSBT must not have it (BIP370)")
		}
	}
	if err := v2Fixed(g, globalTxVersion, 4, true); err != nil {
		return err
	}
	if err := v2Fixed(g, globalFallbackLock, 4, false); err != nil {
		return err
	}
	if err := v2Fixed(g, globalTxModifiable, 1, false); err != nil {
		return err
	}
	var counts [2]uint64
	for i, t := range []uint64{globalInputCount, globalOutputCount} {
		f := g.get(t)
		if f == nil {
			return malformedAt(g, nil, "field %s is missing, and a version 2 PSBT must have it (BIP370)", fieldName(globalMap, t))
		}
		n, size, ok := readCompactSize(f.value)
		if !ok || size != len(f.value) {
			return malformedAt(g, f, "its value is not a compact size number")
		}
		if n > uint64(len(r.b)-r.off) {
			return malformedAt(g, f, "announces %d maps, more than the PSBT has bytes left", n)
		}
		counts[i] = n
	}
	for i := 0; i < int(counts[0]); i++ {
		m, err := r.readMap(inputMap, i)
		if err == errMissingMap {
			return malformedAt(&m, nil, "missing: the PSBT ends before this map, but it announces %d inputs", counts[0])
		}
		if err != nil {
			return err
		}
		for j := range m.fields {
			if err := checkField(&m, &m.fields[j], 2); err != nil {
				return err
			}
		}
		if err := v2Fixed(&m, inPreviousTxid, 32, true); err != nil {
			return err
		}
		if err := v2Fixed(&m, inOutputIndex, 4, true); err != nil {
			return err
		}
		if err := v2Fixed(&m, inSequence, 4, false); err != nil {
			return err
		}
		for _, t := range []uint64{inRequiredTimeLock, inRequiredHeight} {
			if err := v2Fixed(&m, t, 4, false); err != nil {
				return err
			}
			if f := m.get(t); f != nil {
				lock := binary.LittleEndian.Uint32(f.value)
				if t == inRequiredTimeLock && lock < 500000000 {
					return malformedAt(&m, f, "a time lock must be at least 500000000, but it is %d", lock)
				}
				if t == inRequiredHeight && (lock == 0 || lock >= 500000000) {
					return malformedAt(&m, f, "a height lock must be above 0 and below 500000000, but it is %d", lock)
				}
			}
		}
	}
	for i := 0; i < int(counts[1]); i++ {
		m, err := r.readMap(outputMap, i)
		if err == errMissingMap {
			return malformedAt(&m, nil, "missing: the PSBT ends before this map, but it announces %d outputs", counts[1])
		}
		if err != nil {
			return err
		}
		for j := range m.fields {
			if err := checkField(&m, &m.fields[j], 2); err != nil {
				return err
			}
		}
		if err := v2Fixed(&m, outAmount, 8, true); err != nil {
			return err
		}
		if m.get(outScript) == nil {
			return malformedAt(&m, nil, "field %s is missing, and a version 2 PSBT must have it (BIP370)", fieldName(outputMap, outScript))
		}
	}
	if extra := len(r.b) - r.off; extra > 0 {
		return fmt.Errorf("malformed PSBT: %d unexpected bytes after its last map; export it again from the wallet", extra)
	}
	return errPSBTv2
}

// v2Fixed checks a version-2 field of fixed size that takes no key data.
func v2Fixed(m *psbtMap, t uint64, size int, required bool) error {
	for i := range m.fields {
		f := &m.fields[i]
		if f.keyType != t {
			continue
		}
		if len(f.keyData) != 0 {
			return malformedAt(m, f, "its key must be the key type alone, but it carries %s of key data", plural(len(f.keyData), "byte"))
		}
		if len(f.value) != size {
			return malformedAt(m, f, "its value must be %d bytes but has %d", size, len(f.value))
		}
		return nil
	}
	if required {
		return malformedAt(m, nil, "field %s is missing, and a version 2 PSBT must have it (BIP370)", fieldName(m.kind, t))
	}
	return nil
}

// unreadFields describes the fields of a map that coldtss (and btcd) keep
// but do not interpret, for the review; "" if there are none. Text from the
// PSBT (proprietary identifiers) is escaped.
func (m *psbtMap) unreadFields() string {
	var names []string
	for _, f := range m.fields {
		switch {
		case btcdReads[m.kind][f.keyType]:
		case m.kind == globalMap && f.keyType == globalVersion:
		case f.keyType == proprietaryType:
			ident, sub, _ := proprietaryKey(f.keyData)
			names = append(names, fmt.Sprintf("proprietary %s subtype %d", untrusted.Quote(string(ident)), sub))
		default:
			names = append(names, fieldName(m.kind, f.keyType))
		}
	}
	if len(names) == 0 {
		return ""
	}
	if len(names) > 6 {
		names = append(names[:5], fmt.Sprintf("and %d more", len(names)-5))
	}
	what := "fields"
	if len(names) == 1 {
		what = "a field"
	}
	return fmt.Sprintf("%s carries %s coldtss does not read (they do not change what is signed): %s", m.where(), what, strings.Join(names, ", "))
}
