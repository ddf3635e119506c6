package s3

import (
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// uploadPart implements UploadPart.
func (s *Service) uploadPart(c *call) error {
	n, id, alg, err := s.partUpload(c)
	if err != nil {
		return err
	}
	p, err := openSizedPayload(c.r)
	if err != nil {
		return err
	}
	if alg != "" && p.claimed != "" && p.claimed != alg {
		return errInvalidRequest("Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s",
			strings.ToLower(string(alg)), strings.ToLower(string(p.claimed)))
	}
	rec, file, err := s.writeBodyFile("part", func(w io.Writer) (received, error) {
		return p.copyTo(w, alg.orCRC64NVME(), maxObjectSize)
	})
	if err != nil {
		return err
	}
	pt, err := s.storePart(c, id, n, rec, file)
	if err != nil {
		return err
	}
	h := c.w.Header()
	h.Set("ETag", pt.etag)
	h.Set("x-amz-server-side-encryption", "AES256")
	if alg != "" || p.claimed != "" {
		h.Set(pt.checksum.alg.header(), pt.checksum.value)
	}
	return c.ok()
}

// storePart records part n, received into file, replacing an earlier
// upload of the same number.
func (s *Service) storePart(c *call, id string, n int, rec received, file string) (*part, error) {
	pt := &part{number: n, size: rec.size, md5: rec.md5, etag: rec.etag(), lastModified: s.clock(),
		checksum: rec.checksum, file: file}
	s.mu.Lock()
	_, u, err := s.findUpload(c.bucket, c.key, id)
	if err != nil {
		s.mu.Unlock()
		s.removeFiles(pt.file)
		return nil, err
	}
	old := u.parts[pt.number]
	u.parts[pt.number] = pt
	s.mu.Unlock()
	if old != nil {
		s.removeFiles(old.file)
	}
	return pt, nil
}

type copyPartResult struct {
	XMLName      xml.Name `xml:"CopyPartResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	ETag         string   `xml:"ETag"`
	LastModified string   `xml:"LastModified"`
	checksumXML
}

// uploadPartCopy implements UploadPartCopy.
func (s *Service) uploadPartCopy(c *call) error {
	n, id, alg, err := s.partUpload(c)
	if err != nil {
		return err
	}
	src, f, err := s.openCopySource(c)
	if err != nil {
		return err
	}
	defer f.Close()
	rng := byteRange{start: 0, end: src.size - 1}
	if v := c.r.Header.Get("x-amz-copy-source-range"); v != "" {
		if rng, err = parseCopyRange(v, src.size); err != nil {
			return err
		}
	}
	rec, file, err := s.copyBody(io.NewSectionReader(f, rng.start, rng.length()), "part", alg.orCRC64NVME())
	if err != nil {
		return err
	}
	pt, err := s.storePart(c, id, n, rec, file)
	if err != nil {
		return err
	}
	res := copyPartResult{Xmlns: s3Namespace, ETag: pt.etag, LastModified: xmlTime(pt.lastModified)}
	if alg != "" {
		res.checksumXML = checksumElems(pt.checksum)
	}
	return c.writeXML(http.StatusOK, res)
}

// parseCopyRange reads x-amz-copy-source-range, which, unlike Range, must
// be "bytes=first-last" inside the source object.
func parseCopyRange(v string, size int64) (byteRange, error) {
	spec, ok := strings.CutPrefix(v, "bytes=")
	first, last, ok2 := strings.Cut(spec, "-")
	start, ok3 := parseOffset(first)
	end, ok4 := parseOffset(last)
	if !ok || !ok2 || !ok3 || !ok4 || end < start {
		return byteRange{}, errInvalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy").
			with("ArgumentName", "x-amz-copy-source-range").with("ArgumentValue", v)
	}
	if end >= size {
		return byteRange{}, errInvalidArgument("Range specified is not valid for source object of size: %d", size).
			with("ArgumentName", "x-amz-copy-source-range").with("ArgumentValue", v)
	}
	return byteRange{start: start, end: end}, nil
}

// abortMultipartUpload implements AbortMultipartUpload.
func (s *Service) abortMultipartUpload(c *call) error {
	id := c.query.Get("uploadId")
	s.mu.Lock()
	b, u, err := s.findUpload(c.bucket, c.key, id)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	delete(b.uploads, id)
	s.mu.Unlock()
	s.removeFiles(partFiles(u)...)
	return c.noContent()
}

func partFiles(u *upload) []string {
	files := make([]string, 0, len(u.parts))
	for _, p := range u.parts {
		files = append(files, p.file)
	}
	return files
}

type listPartsResult struct {
	XMLName              xml.Name  `xml:"ListPartsResult"`
	Xmlns                string    `xml:"xmlns,attr"`
	Bucket               string    `xml:"Bucket"`
	Key                  string    `xml:"Key"`
	UploadID             string    `xml:"UploadId"`
	PartNumberMarker     int       `xml:"PartNumberMarker"`
	NextPartNumberMarker int       `xml:"NextPartNumberMarker,omitempty"`
	MaxParts             int       `xml:"MaxParts"`
	IsTruncated          bool      `xml:"IsTruncated"`
	Parts                []partXML `xml:"Part"`
	Initiator            ownerXML  `xml:"Initiator"`
	Owner                ownerXML  `xml:"Owner"`
	StorageClass         string    `xml:"StorageClass"`
	ChecksumAlgorithm    string    `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType         string    `xml:"ChecksumType,omitempty"`
}

type partXML struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	checksumXML
}

// listParts implements ListParts.
func (s *Service) listParts(c *call) error {
	id := c.query.Get("uploadId")
	max := 1000
	if v, ok := c.query["max-parts"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 0 {
			return errInvalidArgument("Provided max-parts not an integer or within integer range").with("ArgumentName", "max-parts").with("ArgumentValue", v[0])
		}
		max = min(n, 1000)
	}
	marker := 0
	if v := c.query.Get("part-number-marker"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return errInvalidArgument("Provided part-number-marker not an integer or within integer range").with("ArgumentName", "part-number-marker").with("ArgumentValue", v)
		}
		marker = n
	}
	res := listPartsResult{Xmlns: s3Namespace, Bucket: c.bucket, Key: c.key, UploadID: id, PartNumberMarker: marker,
		MaxParts: max, Initiator: localOwner(), Owner: localOwner()}
	s.mu.Lock()
	_, u, err := s.findUpload(c.bucket, c.key, id)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	res.StorageClass = storageClass(u.header)
	if u.algorithm != "" {
		res.ChecksumAlgorithm, res.ChecksumType = string(u.algorithm), string(u.ckType)
	}
	for n := marker + 1; n <= maxPartNumber; n++ {
		p, ok := u.parts[n]
		if !ok {
			continue
		}
		if len(res.Parts) == max {
			res.IsTruncated = true
			break
		}
		x := partXML{PartNumber: n, LastModified: xmlTime(p.lastModified), ETag: p.etag, Size: p.size}
		if u.algorithm != "" {
			x.checksumXML = checksumElems(p.checksum)
		}
		res.Parts = append(res.Parts, x)
		res.NextPartNumberMarker = n
	}
	s.mu.Unlock()
	return c.writeXML(http.StatusOK, res)
}
