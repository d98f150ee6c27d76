package bbqr

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
)

// BBQr's "Z" encoding is raw DEFLATE (RFC 1951, no zlib or gzip header)
// made with a window of 2^10 bytes (zlib's wbits=10), so that a decoder on
// a hardware wallet needs only a 1 KiB history buffer. A back-reference
// longer than that would make such a decoder fail.
const window = 1 << 10

// chunkLen is how much input each compress/flate writer takes. Go's flate
// has a 32 KiB window and no setting for it; but a writer only refers to
// what it has seen, so each chunk gets a fresh writer whose preset
// dictionary is the window-chunkLen bytes before it. A match then reaches
// back at most (window-chunkLen) + (chunkLen-1) < window bytes. Each writer
// ends with a sync flush (byte-aligned, not final), so the concatenation is
// one valid DEFLATE stream, closed by the last writer. Measured on the BBQr
// repository's sample PSBTs and transactions, 896 compresses best.
const chunkLen = 896

// deflate10 compresses data into a raw DEFLATE stream that a decoder with a
// 1 KiB window can inflate.
func deflate10(data []byte) []byte {
	var out bytes.Buffer
	for start := 0; ; start += chunkLen {
		end := min(start+chunkLen, len(data))
		w, err := flate.NewWriterDict(&out, flate.BestCompression, data[max(0, start-(window-chunkLen)):start])
		if err != nil {
			panic(err) // only for a bad level
		}
		w.Write(data[start:end]) // a bytes.Buffer does not fail
		if end == len(data) {
			w.Close()
			return out.Bytes()
		}
		w.Flush()
	}
}

var errTooBig = errors.New("decompresses to more than the limit")

// inflate decompresses a raw DEFLATE stream (any window, so also the
// reference's wbits=10), refusing output over limit bytes.
func inflate(z []byte, limit int) ([]byte, error) {
	r := flate.NewReader(bytes.NewReader(z))
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("not valid zlib (raw DEFLATE) data: %v", err)
	}
	if len(out) > limit {
		return nil, errTooBig
	}
	return out, nil
}
