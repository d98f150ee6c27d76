// Package bbqr implements BBQr ("Better Bitcoin QR", Coinkite's format, as
// used by the Coldcard Q): a file split over one or more QR codes, each
// "B$" + encoding + file type + total parts + part index (two base-36
// digits each) + data, all in the QR alphanumeric character set.
//
// Data is hex (H), base32 (2), or raw DEFLATE with a 1 KiB window then
// base32 (Z). Parts can be scanned in any order.
package bbqr

import (
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Encoding is the third character of a part.
type Encoding byte

const (
	Hex    Encoding = 'H' // upper-case hex
	Base32 Encoding = '2' // RFC 4648 base32, no padding
	Zlib   Encoding = 'Z' // raw DEFLATE, 2^10-byte window, then base32
)

func (e Encoding) String() string {
	switch e {
	case Hex:
		return "hex"
	case Base32:
		return "base32"
	case Zlib:
		return "zlib"
	}
	return fmt.Sprintf("encoding %q", rune(e))
}

// FileType is the fourth character of a part: what the file is.
type FileType byte

// The file types BBQr.md assigns. Decoders accept any of A-Z.
const (
	PSBT        FileType = 'P'
	Transaction FileType = 'T' // a signed wire transaction, ready to send
	JSON        FileType = 'J'
	CBOR        FileType = 'C'
	Text        FileType = 'U' // UTF-8 text
	Binary      FileType = 'B'
	Executable  FileType = 'X'
)

func (t FileType) String() string {
	names := map[FileType]string{PSBT: "PSBT", Transaction: "transaction", JSON: "JSON", CBOR: "CBOR", Text: "text", Binary: "binary", Executable: "executable"}
	if n, ok := names[t]; ok {
		return n
	}
	return fmt.Sprintf("file type %q", rune(t))
}

const (
	// HeaderLen is the length of a part's header, "B$" and six characters.
	HeaderLen = 8
	// MaxParts is the most parts a file can have: ZZ in base 36.
	MaxParts = 36*36 - 1
	// MaxFileLen bounds the file a Decoder returns, so that a small
	// compressed series cannot expand without bound.
	MaxFileLen = 16 << 20
	// maxPartLen is what the largest QR code (version 40, ECC level L)
	// holds in alphanumeric mode.
	maxPartLen = 4296
)

// qrChars[v] is how many alphanumeric characters a QR code of version v
// holds at error correction level L (ISO/IEC 18004, as BBQr assumes).
var qrChars = [41]int{0,
	25, 47, 77, 114, 154, 195, 224, 279, 335, 395,
	468, 535, 619, 667, 758, 854, 938, 1046, 1153, 1249,
	1352, 1460, 1588, 1704, 1853, 1990, 2132, 2223, 2369, 2520,
	2677, 2840, 3009, 3183, 3351, 3537, 3729, 3927, 4087, 4296}

// QRChars returns how many alphanumeric characters a QR code of version v
// (1 to 40) holds at error correction level L, header included.
func QRChars(v int) int {
	if v < 1 || v > 40 {
		return 0
	}
	return qrChars[v]
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// SplitOptions chooses how Split encodes and sizes the parts. Zero values
// take the reference implementations' defaults.
type SplitOptions struct {
	// Encoding: Zlib (the default) falls back to Base32 when compression
	// does not make the data smaller.
	Encoding Encoding
	// QR versions to pick from, by default 5 to 40. Split picks the fewest
	// parts, then the lowest version.
	MinVersion, MaxVersion int
	// How many parts to allow, by default 1 to MaxParts.
	MinSplit, MaxSplit int
}

// Series is a file split into BBQr parts.
type Series struct {
	Version  int      // QR version (ECC level L, alphanumeric mode) that holds every part
	Encoding Encoding // as asked, or Base32 where Zlib did not help
	Parts    []string
}

// Split encodes data as a series of BBQr parts, as few as fit in QR codes of
// the allowed versions.
func Split(data []byte, ft FileType, opts SplitOptions) (Series, error) {
	if len(data) == 0 {
		return Series{}, errors.New("bbqr: nothing to split: the file is empty")
	}
	if ft < 'A' || ft > 'Z' {
		return Series{}, fmt.Errorf("bbqr: file type %q is not one letter A-Z", rune(ft))
	}
	o := opts
	o.Encoding = or(o.Encoding, Zlib)
	o.MinVersion, o.MaxVersion = or(o.MinVersion, 5), or(o.MaxVersion, 40)
	o.MinSplit, o.MaxSplit = or(o.MinSplit, 1), or(o.MaxSplit, MaxParts)
	if o.Encoding != Hex && o.Encoding != Base32 && o.Encoding != Zlib {
		return Series{}, fmt.Errorf("bbqr: unknown encoding %q: use H, 2 or Z", rune(o.Encoding))
	}
	if o.MinVersion < 1 || o.MaxVersion > 40 || o.MinVersion > o.MaxVersion {
		return Series{}, fmt.Errorf("bbqr: QR versions %d to %d: they must be within 1 to 40", o.MinVersion, o.MaxVersion)
	}
	if o.MinSplit < 1 || o.MaxSplit > MaxParts || o.MinSplit > o.MaxSplit {
		return Series{}, fmt.Errorf("bbqr: %d to %d parts: they must be within 1 to %d", o.MinSplit, o.MaxSplit, MaxParts)
	}

	enc := o.Encoding
	var text string
	switch enc {
	case Hex:
		text = strings.ToUpper(hex.EncodeToString(data))
	case Zlib:
		if z := deflate10(data); len(z) < len(data) {
			text = b32.EncodeToString(z)
			break
		}
		enc = Base32
		fallthrough
	default:
		text = b32.EncodeToString(data)
	}
	mod := 8 // base32 splits on whole 5-byte groups
	if enc == Hex {
		mod = 2
	}

	best := Series{}
	bestCount, perEach := 0, 0
	for v := o.MinVersion; v <= o.MaxVersion; v++ {
		count, each := partsNeeded(v, len(text), mod)
		if count < o.MinSplit || count > o.MaxSplit {
			continue
		}
		if bestCount == 0 || count < bestCount {
			best.Version, bestCount, perEach = v, count, each
		}
	}
	if bestCount == 0 {
		return Series{}, fmt.Errorf("bbqr: %d characters of %s do not fit in %d to %d QR codes of versions %d to %d; allow more parts or larger versions",
			len(text), enc, o.MinSplit, o.MaxSplit, o.MinVersion, o.MaxVersion)
	}
	best.Encoding = enc
	for off := 0; off < len(text); off += perEach {
		best.Parts = append(best.Parts, fmt.Sprintf("B$%c%c%s%s%s", enc, ft, base36(bestCount), base36(len(best.Parts)), text[off:min(off+perEach, len(text))]))
	}
	if len(best.Parts) != bestCount {
		panic("bbqr: split count mismatch") // partsNeeded guarantees it
	}
	return best, nil
}

// partsNeeded is how many QR codes of version v hold n characters split on
// multiples of mod (BBQr's reference rule), and how many each but the last holds.
func partsNeeded(v, n, mod int) (count, each int) {
	capacity := qrChars[v] - HeaderLen
	each = capacity - capacity%mod
	need := (n + each - 1) / each
	if need == 1 {
		return 1, n
	}
	// The reference also tries need+1 parts when the last part, which may
	// use the whole capacity, would overflow; since capacity >= each that
	// never happens.
	return need, each
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

const digits36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

func base36(n int) string { return string([]byte{digits36[n/36], digits36[n%36]}) }

func parseBase36(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(digits36, s[i])
		if d < 0 {
			return 0, false
		}
		n = n*36 + d
	}
	return n, true
}
