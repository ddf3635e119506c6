package s3

import (
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// responseOverrides are the GetObject query parameters that replace a
// stored header in the response.
var responseOverrides = map[string]string{
	"response-content-type":        "Content-Type",
	"response-content-language":    "Content-Language",
	"response-expires":             "Expires",
	"response-cache-control":       "Cache-Control",
	"response-content-disposition": "Content-Disposition",
	"response-content-encoding":    "Content-Encoding",
}

// getObject implements GetObject and HeadObject.
func (s *Service) getObject(c *call) error {
	if v, ok := c.query["versionId"]; ok && v[0] != "null" {
		return errInvalidArgument("Invalid version id specified").with("ArgumentName", "versionId").with("ArgumentValue", v[0])
	}
	obj, f, err := s.openObject(c.bucket, c.key)
	if err != nil {
		return err
	}
	defer f.Close()

	h := c.w.Header()
	h.Set("ETag", obj.etag)
	h.Set("Last-Modified", obj.lastModified.Format(http.TimeFormat))
	switch res, cond := evalConditions(c.r.Header, readConditions, obj.etag, obj.lastModified); res {
	case notModified:
		c.w.WriteHeader(http.StatusNotModified)
		return nil
	case preconditionFailed:
		return errPreconditionFailed(cond)
	}

	rng, partial, err := s.selectBytes(c, obj)
	if err != nil {
		return err
	}
	for name, vs := range obj.header {
		h[name] = slices.Clone(vs)
	}
	for param, header := range responseOverrides {
		if v := c.query.Get(param); v != "" {
			h.Set(header, v)
		}
	}
	for name, v := range obj.meta {
		h.Set("x-amz-meta-"+name, v)
	}
	h.Set("Accept-Ranges", "bytes")
	h.Set("x-amz-server-side-encryption", "AES256")
	h.Set("Content-Length", itoa(rng.length()))
	status := http.StatusOK
	if partial {
		status = http.StatusPartialContent
		h.Set("Content-Range", rng.contentRange(obj.size))
	}
	c.w.WriteHeader(status)
	if c.r.Method == http.MethodHead || rng.length() == 0 {
		return nil
	}
	// A write error means the client went away; there is nobody to tell.
	_, _ = io.Copy(c.w, io.NewSectionReader(f, rng.start, rng.length()))
	return nil
}

// selectBytes picks the bytes to send (whole object, Range or partNumber)
// and sets the checksum headers that describe exactly those bytes.
func (s *Service) selectBytes(c *call, obj *object) (byteRange, bool, error) {
	h := c.w.Header()
	whole := byteRange{start: 0, end: obj.size - 1}
	wantChecksum := strings.EqualFold(c.r.Header.Get("x-amz-checksum-mode"), "ENABLED")
	rangeHeader := c.r.Header.Get("Range")
	if pn, ok := c.query["partNumber"]; ok {
		if rangeHeader != "" {
			return byteRange{}, false, errInvalidRequest("Cannot specify both Range header and partNumber query parameter")
		}
		return selectPart(h, obj, pn[0], wantChecksum)
	}
	rng, partial, err := parseRange(rangeHeader, obj.size)
	if err != nil {
		return byteRange{}, false, err
	}
	if !partial {
		if wantChecksum {
			obj.checksum.setHeaders(h)
		}
		return whole, false, nil
	}
	// The stored checksum covers the whole object only, so a range that is
	// smaller gets none: the SDK validates whatever checksum it receives.
	if wantChecksum && rng == whole {
		obj.checksum.setHeaders(h)
	}
	return rng, true, nil
}

// selectPart serves GetObject/HeadObject with partNumber: the bytes of one
// part of a multipart object (part 1 of any other object is all of it).
func selectPart(h http.Header, obj *object, number string, wantChecksum bool) (byteRange, bool, error) {
	n, err := strconv.Atoi(number)
	if err != nil || n < 1 || n > maxPartNumber {
		return byteRange{}, false, errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive").
			with("ArgumentName", "partNumber").with("ArgumentValue", number)
	}
	if len(obj.parts) == 0 {
		if n != 1 {
			return byteRange{}, false, newError(http.StatusRequestedRangeNotSatisfiable, "InvalidPartNumber", "The requested partnumber is not satisfiable").
				with("PartNumberRequested", number).with("ActualPartCount", "1")
		}
		if wantChecksum {
			obj.checksum.setHeaders(h)
		}
		return byteRange{start: 0, end: obj.size - 1}, true, nil
	}
	if n > len(obj.parts) {
		return byteRange{}, false, newError(http.StatusRequestedRangeNotSatisfiable, "InvalidPartNumber", "The requested partnumber is not satisfiable").
			with("PartNumberRequested", number).with("ActualPartCount", strconv.Itoa(len(obj.parts)))
	}
	var start int64
	for _, p := range obj.parts[:n-1] {
		start += p.size
	}
	p := obj.parts[n-1]
	h.Set("x-amz-mp-parts-count", strconv.Itoa(len(obj.parts)))
	if wantChecksum && obj.checksum.typ == typeComposite && p.checksum.isSet() {
		h.Set(p.checksum.alg.header(), p.checksum.value)
		h.Set("x-amz-checksum-type", string(typeComposite))
	}
	return byteRange{start: start, end: start + p.size - 1}, true, nil
}
