package s3

import (
	"strconv"
	"strings"
)

// byteRange is an inclusive range of byte offsets.
type byteRange struct{ start, end int64 }

func (r byteRange) length() int64 { return r.end - r.start + 1 }

func (r byteRange) contentRange(size int64) string {
	return "bytes " + itoa(r.start) + "-" + itoa(r.end) + "/" + itoa(size)
}

// parseRange interprets a Range header for an object of the given size.
// ok is false when the header is absent or not a single valid byte range:
// S3, like RFC 9110 §14.2 allows, then serves the whole object (it does not
// support multiple ranges). A valid but unsatisfiable range gives InvalidRange.
func parseRange(header string, size int64) (r byteRange, ok bool, err error) {
	spec, found := strings.CutPrefix(strings.TrimSpace(header), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return byteRange{}, false, nil
	}
	first, last, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return byteRange{}, false, nil
	}
	if first == "" {
		n, ok := parseOffset(last)
		if !ok {
			return byteRange{}, false, nil
		}
		if n == 0 || size == 0 {
			return byteRange{}, false, errInvalidRange(size)
		}
		return byteRange{start: max(0, size-n), end: size - 1}, true, nil
	}
	start, ok := parseOffset(first)
	if !ok {
		return byteRange{}, false, nil
	}
	end := size - 1
	if last != "" {
		if end, ok = parseOffset(last); !ok || end < start {
			return byteRange{}, false, nil
		}
	}
	if start >= size {
		return byteRange{}, false, errInvalidRange(size)
	}
	return byteRange{start: start, end: min(end, size-1)}, true, nil
}

// parseOffset parses a non-negative decimal offset (digits only).
func parseOffset(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
