package s3

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
)

// maxFormField bounds a non-file field of a POST upload form.
const maxFormField = 20 << 10

type postResponse struct {
	XMLName  xml.Name `xml:"PostResponse"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
}

// postObject implements browser-based uploads (POST Object with a
// multipart/form-data body): https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html
// The policy and its signature are not checked, as no signature is.
func (s *Service) postObject(c *call) error {
	if err := s.requireBucket(c.bucket); err != nil {
		return err
	}
	mr, err := c.r.MultipartReader()
	if err != nil {
		return errMalformedPOST()
	}
	fields := http.Header{}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return errInvalidArgument("POST requires exactly one file upload per request.").with("ArgumentName", "file").with("ArgumentValue", "0")
		}
		if err != nil {
			return errMalformedPOST()
		}
		name := p.FormName()
		if strings.EqualFold(name, "file") {
			err := s.storePosted(c, fields, p)
			p.Close()
			return err
		}
		v, err := io.ReadAll(io.LimitReader(p, maxFormField+1))
		p.Close()
		if err != nil || len(v) > maxFormField {
			return errMalformedPOST()
		}
		fields.Set(textproto.CanonicalMIMEHeaderKey(name), string(v))
	}
}

func errMalformedPOST() *Error {
	return newError(http.StatusBadRequest, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.")
}

// storePosted stores the file part of a POST upload with the form fields
// read before it.
func (s *Service) storePosted(c *call, fields http.Header, file io.Reader) error {
	key := fields.Get("Key")
	if key == "" {
		return errInvalidArgument("Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.").
			with("ArgumentName", "key").with("ArgumentValue", "")
	}
	if fn := fileName(file); fn != "" {
		key = strings.ReplaceAll(key, "${filename}", fn)
	}
	if err := checkKey(key); err != nil {
		return err
	}
	if acl := fields.Get("Acl"); acl != "" && acl != "private" {
		return errNotImplemented("POST Object with acl " + acl)
	}
	if err := checkObjectOptions(fields); err != nil {
		return err
	}
	rec, path, err := s.writeBodyFile("obj", func(w io.Writer) (received, error) {
		rec, err := copyHashed(w, io.LimitReader(file, maxObjectSize+1), algCRC64NVME)
		if err != nil {
			return received{}, errMalformedPOST()
		}
		if rec.size > maxObjectSize {
			return received{}, errEntityTooLarge(rec.size, maxObjectSize)
		}
		return rec, nil
	})
	if err != nil {
		return err
	}
	header, meta := contentHeaders(fields)
	obj := &object{
		key:          key,
		size:         rec.size,
		etag:         rec.etag(),
		lastModified: s.clock(),
		header:       header,
		meta:         meta,
		checksum:     rec.checksum,
		file:         path,
	}
	if err := s.commitObject(c.bucket, obj, writeConditions{}); err != nil {
		return err
	}
	s.notifyObject(c, "ObjectCreated:Post", obj)
	c.key = key
	loc := location(c)
	h := c.w.Header()
	h.Set("ETag", obj.etag)
	h.Set("Location", loc)
	if redirect := fields.Get("Success_action_redirect"); redirect != "" {
		if u, err := url.Parse(redirect); err == nil && u.IsAbs() {
			q := u.Query()
			q.Set("bucket", c.bucket)
			q.Set("key", key)
			q.Set("etag", obj.etag)
			u.RawQuery = q.Encode()
			h.Set("Location", u.String())
			c.w.WriteHeader(http.StatusSeeOther)
			return nil
		}
	}
	switch fields.Get("Success_action_status") {
	case "200":
		return c.ok()
	case "201":
		return c.writeXML(http.StatusCreated, postResponse{Location: loc, Bucket: c.bucket, Key: key, ETag: obj.etag})
	}
	return c.noContent()
}

// fileName is the file name of the form's file part, if it has one.
func fileName(r io.Reader) string {
	if p, ok := r.(interface{ FileName() string }); ok {
		return p.FileName()
	}
	return ""
}
