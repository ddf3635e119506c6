package s3

import (
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// dispatch routes a request to its operation by method, target (service,
// bucket or object) and sub-resource query parameter, as S3 does.
func (s *Service) dispatch(c *call) error {
	if err := parseTarget(c); err != nil {
		return err
	}
	if owner := c.r.Header.Get("x-amz-expected-bucket-owner"); owner != "" && owner != awsproto.AccountID {
		return newError(http.StatusForbidden, "AccessDenied", "Access Denied")
	}
	switch {
	case c.bucket == "":
		return s.dispatchService(c)
	case c.key == "":
		return s.dispatchBucket(c)
	default:
		return s.dispatchObject(c)
	}
}

// parseTarget fills c.bucket and c.key from the Host (virtual-hosted style,
// <bucket>.localhost[:port]) or from the path (path style, /bucket/key).
func parseTarget(c *call) error {
	path := c.r.URL.EscapedPath()
	path = strings.TrimPrefix(path, "/")
	if b := virtualHostBucket(c.r.Host); b != "" {
		c.bucket = b
		key, err := url.PathUnescape(path)
		if err != nil {
			return errInvalidArgument("Invalid URI path: %v", err)
		}
		c.key = key
		return checkKey(c.key)
	}
	if path == "" {
		return nil
	}
	bucketPart, keyPart, _ := strings.Cut(path, "/")
	bucketName, err := url.PathUnescape(bucketPart)
	if err != nil {
		return errInvalidArgument("Invalid URI path: %v", err)
	}
	key, err := url.PathUnescape(keyPart)
	if err != nil {
		return errInvalidArgument("Invalid URI path: %v", err)
	}
	c.bucket, c.key = bucketName, key
	return checkKey(c.key)
}

// maxKeyLength is S3's limit on the UTF-8 length of a key.
const maxKeyLength = 1024

func checkKey(key string) error {
	if len(key) > maxKeyLength {
		return newError(http.StatusBadRequest, "KeyTooLongError", "Your key is too long").
			with("MaxSizeAllowed", "1024").with("Size", itoa(int64(len(key))))
	}
	return nil
}

// virtualHostBucket returns the bucket of a <bucket>.localhost host, or "".
func virtualHostBucket(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	b, ok := strings.CutSuffix(host, ".localhost")
	if !ok || b == "" {
		return ""
	}
	return b
}

func (s *Service) dispatchService(c *call) error {
	switch c.r.Method {
	case http.MethodGet:
		return s.listBuckets(c)
	case http.MethodOptions:
		return errNotImplemented("OPTIONS (CORS preflight)")
	default:
		return errMethodNotAllowed(c.r.Method, "SERVICE")
	}
}

// bucketSubresources maps the unsupported bucket sub-resources to the names
// of their operations per method, so the 501 names what the caller tried.
var bucketSubresources = map[string]map[string]string{
	"acl":                   {"GET": "GetBucketAcl", "PUT": "PutBucketAcl"},
	"versioning":            {"GET": "GetBucketVersioning", "PUT": "PutBucketVersioning"},
	"versions":              {"GET": "ListObjectVersions"},
	"cors":                  {"GET": "GetBucketCors", "PUT": "PutBucketCors", "DELETE": "DeleteBucketCors"},
	"lifecycle":             {"GET": "GetBucketLifecycleConfiguration", "PUT": "PutBucketLifecycleConfiguration", "DELETE": "DeleteBucketLifecycle"},
	"website":               {"GET": "GetBucketWebsite", "PUT": "PutBucketWebsite", "DELETE": "DeleteBucketWebsite"},
	"logging":               {"GET": "GetBucketLogging", "PUT": "PutBucketLogging"},
	"replication":           {"GET": "GetBucketReplication", "PUT": "PutBucketReplication", "DELETE": "DeleteBucketReplication"},
	"ownershipControls":     {"GET": "GetBucketOwnershipControls", "PUT": "PutBucketOwnershipControls", "DELETE": "DeleteBucketOwnershipControls"},
	"accelerate":            {"GET": "GetBucketAccelerateConfiguration", "PUT": "PutBucketAccelerateConfiguration"},
	"requestPayment":        {"GET": "GetBucketRequestPayment", "PUT": "PutBucketRequestPayment"},
	"object-lock":           {"GET": "GetObjectLockConfiguration", "PUT": "PutObjectLockConfiguration"},
	"intelligent-tiering":   {"GET": "GetBucketIntelligentTieringConfiguration", "PUT": "PutBucketIntelligentTieringConfiguration", "DELETE": "DeleteBucketIntelligentTieringConfiguration"},
	"analytics":             {"GET": "GetBucketAnalyticsConfiguration", "PUT": "PutBucketAnalyticsConfiguration", "DELETE": "DeleteBucketAnalyticsConfiguration"},
	"metrics":               {"GET": "GetBucketMetricsConfiguration", "PUT": "PutBucketMetricsConfiguration", "DELETE": "DeleteBucketMetricsConfiguration"},
	"inventory":             {"GET": "GetBucketInventoryConfiguration", "PUT": "PutBucketInventoryConfiguration", "DELETE": "DeleteBucketInventoryConfiguration"},
	"policyStatus":          {"GET": "GetBucketPolicyStatus"},
	"metadataTable":         {"GET": "GetBucketMetadataTableConfiguration", "POST": "CreateBucketMetadataTableConfiguration", "DELETE": "DeleteBucketMetadataTableConfiguration"},
	"metadataConfiguration": {"GET": "GetBucketMetadataConfiguration", "POST": "CreateBucketMetadataConfiguration", "DELETE": "DeleteBucketMetadataConfiguration"},
	"session":               {"GET": "CreateSession"},
	"abac":                  {"GET": "GetBucketAbac", "PUT": "PutBucketAbac"},
}

// objectSubresources is bucketSubresources for objects.
var objectSubresources = map[string]map[string]string{
	"acl":          {"GET": "GetObjectAcl", "PUT": "PutObjectAcl"},
	"tagging":      {"GET": "GetObjectTagging", "PUT": "PutObjectTagging", "DELETE": "DeleteObjectTagging"},
	"retention":    {"GET": "GetObjectRetention", "PUT": "PutObjectRetention"},
	"legal-hold":   {"GET": "GetObjectLegalHold", "PUT": "PutObjectLegalHold"},
	"torrent":      {"GET": "GetObjectTorrent"},
	"attributes":   {"GET": "GetObjectAttributes"},
	"restore":      {"POST": "RestoreObject"},
	"select":       {"POST": "SelectObjectContent"},
	"renameObject": {"PUT": "RenameObject"},
}

// unsupported returns the 501 for a request on an unsupported sub-resource,
// or nil when the request names none.
func unsupported(c *call, table map[string]map[string]string) error {
	for sub, ops := range table {
		if !c.has(sub) {
			continue
		}
		if op, ok := ops[c.r.Method]; ok {
			return errNotImplemented(op)
		}
		return errNotImplemented(c.r.Method + " ?" + sub)
	}
	return nil
}

// storedSettings are the bucket settings kept verbatim because templates
// commonly set them, even though the local cloud does not enforce them.
var storedSettings = []string{"policy", "publicAccessBlock", "encryption", "tagging"}

func (s *Service) dispatchBucket(c *call) error {
	if err := unsupported(c, bucketSubresources); err != nil {
		return err
	}
	for _, sub := range storedSettings {
		if c.has(sub) {
			return s.bucketSetting(c, sub)
		}
	}
	m := c.r.Method
	switch {
	case c.has("notification"):
		switch m {
		case http.MethodGet:
			return s.getBucketNotification(c)
		case http.MethodPut:
			return s.putBucketNotification(c)
		}
		return errMethodNotAllowed(m, "BUCKET")
	case c.has("location") && m == http.MethodGet:
		return s.getBucketLocation(c)
	case c.has("uploads") && m == http.MethodGet:
		return s.listMultipartUploads(c)
	case c.has("delete") && m == http.MethodPost:
		return s.deleteObjects(c)
	}
	switch m {
	case http.MethodGet:
		if c.query.Get("list-type") == "2" {
			return s.listObjectsV2(c)
		}
		return s.listObjectsV1(c)
	case http.MethodPut:
		return s.createBucket(c)
	case http.MethodHead:
		return s.headBucket(c)
	case http.MethodDelete:
		return s.deleteBucket(c)
	case http.MethodPost:
		if isFormUpload(c.r) {
			return s.postObject(c)
		}
		return errNotImplemented("POST on a bucket without ?delete or a multipart/form-data body")
	case http.MethodOptions:
		return errNotImplemented("OPTIONS (CORS preflight)")
	}
	return errMethodNotAllowed(m, "BUCKET")
}

func isFormUpload(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

func (s *Service) dispatchObject(c *call) error {
	if err := unsupported(c, objectSubresources); err != nil {
		return err
	}
	m := c.r.Method
	copySource := c.r.Header.Get("x-amz-copy-source") != ""
	switch m {
	case http.MethodPut:
		switch {
		case c.has("uploadId") || c.has("partNumber"):
			if copySource {
				return s.uploadPartCopy(c)
			}
			return s.uploadPart(c)
		case copySource:
			return s.copyObject(c)
		}
		return s.putObject(c)
	case http.MethodGet:
		if c.has("uploadId") {
			return s.listParts(c)
		}
		return s.getObject(c)
	case http.MethodHead:
		return s.getObject(c)
	case http.MethodDelete:
		if c.has("uploadId") {
			return s.abortMultipartUpload(c)
		}
		return s.deleteObject(c)
	case http.MethodPost:
		switch {
		case c.has("uploads"):
			return s.createMultipartUpload(c)
		case c.has("uploadId"):
			return s.completeMultipartUpload(c)
		}
		return errNotImplemented("POST on an object without ?uploads or ?uploadId")
	case http.MethodOptions:
		return errNotImplemented("OPTIONS (CORS preflight)")
	}
	return errMethodNotAllowed(m, "OBJECT")
}
