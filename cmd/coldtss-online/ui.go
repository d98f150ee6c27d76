package main

import (
	"fmt"
	"os"
)

// writeNew writes a new file (mode 0644) and refuses to replace one.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if os.IsExist(err) {
		return fmt.Errorf("%s already exists: choose another --out or move the old file away (it is never overwritten)", path)
	}
	if err != nil {
		return fmt.Errorf("cannot create %s: %v", path, err)
	}
	if _, err = f.Write(data); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("cannot write %s: %v; nothing was written", path, err)
	}
	return nil
}
