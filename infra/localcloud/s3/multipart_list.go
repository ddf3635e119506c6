package s3

import (
	"cmp"
	"encoding/xml"
	"net/http"
	"slices"
	"strings"
)

type listUploadsResult struct {
	XMLName            xml.Name    `xml:"ListMultipartUploadsResult"`
	Xmlns              string      `xml:"xmlns,attr"`
	Bucket             string      `xml:"Bucket"`
	KeyMarker          string      `xml:"KeyMarker"`
	UploadIDMarker     string      `xml:"UploadIdMarker"`
	NextKeyMarker      string      `xml:"NextKeyMarker,omitempty"`
	NextUploadIDMarker string      `xml:"NextUploadIdMarker,omitempty"`
	Prefix             string      `xml:"Prefix"`
	Delimiter          string      `xml:"Delimiter,omitempty"`
	MaxUploads         int         `xml:"MaxUploads"`
	EncodingType       string      `xml:"EncodingType,omitempty"`
	IsTruncated        bool        `xml:"IsTruncated"`
	Uploads            []uploadXML `xml:"Upload"`
	CommonPrefixes     []prefixXML `xml:"CommonPrefixes"`
}

type uploadXML struct {
	Key               string   `xml:"Key"`
	UploadID          string   `xml:"UploadId"`
	Initiator         ownerXML `xml:"Initiator"`
	Owner             ownerXML `xml:"Owner"`
	StorageClass      string   `xml:"StorageClass"`
	Initiated         string   `xml:"Initiated"`
	ChecksumAlgorithm string   `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string   `xml:"ChecksumType,omitempty"`
}

// listMultipartUploads implements ListMultipartUploads: uploads ordered by
// key, then by initiation time, paged with key-marker and upload-id-marker.
func (s *Service) listMultipartUploads(c *call) error {
	p, err := readListParams(c, "max-uploads")
	if err != nil {
		return err
	}
	keyMarker, idMarker := c.query.Get("key-marker"), c.query.Get("upload-id-marker")
	res := listUploadsResult{Xmlns: s3Namespace, Bucket: c.bucket, KeyMarker: p.encode(keyMarker), UploadIDMarker: idMarker,
		Prefix: p.encode(p.prefix), Delimiter: p.encode(p.delimiter), MaxUploads: p.max, EncodingType: p.encodingType}
	s.mu.Lock()
	b, ok := s.buckets[c.bucket]
	if !ok {
		s.mu.Unlock()
		return errNoSuchBucket(c.bucket)
	}
	uploads := make([]*upload, 0, len(b.uploads))
	for _, u := range b.uploads {
		uploads = append(uploads, u)
	}
	s.mu.Unlock()
	slices.SortFunc(uploads, func(a, b *upload) int {
		return cmp.Or(strings.Compare(a.key, b.key), a.initiated.Compare(b.initiated), strings.Compare(a.id, b.id))
	})
	// With an upload-id-marker, uploads of the marker key up to and
	// including the marker upload are skipped; without one, the whole key.
	skipping := idMarker != ""
	lastPrefix := ""
	for _, u := range uploads {
		if !strings.HasPrefix(u.key, p.prefix) || u.key < keyMarker || (u.key == keyMarker && !skipping) {
			continue
		}
		if u.key == keyMarker && skipping {
			if u.id == idMarker {
				skipping = false
			}
			continue
		}
		if p.delimiter != "" {
			if i := strings.Index(u.key[len(p.prefix):], p.delimiter); i >= 0 {
				cp := u.key[:len(p.prefix)+i+len(p.delimiter)]
				if cp == lastPrefix || cp <= keyMarker {
					continue
				}
				if len(res.Uploads)+len(res.CommonPrefixes) >= p.max {
					res.IsTruncated = true
					break
				}
				res.CommonPrefixes = append(res.CommonPrefixes, prefixXML{Prefix: p.encode(cp)})
				lastPrefix = cp
				res.NextKeyMarker, res.NextUploadIDMarker = p.encode(cp), ""
				continue
			}
		}
		if len(res.Uploads)+len(res.CommonPrefixes) >= p.max {
			res.IsTruncated = true
			break
		}
		x := uploadXML{Key: p.encode(u.key), UploadID: u.id, Initiator: localOwner(), Owner: localOwner(),
			StorageClass: storageClass(u.header), Initiated: xmlTime(u.initiated)}
		if u.algorithm != "" {
			x.ChecksumAlgorithm, x.ChecksumType = string(u.algorithm), string(u.ckType)
		}
		res.Uploads = append(res.Uploads, x)
		res.NextKeyMarker, res.NextUploadIDMarker = p.encode(u.key), u.id
	}
	if !res.IsTruncated {
		res.NextKeyMarker, res.NextUploadIDMarker = "", ""
	}
	return c.writeXML(http.StatusOK, res)
}
