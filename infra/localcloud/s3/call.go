package s3

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// call is one request being served: what the router parsed from it and the
// ids S3 puts on every response.
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	reqID  string
	hostID string
	bucket string
	key    string
	query  url.Values
}

func newCall(w http.ResponseWriter, r *http.Request) *call {
	c := &call{w: w, r: r, reqID: newRequestID(), hostID: newHostID(), query: r.URL.Query()}
	h := w.Header()
	h.Set("x-amz-request-id", c.reqID)
	h.Set("x-amz-id-2", c.hostID)
	h.Set("Server", "AmazonS3")
	return c
}

// newRequestID returns an id in the form S3 uses: 16 upper-case hex digits.
func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// newHostID returns an opaque x-amz-id-2 value.
func newHostID() string {
	var b [48]byte
	_, _ = rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// has reports whether the query string holds the (sub-resource) parameter.
func (c *call) has(name string) bool {
	_, ok := c.query[name]
	return ok
}

// resource is the request's path as S3 reports it in errors.
func (c *call) resource() string {
	switch {
	case c.bucket == "":
		return "/"
	case c.key == "":
		return "/" + c.bucket
	default:
		return "/" + c.bucket + "/" + c.key
	}
}

// fail writes err as an S3 error response. Errors that are not *Error are
// internal failures.
func (c *call) fail(err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = errInternal(err)
	}
	h := c.w.Header()
	for k, v := range e.Header {
		h.Set(k, v)
	}
	// A response that failed after headers were prepared must not keep the
	// object's headers.
	for _, k := range []string{"ETag", "Last-Modified", "Content-Range", "Accept-Ranges"} {
		h.Del(k)
	}
	if c.r.Method == http.MethodHead {
		// HEAD responses carry no body, so S3 sends the status alone.
		h.Del("Content-Type")
		c.w.WriteHeader(e.Status)
		return
	}
	body := errorDocument(e, c.resource(), c.reqID, c.hostID)
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", itoa(int64(len(body))))
	c.w.WriteHeader(e.Status)
	_, _ = c.w.Write(body)
}

func errorDocument(e *Error, resource, reqID, hostID string) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString("<Error>")
	writeElem(&b, "Code", e.Code)
	writeElem(&b, "Message", e.Message)
	for _, f := range e.Fields {
		writeElem(&b, f.Name, f.Value)
	}
	writeElem(&b, "Resource", resource)
	writeElem(&b, "RequestId", reqID)
	writeElem(&b, "HostId", hostID)
	b.WriteString("</Error>")
	return b.Bytes()
}

func writeElem(b *bytes.Buffer, name, value string) {
	b.WriteString("<" + name + ">")
	_ = xml.EscapeText(b, []byte(value))
	b.WriteString("</" + name + ">")
}

// s3Namespace is the XML namespace of every S3 document.
const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// writeXML writes v as the XML response body.
func (c *call) writeXML(status int, v any) error {
	body, err := xml.Marshal(v)
	if err != nil {
		return errInternal(err)
	}
	out := make([]byte, 0, len(xml.Header)+len(body))
	out = append(out, xml.Header...)
	out = append(out, body...)
	h := c.w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", itoa(int64(len(out))))
	c.w.WriteHeader(status)
	_, _ = c.w.Write(out)
	return nil
}

// noContent answers 204, as S3 does for deletes.
func (c *call) noContent() error {
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// ok answers 200 with an empty body.
func (c *call) ok() error {
	c.w.Header().Set("Content-Length", "0")
	c.w.WriteHeader(http.StatusOK)
	return nil
}
