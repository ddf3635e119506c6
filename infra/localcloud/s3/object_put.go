package s3

import (
	"io"
	"net/http"
	"os"
	"strings"
)

// putObject implements PutObject.
func (s *Service) putObject(c *call) error {
	if err := s.requireBucket(c.bucket); err != nil {
		return err
	}
	if err := checkObjectOptions(c.r.Header); err != nil {
		return err
	}
	cond, err := readWriteConditions(c.r.Header)
	if err != nil {
		return err
	}
	p, err := openSizedPayload(c.r)
	if err != nil {
		return err
	}
	rec, file, err := s.writeBodyFile("obj", func(w io.Writer) (received, error) {
		return p.copyTo(w, algCRC64NVME, maxObjectSize)
	})
	if err != nil {
		return err
	}
	header, meta := contentHeaders(c.r.Header)
	obj := &object{
		key:          c.key,
		size:         rec.size,
		etag:         rec.etag(),
		lastModified: s.clock(),
		header:       header,
		meta:         meta,
		checksum:     rec.checksum,
		file:         file,
	}
	if err := s.commitObject(c.bucket, obj, cond); err != nil {
		return err
	}
	h := c.w.Header()
	h.Set("ETag", obj.etag)
	h.Set("x-amz-server-side-encryption", "AES256")
	obj.checksum.setHeaders(h)
	s.notifyObject(c, "ObjectCreated:Put", obj)
	return c.ok()
}

// writeConditions are the conditional-write headers of a PUT or a
// CompleteMultipartUpload: If-None-Match: * (only create) and If-Match.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
type writeConditions struct {
	mustNotExist bool
	ifMatch      string
}

func readWriteConditions(h http.Header) (writeConditions, error) {
	var w writeConditions
	if v := h.Get("If-None-Match"); v != "" {
		if strings.TrimSpace(v) != "*" {
			return w, newError(http.StatusNotImplemented, "NotImplemented",
				"A header you provided implies functionality that is not implemented").with("Header", "If-None-Match")
		}
		w.mustNotExist = true
	}
	w.ifMatch = h.Get("If-Match")
	return w, nil
}

// check applies the conditions to the current value of the key (nil if none).
func (w writeConditions) check(key string, current *object) error {
	switch {
	case w.mustNotExist && current != nil:
		return errPreconditionFailed("If-None-Match")
	case w.ifMatch != "" && current == nil:
		return errNoSuchKey(key)
	case w.ifMatch != "" && !etagMatches(w.ifMatch, current.etag):
		return errPreconditionFailed("If-Match")
	}
	return nil
}

// commitObject stores obj in the bucket if the conditions hold, replacing
// any previous value. On error the new body file is removed.
func (s *Service) commitObject(bucketName string, obj *object, cond writeConditions) error {
	s.mu.Lock()
	b, ok := s.buckets[bucketName]
	if !ok {
		s.mu.Unlock()
		s.removeFiles(obj.file)
		return errNoSuchBucket(bucketName)
	}
	old := b.objects[obj.key]
	if cerr := cond.check(obj.key, old); cerr != nil {
		s.mu.Unlock()
		s.removeFiles(obj.file)
		return cerr
	}
	b.objects[obj.key] = obj
	s.mu.Unlock()
	if old != nil {
		s.removeFiles(old.file)
	}
	return nil
}

// requireBucket fails with NoSuchBucket unless the bucket exists.
func (s *Service) requireBucket(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.buckets[name]; !ok {
		return errNoSuchBucket(name)
	}
	return nil
}

// openObject returns the object and its body opened for reading, taken
// together under the lock so a concurrent replace cannot remove the file
// between the two.
func (s *Service) openObject(bucketName, key string) (*object, *os.File, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[bucketName]
	if !ok {
		return nil, nil, errNoSuchBucket(bucketName)
	}
	obj, ok := b.objects[key]
	if !ok {
		return nil, nil, errNoSuchKey(key)
	}
	f, err := os.Open(obj.file)
	if err != nil {
		return nil, nil, errInternal(err)
	}
	return obj, f, nil
}
