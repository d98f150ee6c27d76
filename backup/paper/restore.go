package paper

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // pictures the readers accept
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"

	"github.com/coldtss/coldtss/internal/untrusted"
	"github.com/coldtss/coldtss/qr/scan"
	"github.com/coldtss/coldtss/qr/ur"
	"github.com/coldtss/coldtss/qr/urtypes"
)

// Reader puts a sheet's QR codes back together from pictures. It is used by
// one goroutine at a time.
type Reader struct {
	dec     *ur.Decoder
	scanner *scan.Scanner
	seen    map[string]bool
	foreign int // codes that are not parts of a sheet
}

// NewReader returns a reader waiting for the first code.
func NewReader() *Reader {
	return &Reader{dec: ur.NewDecoder(ur.ExpectType(URType)), scanner: scan.New(), seen: map[string]bool{}}
}

// Done reports whether every code needed has been read.
func (r *Reader) Done() bool { return r.dec.Done() }

// Progress says how far the reading is.
func (r *Reader) Progress() ur.Progress { return r.dec.Progress() }

// AddText gives the reader the text of one QR code. Codes read twice are
// ignored; a code that is not part of a sheet is an error (errors.Is
// ErrForeign) that leaves the reader as it was.
func (r *Reader) AddText(text string) error {
	key := strings.ToUpper(text)
	if r.seen[key] {
		return nil
	}
	r.seen[key] = true
	if err := r.dec.Receive(text); err != nil {
		r.foreign++
		return fmt.Errorf("%w: %v", ErrForeign, err)
	}
	return nil
}

// ErrForeign: a QR code that is not one of a paper backup's.
var ErrForeign = errors.New("not a QR code of a paper backup")

// AddPicture reads every QR code it finds in img and returns how many new
// parts of the sheet it held. It looks for several codes in the whole
// picture first, then in overlapping tiles, and stops as soon as the sheet
// is complete.
func (r *Reader) AddPicture(img image.Image) (int, error) {
	b := img.Bounds()
	if b.Dx() > scan.MaxWidth || b.Dy() > scan.MaxHeight || b.Dx()*b.Dy() > scan.MaxPixels {
		return 0, fmt.Errorf("%w: %dx%d pixels, more than the %dx%d a scan accepts: use a smaller picture", scan.ErrTooLarge, b.Dx(), b.Dy(), scan.MaxWidth, scan.MaxHeight)
	}
	g := toGray(img)
	before := r.dec.Progress()
	add := func(texts []string) {
		for _, t := range texts {
			r.AddText(t)
		}
	}
	add(multi(g, false))
	if !r.Done() {
		add(multi(g, true))
	}
	// Tiles of a half and a third of the picture, overlapping by half a
	// tile: codes the whole-picture pass missed (a glare, a bend, the
	// lens's distortion across a large code) are often found alone.
	for _, k := range []int{2, 3} {
		if r.Done() {
			break
		}
		tw, th := g.Bounds().Dx()/k, g.Bounds().Dy()/k
		for y := 0; y+th <= g.Bounds().Dy() && !r.Done(); y += th / 2 {
			for x := 0; x+tw <= g.Bounds().Dx() && !r.Done(); x += tw / 2 {
				add(multi(g.SubImage(image.Rect(x, y, x+tw, y+th).Add(g.Bounds().Min)), false))
			}
		}
	}
	// A picture of one code, hard to read: the scanner's fallbacks.
	if r.dec.Progress().PartsUsed == before.PartsUsed && !r.Done() {
		if t, err := r.scanner.Scan(g); err == nil {
			r.AddText(t)
		}
	}
	after := r.dec.Progress()
	n := after.PartsUsed - before.PartsUsed
	if n == 0 && after.PartsUsed == 0 && r.foreign > 0 {
		return 0, fmt.Errorf("%w: the picture's QR codes are of something else; photograph the codes of the paper backup", ErrForeign)
	}
	return n, nil
}

// Result returns the backup file once Done.
func (r *Reader) Result() ([]byte, error) {
	if !r.Done() {
		p := r.dec.Progress()
		if p.PartsUsed == 0 {
			return nil, errors.New("no QR code of a paper backup was read: photograph or scan the sheet's codes closer, sharper and evenly lit (a flatbed scan at 300 dpi reads best), or use the text form")
		}
		return nil, fmt.Errorf("the QR codes read are not the whole backup yet (%d of %d parts recovered): add pictures of the codes not read yet (closer, sharper, without glare), or use the text form", p.Recovered, p.Fragments)
	}
	typ, cbor, err := r.dec.Result()
	if err != nil {
		return nil, fmt.Errorf("the QR codes do not make a whole backup: %v", err)
	}
	if typ != URType {
		return nil, fmt.Errorf("the QR codes hold a UR of type %s, not a paper backup's %s", untrusted.Quote(typ), URType)
	}
	var data urtypes.Bytes
	if err := data.Unmarshal(cbor); err != nil {
		return nil, fmt.Errorf("the QR codes' contents are not a byte string (%v): these are not the codes of a paper backup", err)
	}
	if err := checkAge(data); err != nil {
		return nil, err
	}
	return data, nil
}

// checkAge refuses bytes that are not an age file.
func checkAge(b []byte) error {
	if bytes.HasPrefix(b, []byte("age-encryption.org/v1\n")) || bytes.HasPrefix(bytes.TrimSpace(b), []byte("-----BEGIN AGE ENCRYPTED FILE-----")) {
		return nil
	}
	return errors.New("the codes hold something other than an age file: this is not a coldtss paper backup")
}

// ReadPictures reads the backup from picture files (PNG, JPEG, GIF) and
// folders of them (in name order). warn, if not nil, is told about each
// picture that added nothing. It stops as soon as the backup is complete.
func ReadPictures(paths []string, warn func(string)) ([]byte, error) {
	files, err := pictureFiles(paths)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no pictures in %s: give photos or scans (PNG, JPEG) of the sheet", strings.Join(paths, ", "))
	}
	r := NewReader()
	for _, f := range files {
		img, err := readPicture(f)
		if err == nil {
			var n int
			n, err = r.AddPicture(img)
			if err == nil && n == 0 {
				err = errors.New("no new QR code of the sheet in it")
			}
		}
		if err != nil && warn != nil {
			warn(fmt.Sprintf("%s: %v", untrusted.Text(f), err))
		}
		if r.Done() {
			break
		}
	}
	return r.Result()
}

func pictureFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %v: give an existing picture or folder", untrusted.Text(p), errors.Unwrap(err))
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", untrusted.Text(p), err)
		}
		var names []string
		for _, e := range ents {
			switch strings.ToLower(filepath.Ext(e.Name())) {
			case ".png", ".jpg", ".jpeg", ".gif":
				if e.Type().IsRegular() {
					names = append(names, filepath.Join(p, e.Name()))
				}
			}
		}
		sort.Strings(names)
		out = append(out, names...)
	}
	return out, nil
}

// readPicture decodes one picture within the scanner's limits.
func readPicture(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, scan.MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > scan.MaxFileSize {
		return nil, fmt.Errorf("%w: the file is larger than %d MiB", scan.ErrTooLarge, scan.MaxFileSize>>20)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("not a PNG, JPEG or GIF picture (%v)", err)
	}
	if cfg.Width > scan.MaxWidth || cfg.Height > scan.MaxHeight || cfg.Width*cfg.Height > scan.MaxPixels {
		return nil, fmt.Errorf("%w: %dx%d pixels, more than a scan accepts: use a smaller picture", scan.ErrTooLarge, cfg.Width, cfg.Height)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("the picture is damaged (%v)", err)
	}
	return img, nil
}

// toGray copies img to grey.
func toGray(img image.Image) *image.Gray {
	if g, ok := img.(*image.Gray); ok {
		return g
	}
	b := img.Bounds()
	g := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			g.Set(x, y, img.At(x, y))
		}
	}
	return g
}

// multi returns the texts of every QR code gozxing's multi reader finds in
// g; a panic of the decoder on a hostile picture counts as nothing found.
func multi(g image.Image, global bool) (texts []string) {
	defer func() {
		if recover() != nil {
			texts = nil
		}
	}()
	src := gozxing.NewLuminanceSourceFromImage(g)
	var bin gozxing.Binarizer = gozxing.NewHybridBinarizer(src)
	if global {
		bin = gozxing.NewGlobalHistgramBinarizer(src)
	}
	bmp, err := gozxing.NewBinaryBitmap(bin)
	if err != nil {
		return nil
	}
	res, _ := multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true})
	for _, r := range res {
		texts = append(texts, r.GetText())
	}
	return texts
}
