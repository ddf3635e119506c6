package s3

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// ownerID is the canonical user id of the local account's owner.
const ownerID = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"

type ownerXML struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName,omitempty"`
}

// ownerName is the display name of the local account's owner.
const ownerName = "localcloud"

func localOwner() ownerXML { return ownerXML{ID: ownerID, DisplayName: ownerName} }

type listBucketsResult struct {
	XMLName           xml.Name    `xml:"ListAllMyBucketsResult"`
	Xmlns             string      `xml:"xmlns,attr"`
	Owner             ownerXML    `xml:"Owner"`
	Buckets           []bucketXML `xml:"Buckets>Bucket"`
	ContinuationToken string      `xml:"ContinuationToken,omitempty"`
	Prefix            string      `xml:"Prefix,omitempty"`
}

type bucketXML struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion"`
}

// listBuckets implements ListBuckets with its prefix, bucket-region,
// max-buckets and continuation-token parameters.
func (s *Service) listBuckets(c *call) error {
	max := 10000
	if v := c.query.Get("max-buckets"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return errInvalidArgument("Argument max-buckets must be an integer between 1 and 10000.").with("ArgumentName", "max-buckets").with("ArgumentValue", v)
		}
		max = n
	}
	after := ""
	if t := c.query.Get("continuation-token"); t != "" {
		raw, err := base64.RawURLEncoding.DecodeString(t)
		if err != nil {
			return errInvalidArgument("The continuation token provided is incorrect").with("ArgumentName", "continuation-token")
		}
		after = string(raw)
	}
	prefix, region := c.query.Get("prefix"), c.query.Get("bucket-region")
	res := listBucketsResult{Xmlns: s3Namespace, Owner: localOwner(), Prefix: prefix}
	s.mu.Lock()
	names := make([]string, 0, len(s.buckets))
	for name, b := range s.buckets {
		if name > after && strings.HasPrefix(name, prefix) && (region == "" || b.region == region) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for i, name := range names {
		if i == max {
			res.ContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(names[i-1]))
			break
		}
		b := s.buckets[name]
		res.Buckets = append(res.Buckets, bucketXML{Name: name, CreationDate: xmlTime(b.created), BucketRegion: b.region})
	}
	s.mu.Unlock()
	return c.writeXML(http.StatusOK, res)
}

type createBucketConfiguration struct {
	XMLName            xml.Name  `xml:"CreateBucketConfiguration"`
	LocationConstraint string    `xml:"LocationConstraint"`
	Location           *struct{} `xml:"Location"`
	Bucket             *struct{} `xml:"Bucket"`
	Tags               *struct{} `xml:"Tags"`
}

// createBucket implements CreateBucket.
func (s *Service) createBucket(c *call) error {
	if !validBucketName(c.bucket) {
		return errInvalidBucketName(c.bucket)
	}
	if err := unsupportedCreateHeaders(c.r.Header); err != nil {
		return err
	}
	body, err := readXMLBody(c.r)
	if err != nil {
		return err
	}
	var cfg createBucketConfiguration
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := xml.Unmarshal(body, &cfg); err != nil {
			return errMalformedXML()
		}
		if cfg.Location != nil || cfg.Bucket != nil {
			return errNotImplemented("CreateBucket for directory buckets (Location/Bucket in CreateBucketConfiguration)")
		}
		if cfg.Tags != nil {
			return errNotImplemented("CreateBucket with Tags")
		}
	}
	if err := s.checkLocationConstraint(cfg.LocationConstraint); err != nil {
		return err
	}
	s.mu.Lock()
	if old, ok := s.buckets[c.bucket]; ok {
		s.mu.Unlock()
		// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html#API_CreateBucket_Errors:
		// in us-east-1 re-creating an owned bucket succeeds for legacy
		// compatibility; everywhere else it is BucketAlreadyOwnedByYou.
		if old.region == "us-east-1" {
			c.w.Header().Set("Location", "/"+c.bucket)
			return c.ok()
		}
		return newError(http.StatusConflict, "BucketAlreadyOwnedByYou",
			"Your previous request to create the named bucket succeeded and you already own it.").with("BucketName", c.bucket)
	}
	s.buckets[c.bucket] = &bucket{
		name:     c.bucket,
		region:   s.region,
		created:  s.clock(),
		objects:  map[string]*object{},
		uploads:  map[string]*upload{},
		settings: map[string][]byte{},
	}
	s.mu.Unlock()
	c.w.Header().Set("Location", "/"+c.bucket)
	return c.ok()
}

// unsupportedCreateHeaders rejects CreateBucket options that would need
// ACLs or Object Lock; "private" and BucketOwnerEnforced are the defaults
// and need nothing.
func unsupportedCreateHeaders(h http.Header) error {
	if v := h.Get("x-amz-acl"); v != "" && v != "private" {
		return errNotImplemented("CreateBucket with x-amz-acl " + v)
	}
	for _, name := range []string{"x-amz-grant-full-control", "x-amz-grant-read", "x-amz-grant-read-acp", "x-amz-grant-write", "x-amz-grant-write-acp"} {
		if h.Get(name) != "" {
			return errNotImplemented("CreateBucket with " + name)
		}
	}
	if strings.EqualFold(h.Get("x-amz-bucket-object-lock-enabled"), "true") {
		return errNotImplemented("CreateBucket with Object Lock")
	}
	if v := h.Get("x-amz-object-ownership"); v != "" && v != "BucketOwnerEnforced" {
		return errNotImplemented("CreateBucket with x-amz-object-ownership " + v)
	}
	return nil
}

// checkLocationConstraint applies S3's rule that a bucket is created in the
// region of the endpoint, which the constraint must name, except in
// us-east-1 where it must be absent.
func (s *Service) checkLocationConstraint(constraint string) error {
	switch {
	case constraint == "" && s.region != "us-east-1":
		return newError(http.StatusBadRequest, "IllegalLocationConstraintException",
			"The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
	case constraint == "us-east-1" && s.region == "us-east-1":
		return newError(http.StatusBadRequest, "InvalidLocationConstraint", "The specified location-constraint is not valid").
			with("LocationConstraint", constraint)
	case constraint != "" && constraint != s.region:
		return newError(http.StatusBadRequest, "IllegalLocationConstraintException",
			"The %s location constraint is incompatible for the region specific endpoint this request was sent to.", constraint)
	}
	return nil
}

// headBucket implements HeadBucket.
func (s *Service) headBucket(c *call) error {
	s.mu.Lock()
	b, ok := s.buckets[c.bucket]
	s.mu.Unlock()
	if !ok {
		return errNoSuchBucket(c.bucket)
	}
	c.w.Header().Set("x-amz-bucket-region", b.region)
	c.w.Header().Set("x-amz-access-point-alias", "false")
	return c.ok()
}

// deleteBucket implements DeleteBucket. Unfinished multipart uploads do not
// keep a bucket alive; their parts go with it.
func (s *Service) deleteBucket(c *call) error {
	s.mu.Lock()
	b, ok := s.buckets[c.bucket]
	if !ok {
		s.mu.Unlock()
		return errNoSuchBucket(c.bucket)
	}
	if len(b.objects) > 0 {
		s.mu.Unlock()
		return newError(http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty").with("BucketName", c.bucket)
	}
	delete(s.buckets, c.bucket)
	var files []string
	for _, u := range b.uploads {
		for _, p := range u.parts {
			files = append(files, p.file)
		}
	}
	s.mu.Unlock()
	s.removeFiles(files...)
	return c.noContent()
}

type locationConstraint struct {
	XMLName xml.Name `xml:"LocationConstraint"`
	Xmlns   string   `xml:"xmlns,attr"`
	Region  string   `xml:",chardata"`
}

// getBucketLocation implements GetBucketLocation: empty for us-east-1.
func (s *Service) getBucketLocation(c *call) error {
	s.mu.Lock()
	b, ok := s.buckets[c.bucket]
	s.mu.Unlock()
	if !ok {
		return errNoSuchBucket(c.bucket)
	}
	region := b.region
	if region == "us-east-1" {
		region = ""
	}
	return c.writeXML(http.StatusOK, locationConstraint{Xmlns: s3Namespace, Region: region})
}
