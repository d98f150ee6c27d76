//go:build !unix

package transport

// openFlags: no O_NOFOLLOW or O_NONBLOCK here (Windows); files are checked
// with Lstat before and after they are opened.
const openFlags = 0
