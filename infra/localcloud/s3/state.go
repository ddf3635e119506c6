package s3

import (
	"maps"
	"net/http"
	"slices"
	"time"
)

// bucket is one bucket's state. Guarded by Service.mu.
type bucket struct {
	name     string
	region   string
	created  time.Time
	objects  map[string]*object
	uploads  map[string]*upload
	notify   []queueConfig
	settings map[string][]byte // stored verbatim: policy, publicAccessBlock, …
}

// object is one stored object. Objects are immutable once stored: a PUT
// replaces the whole value, so readers may keep a pointer without the lock.
type object struct {
	key          string
	size         int64
	etag         string // quoted, as sent in the ETag header
	lastModified time.Time
	header       http.Header       // stored content headers (Content-Type, Cache-Control…)
	meta         map[string]string // user metadata, lower-case names without x-amz-meta-
	checksum     checksumValue
	parts        []objectPart // non-empty for objects made by a multipart upload
	file         string       // body file path
}

// objectPart records where a part of a multipart object lies, so that
// GetObject with partNumber can return it with its own checksum.
type objectPart struct {
	size     int64
	checksum checksumValue // the part's own checksum
}

// upload is a multipart upload in progress.
type upload struct {
	id        string
	key       string
	initiated time.Time
	header    http.Header
	meta      map[string]string
	algorithm algorithm    // "" when the upload names none
	ckType    checksumType // COMPOSITE or FULL_OBJECT when algorithm is set
	parts     map[int]*part
}

// part is an uploaded part of a multipart upload.
type part struct {
	number       int
	size         int64
	etag         string // quoted
	md5          []byte
	lastModified time.Time
	checksum     checksumValue // the upload's algorithm, or CRC64NVME when it has none
	file         string
}

// sortedKeys returns the bucket's object keys in UTF-8 binary order, the
// order of every S3 listing.
func (b *bucket) sortedKeys() []string {
	return slices.Sorted(maps.Keys(b.objects))
}

// storedHeaders are the request headers S3 keeps with an object and returns
// on GET and HEAD.
var storedHeaders = []string{"Content-Type", "Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Expires", "X-Amz-Website-Redirect-Location", "X-Amz-Storage-Class"}

// contentHeaders extracts the stored headers and user metadata of a request.
func contentHeaders(h http.Header) (http.Header, map[string]string) {
	out := http.Header{}
	for _, name := range storedHeaders {
		if v := h.Get(name); v != "" {
			out.Set(name, v)
		}
	}
	if ce := stripAWSChunked(out.Get("Content-Encoding")); ce != "" {
		out.Set("Content-Encoding", ce)
	} else {
		out.Del("Content-Encoding")
	}
	if out.Get("Content-Type") == "" {
		out.Set("Content-Type", defaultContentType)
	}
	meta := map[string]string{}
	for name, vs := range h {
		if n, ok := cutPrefixFold(name, "X-Amz-Meta-"); ok && n != "" {
			meta[lower(n)] = joinValues(vs)
		}
	}
	return out, meta
}

// defaultContentType is what S3 stores when a PUT sends no Content-Type.
const defaultContentType = "binary/octet-stream"
