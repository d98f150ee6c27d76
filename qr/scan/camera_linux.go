//go:build linux

package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/jpeg"
	"os"
	"syscall"
	"time"

	"github.com/blackjack/webcam"

	"github.com/coldtss/coldtss/internal/untrusted"
)

// V4L2 pixel formats (fourcc).
const (
	fmtYUYV webcam.PixelFormat = 'Y' | 'U'<<8 | 'Y'<<16 | 'V'<<24
	fmtMJPG webcam.PixelFormat = 'M' | 'J'<<8 | 'P'<<16 | 'G'<<24
)

// Camera opens a V4L2 camera (device such as /dev/video0) and returns a
// source of the QR codes it sees: Next returns as soon as a frame holds a
// code (the same code comes again in later frames while it is shown).
// It streams YUYV when the camera offers it at about the size wanted
// (exact luma, no decoding), MJPEG otherwise.
func Camera(device string, opts CameraOptions) (Source, error) {
	opts = opts.withDefaults()
	dev := untrustedText(device)
	cam, err := webcam.Open(device)
	if err != nil {
		switch {
		case errors.Is(err, os.ErrNotExist):
			return nil, fmt.Errorf("no camera at %s: plug one in or give --camera DEVICE", dev)
		case errors.Is(err, os.ErrPermission):
			return nil, fmt.Errorf("cannot open the camera %s: permission denied: add yourself to the video group (sudo usermod -aG video $USER, then log in again)", dev)
		case errors.Is(err, syscall.EBUSY):
			return nil, fmt.Errorf("the camera %s is busy: close the other program that uses it", dev)
		}
		return nil, fmt.Errorf("cannot open the camera %s: %v: give another --camera DEVICE", dev, err)
	}
	c := &camera{cam: cam, dev: device, opts: opts, scanner: New()}
	if err := c.setup(); err != nil {
		cam.Close()
		return nil, err
	}
	return c, nil
}

type camera struct {
	cam     *webcam.Webcam
	dev     string
	opts    CameraOptions
	scanner *Scanner
	format  webcam.PixelFormat
	w, h    int
	n       int
}

func (c *camera) setup() error {
	formats := c.cam.GetSupportedFormats()
	var chosen webcam.PixelFormat
	var w, h int
	for _, f := range []webcam.PixelFormat{fmtYUYV, fmtMJPG} {
		if _, ok := formats[f]; !ok {
			continue
		}
		var sizes [][6]uint32
		for _, s := range c.cam.GetSupportedFrameSizes(f) {
			sizes = append(sizes, [6]uint32{s.MinWidth, s.MaxWidth, s.StepWidth, s.MinHeight, s.MaxHeight, s.StepHeight})
		}
		cw, ch, ok := frameSize(sizes, c.opts.Width, c.opts.Height)
		if !ok {
			continue
		}
		if f == fmtYUYV && ch < c.opts.Height*3/4 && formats[fmtMJPG] != "" {
			continue // YUYV only small: MJPEG gives more pixels
		}
		chosen, w, h = f, cw, ch
		break
	}
	if chosen == 0 {
		return fmt.Errorf("the camera %s offers neither YUYV nor MJPEG pictures: give another --camera DEVICE", untrustedText(c.dev))
	}
	f, gw, gh, err := c.cam.SetImageFormat(chosen, uint32(w), uint32(h))
	if err != nil {
		return fmt.Errorf("the camera %s refused %dx%d pictures: %v: give another --camera DEVICE", untrustedText(c.dev), w, h, err)
	}
	if f != fmtYUYV && f != fmtMJPG {
		return fmt.Errorf("the camera %s switched to an unknown picture format: give another --camera DEVICE", untrustedText(c.dev))
	}
	if err := checkSize(int(gw), int(gh)); err != nil {
		return fmt.Errorf("the camera %s: %w", untrustedText(c.dev), err)
	}
	c.format, c.w, c.h = f, int(gw), int(gh)
	c.cam.SetBufferCount(4)
	if err := c.cam.StartStreaming(); err != nil {
		return fmt.Errorf("the camera %s does not stream: %v: close other programs that use it, or give another --camera DEVICE", untrustedText(c.dev), err)
	}
	return nil
}

func (c *camera) Close() error {
	c.cam.StopStreaming()
	return c.cam.Close()
}

func (c *camera) Next(ctx context.Context) (string, string, error) {
	last := time.Now()
	for {
		if err := ctx.Err(); err != nil {
			return "", "", err
		}
		err := c.cam.WaitForFrame(200)
		var timeout *webcam.Timeout
		if errors.As(err, &timeout) {
			if time.Since(last) > c.opts.Timeout {
				return "", "", fmt.Errorf("the camera %s sent no picture for %v: check that it is plugged in and not used by another program", untrustedText(c.dev), c.opts.Timeout)
			}
			continue
		}
		if err != nil {
			return "", "", fmt.Errorf("the camera %s failed: %v: plug it in again", untrustedText(c.dev), err)
		}
		frame, err := c.cam.ReadFrame()
		if err != nil || len(frame) == 0 {
			continue
		}
		last = time.Now()
		c.n++
		g, ok := c.toGray(frame)
		if !ok {
			continue
		}
		text, err := c.scanner.scanGray(g)
		if err != nil {
			continue
		}
		return text, fmt.Sprintf("camera %s frame %d", c.dev, c.n), nil
	}
}

// toGray converts one frame; a damaged frame (a USB hiccup) is skipped.
func (c *camera) toGray(frame []byte) (gray, bool) {
	if c.format == fmtYUYV {
		return yuyvToGray(frame, c.w, c.h)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(frame))
	if err != nil || checkSize(cfg.Width, cfg.Height) != nil {
		return gray{}, false
	}
	img, err := jpeg.Decode(bytes.NewReader(frame))
	if err != nil {
		return gray{}, false
	}
	return toGray(img), true
}

func untrustedText(s string) string { return untrusted.Text(s) }
