package s3

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
)

type completeRequest struct {
	XMLName xml.Name `xml:"CompleteMultipartUpload"`
	Parts   []struct {
		PartNumber int    `xml:"PartNumber"`
		ETag       string `xml:"ETag"`
		checksumXML
	} `xml:"Part"`
}

type completeResult struct {
	XMLName      xml.Name `xml:"CompleteMultipartUploadResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	Location     string   `xml:"Location"`
	Bucket       string   `xml:"Bucket"`
	Key          string   `xml:"Key"`
	ETag         string   `xml:"ETag"`
	ChecksumType string   `xml:"ChecksumType,omitempty"`
	checksumXML
}

func errInvalidPart(id string, number int, etag string) *Error {
	return newError(http.StatusBadRequest, "InvalidPart",
		"One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.").
		with("UploadId", id).with("PartNumber", strconv.Itoa(number)).with("ETag", etag)
}

// completeMultipartUpload implements CompleteMultipartUpload.
func (s *Service) completeMultipartUpload(c *call) error {
	id := c.query.Get("uploadId")
	cond, err := readWriteConditions(c.r.Header)
	if err != nil {
		return err
	}
	body, err := readXMLBody(c.r)
	if err != nil {
		return err
	}
	var req completeRequest
	if err := xml.Unmarshal(body, &req); err != nil || len(req.Parts) == 0 {
		return errMalformedXML()
	}
	u, parts, files, err := s.selectParts(c, id, req)
	if err != nil {
		return err
	}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	obj, err := s.assemble(u, parts, files)
	if err != nil {
		return err
	}
	if err := checkCompleteHeaders(c.r.Header, u, obj); err != nil {
		s.removeFiles(obj.file)
		return err
	}
	obj.key, obj.header, obj.meta, obj.lastModified = c.key, u.header, u.meta, s.clock()
	if err := s.commitUpload(c, id, obj, cond); err != nil {
		return err
	}
	s.notifyObject(c, "ObjectCreated:CompleteMultipartUpload", obj)
	return c.writeXML(http.StatusOK, completeResult{
		Xmlns:        s3Namespace,
		Location:     location(c),
		Bucket:       c.bucket,
		Key:          c.key,
		ETag:         obj.etag,
		ChecksumType: string(obj.checksum.typ),
		checksumXML:  checksumElems(obj.checksum),
	})
}

// selectParts checks the requested part list against the uploaded parts
// and opens their bodies, under the lock so that none can be replaced or
// aborted meanwhile.
func (s *Service) selectParts(c *call, id string, req completeRequest) (*upload, []*part, []*os.File, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, u, err := s.findUpload(c.bucket, c.key, id)
	if err != nil {
		return nil, nil, nil, err
	}
	parts := make([]*part, 0, len(req.Parts))
	for i, rp := range req.Parts {
		if i > 0 && rp.PartNumber <= req.Parts[i-1].PartNumber {
			return nil, nil, nil, newError(http.StatusBadRequest, "InvalidPartOrder",
				"The list of parts was not in ascending order. Parts must be ordered by part number.").with("UploadId", id)
		}
		pt, ok := u.parts[rp.PartNumber]
		if !ok || unquoteETag(rp.ETag) != unquoteETag(pt.etag) {
			return nil, nil, nil, errInvalidPart(id, rp.PartNumber, rp.ETag)
		}
		for _, a := range rp.given() {
			if a != pt.checksum.alg || rp.get(a) != pt.checksum.value {
				return nil, nil, nil, errInvalidPart(id, rp.PartNumber, rp.ETag)
			}
		}
		parts = append(parts, pt)
	}
	for i, pt := range parts[:len(parts)-1] {
		if pt.size < s.minPartSize {
			return nil, nil, nil, newError(http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size").
				with("ProposedSize", itoa(pt.size)).with("MinSizeAllowed", itoa(s.minPartSize)).
				with("PartNumber", strconv.Itoa(req.Parts[i].PartNumber)).with("ETag", unquoteETag(pt.etag))
		}
	}
	files := make([]*os.File, 0, len(parts))
	for _, pt := range parts {
		f, err := os.Open(pt.file)
		if err != nil {
			for _, o := range files {
				o.Close()
			}
			return nil, nil, nil, errInternal(err)
		}
		files = append(files, f)
	}
	snapshot := *u
	return &snapshot, parts, files, nil
}

// assemble concatenates the parts into a new object body and computes the
// multipart ETag (MD5 of the part MD5s, "-N") and the object checksum.
func (s *Service) assemble(u *upload, parts []*part, files []*os.File) (*object, error) {
	out, err := s.newBodyFile("obj")
	if err != nil {
		return nil, err
	}
	// A FULL_OBJECT checksum (and the CRC64NVME S3 computes for uploads
	// that named no algorithm) covers the assembled bytes.
	var full hash.Hash
	fullAlg := u.algorithm.orCRC64NVME()
	if u.algorithm == "" || u.ckType == typeFullObject {
		full = fullAlg.newHash()
	}
	etagHash := md5.New()
	var size int64
	objParts := make([]objectPart, 0, len(parts))
	partSums := make([]checksumValue, 0, len(parts))
	for i, pt := range parts {
		w := io.Writer(out)
		if full != nil {
			w = io.MultiWriter(out, full)
		}
		if _, err := io.Copy(w, files[i]); err != nil {
			discard(out)
			return nil, errInternal(err)
		}
		etagHash.Write(pt.md5)
		size += pt.size
		objParts = append(objParts, objectPart{size: pt.size, checksum: pt.checksum})
		partSums = append(partSums, pt.checksum)
	}
	if err := finish(out); err != nil {
		return nil, err
	}
	obj := &object{
		size:  size,
		etag:  `"` + hex.EncodeToString(etagHash.Sum(nil)) + "-" + strconv.Itoa(len(parts)) + `"`,
		parts: objParts,
		file:  out.Name(),
	}
	if full != nil {
		obj.checksum = checksumValue{alg: fullAlg, value: sum(full), typ: typeFullObject}
		return obj, nil
	}
	v, err := compositeChecksum(u.algorithm, partSums)
	if err != nil {
		s.removeFiles(out.Name())
		return nil, err
	}
	obj.checksum = checksumValue{alg: u.algorithm, value: v, typ: typeComposite}
	return obj, nil
}

// checkCompleteHeaders verifies the whole-object values a client may send
// with CompleteMultipartUpload: x-amz-checksum-type, a checksum and
// x-amz-mp-object-size.
func checkCompleteHeaders(h http.Header, u *upload, obj *object) error {
	if t := h.Get("x-amz-checksum-type"); t != "" && u.algorithm != "" && !strings.EqualFold(t, string(u.ckType)) {
		return newError(http.StatusBadRequest, "BadDigest", "The upload was created using the %s checksum mode. The complete request must use the same checksum mode.", u.ckType)
	}
	for _, a := range algorithms {
		v := h.Get(a.header())
		if v == "" {
			continue
		}
		if a != obj.checksum.alg || v != obj.checksum.value {
			return errBadDigest(string(a))
		}
	}
	if v := h.Get("x-amz-mp-object-size"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n != obj.size {
			return errInvalidRequest("The provided 'x-amz-mp-object-size' header value %s does not match what was computed: %d", v, obj.size)
		}
	}
	return nil
}

// commitUpload ends the upload and stores its object in one step, so a
// failed write condition leaves the upload in place.
func (s *Service) commitUpload(c *call, id string, obj *object, cond writeConditions) error {
	s.mu.Lock()
	b, u, err := s.findUpload(c.bucket, c.key, id)
	if err == nil {
		err = cond.check(obj.key, b.objects[obj.key])
	}
	if err != nil {
		s.mu.Unlock()
		s.removeFiles(obj.file)
		return err
	}
	old := b.objects[obj.key]
	b.objects[obj.key] = obj
	delete(b.uploads, id)
	s.mu.Unlock()
	files := partFiles(u)
	if old != nil {
		files = append(files, old.file)
	}
	s.removeFiles(files...)
	return nil
}

// location is the URL of the object as CompleteMultipartUpload reports it.
func location(c *call) string {
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.r.Host + "/" + c.bucket + "/" + urlEncodePath(c.key)
}

// urlEncodePath escapes a key for a URL path, keeping its slashes.
func urlEncodePath(key string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
