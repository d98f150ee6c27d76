package paper

import (
	"bytes"
	"strings"
	"testing"
)

func TestTextFormRoundTrip(t *testing.T) {
	for _, n := range []int{1, 24, 25, 26, 3000} {
		data := ageFile(t, n, int64(n))
		lines := TextLines(data)
		if want := 1 + (len(data)+LineBytes-1)/LineBytes; len(lines) != want {
			t.Fatalf("%d bytes: %d lines, want %d", len(data), len(lines), want)
		}
		// Typed back in lower case, groups run together, a comment and
		// blank lines: still the same bytes.
		typed := "# typed from the sheet\n\n" + strings.ToLower(strings.Join(lines, "\n\n"))
		got, err := ReadText(strings.NewReader(typed), "typed.txt")
		if err != nil {
			t.Fatalf("%d bytes: %v", len(data), err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("%d bytes: the typed text form gives other bytes", len(data))
		}
	}
}

// Each typing mistake is reported with the line it is on.
func TestTextFormNamesTheBadLine(t *testing.T) {
	data := ageFile(t, 500, 3)
	lines := TextLines(data)
	typo := func(s string, i int) string { // change the character at i
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	for _, c := range []struct {
		name string
		edit func([]string) []string
		want string
	}{
		{"typo in line 5", func(l []string) []string { l[5] = typo(l[5], 10); return l }, "typed.txt line 6 (sheet line 005): the characters typed do not match"},
		{"typo in a checksum", func(l []string) []string { l[3] = typo(l[3], len(l[3])-1); return l }, "line 4 (sheet line 003)"},
		{"a character left out", func(l []string) []string { l[2] = l[2][:8] + l[2][9:]; return l }, "sheet line 002"},
		{"not base32", func(l []string) []string { l[7] = l[7][:6] + "0" + l[7][7:]; return l }, `line 8 (sheet line 007): character 3 of the line's groups, "0"`},
		{"a line missing", func(l []string) []string { return append(l[:4:4], l[5:]...) }, "sheet line 004 is missing"},
		{"a line twice", func(l []string) []string { return append(l, l[2]) }, "sheet line 002 was already typed at line 3"},
		{"lines swapped keep their numbers", func(l []string) []string { l[2], l[3] = l[3], l[2]; return l }, ""},
		{"no header", func(l []string) []string { return l[1:] }, "the first line must be the sheet's header"},
		{"wrong length in the header", func(l []string) []string { l[0] = strings.Replace(l[0], " 7", " 8", 1); return l }, "line 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := c.edit(append([]string(nil), lines...))
			got, err := ReadText(strings.NewReader(strings.Join(l, "\n")), "typed.txt")
			if c.want == "" {
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v; want one containing %q", err, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of more than one line: %q", err)
			}
		})
	}
}
