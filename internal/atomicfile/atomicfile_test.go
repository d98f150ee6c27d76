package atomicfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dirNames lists every entry of dir (hidden ones included), sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// onlyNames fails if dir holds anything but the listed names (sorted): a
// temp file left by WriteFileAtomic would be ".<name>.tmp-<random>".
func onlyNames(t *testing.T, dir string, want ...string) {
	t.Helper()
	got := dirNames(t, dir)
	if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
		t.Fatalf("%s holds %q, want exactly %q (a temp file was left behind?)", dir, got, want)
	}
}

func checkFile(t *testing.T, path string, content []byte, perm os.FileMode) {
	t.Helper()
	st, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Mode().IsRegular() {
		t.Fatalf("%s is %v, want a regular file", path, st.Mode())
	}
	if st.Mode().Perm() != perm {
		t.Fatalf("%s has mode %v, want %v", path, st.Mode().Perm(), perm)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, content) {
		t.Fatalf("%s holds %q, want %q", path, b, content)
	}
}

func TestWrite(t *testing.T) {
	t.Run("content and mode", func(t *testing.T) {
		dir := t.TempDir()
		for _, c := range []struct {
			name string
			perm os.FileMode
		}{{"secret", 0o600}, {"public", 0o644}, {"odd", 0o640}} {
			p := filepath.Join(dir, c.name)
			data := []byte("content of " + c.name)
			if err := Write(p, data, c.perm); err != nil {
				t.Fatal(err)
			}
			checkFile(t, p, data, c.perm)
		}
		onlyNames(t, dir, "odd", "public", "secret")
	})

	t.Run("creates missing folders", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "a", "b", "f")
		if err := Write(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		checkFile(t, p, []byte("x"), 0o600)
		st, err := os.Stat(filepath.Join(dir, "a"))
		if err != nil || st.Mode().Perm() != 0o700 {
			t.Fatalf("created folder: %v %v, want mode 0700", st, err)
		}
	})

	t.Run("replaces an existing file", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "f")
		if err := os.WriteFile(p, []byte("old content, longer than the new one"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := Write(p, []byte("new"), 0o600); err != nil {
			t.Fatal(err)
		}
		// Content replaced whole (not overwritten in place) and the new mode applied.
		checkFile(t, p, []byte("new"), 0o600)
		onlyNames(t, dir, "f")
	})

	t.Run("empty content", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "f")
		if err := Write(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		checkFile(t, p, []byte{}, 0o600)
	})

	t.Run("no temp file left after a failed rename", func(t *testing.T) {
		// The target is an existing folder: the temp file is written, then
		// the rename over the folder fails. This fails for root too.
		dir := t.TempDir()
		target := filepath.Join(dir, "target")
		if err := os.Mkdir(target, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(target, "inside"), []byte("keep"), 0o600); err != nil {
			t.Fatal(err)
		}
		err := Write(target, []byte("data"), 0o600)
		if err == nil || !strings.Contains(err.Error(), "cannot move") || !strings.Contains(err.Error(), target) {
			t.Fatalf("writing over a folder: got %v, want a 'cannot move %s into place' error", err, target)
		}
		onlyNames(t, dir, "target")
		checkFile(t, filepath.Join(target, "inside"), []byte("keep"), 0o600)
	})

	t.Run("no temp file left when the parent is a file", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "file"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := Write(filepath.Join(dir, "file", "f"), []byte("data"), 0o600); err == nil {
			t.Fatal("writing below a file succeeded")
		}
		onlyNames(t, dir, "file")
	})

	t.Run("no temp file left in a read-only folder", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root ignores folder permissions")
		}
		dir := t.TempDir()
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ro, "f"), []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(ro, 0o700) })
		err := Write(filepath.Join(ro, "f"), []byte("new"), 0o600)
		if err == nil || !strings.Contains(err.Error(), "cannot write in") {
			t.Fatalf("got %v, want a 'cannot write in' error", err)
		}
		onlyNames(t, ro, "f")
		checkFile(t, filepath.Join(ro, "f"), []byte("old"), 0o600)
	})
}

func TestWriteNew(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "new")
	if err := WriteNew(p, []byte("first"), 0o600); err != nil {
		t.Fatal(err)
	}
	checkFile(t, p, []byte("first"), 0o600)

	err := WriteNew(p, []byte("second"), 0o644)
	if err == nil || !strings.Contains(err.Error(), "already exists") || !strings.Contains(err.Error(), p) {
		t.Fatalf("overwriting an existing file: got %v, want an 'already exists' error naming it", err)
	}
	checkFile(t, p, []byte("first"), 0o600)

	// A symlink is refused whether it points at a file or at nothing, and
	// neither the link nor what it points at changes.
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("victim"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, dest := range map[string]string{"link": victim, "dangling": filepath.Join(dir, "nowhere")} {
		l := filepath.Join(dir, name)
		if err := os.Symlink(dest, l); err != nil {
			t.Fatal(err)
		}
		err := WriteNew(l, []byte("through the link"), 0o600)
		if err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Fatalf("%s: writing through a symlink: got %v, want an 'already exists' error", name, err)
		}
		st, err := os.Lstat(l)
		if err != nil || st.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("%s: the symlink was replaced: %v %v", name, st, err)
		}
		if got, _ := os.Readlink(l); got != dest {
			t.Fatalf("%s: symlink now points at %q", name, got)
		}
	}
	checkFile(t, victim, []byte("victim"), 0o600)
	if _, err := os.Lstat(filepath.Join(dir, "nowhere")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the dangling symlink's target was created: %v", err)
	}
	onlyNames(t, dir, "dangling", "link", "new", "victim")
}
