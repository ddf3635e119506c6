package s3

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The aws-chunked content coding frames an upload as
//
//	hex-size[;chunk-signature=sig]\r\n data \r\n … 0[;chunk-signature=sig]\r\n
//	[trailer-name:value\r\n …] \r\n
//
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html

// errChunkFormat marks a body that does not follow the aws-chunked framing.
var errChunkFormat = errors.New("malformed aws-chunked body")

// errChunkTooSmall marks a signed chunk, other than the last, under 8 KiB.
var errChunkTooSmall = errors.New("aws-chunked chunk smaller than 8 KiB")

// minSignedChunk is the smallest size of a signed chunk other than the last.
const minSignedChunk = 8 << 10

// maxChunkLine bounds a chunk header or trailer line; signatures are short.
const maxChunkLine = 4096

// chunkedReader decodes an aws-chunked body. Trailers are available once
// Read has returned io.EOF. Signatures are not verified (the local cloud
// accepts any credentials).
type chunkedReader struct {
	br        *bufio.Reader
	signed    bool
	remaining int64 // data bytes left in the current chunk
	lastSize  int64 // size of the previous data chunk, -1 before the first
	done      bool
	err       error
	trailers  map[string]string // lower-case names
}

func newChunkedReader(r io.Reader, signed bool) *chunkedReader {
	return &chunkedReader{br: bufio.NewReaderSize(r, 64<<10), signed: signed, lastSize: -1, trailers: map[string]string{}}
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	for c.remaining == 0 {
		if c.done {
			return 0, io.EOF
		}
		if err := c.nextChunk(); err != nil {
			c.err = err
			return 0, err
		}
	}
	if int64(len(p)) > c.remaining {
		p = p[:c.remaining]
	}
	n, err := c.br.Read(p)
	c.remaining -= int64(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err == nil && c.remaining == 0 {
		err = c.expectCRLF()
	}
	if err != nil {
		c.err = err
	}
	return n, err
}

// nextChunk reads a chunk header, or the final chunk and the trailers.
func (c *chunkedReader) nextChunk() error {
	line, err := c.readLine()
	if err != nil {
		return err
	}
	sizeText, ext, _ := strings.Cut(line, ";")
	size, err := parseChunkSize(sizeText)
	if err != nil {
		return err
	}
	if c.signed && !strings.HasPrefix(ext, "chunk-signature=") {
		return fmt.Errorf("%w: chunk without chunk-signature", errChunkFormat)
	}
	if c.signed && size > 0 && c.lastSize >= 0 && c.lastSize < minSignedChunk {
		return errChunkTooSmall
	}
	if size == 0 {
		c.done = true
		return c.readTrailers()
	}
	c.lastSize = size
	c.remaining = size
	return nil
}

func parseChunkSize(s string) (int64, error) {
	if s == "" || len(s) > 15 {
		return 0, fmt.Errorf("%w: bad chunk size %q", errChunkFormat, s)
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return 0, fmt.Errorf("%w: bad chunk size %q", errChunkFormat, s)
		}
	}
	n, err := strconv.ParseInt(s, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: bad chunk size %q", errChunkFormat, s)
	}
	return n, nil
}

// readTrailers reads trailer lines up to the empty line that ends the body.
func (c *chunkedReader) readTrailers() error {
	for {
		line, err := c.readLine()
		if err != nil {
			return err
		}
		if line == "" {
			return nil
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return fmt.Errorf("%w: bad trailer line %q", errChunkFormat, line)
		}
		c.trailers[strings.ToLower(strings.TrimSpace(name))] = strings.TrimSpace(value)
	}
}

// readLine reads one CRLF-terminated line without its terminator.
func (c *chunkedReader) readLine() (string, error) {
	var line []byte
	for {
		frag, err := c.br.ReadSlice('\n')
		line = append(line, frag...)
		if len(line) > maxChunkLine {
			return "", fmt.Errorf("%w: line too long", errChunkFormat)
		}
		if err == nil {
			break
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			return "", io.ErrUnexpectedEOF
		}
		return "", err
	}
	if !bytes.HasSuffix(line, []byte("\r\n")) {
		return "", fmt.Errorf("%w: line not terminated by CRLF", errChunkFormat)
	}
	return string(line[:len(line)-2]), nil
}

func (c *chunkedReader) expectCRLF() error {
	var b [2]byte
	if _, err := io.ReadFull(c.br, b[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	if b != [2]byte{'\r', '\n'} {
		return fmt.Errorf("%w: chunk data not followed by CRLF", errChunkFormat)
	}
	return nil
}
