package scan

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/gif"
	_ "image/jpeg" // pictures from files and MJPEG cameras
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/coldtss/coldtss/internal/untrusted"
)

// Source yields the texts of QR codes one after another.
//
// Next returns the next text and where it came from ("frames/0007.png",
// "anim.gif frame 3", "camera /dev/video0 frame 812", "stdin line 4"), or
// io.EOF at the end. Any other error is about one item (a picture without a
// code, a file that is not a picture): it names the item, and the next call
// goes on with the next item. A cancelled ctx ends a camera's wait.
// Close releases what the source holds (the camera); a source is used by
// one goroutine at a time.
type Source interface {
	Next(ctx context.Context) (text, where string, err error)
	Close() error
}

// imageExt are the names of picture files taken from a folder.
var imageExt = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true}

// Files returns a source of the QR codes in picture files: PNG, JPEG and
// GIF. A folder stands for its picture files in name order; an animated
// GIF yields each frame. Files larger than MaxFileSize and pictures larger
// than the size limits are refused before they are decoded.
func Files(paths ...string) Source {
	return &files{todo: append([]string(nil), paths...), scanner: New()}
}

type files struct {
	todo    []string
	scanner *Scanner
	gif     *gifFrames // the animated GIF being read, if any
}

func (f *files) Close() error { f.todo, f.gif = nil, nil; return nil }

func (f *files) Next(ctx context.Context) (string, string, error) {
	for {
		if err := ctx.Err(); err != nil {
			return "", "", err
		}
		if f.gif != nil {
			g, where, err := f.gif.next()
			if err == io.EOF {
				f.gif = nil
				continue
			}
			if err != nil {
				f.gif = nil
				return "", where, err
			}
			text, err := f.scanner.scanGray(g)
			if err != nil {
				return "", where, fmt.Errorf("%s: %w", untrusted.Text(where), err)
			}
			return text, where, nil
		}
		if len(f.todo) == 0 {
			return "", "", io.EOF
		}
		path := f.todo[0]
		f.todo = f.todo[1:]
		st, err := os.Stat(path)
		if err != nil {
			return "", path, fmt.Errorf("cannot read %s: %v: check the path", untrusted.Text(path), untrusted.Text(errText(err)))
		}
		if st.IsDir() {
			names, err := pictureFiles(path)
			if err != nil {
				return "", path, err
			}
			f.todo = append(names, f.todo...)
			continue
		}
		return f.file(path, st.Size())
	}
}

// errText is err's message without the path os errors repeat.
func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// pictureFiles lists the picture files of dir in name order.
func pictureFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot list the folder %s: %v: check the path", untrusted.Text(dir), untrusted.Text(errText(err)))
	}
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() && imageExt[strings.ToLower(filepath.Ext(e.Name()))] {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return nil, fmt.Errorf("the folder %s holds no .png, .jpg or .gif file: give the folder of the QR frames", untrusted.Text(dir))
	}
	return out, nil
}

// file reads one picture file (or starts an animated GIF).
func (f *files) file(path string, size int64) (text, where string, err error) {
	text, where, err = f.read(path, size)
	if where == "" {
		where = path
	}
	return text, where, err
}

func (f *files) read(path string, size int64) (string, string, error) {
	name := untrusted.Text(path)
	if size > MaxFileSize {
		return "", "", fmt.Errorf("%s: %w: the file is %d bytes, more than %d: give the QR frames as separate, smaller pictures", name, ErrTooLarge, size, MaxFileSize)
	}
	fh, err := os.Open(path)
	if err != nil {
		return "", "", fmt.Errorf("cannot read %s: %v: check the path and its permissions", name, untrusted.Text(errText(err)))
	}
	data, err := io.ReadAll(io.LimitReader(fh, MaxFileSize+1))
	fh.Close()
	if err != nil {
		return "", "", fmt.Errorf("cannot read %s: %v", name, untrusted.Text(errText(err)))
	}
	if len(data) > MaxFileSize {
		return "", "", fmt.Errorf("%s: %w: the file is more than %d bytes: give the QR frames as separate, smaller pictures", name, ErrTooLarge, MaxFileSize)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", "", fmt.Errorf("%s is not a PNG, JPEG or GIF picture (%v): give the pictures of the QR codes", name, untrusted.Text(err.Error()))
	}
	if err := checkSize(cfg.Width, cfg.Height); err != nil {
		return "", "", fmt.Errorf("%s: %w", name, err)
	}
	if format == "gif" {
		g, err := newGIFFrames(data, path)
		if err != nil {
			return "", "", err
		}
		f.gif = g
		gr, where, err := g.next()
		if err != nil {
			f.gif = nil
			if err == io.EOF {
				err = fmt.Errorf("%s holds no frame: give the pictures of the QR codes", name)
			}
			return "", "", err
		}
		text, err := f.scanner.scanGray(gr)
		if err != nil {
			return "", where, fmt.Errorf("%s: %w", untrusted.Text(where), err)
		}
		return text, where, nil
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return "", "", fmt.Errorf("%s is a damaged %s picture (%v): save it again", name, format, untrusted.Text(err.Error()))
	}
	text, err := f.scanner.Scan(img)
	if err != nil {
		return "", "", fmt.Errorf("%s: %w", name, err)
	}
	return text, "", nil
}

// MaxLine is the longest line Lines accepts, in bytes: more than any QR
// code holds.
const MaxLine = 8192

// Lines returns a source of QR texts read one per line from r, as
// `zbarcam --raw` prints them; name names r in messages ("stdin"). Blank
// lines are skipped, a trailing CR is removed, and the "QR-Code:" prefix
// zbarcam prints without --raw is removed. A line longer than MaxLine
// ends the source with an error.
func Lines(r io.Reader, name string) Source {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxLine+1)
	return &lines{sc: sc, name: name}
}

type lines struct {
	sc   *bufio.Scanner
	name string
	n    int
	err  error
}

func (l *lines) Close() error { return nil }

func (l *lines) Next(ctx context.Context) (string, string, error) {
	for l.err == nil {
		if err := ctx.Err(); err != nil {
			return "", "", err
		}
		if !l.sc.Scan() {
			l.err = l.sc.Err()
			if l.err == nil {
				l.err = io.EOF
			} else if errors.Is(l.err, bufio.ErrTooLong) {
				l.err = fmt.Errorf("%s line %d is longer than %d bytes, more than a QR code holds: give the output of zbarcam --raw, one code per line", untrusted.Text(l.name), l.n+1, MaxLine)
			} else {
				l.err = fmt.Errorf("cannot read %s after line %d: %v", untrusted.Text(l.name), l.n, untrusted.Text(l.err.Error()))
			}
			break
		}
		l.n++
		s := strings.TrimSuffix(l.sc.Text(), "\r")
		s = strings.TrimPrefix(s, "QR-Code:")
		if strings.TrimSpace(s) == "" {
			continue
		}
		return s, fmt.Sprintf("%s line %d", l.name, l.n), nil
	}
	return "", "", l.err
}

// gifFrames reads an animated GIF one frame at a time: each frame is cut
// out of the file and decoded alone, then drawn on the canvas, so a long
// animation never holds more than two canvases in memory.
type gifFrames struct {
	data   []byte
	path   string
	head   []byte // header, screen descriptor and global colour table
	pos    int
	n      int
	canvas gray
	prev   []uint8 // for disposal "restore previous"
	gce    []byte  // the graphic control extension of the next frame
	undo   func()  // the disposal of the frame last returned
}

func newGIFFrames(data []byte, path string) (*gifFrames, error) {
	bad := func(what string) error {
		return fmt.Errorf("%s is a damaged GIF (%s): save it again", untrusted.Text(path), what)
	}
	if len(data) < 13 {
		return nil, bad("too short")
	}
	w, h := int(data[6])|int(data[7])<<8, int(data[8])|int(data[9])<<8
	pos := 13
	if data[10]&0x80 != 0 {
		pos += 3 << (int(data[10]&7) + 1)
	}
	if pos > len(data) {
		return nil, bad("colour table cut short")
	}
	if err := checkSize(w, h); err != nil {
		return nil, fmt.Errorf("%s: %w", untrusted.Text(path), err)
	}
	g := &gifFrames{data: data, path: path, head: data[:pos], pos: pos}
	g.canvas = gray{pix: make([]uint8, w*h), w: w, h: h}
	for i := range g.canvas.pix {
		g.canvas.pix[i] = 255
	}
	return g, nil
}

// subBlocks returns the position after the data sub-blocks starting at p.
func subBlocks(d []byte, p int) (int, bool) {
	for p < len(d) {
		n := int(d[p])
		p++
		if n == 0 {
			return p, true
		}
		p += n
	}
	return p, false
}

// next returns the canvas after the next frame, or io.EOF.
func (g *gifFrames) next() (gray, string, error) {
	if g.undo != nil {
		g.undo()
		g.undo = nil
	}
	d := g.data
	for {
		where := fmt.Sprintf("%s frame %d", g.path, g.n+1)
		bad := func(what string) error {
			return fmt.Errorf("%s: damaged GIF (%s): save it again", untrusted.Text(where), what)
		}
		if g.pos >= len(d) {
			return gray{}, where, io.EOF // a missing trailer is tolerated
		}
		switch d[g.pos] {
		case 0x3b:
			return gray{}, where, io.EOF
		case 0x21:
			if g.pos+2 > len(d) {
				return gray{}, where, bad("extension cut short")
			}
			end, ok := subBlocks(d, g.pos+2)
			if !ok {
				return gray{}, where, bad("extension cut short")
			}
			if d[g.pos+1] == 0xf9 {
				g.gce = d[g.pos:end]
			}
			g.pos = end
		case 0x2c:
			start := g.pos
			p := g.pos + 10
			if p > len(d) {
				return gray{}, where, bad("image descriptor cut short")
			}
			if d[g.pos+9]&0x80 != 0 {
				p += 3 << (int(d[g.pos+9]&7) + 1)
			}
			p++ // LZW minimum code size
			end, ok := subBlocks(d, p)
			if !ok || p > len(d) {
				return gray{}, where, bad("image data cut short")
			}
			g.pos = end
			g.n++
			mini := make([]byte, 0, len(g.head)+len(g.gce)+end-start+1)
			mini = append(append(append(append(mini, g.head...), g.gce...), d[start:end]...), 0x3b)
			g.gce = nil
			if err := g.draw(mini); err != nil {
				return gray{}, where, bad(err.Error())
			}
			return g.canvas, where, nil
		default:
			return gray{}, where, bad(fmt.Sprintf("unknown block 0x%02x", d[g.pos]))
		}
	}
}

// draw decodes a one-frame GIF and draws it on the canvas.
func (g *gifFrames) draw(mini []byte) error {
	a, err := gif.DecodeAll(bytes.NewReader(mini))
	if err != nil {
		return err
	}
	if len(a.Image) != 1 {
		return errors.New("frame without an image")
	}
	m := a.Image[0]
	r := m.Bounds().Intersect(image.Rect(0, 0, g.canvas.w, g.canvas.h))
	switch a.Disposal[0] {
	case gif.DisposalPrevious:
		g.prev = append(g.prev[:0], g.canvas.pix...)
		g.undo = func() { copy(g.canvas.pix, g.prev) }
	case gif.DisposalBackground:
		g.undo = func() {
			for y := r.Min.Y; y < r.Max.Y; y++ {
				row := g.canvas.pix[y*g.canvas.w+r.Min.X : y*g.canvas.w+r.Max.X]
				for i := range row {
					row[i] = 255
				}
			}
		}
	}
	var lut [256]uint8
	var opaque [256]bool
	for i, c := range m.Palette {
		_, _, _, al := c.RGBA()
		lut[i], opaque[i] = luma(c), al != 0
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		src := m.Pix[m.PixOffset(r.Min.X, y):]
		row := g.canvas.pix[y*g.canvas.w+r.Min.X : y*g.canvas.w+r.Max.X]
		for x := range row {
			if p := src[x]; opaque[p] {
				row[x] = lut[p]
			}
		}
	}
	return nil
}
