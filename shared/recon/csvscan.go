package recon

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// The statement is read by a small RFC 4180 scanner of our own rather than encoding/csv,
// for two reasons. Memory: encoding/csv keeps reading a quoted field until its closing
// quote, so one stray quote makes it hold the rest of a 1 GB file in memory; here a record
// is at most maxRecordBytes. Accounting: a malformed record must cost the file that one
// line, reported with its number, not swallow the lines after it.

// Bounds of one physical line and of one record (a quoted field may span lines).
const (
	maxLineBytes   = 64 << 10
	maxRecordBytes = 64 << 10
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// physLine is one physical line, without its LF or CRLF.
type physLine struct {
	n       int // 1-based
	text    []byte
	tooLong bool // longer than maxLineBytes: text is empty
}

// scanner splits a stream into physical lines and records.
type scanner struct {
	src  *bufio.Reader
	n    int        // physical lines read from src
	back []physLine // lines to read again, oldest first (see record)
}

func newScanner(r io.Reader) *scanner {
	return &scanner{src: bufio.NewReaderSize(r, 64<<10)}
}

// line returns the next physical line, io.EOF after the last one. A final line without a
// newline is a line; an empty stream has none.
func (s *scanner) line() (physLine, error) {
	if len(s.back) > 0 {
		l := s.back[0]
		s.back = s.back[1:]
		return l, nil
	}
	var buf []byte
	tooLong, read := false, false
	for {
		chunk, err := s.src.ReadSlice('\n')
		if len(chunk) > 0 {
			read = true
			if !tooLong && len(buf)+len(chunk) <= maxLineBytes+2 { // +2: the CRLF
				buf = append(buf, chunk...)
			} else {
				tooLong, buf = true, nil
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			if !read {
				return physLine{}, io.EOF
			}
			break
		}
		if err != nil {
			return physLine{}, err
		}
		break
	}
	s.n++
	buf = bytes.TrimSuffix(buf, []byte{'\n'})
	buf = bytes.TrimSuffix(buf, []byte{'\r'})
	if s.n == 1 {
		buf = bytes.TrimPrefix(buf, utf8BOM)
	}
	if len(buf) > maxLineBytes {
		tooLong, buf = true, nil
	}
	return physLine{n: s.n, text: buf, tooLong: tooLong}, nil
}

// blank reports whether a line holds nothing but spaces and tabs.
func blank(b []byte) bool { return len(bytes.Trim(b, " \t")) == 0 }

// scanned is one record: its fields, or why it is not one, and the physical lines it spans.
type scanned struct {
	fields      []string
	bad         string // "" for a well-formed record
	first, last int
	raw         []byte // the first physical line, for reports
}

// record returns the next record, skipping blank lines; io.EOF after the last.
//
// A quoted field may continue on the next lines. When it never closes properly (the
// stream or maxRecordBytes ends first, or a character follows its closing quote), the
// record is reported bad on its first line and the lines after that one are read again
// as records of their own: a stray quote costs one line.
func (s *scanner) record() (scanned, error) {
	first, err := s.line()
	for err == nil && !first.tooLong && blank(first.text) {
		first, err = s.line()
	}
	if err != nil {
		return scanned{}, err
	}
	rec := scanned{first: first.n, last: first.n, raw: first.text}
	if first.tooLong {
		rec.bad = "the line is longer than 65536 bytes"
		return rec, nil
	}
	consumed := []physLine{first}
	fail := func(reason string) (scanned, error) {
		// Read again what the record swallowed after its first line.
		s.back = append(append([]physLine(nil), consumed[1:]...), s.back...)
		return scanned{bad: reason, first: first.n, last: first.n, raw: first.text}, nil
	}
	line, i, size := first.text, 0, len(first.text)
	var field []byte
	for {
		if i < len(line) && line[i] == '"' {
			i++
			field = field[:0]
			for {
				j := bytes.IndexByte(line[i:], '"')
				if j < 0 {
					field = append(field, line[i:]...)
					next, err := s.line()
					switch {
					case errors.Is(err, io.EOF):
						return fail("a quoted field is not closed")
					case err != nil:
						return scanned{}, err
					}
					consumed = append(consumed, next)
					size += len(next.text) + 1
					if next.tooLong || size > maxRecordBytes {
						return fail("a quoted field is not closed within 65536 bytes")
					}
					field = append(field, '\n')
					line, i = next.text, 0
					continue
				}
				field = append(field, line[i:i+j]...)
				i += j + 1
				if i < len(line) && line[i] == '"' { // "" is one quote
					field = append(field, '"')
					i++
					continue
				}
				break
			}
			rec.fields = append(rec.fields, string(field))
			if i == len(line) {
				rec.last = consumed[len(consumed)-1].n
				return rec, nil
			}
			if line[i] != ',' {
				return fail("a character follows a closing quote")
			}
			i++
			continue
		}
		j := bytes.IndexByte(line[i:], ',')
		end := len(line)
		if j >= 0 {
			end = i + j
		}
		value := line[i:end]
		if bytes.IndexByte(value, '"') >= 0 {
			return fail("a quote inside an unquoted field")
		}
		rec.fields = append(rec.fields, string(value))
		if j < 0 {
			rec.last = consumed[len(consumed)-1].n
			return rec, nil
		}
		i = end + 1
	}
}
