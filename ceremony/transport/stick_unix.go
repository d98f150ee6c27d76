//go:build unix

package transport

import (
	"os"
	"syscall"
)

// openFlags open a file on the stick without following a link (the open
// fails on one) and without blocking (a named pipe with no writer would
// otherwise hang the open forever).
const openFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// device returns the device number of the file system holding path.
func device(path string) (uint64, bool) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return uint64(sys.Dev), true // int32 on darwin, uint64 on linux
}
