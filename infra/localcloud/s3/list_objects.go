package s3

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
)

type contentXML struct {
	Key               string    `xml:"Key"`
	LastModified      string    `xml:"LastModified"`
	ETag              string    `xml:"ETag"`
	ChecksumAlgorithm string    `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string    `xml:"ChecksumType,omitempty"`
	Size              int64     `xml:"Size"`
	Owner             *ownerXML `xml:"Owner,omitempty"`
	StorageClass      string    `xml:"StorageClass"`
}

type prefixXML struct {
	Prefix string `xml:"Prefix"`
}

type listV2Result struct {
	XMLName               xml.Name     `xml:"ListBucketResult"`
	Xmlns                 string       `xml:"xmlns,attr"`
	Name                  string       `xml:"Name"`
	Prefix                string       `xml:"Prefix"`
	Delimiter             string       `xml:"Delimiter,omitempty"`
	MaxKeys               int          `xml:"MaxKeys"`
	EncodingType          string       `xml:"EncodingType,omitempty"`
	KeyCount              int          `xml:"KeyCount"`
	IsTruncated           bool         `xml:"IsTruncated"`
	ContinuationToken     string       `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string       `xml:"NextContinuationToken,omitempty"`
	StartAfter            string       `xml:"StartAfter,omitempty"`
	Contents              []contentXML `xml:"Contents"`
	CommonPrefixes        []prefixXML  `xml:"CommonPrefixes"`
}

type listV1Result struct {
	XMLName        xml.Name     `xml:"ListBucketResult"`
	Xmlns          string       `xml:"xmlns,attr"`
	Name           string       `xml:"Name"`
	Prefix         string       `xml:"Prefix"`
	Marker         string       `xml:"Marker"`
	NextMarker     string       `xml:"NextMarker,omitempty"`
	MaxKeys        int          `xml:"MaxKeys"`
	Delimiter      string       `xml:"Delimiter,omitempty"`
	EncodingType   string       `xml:"EncodingType,omitempty"`
	IsTruncated    bool         `xml:"IsTruncated"`
	Contents       []contentXML `xml:"Contents"`
	CommonPrefixes []prefixXML  `xml:"CommonPrefixes"`
}

// listParams are the query parameters common to the listings.
type listParams struct {
	prefix, delimiter string
	max               int
	encode            func(string) string // identity unless encoding-type=url
	encodingType      string
}

// maxListKeys is the most entries one listing page returns.
const maxListKeys = 1000

func readListParams(c *call, maxName string) (listParams, error) {
	p := listParams{prefix: c.query.Get("prefix"), delimiter: c.query.Get("delimiter"), max: maxListKeys, encode: func(s string) string { return s }}
	if v, ok := c.query[maxName]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 0 {
			return p, errInvalidArgument("Provided %s not an integer or within integer range", maxName).with("ArgumentName", maxName).with("ArgumentValue", v[0])
		}
		p.max = min(n, maxListKeys)
	}
	switch et := c.query.Get("encoding-type"); et {
	case "":
	case "url":
		p.encodingType, p.encode = "url", urlEncodeKey
	default:
		return p, errInvalidArgument("Invalid Encoding Method specified in Request").with("ArgumentName", "encoding-type").with("ArgumentValue", et)
	}
	return p, nil
}

// continuation tokens are opaque to clients; ours carry the last entry.
const tokenPrefix = "lc1:"

func encodeToken(last string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + last))
}

func decodeToken(t string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil || !strings.HasPrefix(string(raw), tokenPrefix) {
		return "", errInvalidArgument("The continuation token provided is incorrect").with("ArgumentName", "continuation-token")
	}
	return strings.TrimPrefix(string(raw), tokenPrefix), nil
}

// page lists the bucket under the lock and renders the entries.
func (s *Service) page(bucketName string, p listParams, startAfter, marker string, withOwner bool) ([]contentXML, []prefixXML, listing, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[bucketName]
	if !ok {
		return nil, nil, listing{}, errNoSuchBucket(bucketName)
	}
	l := listPage(b.sortedKeys(), p.prefix, p.delimiter, startAfter, marker, p.max)
	contents := make([]contentXML, 0, len(l.keys))
	for _, k := range l.keys {
		contents = append(contents, renderContent(b.objects[k], p.encode, withOwner))
	}
	prefixes := make([]prefixXML, 0, len(l.prefixes))
	for _, cp := range l.prefixes {
		prefixes = append(prefixes, prefixXML{Prefix: p.encode(cp)})
	}
	return contents, prefixes, l, nil
}

func renderContent(o *object, encode func(string) string, withOwner bool) contentXML {
	x := contentXML{
		Key:          encode(o.key),
		LastModified: xmlTime(o.lastModified),
		ETag:         o.etag,
		Size:         o.size,
		StorageClass: storageClass(o.header),
	}
	if o.checksum.isSet() {
		x.ChecksumAlgorithm, x.ChecksumType = string(o.checksum.alg), string(o.checksum.typ)
	}
	if withOwner {
		owner := localOwner()
		x.Owner = &owner
	}
	return x
}

func storageClass(h http.Header) string {
	if v := h.Get("X-Amz-Storage-Class"); v != "" {
		return v
	}
	return "STANDARD"
}

// listObjectsV2 implements ListObjectsV2.
func (s *Service) listObjectsV2(c *call) error {
	p, err := readListParams(c, "max-keys")
	if err != nil {
		return err
	}
	marker := ""
	token, hasToken := c.query["continuation-token"]
	if hasToken {
		if marker, err = decodeToken(token[0]); err != nil {
			return err
		}
	}
	startAfter := c.query.Get("start-after")
	contents, prefixes, l, err := s.page(c.bucket, p, startAfter, marker, c.query.Get("fetch-owner") == "true")
	if err != nil {
		return err
	}
	res := listV2Result{
		Xmlns:          s3Namespace,
		Name:           c.bucket,
		Prefix:         p.encode(p.prefix),
		Delimiter:      p.encode(p.delimiter),
		MaxKeys:        p.max,
		EncodingType:   p.encodingType,
		KeyCount:       len(contents) + len(prefixes),
		IsTruncated:    l.truncated,
		StartAfter:     p.encode(startAfter),
		Contents:       contents,
		CommonPrefixes: prefixes,
	}
	if hasToken {
		res.ContinuationToken = token[0]
	}
	if l.truncated {
		res.NextContinuationToken = encodeToken(l.last)
	}
	return c.writeXML(http.StatusOK, res)
}

// listObjectsV1 implements ListObjects (version 1).
func (s *Service) listObjectsV1(c *call) error {
	p, err := readListParams(c, "max-keys")
	if err != nil {
		return err
	}
	marker := c.query.Get("marker")
	contents, prefixes, l, err := s.page(c.bucket, p, "", marker, true)
	if err != nil {
		return err
	}
	res := listV1Result{
		Xmlns:          s3Namespace,
		Name:           c.bucket,
		Prefix:         p.encode(p.prefix),
		Marker:         p.encode(marker),
		MaxKeys:        p.max,
		Delimiter:      p.encode(p.delimiter),
		EncodingType:   p.encodingType,
		IsTruncated:    l.truncated,
		Contents:       contents,
		CommonPrefixes: prefixes,
	}
	// S3 returns NextMarker only with a delimiter; without one, clients
	// resume from the last key.
	if l.truncated && p.delimiter != "" {
		res.NextMarker = p.encode(l.last)
	}
	return c.writeXML(http.StatusOK, res)
}
