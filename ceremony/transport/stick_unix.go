//go:build unix

package transport

import "syscall"

// openFlags open a file on the stick without following a link (the open
// fails on one) and without blocking (a named pipe with no writer would
// otherwise hang the open forever).
const openFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK
