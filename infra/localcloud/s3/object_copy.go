package s3

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// copySource is the object named by x-amz-copy-source.
type copySource struct{ bucket, key string }

// parseCopySource reads x-amz-copy-source: "[/]bucket/key[?versionId=…]",
// URL-encoded.
func parseCopySource(v string) (copySource, error) {
	path, query, _ := strings.Cut(v, "?")
	if strings.HasPrefix(path, "arn:") || strings.HasPrefix(path, "/arn:") {
		return copySource{}, errNotImplemented("copy from an access point ARN")
	}
	if query != "" {
		q, err := url.ParseQuery(query)
		if err != nil {
			return copySource{}, errInvalidArgument("Invalid copy source").with("ArgumentName", "x-amz-copy-source").with("ArgumentValue", v)
		}
		if vid := q.Get("versionId"); vid != "" && vid != "null" {
			return copySource{}, errInvalidArgument("Invalid version id specified").with("ArgumentName", "x-amz-copy-source").with("ArgumentValue", v)
		}
	}
	decoded, err := url.PathUnescape(strings.TrimPrefix(path, "/"))
	if err != nil {
		return copySource{}, errInvalidArgument("Invalid copy source encoding").with("ArgumentName", "x-amz-copy-source").with("ArgumentValue", v)
	}
	b, k, ok := strings.Cut(decoded, "/")
	if !ok || b == "" || k == "" {
		return copySource{}, errInvalidArgument("Invalid copy source object key").with("ArgumentName", "x-amz-copy-source").with("ArgumentValue", v)
	}
	return copySource{bucket: b, key: k}, nil
}

// openCopySource opens the source object and checks the copy-source
// conditions; every failed condition is a 412 for copies.
func (s *Service) openCopySource(c *call) (*object, *os.File, error) {
	src, err := parseCopySource(c.r.Header.Get("x-amz-copy-source"))
	if err != nil {
		return nil, nil, err
	}
	obj, f, err := s.openObject(src.bucket, src.key)
	if err != nil {
		return nil, nil, err
	}
	if res, cond := evalConditions(c.r.Header, copyConditions, obj.etag, obj.lastModified); res != conditionsHold {
		f.Close()
		return nil, nil, errPreconditionFailed(cond)
	}
	return obj, f, nil
}

type copyObjectResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	ETag         string   `xml:"ETag"`
	LastModified string   `xml:"LastModified"`
	ChecksumType string   `xml:"ChecksumType,omitempty"`
	checksumXML
}

// copyObject implements CopyObject.
func (s *Service) copyObject(c *call) error {
	if err := s.requireBucket(c.bucket); err != nil {
		return err
	}
	if err := checkObjectOptions(c.r.Header); err != nil {
		return err
	}
	directive := strings.ToUpper(c.r.Header.Get("x-amz-metadata-directive"))
	if directive == "" {
		directive = "COPY"
	}
	if directive != "COPY" && directive != "REPLACE" {
		return errInvalidArgument("Unknown metadata directive.").with("ArgumentName", "x-amz-metadata-directive").with("ArgumentValue", directive)
	}
	var alg algorithm
	if v := c.r.Header.Get("x-amz-checksum-algorithm"); v != "" {
		a, err := parseAlgorithm(v)
		if err != nil {
			return err
		}
		alg = a
	}
	src, f, err := s.openCopySource(c)
	if err != nil {
		return err
	}
	defer f.Close()
	srcRef, _ := parseCopySource(c.r.Header.Get("x-amz-copy-source"))
	if srcRef.bucket == c.bucket && srcRef.key == c.key && directive == "COPY" && alg == "" &&
		c.r.Header.Get("x-amz-storage-class") == "" && c.r.Header.Get("x-amz-website-redirect-location") == "" {
		return errInvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	if alg == "" {
		// S3 moves the source's checksum algorithm to the copy.
		alg = src.checksum.alg.orCRC64NVME()
	}
	header, meta := src.header, src.meta
	if directive == "REPLACE" {
		header, meta = contentHeaders(c.r.Header)
	}
	rec, file, err := s.copyBody(io.NewSectionReader(f, 0, src.size), "obj", alg)
	if err != nil {
		return err
	}
	obj := &object{key: c.key, size: rec.size, etag: rec.etag(), lastModified: s.clock(),
		header: header, meta: meta, checksum: rec.checksum, file: file}
	cond, err := readWriteConditions(c.r.Header)
	if err != nil {
		s.removeFiles(obj.file)
		return err
	}
	if err := s.commitObject(c.bucket, obj, cond); err != nil {
		return err
	}
	s.notifyObject(c, "ObjectCreated:Copy", obj)
	return c.writeXML(http.StatusOK, copyObjectResult{
		Xmlns:        s3Namespace,
		ETag:         obj.etag,
		LastModified: xmlTime(obj.lastModified),
		ChecksumType: string(obj.checksum.typ),
		checksumXML:  checksumElems(obj.checksum),
	})
}

// copyBody copies r, a stored body (CopyObject, UploadPartCopy), to a new
// body file (kind names it), computing MD5 and a FULL_OBJECT checksum with
// alg.
func (s *Service) copyBody(r io.Reader, kind string, alg algorithm) (received, string, error) {
	return s.writeBodyFile(kind, func(w io.Writer) (received, error) {
		rec, err := copyHashed(w, r, alg)
		if err != nil {
			return received{}, errInternal(err)
		}
		return rec, nil
	})
}

// xmlTime formats a time as S3 documents do: ISO 8601 with milliseconds.
func xmlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
