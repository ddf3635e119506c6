package s3

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
)

// maxPartNumber is the highest part number S3 accepts.
const maxPartNumber = 10000

type initiateResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

// createMultipartUpload implements CreateMultipartUpload.
func (s *Service) createMultipartUpload(c *call) error {
	if err := checkObjectOptions(c.r.Header); err != nil {
		return err
	}
	alg, typ, err := uploadChecksum(c.r.Header)
	if err != nil {
		return err
	}
	header, meta := contentHeaders(c.r.Header)
	u := &upload{
		id:        newUploadID(),
		key:       c.key,
		initiated: s.clock(),
		header:    header,
		meta:      meta,
		algorithm: alg,
		ckType:    typ,
		parts:     map[int]*part{},
	}
	s.mu.Lock()
	b, ok := s.buckets[c.bucket]
	if ok {
		b.uploads[u.id] = u
	}
	s.mu.Unlock()
	if !ok {
		return errNoSuchBucket(c.bucket)
	}
	if alg != "" {
		c.w.Header().Set("x-amz-checksum-algorithm", string(alg))
		c.w.Header().Set("x-amz-checksum-type", string(typ))
	}
	return c.writeXML(http.StatusOK, initiateResult{Xmlns: s3Namespace, Bucket: c.bucket, Key: c.key, UploadID: u.id})
}

// uploadChecksum reads x-amz-checksum-algorithm and x-amz-checksum-type of
// CreateMultipartUpload. Without a type, CRC64NVME is FULL_OBJECT (the only
// type it supports) and the other algorithms are COMPOSITE.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
func uploadChecksum(h http.Header) (algorithm, checksumType, error) {
	algName, typName := h.Get("x-amz-checksum-algorithm"), strings.ToUpper(h.Get("x-amz-checksum-type"))
	if algName == "" {
		if typName != "" {
			return "", "", errInvalidRequest("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
		}
		return "", "", nil
	}
	alg, err := parseAlgorithm(algName)
	if err != nil {
		return "", "", err
	}
	typ := checksumType(typName)
	switch typ {
	case "":
		typ = typeComposite
		if !alg.supportsComposite() {
			typ = typeFullObject
		}
	case typeComposite:
		if !alg.supportsComposite() {
			return "", "", errInvalidRequest("The COMPOSITE checksum type cannot be used with the %s checksum algorithm.", strings.ToLower(string(alg)))
		}
	case typeFullObject:
		if !alg.supportsFullObject() {
			return "", "", errInvalidRequest("The FULL_OBJECT checksum type cannot be used with the %s checksum algorithm.", strings.ToLower(string(alg)))
		}
	default:
		return "", "", errInvalidRequest("Value for x-amz-checksum-type header is invalid.")
	}
	return alg, typ, nil
}

func newUploadID() string {
	var b [48]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// partParams reads the partNumber and uploadId query parameters.
func partParams(c *call) (int, string, error) {
	id := c.query.Get("uploadId")
	if id == "" {
		return 0, "", errInvalidRequest("A part upload needs both partNumber and uploadId query parameters")
	}
	v := c.query.Get("partNumber")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPartNumber {
		return 0, "", errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive").
			with("ArgumentName", "partNumber").with("ArgumentValue", v)
	}
	return n, id, nil
}

// findUpload returns the upload of the request; call with s.mu held.
func (s *Service) findUpload(bucketName, key, id string) (*bucket, *upload, error) {
	b, ok := s.buckets[bucketName]
	if !ok {
		return nil, nil, errNoSuchBucket(bucketName)
	}
	u, ok := b.uploads[id]
	if !ok || u.key != key {
		return nil, nil, errNoSuchUpload(id)
	}
	return b, u, nil
}

// partUpload reads the part number and upload id of an UploadPart or
// UploadPartCopy and returns the checksum algorithm of that upload.
func (s *Service) partUpload(c *call) (n int, id string, alg algorithm, err error) {
	if n, id, err = partParams(c); err != nil {
		return 0, "", "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, u, err := s.findUpload(c.bucket, c.key, id)
	if err != nil {
		return 0, "", "", err
	}
	return n, id, u.algorithm, nil
}
