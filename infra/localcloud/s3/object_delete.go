package s3

import (
	"encoding/xml"
	"net/http"
)

// deleteObject implements DeleteObject: 204 whether or not the key existed.
func (s *Service) deleteObject(c *call) error {
	if v, ok := c.query["versionId"]; ok && v[0] != "null" {
		return errInvalidArgument("Invalid version id specified").with("ArgumentName", "versionId").with("ArgumentValue", v[0])
	}
	ifMatch := c.r.Header.Get("If-Match")
	s.mu.Lock()
	b, ok := s.buckets[c.bucket]
	if !ok {
		s.mu.Unlock()
		return errNoSuchBucket(c.bucket)
	}
	old := b.objects[c.key]
	if ifMatch != "" {
		// Conditional deletes: https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-deletes.html
		if old == nil {
			s.mu.Unlock()
			return errNoSuchKey(c.key)
		}
		if !etagMatches(ifMatch, old.etag) {
			s.mu.Unlock()
			return errPreconditionFailed("If-Match")
		}
	}
	delete(b.objects, c.key)
	s.mu.Unlock()
	if old != nil {
		s.removeFiles(old.file)
		s.notifyObject(c, "ObjectRemoved:Delete", &object{key: c.key})
	}
	return c.noContent()
}

type deleteRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   bool     `xml:"Quiet"`
	Objects []struct {
		Key       string `xml:"Key"`
		VersionID string `xml:"VersionId"`
	} `xml:"Object"`
}

type deleteResult struct {
	XMLName xml.Name        `xml:"DeleteResult"`
	Xmlns   string          `xml:"xmlns,attr"`
	Deleted []deletedObject `xml:"Deleted"`
	Errors  []deleteError   `xml:"Error"`
}

type deletedObject struct {
	Key string `xml:"Key"`
}

type deleteError struct {
	Key     string `xml:"Key"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// maxDeleteKeys is the most keys one DeleteObjects request may name.
const maxDeleteKeys = 1000

// deleteObjects implements DeleteObjects (POST ?delete).
func (s *Service) deleteObjects(c *call) error {
	if err := s.requireBucket(c.bucket); err != nil {
		return err
	}
	p, err := openPayload(c.r)
	if err != nil {
		return err
	}
	// https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html:
	// the request needs Content-MD5 or an x-amz-checksum-* value.
	if p.contentMD5 == nil && p.claimed == "" {
		return errInvalidRequest("Missing required header for this request: Content-MD5 OR x-amz-checksum-*")
	}
	body, _, err := p.readAll(maxXMLBody)
	if err != nil {
		return err
	}
	var req deleteRequest
	if err := xml.Unmarshal(body, &req); err != nil || len(req.Objects) == 0 || len(req.Objects) > maxDeleteKeys {
		return errMalformedXML()
	}
	res := deleteResult{Xmlns: s3Namespace}
	var removed []*object
	var files []string
	s.mu.Lock()
	b, ok := s.buckets[c.bucket]
	if !ok {
		s.mu.Unlock()
		return errNoSuchBucket(c.bucket)
	}
	for _, o := range req.Objects {
		switch {
		case o.Key == "":
			res.Errors = append(res.Errors, deleteError{Key: o.Key, Code: "InvalidArgument", Message: "Invalid key"})
			continue
		case o.VersionID != "" && o.VersionID != "null":
			res.Errors = append(res.Errors, deleteError{Key: o.Key, Code: "NoSuchVersion", Message: "The specified version does not exist."})
			continue
		}
		if old, ok := b.objects[o.Key]; ok {
			delete(b.objects, o.Key)
			removed = append(removed, &object{key: o.Key})
			files = append(files, old.file)
		}
		if !req.Quiet {
			res.Deleted = append(res.Deleted, deletedObject{Key: o.Key})
		}
	}
	s.mu.Unlock()
	s.removeFiles(files...)
	for _, o := range removed {
		s.notifyObject(c, "ObjectRemoved:Delete", o)
	}
	return c.writeXML(http.StatusOK, res)
}
