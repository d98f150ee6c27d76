package scan

import (
	"time"
)

// CameraOptions choose how a camera is driven. The zero value asks for
// about 1280x720 and waits up to 10 seconds for a picture.
type CameraOptions struct {
	// Width and Height wanted; the camera's nearest size is used.
	Width, Height int
	// Timeout: how long without any picture from the camera before Next
	// gives up with an error.
	Timeout time.Duration
}

func (o CameraOptions) withDefaults() CameraOptions {
	if o.Width <= 0 || o.Height <= 0 {
		o.Width, o.Height = 1280, 720
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	return o
}

// yuyvToGray keeps the luma of a packed YUYV 4:2:2 frame (Y0 U Y1 V for
// each two pixels) of w x h pixels. ok is false when the frame is shorter
// than w x h needs.
func yuyvToGray(frame []byte, w, h int) (g gray, ok bool) {
	if w <= 0 || h <= 0 || len(frame) < 2*w*h {
		return gray{}, false
	}
	g = gray{pix: make([]uint8, w*h), w: w, h: h}
	for i := range g.pix {
		g.pix[i] = frame[2*i]
	}
	return g, true
}

// frameSize picks, among a camera's frame sizes, the one nearest to the
// size wanted (by area, preferring larger on a tie). Each size is
// {minW, maxW, stepW, minH, maxH, stepH}; a step of 0 is a fixed size.
func frameSize(sizes [][6]uint32, w, h int) (int, int, bool) {
	best, bw, bh := -1, 0, 0
	want := w * h
	try := func(cw, ch int) {
		if cw <= 0 || ch <= 0 || cw > MaxWidth || ch > MaxHeight {
			return
		}
		d := cw*ch - want
		if d < 0 {
			d = -d * 2 // smaller than wanted counts double
		}
		if best < 0 || d < best {
			best, bw, bh = d, cw, ch
		}
	}
	for _, s := range sizes {
		if s[2] == 0 && s[5] == 0 {
			try(int(s[1]), int(s[4]))
			continue
		}
		cw := min(max(w, int(s[0])), int(s[1]))
		ch := min(max(h, int(s[3])), int(s[4]))
		if s[2] > 0 {
			cw -= (cw - int(s[0])) % int(s[2])
		}
		if s[5] > 0 {
			ch -= (ch - int(s[3])) % int(s[5])
		}
		try(cw, ch)
	}
	return bw, bh, best >= 0
}
