package qrio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/coldtss/coldtss/internal/atomicfile"
	"github.com/coldtss/coldtss/internal/untrusted"
	"github.com/coldtss/coldtss/qr/files"
	"github.com/coldtss/coldtss/qr/scan"
)

// ScanOptions are a scan command's choices: one source, and the file to
// write.
type ScanOptions struct {
	// From is a picture (PNG, JPEG, GIF; an animated GIF frame by frame), a
	// folder of pictures (in name order), or a text file of parts one a line.
	From string
	// Camera is a V4L2 video device, such as /dev/video0.
	Camera string
	// Stdin reads parts one a line from the console's input, as
	// `zbarcam --raw` prints them.
	Stdin bool
	// Out is the file to write once complete; it must not exist.
	Out string
	// CameraOptions tune the camera; the zero value is qr/scan's default.
	CameraOptions scan.CameraOptions
}

// Check refuses options that name no source, several sources, or no
// file to write.
func (o ScanOptions) Check() error {
	n := 0
	for _, set := range []bool{o.From != "", o.Camera != "", o.Stdin} {
		if set {
			n++
		}
	}
	switch {
	case n != 1:
		return fmt.Errorf("give one of --from FILE_OR_FOLDER (pictures or a text file of parts), --camera DEVICE or --stdin")
	case o.Out == "":
		return fmt.Errorf("give --out FILE, the file to write")
	}
	return nil
}

// Scan reads the codes of one file from the source o names, and writes the
// file to o.Out once it is complete and checks out (see the package doc).
// d says which kinds of file this side reads.
func Scan(ctx context.Context, o ScanOptions, d files.DecodeOptions, con Console) (*files.File, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	if _, err := os.Lstat(o.Out); err == nil {
		return nil, fmt.Errorf("%s already exists: it is never overwritten; choose another --out or move the old file away", o.Out)
	}
	src, name, err := open(o, con)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	f, err := decode(ctx, src, name, d, newStatus(con))
	if err != nil {
		return nil, err
	}
	if err := atomicfile.WriteNew(o.Out, f.Data, 0o644); err != nil {
		return nil, err
	}
	fmt.Fprintf(con.Err, "wrote %s: %s from %s\n", o.Out, f.Kind, f.From)
	return f, nil
}

// pictureExt are the names qr/scan reads as pictures.
var pictureExt = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true}

// open returns the source o names, and a name for it in messages.
func open(o ScanOptions, con Console) (scan.Source, string, error) {
	switch {
	case o.Camera != "":
		src, err := scan.Camera(o.Camera, o.CameraOptions)
		return src, "the camera " + untrusted.Text(o.Camera), err
	case o.Stdin:
		return scan.Lines(con.In, "stdin"), "stdin", nil
	}
	name := untrusted.Text(o.From)
	st, err := os.Stat(o.From)
	if err != nil {
		return nil, "", fmt.Errorf("cannot read %s: %v: check the path given to --from", name, untrusted.Text(pathErr(err)))
	}
	if st.IsDir() || pictureExt[strings.ToLower(filepath.Ext(o.From))] {
		return scan.Files(o.From), name, nil
	}
	fh, err := os.Open(o.From)
	if err != nil {
		return nil, "", fmt.Errorf("cannot read %s: %v: check the path and its permissions", name, untrusted.Text(pathErr(err)))
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(fh, head)
	head = head[:n]
	if picture(head) {
		fh.Close()
		return scan.Files(o.From), name, nil
	}
	if _, err := fh.Seek(0, io.SeekStart); err != nil {
		fh.Close()
		return nil, "", fmt.Errorf("cannot read %s: %v", name, untrusted.Text(pathErr(err)))
	}
	return fileLines{scan.Lines(fh, o.From), fh}, name, nil
}

// picture tells a picture file (or any binary file, which qr/scan then
// refuses as not a picture, naming it) from a text file of parts.
func picture(head []byte) bool {
	for _, magic := range []string{"\x89PNG", "\xff\xd8\xff", "GIF8"} {
		if bytes.HasPrefix(head, []byte(magic)) {
			return true
		}
	}
	return bytes.IndexByte(head, 0) >= 0
}

func pathErr(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// fileLines is a source of lines that closes its file.
type fileLines struct {
	scan.Source
	f *os.File
}

func (l fileLines) Close() error { return l.f.Close() }

// maxWarned bounds the codes remembered so that a code refused once (a
// camera sees it in frame after frame, a GIF loops) is warned about once.
const maxWarned = 1000

// decode feeds the codes of src into a decoder until the file is complete
// or src ends. A source error that names no item (where == ""), such as a
// camera that stopped sending pictures or a line too long on stdin, ends
// the scan; any other is a bad frame: a warning, and the scan goes on.
func decode(ctx context.Context, src scan.Source, name string, opts files.DecodeOptions, st *status) (*files.File, error) {
	d := files.NewDecoder(opts)
	warned := map[string]bool{}
	bad := 0
	defer st.end()
	for {
		text, where, err := src.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			if where == "" || ctx.Err() != nil {
				if p := d.Progress(); p.Got > 0 {
					return nil, fmt.Errorf("%v (%d of %d %s were read; nothing was written)", err, p.Got, p.Total, p.Unit)
				}
				return nil, err
			}
			bad++
			st.warn(err.Error()) // qr/scan names the frame and escapes it
			continue
		}
		if err := d.Receive(text); err != nil {
			bad++
			if !warned[text] {
				if len(warned) < maxWarned {
					warned[text] = true
				}
				st.warn(untrusted.Text(where) + ": " + err.Error())
			}
			continue
		}
		p := d.Progress()
		st.progress(p)
		if d.Done() {
			return d.Result()
		}
	}
	if d.Progress().Total == 0 {
		return nil, fmt.Errorf("%s: no QR code of a file was read (%d bad frame(s), see the warnings): give the pictures, parts or camera of the codes coldtss or the wallet shows", name, bad)
	}
	_, err := d.Result()
	return nil, fmt.Errorf("%s ended: %v", name, err)
}

// status shows the scan's progress on the console's error output: one line
// redrawn in place on a terminal, else a line each time more of the file
// is in (and at most every 15 seconds otherwise).
type status struct {
	w       io.Writer
	live    bool
	width   int // of the live line on screen; 0 if none
	got     int
	printed time.Time
}

func newStatus(con Console) *status {
	w := con.Err
	if w == nil {
		w = io.Discard
	}
	return &status{w: w, live: con.Live, got: -1}
}

func (s *status) progress(p files.Progress) {
	line := p.String()
	if s.live {
		pad := ""
		if n := s.width - len(line); n > 0 {
			pad = strings.Repeat(" ", n)
		}
		fmt.Fprintf(s.w, "\r%s%s", line, pad)
		s.width = len(line)
		return
	}
	if p.Got != s.got || time.Since(s.printed) >= 15*time.Second {
		fmt.Fprintln(s.w, line)
		s.got, s.printed = p.Got, time.Now()
	}
}

// warn prints a one-line warning under the live line, which is then drawn
// again by the next progress.
func (s *status) warn(msg string) {
	s.end()
	fmt.Fprintf(s.w, "warning: %s\n", strings.Join(strings.Fields(msg), " "))
}

func (s *status) end() {
	if s.width > 0 {
		fmt.Fprintln(s.w)
		s.width = 0
	}
}
