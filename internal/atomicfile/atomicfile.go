// Package atomicfile writes files so that a crash or bad input never leaves
// a half-written file in place of good state: the data goes to a temporary
// file in the same folder, is fsynced, renamed over the target, and the
// folder is fsynced. Both coldtss binaries write every file through it.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write writes data to path with the given permissions, atomically.
// An existing file at path is replaced only once the new content is durable.
func Write(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create folder %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	tmpName := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("cannot set permissions on %s: %w", tmpName, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("cannot flush %s to disk: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot close %s: %w", path, err)
	}
	if err := os.Rename(tmpName, path); err != nil {
		return fmt.Errorf("cannot move %s into place: %w", path, err)
	}
	ok = true
	return SyncDir(dir)
}

// WriteNew is Write that refuses to replace an existing file.
func WriteNew(path string, data []byte, perm os.FileMode) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s already exists: it is never overwritten; choose another name or move the old file away", path)
	}
	return Write(path, data, perm)
}

// SyncDir flushes a folder's entries to disk, best effort (some file
// systems, such as FAT on a stick, cannot open folders).
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil // best effort: some filesystems (e.g. FAT on a stick) cannot open dirs
	}
	defer d.Close()
	_ = d.Sync()
	return nil
}
