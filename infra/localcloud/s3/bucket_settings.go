package s3

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
)

// The settings below are accepted and stored verbatim because templates
// commonly set them; the local cloud does not enforce any of them.

type publicAccessBlockXML struct {
	XMLName xml.Name `xml:"PublicAccessBlockConfiguration"`
}

type encryptionXML struct {
	XMLName xml.Name `xml:"ServerSideEncryptionConfiguration"`
	Rules   []struct {
		Default *struct {
			SSEAlgorithm string `xml:"SSEAlgorithm"`
		} `xml:"ApplyServerSideEncryptionByDefault"`
	} `xml:"Rule"`
}

type taggingXML struct {
	XMLName xml.Name `xml:"Tagging"`
	Tags    []struct {
		Key   string `xml:"Key"`
		Value string `xml:"Value"`
	} `xml:"TagSet>Tag"`
}

// defaultEncryption is what GetBucketEncryption returns for a bucket without
// a configuration: every bucket has SSE-S3 by default since January 2023.
const defaultEncryption = `<?xml version="1.0" encoding="UTF-8"?>
<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`

// bucketSetting serves PUT/GET/DELETE of a stored bucket setting.
func (s *Service) bucketSetting(c *call, name string) error {
	switch c.r.Method {
	case http.MethodPut:
		return s.putSetting(c, name)
	case http.MethodGet:
		return s.getSetting(c, name)
	case http.MethodDelete:
		s.mu.Lock()
		b, ok := s.buckets[c.bucket]
		if ok {
			delete(b.settings, name)
		}
		s.mu.Unlock()
		if !ok {
			return errNoSuchBucket(c.bucket)
		}
		return c.noContent()
	}
	return errMethodNotAllowed(c.r.Method, "BUCKET")
}

func (s *Service) putSetting(c *call, name string) error {
	if err := s.requireBucket(c.bucket); err != nil {
		return err
	}
	body, err := readXMLBody(c.r)
	if err != nil {
		return err
	}
	if err := validateSetting(name, body); err != nil {
		return err
	}
	s.mu.Lock()
	b, ok := s.buckets[c.bucket]
	if ok {
		b.settings[name] = body
	}
	s.mu.Unlock()
	if !ok {
		return errNoSuchBucket(c.bucket)
	}
	if name == "policy" || name == "tagging" {
		return c.noContent()
	}
	return c.ok()
}

func validateSetting(name string, body []byte) error {
	switch name {
	case "policy":
		var doc struct {
			Statement json.RawMessage `json:"Statement"`
		}
		if err := json.Unmarshal(body, &doc); err != nil || len(doc.Statement) == 0 {
			return newError(http.StatusBadRequest, "MalformedPolicy", "Policies must be valid JSON and the first byte must be '{'")
		}
	case "publicAccessBlock":
		if xml.Unmarshal(body, &publicAccessBlockXML{}) != nil {
			return errMalformedXML()
		}
	case "encryption":
		var doc encryptionXML
		if xml.Unmarshal(body, &doc) != nil || len(doc.Rules) == 0 {
			return errMalformedXML()
		}
		for _, r := range doc.Rules {
			if r.Default == nil {
				continue
			}
			switch r.Default.SSEAlgorithm {
			case "AES256", "aws:kms", "aws:kms:dsse":
			default:
				return errMalformedXML()
			}
		}
	case "tagging":
		var doc taggingXML
		if xml.Unmarshal(body, &doc) != nil {
			return errMalformedXML()
		}
		seen := map[string]bool{}
		for _, t := range doc.Tags {
			if t.Key == "" || seen[t.Key] {
				return newError(http.StatusBadRequest, "InvalidTag", "Cannot provide multiple Tags with the same key")
			}
			seen[t.Key] = true
		}
	}
	return nil
}

func (s *Service) getSetting(c *call, name string) error {
	s.mu.Lock()
	b, ok := s.buckets[c.bucket]
	var body []byte
	if ok {
		body = b.settings[name]
	}
	s.mu.Unlock()
	if !ok {
		return errNoSuchBucket(c.bucket)
	}
	if body == nil {
		switch name {
		case "policy":
			return newError(http.StatusNotFound, "NoSuchBucketPolicy", "The bucket policy does not exist").with("BucketName", c.bucket)
		case "publicAccessBlock":
			return newError(http.StatusNotFound, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found").with("BucketName", c.bucket)
		case "tagging":
			return newError(http.StatusNotFound, "NoSuchTagSet", "The TagSet does not exist").with("BucketName", c.bucket)
		case "encryption":
			body = []byte(defaultEncryption)
		}
	}
	contentType := "application/xml"
	if name == "policy" {
		contentType = "application/json"
	}
	h := c.w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", itoa(int64(len(body))))
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(body)
	return nil
}
