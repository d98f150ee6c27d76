//go:build !linux

package scan

import (
	"fmt"
	"runtime"
)

// Camera is Linux only (V4L2). Elsewhere it says what to do instead.
func Camera(device string, opts CameraOptions) (Source, error) {
	return nil, fmt.Errorf("reading a camera is not supported on %s: run zbarcam --raw and pipe its output in, or give the pictures as files", runtime.GOOS)
}
