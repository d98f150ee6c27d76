// Package untrusted holds the one function through which coldtss shows text
// that came from a file or from another station: plan fields and notes,
// station names, abort notices, PSBT and request fields, EIP-712 strings,
// and errors that quote any of them. Whatever such text contains, what
// reaches a terminal or a JSON document is visible, printable characters
// only, so a hostile file cannot move the cursor, hide lines, change colours
// or reorder text on screen.
package untrusted

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Text returns s with everything that could act on a terminal, or hide or
// reorder text, made visible as an escape:
//
//   - a backslash becomes \\ (so an escape shown can never be faked by text);
//   - tab, newline and carriage return become \t, \n and \r;
//   - any other C0 or C1 control byte, DEL and ESC become \xNN;
//   - bytes that are not UTF-8 become \xNN;
//   - every other non-printing rune (bidi overrides and isolates, zero-width
//     characters, line and paragraph separators, format characters, spaces
//     other than U+0020, private-use and unassigned code points) becomes
//     \u{XXXX}.
//
// Printable text, in any script, is left as it is.
func Text(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r < 0xa0:
			fmt.Fprintf(&b, `\u{%04X}`, r)
		case r != ' ' && !unicode.IsPrint(r):
			fmt.Fprintf(&b, `\u{%04X}`, r)
		case unicode.Is(unicode.Cf, r):
			// IsPrint already excludes format characters; kept explicit
			// because bidi controls are the ones that matter most.
			fmt.Fprintf(&b, `\u{%04X}`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// isPlain reports whether s is printable ASCII without a backslash, the
// common case, which Text returns unchanged without allocating.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

// Quote is Text inside double quotes, for a value inside a sentence. A
// double quote inside the value is escaped so the value cannot end early.
func Quote(s string) string {
	return `"` + strings.ReplaceAll(Text(s), `"`, `\"`) + `"`
}

// Lines applies Text to each line of a multi-line text block that this
// program built itself around untrusted values; the newlines between lines
// are kept. Use it only on text whose line structure is ours.
func Lines(s string) string {
	parts := strings.Split(s, "\n")
	for i, p := range parts {
		parts[i] = Text(p)
	}
	return strings.Join(parts, "\n")
}

// JSON makes an encoded JSON document safe to show: every rune outside
// ASCII that Text would escape (bidi controls, zero-width and other
// invisible characters, C1 controls) becomes a \uXXXX escape inside its
// string. The document means exactly the same to a JSON reader; only a
// terminal showing it sees the difference. encoding/json has already
// escaped ASCII controls and replaced invalid UTF-8.
func JSON(doc []byte) []byte {
	if isPlain(string(doc)) || !needsJSONEscape(doc) {
		return doc
	}
	var b strings.Builder
	for _, r := range string(doc) {
		if r >= 0x80 && (r < 0xa0 || !unicode.IsPrint(r) || unicode.Is(unicode.Cf, r)) {
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
			continue
		}
		b.WriteRune(r)
	}
	return []byte(b.String())
}

func needsJSONEscape(doc []byte) bool {
	for _, r := range string(doc) {
		if r >= 0x80 && (r < 0xa0 || !unicode.IsPrint(r) || unicode.Is(unicode.Cf, r)) {
			return true
		}
	}
	return false
}
