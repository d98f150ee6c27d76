package paper

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/coldtss/coldtss/internal/untrusted"
)

// The text form: a header line, then the backup in base32 (RFC 4648,
// upper case, no padding), LineBytes bytes a line, each line numbered and
// ended by a checksum of its number and bytes, so that a person who types
// it back learns which line holds a mistake.
//
//	coldtss-paper/1 18213 3f2a9c01d4e5b6a7
//	001 MFRGGZDF MZTWQ2LK NNWG23TP OBYXE43U OV3HO6DZ PKQ
//
// The header gives the backup's length in bytes and the first 16 hex digits
// of its SHA-256.
const (
	// TextFormat is the first word of the text form's header line.
	TextFormat = "coldtss-paper/1"
	// LineBytes is how many bytes of the backup one line of the text form
	// holds (40 base32 characters, in 5 groups of 8).
	LineBytes = 25
	groupLen  = 8
	sumLen    = 3 // base32 characters of the per-line checksum (15 bits)
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// TextLines returns the text form of a backup file: the header line, then
// one line per LineBytes bytes.
func TextLines(backupFile []byte) []string {
	sum := sha256.Sum256(backupFile)
	out := []string{fmt.Sprintf("%s %d %s", TextFormat, len(backupFile), hex.EncodeToString(sum[:8]))}
	width := len(strconv.Itoa((len(backupFile) + LineBytes - 1) / LineBytes))
	if width < 3 {
		width = 3
	}
	for i, n := 0, 1; i < len(backupFile); i, n = i+LineBytes, n+1 {
		chunk := backupFile[i:min(i+LineBytes, len(backupFile))]
		enc := b32.EncodeToString(chunk)
		var groups []string
		for j := 0; j < len(enc); j += groupLen {
			groups = append(groups, enc[j:min(j+groupLen, len(enc))])
		}
		out = append(out, fmt.Sprintf("%0*d %s %s", width, n, strings.Join(groups, " "), lineSum(n, chunk)))
	}
	return out
}

// lineSum is the checksum of line n holding chunk: the first 15 bits of
// SHA-256("coldtss-paper-line/1" || n (4 bytes, big endian) || chunk), as
// 3 base32 characters.
func lineSum(n int, chunk []byte) string {
	h := sha256.New()
	h.Write([]byte("coldtss-paper-line/1"))
	var nb [4]byte
	binary.BigEndian.PutUint32(nb[:], uint32(n))
	h.Write(nb[:])
	h.Write(chunk)
	return b32.EncodeToString(h.Sum(nil)[:2])[:sumLen]
}

// ReadText reads the text form typed back from r (name names it in
// errors) and returns the backup file. Blank lines and lines starting with
// '#' are skipped; case and the spaces between groups do not matter. The
// first mistake found is reported with its line number in the typed file
// and on the sheet.
func ReadText(r io.Reader, name string) ([]byte, error) {
	sc := bufio.NewScanner(io.LimitReader(r, 8<<20))
	sc.Buffer(make([]byte, 4096), 4096)
	var (
		size, seen int
		prefix     string
		lines      = map[int][]byte{}
		at         = map[int]int{}
		header     bool
		headerAt   int
	)
	for ln := 1; sc.Scan(); ln++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		f := strings.Fields(strings.ToUpper(s))
		if !header {
			if len(f) != 3 || f[0] != strings.ToUpper(TextFormat) {
				return nil, fmt.Errorf("%s line %d: the first line must be the sheet's header %q followed by the length and the checksum (for example %q): type the header line of the text form first", name, ln, TextFormat, TextFormat+" 18213 3f2a9c01d4e5b6a7")
			}
			n, err := strconv.Atoi(f[1])
			if err != nil || n <= 0 || n > maxBackup {
				return nil, fmt.Errorf("%s line %d: the length %s in the header is not a number of bytes between 1 and %d: compare the header line with the sheet", name, ln, untrusted.Quote(f[1]), maxBackup)
			}
			if _, err := hex.DecodeString(f[2]); err != nil || len(f[2]) != 16 {
				return nil, fmt.Errorf("%s line %d: the checksum %s in the header is not 16 hex digits: compare the header line with the sheet", name, ln, untrusted.Quote(f[2]))
			}
			size, prefix, header, headerAt = n, strings.ToLower(f[2]), true, ln
			continue
		}
		if len(f) < 3 {
			return nil, fmt.Errorf("%s line %d: a line of the text form is its number, the groups of characters and the 3-character checksum; this one has %d words: compare it with the sheet", name, ln, len(f))
		}
		n, err := strconv.Atoi(f[0])
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s line %d: %s is not a line number: every line starts with its number, as on the sheet", name, ln, untrusted.Quote(f[0]))
		}
		if prev, dup := at[n]; dup {
			return nil, fmt.Errorf("%s line %d: sheet line %03d was already typed at line %d: remove one of them", name, ln, n, prev)
		}
		data := strings.Join(f[1:len(f)-1], "")
		chunk, err := b32.DecodeString(data)
		if err != nil {
			return nil, fmt.Errorf("%s line %d (sheet line %03d): %s: only the letters A-Z and the digits 2-7 appear on the sheet; compare the line with the sheet", name, ln, n, badChar(data))
		}
		if got := f[len(f)-1]; got != lineSum(n, chunk) {
			return nil, fmt.Errorf("%s line %d (sheet line %03d): the characters typed do not match the line's checksum %s: compare this line, character by character, with line %03d on the sheet", name, ln, n, untrusted.Quote(got), n)
		}
		lines[n], at[n] = chunk, ln
		seen += len(chunk)
		if seen > size {
			break
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v: the text form has short lines; check that this is the typed text form", name, err)
	}
	if !header {
		return nil, fmt.Errorf("%s: no text form in it: type the header line and the numbered lines of the sheet's text form", name)
	}
	want := (size + LineBytes - 1) / LineBytes
	last := 0
	for n := range lines {
		last = max(last, n)
	}
	if last < want && len(lines) == last {
		return nil, fmt.Errorf("%s line %d: the header says %d bytes, %d lines, but the lines typed stop at sheet line %03d: check the length in the header against the sheet, or type the lines after %03d", name, headerAt, size, want, last, last)
	}
	var out bytes.Buffer
	for n := 1; n <= want; n++ {
		chunk, ok := lines[n]
		if !ok {
			return nil, fmt.Errorf("%s: sheet line %03d is missing (the sheet has %d lines): type it", name, n, want)
		}
		if n < want && len(chunk) != LineBytes || n == want && len(chunk) != size-(want-1)*LineBytes {
			return nil, fmt.Errorf("%s line %d (sheet line %03d): the line holds %d bytes, not the %d of the sheet: compare it with the sheet", name, at[n], n, len(chunk), min(LineBytes, size-(n-1)*LineBytes))
		}
		out.Write(chunk)
	}
	if len(lines) > want {
		for n := range lines {
			if n > want {
				return nil, fmt.Errorf("%s line %d: sheet line %03d is beyond the %d lines the header announces: check the header's length", name, at[n], n, want)
			}
		}
	}
	sum := sha256.Sum256(out.Bytes())
	if hex.EncodeToString(sum[:8]) != prefix {
		return nil, fmt.Errorf("%s: every line matches its checksum but the whole does not match the header's checksum %s: check the header line against the sheet", name, prefix)
	}
	return out.Bytes(), nil
}

// badChar names the first character that is not base32.
func badChar(s string) string {
	for i, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '2' && r <= '7') {
			return fmt.Sprintf("character %d of the line's groups, %s, is not on the sheet", i+1, untrusted.Quote(string(r)))
		}
	}
	return "the groups do not make whole bytes (a character too many or too few)"
}
