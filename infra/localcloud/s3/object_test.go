package s3_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func md5ETag(b []byte) string {
	s := md5.Sum(b)
	return `"` + hex.EncodeToString(s[:]) + `"`
}

func TestPutGetHeadRoundTrip(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.createBucket(t, "bkt")
	body := []byte("hello, paylane statements")
	put, err := e.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:       aws.String("bkt"),
		Key:          aws.String("dir/sub dir/file+name=1.txt"),
		Body:         bytes.NewReader(body),
		ContentType:  aws.String("text/plain"),
		CacheControl: aws.String("no-cache"),
		Metadata:     map[string]string{"Owner": "finance", "batch-id": "42"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(put.ETag) != md5ETag(body) {
		t.Errorf("PutObject ETag = %s, want %s", aws.ToString(put.ETag), md5ETag(body))
	}
	get, err := e.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/sub dir/file+name=1.txt")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(get.Body)
	get.Body.Close()
	if !bytes.Equal(got, body) {
		t.Errorf("body = %q, want %q", got, body)
	}
	if aws.ToString(get.ContentType) != "text/plain" || aws.ToString(get.CacheControl) != "no-cache" {
		t.Errorf("ContentType %q CacheControl %q", aws.ToString(get.ContentType), aws.ToString(get.CacheControl))
	}
	if get.Metadata["owner"] != "finance" || get.Metadata["batch-id"] != "42" {
		t.Errorf("Metadata = %v", get.Metadata)
	}
	if aws.ToString(get.ETag) != md5ETag(body) || aws.ToInt64(get.ContentLength) != int64(len(body)) {
		t.Errorf("ETag %s ContentLength %d", aws.ToString(get.ETag), aws.ToInt64(get.ContentLength))
	}
	head, err := e.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/sub dir/file+name=1.txt")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt64(head.ContentLength) != int64(len(body)) || aws.ToString(head.ETag) != md5ETag(body) || head.LastModified == nil {
		t.Errorf("HeadObject = length %d etag %s modified %v", aws.ToInt64(head.ContentLength), aws.ToString(head.ETag), head.LastModified)
	}
	if head.Metadata["owner"] != "finance" {
		t.Errorf("HeadObject Metadata = %v", head.Metadata)
	}
}

func TestEmptyObjectAndDefaultContentType(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createBucket(t, "bkt")
	resp := e.raw(t, http.MethodPut, "/bkt/empty", nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT = %d", resp.StatusCode)
	}
	get, err := e.client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("empty")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(get.Body)
	get.Body.Close()
	// S3 stores binary/octet-stream when a PUT has no Content-Type.
	if len(b) != 0 || aws.ToString(get.ContentType) != "binary/octet-stream" || aws.ToString(get.ETag) != md5ETag(nil) {
		t.Errorf("empty object: body %q type %q etag %s", b, aws.ToString(get.ContentType), aws.ToString(get.ETag))
	}
}

func TestMissingKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.createBucket(t, "bkt")
	_, err := e.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("nope")})
	var nsk *types.NoSuchKey
	if !errors.As(err, &nsk) {
		t.Errorf("GetObject missing = %v, want NoSuchKey", err)
	}
	wantAPIError(t, err, "NoSuchKey", http.StatusNotFound)
	// HEAD errors carry no body, so the SDK knows them by status only.
	_, err = e.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("nope")})
	var nf *types.NotFound
	if !errors.As(err, &nf) {
		t.Errorf("HeadObject missing = %v, want NotFound", err)
	}
	resp := e.raw(t, http.MethodHead, "/bkt/nope", nil, nil)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusNotFound || len(body) != 0 || resp.Header.Get("x-amz-request-id") == "" {
		t.Errorf("HEAD missing: status %d body %q request id %q", resp.StatusCode, body, resp.Header.Get("x-amz-request-id"))
	}
	// Deleting a missing key succeeds: https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html
	if _, err := e.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bkt"), Key: aws.String("nope")}); err != nil {
		t.Errorf("DeleteObject missing: %v", err)
	}
}

func TestErrorDocument(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createBucket(t, "bkt")
	resp := e.raw(t, http.MethodGet, "/bkt/a%20b", nil, nil)
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{"<Error>", "<Code>NoSuchKey</Code>", "<Message>The specified key does not exist.</Message>",
		"<Key>a b</Key>", "<Resource>/bkt/a b</Resource>", "<RequestId>" + resp.Header.Get("x-amz-request-id") + "</RequestId>"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("error body %s lacks %s", body, want)
		}
	}
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/xml" {
		t.Errorf("status %d content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestRangeGets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createBucket(t, "bkt")
	body := []byte("0123456789abcdefghij") // 20 bytes
	e.put(t, "bkt", "r", body)
	// https://www.rfc-editor.org/rfc/rfc9110#section-14.1.2 and
	// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (Range)
	cases := []struct {
		rng, want, contentRange string
	}{
		{"bytes=0-4", "01234", "bytes 0-4/20"},
		{"bytes=15-", "fghij", "bytes 15-19/20"},
		{"bytes=-3", "hij", "bytes 17-19/20"},
		{"bytes=-50", string(body), "bytes 0-19/20"},
		{"bytes=18-100", "ij", "bytes 18-19/20"},
		{"bytes=19-19", "j", "bytes 19-19/20"},
	}
	for _, tc := range cases {
		t.Run(tc.rng, func(t *testing.T) {
			t.Parallel()
			out, err := e.client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("r"), Range: aws.String(tc.rng)})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(out.Body)
			out.Body.Close()
			if string(got) != tc.want || aws.ToString(out.ContentRange) != tc.contentRange || aws.ToInt64(out.ContentLength) != int64(len(tc.want)) {
				t.Errorf("got %q range %q length %d; want %q %q", got, aws.ToString(out.ContentRange), aws.ToInt64(out.ContentLength), tc.want, tc.contentRange)
			}
		})
	}
	t.Run("raw status", func(t *testing.T) {
		t.Parallel()
		if resp := e.raw(t, http.MethodGet, "/bkt/r", nil, map[string]string{"Range": "bytes=2-3"}); resp.StatusCode != http.StatusPartialContent {
			t.Errorf("status = %d, want 206", resp.StatusCode)
		}
		// A multi-range request is not supported by S3; the whole object comes back.
		resp := e.raw(t, http.MethodGet, "/bkt/r", nil, map[string]string{"Range": "bytes=0-1,4-5"})
		got, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !bytes.Equal(got, body) {
			t.Errorf("multi-range: status %d body %q", resp.StatusCode, got)
		}
	})
	for _, rng := range []string{"bytes=20-", "bytes=25-30", "bytes=-0"} {
		t.Run("unsatisfiable "+rng, func(t *testing.T) {
			t.Parallel()
			_, err := e.client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("r"), Range: aws.String(rng)})
			wantAPIError(t, err, "InvalidRange", http.StatusRequestedRangeNotSatisfiable)
		})
	}
}

func TestConditionalGets(t *testing.T) {
	t.Parallel()
	clock := &fixedClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	e := newEnv(t, withClock(clock.now))
	e.createBucket(t, "bkt")
	etag := aws.ToString(e.put(t, "bkt", "k", []byte("v1")).ETag)
	modified := clock.now()
	before, after := modified.Add(-time.Hour), modified.Add(time.Hour)
	// Precedence as documented in https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
	cases := []struct {
		name   string
		in     s3.GetObjectInput
		status int // 0 = success
	}{
		{"If-Match hit", s3.GetObjectInput{IfMatch: aws.String(etag)}, 0},
		{"If-Match miss", s3.GetObjectInput{IfMatch: aws.String(`"other"`)}, http.StatusPreconditionFailed},
		{"If-Match star", s3.GetObjectInput{IfMatch: aws.String("*")}, 0},
		{"If-None-Match hit", s3.GetObjectInput{IfNoneMatch: aws.String(etag)}, http.StatusNotModified},
		{"If-None-Match miss", s3.GetObjectInput{IfNoneMatch: aws.String(`"other"`)}, 0},
		{"If-Modified-Since earlier", s3.GetObjectInput{IfModifiedSince: aws.Time(before)}, 0},
		{"If-Modified-Since later", s3.GetObjectInput{IfModifiedSince: aws.Time(after)}, http.StatusNotModified},
		{"If-Modified-Since same second", s3.GetObjectInput{IfModifiedSince: aws.Time(modified)}, http.StatusNotModified},
		{"If-Unmodified-Since earlier", s3.GetObjectInput{IfUnmodifiedSince: aws.Time(before)}, http.StatusPreconditionFailed},
		{"If-Unmodified-Since later", s3.GetObjectInput{IfUnmodifiedSince: aws.Time(after)}, 0},
		{"If-Match true wins over If-Unmodified-Since false", s3.GetObjectInput{IfMatch: aws.String(etag), IfUnmodifiedSince: aws.Time(before)}, 0},
		{"If-None-Match false wins over If-Modified-Since true", s3.GetObjectInput{IfNoneMatch: aws.String(`"other"`), IfModifiedSince: aws.Time(after)}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := tc.in
			in.Bucket, in.Key = aws.String("bkt"), aws.String("k")
			out, err := e.client.GetObject(context.Background(), &in)
			if tc.status == 0 {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				b, _ := io.ReadAll(out.Body)
				out.Body.Close()
				if string(b) != "v1" {
					t.Errorf("body %q", b)
				}
				return
			}
			var re interface{ HTTPStatusCode() int }
			if !errors.As(err, &re) || re.HTTPStatusCode() != tc.status {
				t.Errorf("err = %v, want status %d", err, tc.status)
			}
		})
	}
}

func TestConditionalWrites(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.createBucket(t, "bkt")
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
	if _, err := e.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("once"), Body: strings.NewReader("a"), IfNoneMatch: aws.String("*")}); err != nil {
		t.Fatal(err)
	}
	_, err := e.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("once"), Body: strings.NewReader("b"), IfNoneMatch: aws.String("*")})
	wantAPIError(t, err, "PreconditionFailed", http.StatusPreconditionFailed)
	_, err = e.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("once"), Body: strings.NewReader("b"), IfMatch: aws.String(`"nope"`)})
	wantAPIError(t, err, "PreconditionFailed", http.StatusPreconditionFailed)
	if got := e.get(t, "bkt", "once"); string(got) != "a" {
		t.Errorf("object after failed conditional writes = %q", got)
	}
}

func crc64nvme(b []byte) string {
	h := crc64.New(crc64.MakeTable(0x9a6c9329ac4bc9b5))
	h.Write(b)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func crc32c(b []byte) string {
	h := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	h.Write(b)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// requestLog records the framing headers of the PUT requests the server saw.
type requestLog struct {
	mu   sync.Mutex
	seen []http.Header
}

func (l *requestLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			l.mu.Lock()
			l.seen = append(l.seen, r.Header.Clone())
			l.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

func (l *requestLog) last() http.Header {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seen[len(l.seen)-1]
}

// The SDK sends flexible checksums as a header over HTTP and as an
// aws-chunked trailer over HTTPS; both must be verified, stored and returned.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
func TestChecksums(t *testing.T) {
	t.Parallel()
	for _, transport := range []string{"http", "https"} {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			log := &requestLog{}
			opts := []envOption{withWrap(log.wrap)}
			if transport == "https" {
				opts = append(opts, withTLS())
			}
			e := newEnv(t, opts...)
			ctx := context.Background()
			e.createBucket(t, "bkt")
			body := bytes.Repeat([]byte("statement line\n"), 10000) // 150 kB: several 64 KiB chunks

			put, err := e.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("c32c"),
				Body: bytes.NewReader(body), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c})
			if err != nil {
				t.Fatal(err)
			}
			h := log.last()
			if transport == "https" && (h.Get("Content-Encoding") != "aws-chunked" || h.Get("X-Amz-Trailer") != "x-amz-checksum-crc32c") {
				t.Errorf("over HTTPS the SDK should stream a trailer; saw %v", h)
			}
			if aws.ToString(put.ChecksumCRC32C) != crc32c(body) {
				t.Errorf("PutObject ChecksumCRC32C = %q, want %q", aws.ToString(put.ChecksumCRC32C), crc32c(body))
			}
			get, err := e.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("c32c"), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(get.Body) // the SDK validates the checksum while reading
			get.Body.Close()
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("GetObject body: %v (len %d)", err, len(got))
			}
			if aws.ToString(get.ChecksumCRC32C) != crc32c(body) || get.ChecksumType != types.ChecksumTypeFullObject {
				t.Errorf("GetObject ChecksumCRC32C %q type %q", aws.ToString(get.ChecksumCRC32C), get.ChecksumType)
			}
			if aws.ToString(get.ContentEncoding) != "" {
				t.Errorf("aws-chunked leaked into the stored Content-Encoding: %q", aws.ToString(get.ContentEncoding))
			}

			// Without an algorithm the SDK still sends CRC32; with checksums
			// disabled S3 computes CRC64NVME itself.
			e.put(t, "bkt", "default", body)
			plain := e.raw(t, http.MethodPut, "/bkt/plain", bytes.NewReader(body), nil)
			if plain.StatusCode != http.StatusOK {
				t.Fatalf("raw PUT = %d", plain.StatusCode)
			}
			head, err := e.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("plain"), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(head.ChecksumCRC64NVME) != crc64nvme(body) {
				t.Errorf("default ChecksumCRC64NVME = %q, want %q", aws.ToString(head.ChecksumCRC64NVME), crc64nvme(body))
			}
			// Checksums are only returned when asked for.
			head, err = e.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("plain")})
			if err != nil || head.ChecksumCRC64NVME != nil {
				t.Errorf("checksum without ChecksumMode: %v %v", aws.ToString(head.ChecksumCRC64NVME), err)
			}

			_, err = e.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("bad"),
				Body: bytes.NewReader(body), ChecksumCRC32C: aws.String(crc32c([]byte("other")))})
			wantAPIError(t, err, "BadDigest", http.StatusBadRequest)
			sum := md5.Sum([]byte("other"))
			_, err = e.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("bad"),
				Body: bytes.NewReader(body), ContentMD5: aws.String(base64.StdEncoding.EncodeToString(sum[:]))})
			wantAPIError(t, err, "BadDigest", http.StatusBadRequest)
			_, err = e.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("bad")})
			var nf *types.NotFound
			if !errors.As(err, &nf) {
				t.Errorf("an upload with a bad digest was stored: %v", err)
			}
		})
	}
}

func TestDeleteObjects(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.createBucket(t, "bkt")
	for _, k := range []string{"a", "b", "c"} {
		e.put(t, "bkt", k, []byte(k))
	}
	out, err := e.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("bkt"), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("a")}, {Key: aws.String("missing")}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	// Deleting a missing key is reported as deleted, as S3 does.
	if len(out.Deleted) != 2 || len(out.Errors) != 0 {
		t.Errorf("Deleted %v Errors %v", out.Deleted, out.Errors)
	}
	quiet, err := e.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("bkt"), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("b")}}, Quiet: aws.Bool(true),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(quiet.Deleted) != 0 {
		t.Errorf("quiet mode listed deletions: %v", quiet.Deleted)
	}
	list, err := e.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != "c" {
		t.Errorf("remaining = %v", list.Contents)
	}
	resp := e.raw(t, http.MethodPost, "/bkt?delete", strings.NewReader("<Delete><Object><Key>c</Key></Object></Delete>"), nil)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("DeleteObjects without Content-MD5 or checksum = %d, want 400", resp.StatusCode)
	}
}

func TestCopyObject(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.createBucket(t, "src")
	e.createBucket(t, "dst")
	body := []byte("copy me")
	if _, err := e.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("a b/orig"),
		Body: bytes.NewReader(body), ContentType: aws.String("text/csv"), Metadata: map[string]string{"m": "1"}}); err != nil {
		t.Fatal(err)
	}
	out, err := e.client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String("src/a%20b/orig")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.CopyObjectResult.ETag) != md5ETag(body) || out.CopyObjectResult.LastModified == nil {
		t.Errorf("CopyObjectResult = %+v", out.CopyObjectResult)
	}
	head, err := e.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(head.ContentType) != "text/csv" || head.Metadata["m"] != "1" {
		t.Errorf("COPY directive lost metadata: %q %v", aws.ToString(head.ContentType), head.Metadata)
	}
	if _, err := e.client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String("dst/copy"),
		MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("application/json"), Metadata: map[string]string{"n": "2"}}); err != nil {
		t.Fatal(err)
	}
	head, err = e.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(head.ContentType) != "application/json" || head.Metadata["n"] != "2" || head.Metadata["m"] != "" {
		t.Errorf("REPLACE directive: %q %v", aws.ToString(head.ContentType), head.Metadata)
	}
	if got := e.get(t, "dst", "copy"); !bytes.Equal(got, body) {
		t.Errorf("copied body %q", got)
	}
	// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html: copying an object onto itself needs a change.
	_, err = e.client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String("dst/copy")})
	wantAPIError(t, err, "InvalidRequest", http.StatusBadRequest)
	_, err = e.client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("x"), CopySource: aws.String("src/missing")})
	wantAPIError(t, err, "NoSuchKey", http.StatusNotFound)
	_, err = e.client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("x"), CopySource: aws.String("src/a%20b/orig"),
		CopySourceIfMatch: aws.String(`"different"`)})
	wantAPIError(t, err, "PreconditionFailed", http.StatusPreconditionFailed)
}
