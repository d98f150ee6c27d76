//go:build !unix

package transport

// openFlags: no O_NOFOLLOW or O_NONBLOCK here (Windows); files are checked
// with Lstat before and after they are opened.
const openFlags = 0

// device: the stick's device is not checked here, only its marker file.
func device(string) (uint64, bool) { return 0, false }
