package untrusted

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"
)

func TestText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"alice", "alice"},
		{"Paying 1 BTC to bc1q", "Paying 1 BTC to bc1q"},
		{"\x1b[8mhidden\x1b[0m", `\x1b[8mhidden\x1b[0m`},
		{"a\nb\r\tc", `a\nb\r\tc`},
		{`back\slash`, `back\\slash`},
		{`\x1b`, `\\x1b`}, // a literal escape can never pass for a real one
		{"\x00\x07\x7f", `\x00\x07\x7f`},
		{"\u009b31m", `\u{009B}31m`},         // C1 CSI
		{"abc\u202Edcba", `abc\u{202E}dcba`}, // right-to-left override
		{"x\u2066y\u2069", `x\u{2066}y\u{2069}`},
		{"zero\u200Bwidth\uFEFF", `zero\u{200B}width\u{FEFF}`},
		{"line\u2028sep", `line\u{2028}sep`},
		{"nb\u00A0sp", `nb\u{00A0}sp`},
		{"\xff\xfe", `\xff\xfe`},
		{"ünïcödé 日本 Ελληνικά", "ünïcödé 日本 Ελληνικά"},
		{"tag\U000E0041", `tag\u{E0041}`},
		{"\ue000", `\u{E000}`}, // private use
		{"\x1b]0;title\x07", `\x1b]0;title\x07`},
	}
	for _, c := range cases {
		if got := Text(c.in); got != c.want {
			t.Errorf("Text(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := Quote(`say "hi"` + "\n"); got != `"say \"hi\"\n"` {
		t.Errorf("Quote: %q", got)
	}
	if got := Lines("one\x1b\ntwo\u202e"); got != "one\\x1b\ntwo\\u{202E}" {
		t.Errorf("Lines: %q", got)
	}
}

func TestJSON(t *testing.T) {
	in := map[string]string{"label": "a\u202eb\u200bc\x1b[2J\U000E0041 日本"}
	doc, _ := json.Marshal(in)
	out := JSON(doc)
	for _, bad := range []string{"\u202e", "\u200b", "\x1b", "\U000E0041"} {
		if strings.Contains(string(out), bad) {
			t.Fatalf("JSON kept %q raw: %s", bad, out)
		}
	}
	var back map[string]string
	if err := json.Unmarshal(out, &back); err != nil || back["label"] != in["label"] {
		t.Fatalf("JSON changed the document's meaning: %v %q", err, back["label"])
	}
	if !strings.Contains(string(out), "日本") {
		t.Fatalf("JSON escaped printable text: %s", out)
	}
}

// Whatever goes in, what comes out is printable: no control, format,
// separator or invalid byte survives.
func FuzzText(f *testing.F) {
	for _, s := range []string{"", "a", "\x1b[2J", "\u202e", "\xff", "\\", "日本"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		for _, r := range out {
			if r == unicode.ReplacementChar && !strings.ContainsRune(s, unicode.ReplacementChar) {
				t.Fatalf("Text(%q) produced a replacement char", s)
			}
			if r != ' ' && !unicode.IsPrint(r) {
				t.Fatalf("Text(%q) = %q keeps non-printing %U", s, out, r)
			}
		}
	})
}
