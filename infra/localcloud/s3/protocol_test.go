package s3_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// chunked frames data as aws-chunked, with chunk signatures when signed.
func chunked(data []byte, chunk int, signed bool, trailer string) []byte {
	var b bytes.Buffer
	sig := ""
	if signed {
		sig = ";chunk-signature=" + strings.Repeat("0", 64)
	}
	for off := 0; off < len(data); off += chunk {
		end := min(off+chunk, len(data))
		fmt.Fprintf(&b, "%x%s\r\n", end-off, sig)
		b.Write(data[off:end])
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "0%s\r\n", sig)
	if trailer != "" {
		b.WriteString(trailer + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

func errorCode(t *testing.T, resp *http.Response) string {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	_, rest, ok := strings.Cut(string(body), "<Code>")
	if !ok {
		return ""
	}
	code, _, _ := strings.Cut(rest, "</Code>")
	return code
}

// Hand-made aws-chunked uploads in each framing S3 accepts:
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
func TestStreamingUploads(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createBucket(t, "bkt")
	data := randomBytes(20000, 3)
	crc := "x-amz-checksum-crc32c:" + crc32c(data)
	cases := []struct {
		name    string
		body    []byte
		headers map[string]string
		status  int
		code    string
	}{
		{"signed payload", chunked(data, 8192, true, ""), map[string]string{
			"x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "Content-Encoding": "aws-chunked"}, 200, ""},
		{"signed payload with trailer", chunked(data, 8192, true, crc+"\r\nx-amz-trailer-signature:"+strings.Repeat("1", 64)), map[string]string{
			"x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "x-amz-trailer": "x-amz-checksum-crc32c"}, 200, ""},
		{"unsigned trailer", chunked(data, 65536, false, crc), map[string]string{
			"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "Content-Encoding": "aws-chunked", "x-amz-trailer": "x-amz-checksum-crc32c"}, 200, ""},
		{"wrong trailer checksum", chunked(data, 65536, false, "x-amz-checksum-crc32c:"+crc32c([]byte("x"))), map[string]string{
			"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-trailer": "x-amz-checksum-crc32c"}, 400, "BadDigest"},
		{"announced trailer missing", chunked(data, 65536, false, ""), map[string]string{
			"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-trailer": "x-amz-checksum-crc32c"}, 400, "MalformedTrailerError"},
		{"decoded length mismatch", chunked(data, 65536, false, ""), map[string]string{
			"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-decoded-content-length": "19999"}, 400, "IncompleteBody"},
		{"small signed chunk", chunked(data, 1000, true, ""), map[string]string{
			"x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"}, 400, "InvalidChunkSizeError"},
		{"no decoded length", chunked(data, 65536, false, ""), map[string]string{
			"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-decoded-content-length": ""}, 411, "MissingContentLength"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := map[string]string{"x-amz-decoded-content-length": strconv.Itoa(len(data))}
			for k, v := range tc.headers {
				h[k] = v
			}
			if h["x-amz-decoded-content-length"] == "" {
				delete(h, "x-amz-decoded-content-length")
			}
			key := fmt.Sprintf("/bkt/stream-%d", i)
			resp := e.raw(t, http.MethodPut, key, bytes.NewReader(tc.body), h)
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d (%s), want %d", resp.StatusCode, errorCode(t, resp), tc.status)
			}
			if tc.code != "" {
				if got := errorCode(t, resp); got != tc.code {
					t.Errorf("code = %q, want %q", got, tc.code)
				}
				return
			}
			if got := e.get(t, "bkt", strings.TrimPrefix(key, "/bkt/")); !bytes.Equal(got, data) {
				t.Errorf("stored %d bytes, not the decoded payload", len(got))
			}
		})
	}
}

func TestSignedPayloadHash(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createBucket(t, "bkt")
	body := []byte("signed body")
	good := sha256.Sum256(body)
	if resp := e.raw(t, http.MethodPut, "/bkt/ok", bytes.NewReader(body), map[string]string{"x-amz-content-sha256": hex.EncodeToString(good[:])}); resp.StatusCode != 200 {
		t.Errorf("matching x-amz-content-sha256: %d", resp.StatusCode)
	}
	bad := sha256.Sum256([]byte("other"))
	resp := e.raw(t, http.MethodPut, "/bkt/bad", bytes.NewReader(body), map[string]string{"x-amz-content-sha256": hex.EncodeToString(bad[:])})
	if resp.StatusCode != 400 || errorCode(t, resp) != "XAmzContentSHA256Mismatch" {
		t.Errorf("mismatching x-amz-content-sha256: %d", resp.StatusCode)
	}
}

func TestRequestFraming(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createBucket(t, "bkt")
	// PutObject needs a length: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
	req, _ := http.NewRequest(http.MethodPut, e.srv.URL+"/bkt/k", io.MultiReader(strings.NewReader("no length")))
	req.ContentLength = -1
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusLengthRequired {
		t.Errorf("PUT without Content-Length = %d, want 411", resp.StatusCode)
	}
	resp = e.raw(t, http.MethodPut, "/bkt/"+strings.Repeat("k", 1025), strings.NewReader("x"), nil)
	if resp.StatusCode != 400 || errorCode(t, resp) != "KeyTooLongError" {
		t.Errorf("1025-byte key = %d", resp.StatusCode)
	}
	ok := e.raw(t, http.MethodGet, "/", nil, nil)
	if ok.StatusCode != 200 || ok.Header.Get("x-amz-request-id") == "" || ok.Header.Get("x-amz-id-2") == "" {
		t.Errorf("ListBuckets: %d, request id %q", ok.StatusCode, ok.Header.Get("x-amz-request-id"))
	}
}

func TestVirtualHostedStyle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createBucket(t, "vhost.bucket")
	put, _ := http.NewRequest(http.MethodPut, e.srv.URL+"/dir/file%20one.txt", strings.NewReader("via host"))
	put.Host = "vhost.bucket.localhost:4566"
	resp, err := e.srv.Client().Do(put)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("virtual-hosted PUT = %d", resp.StatusCode)
	}
	if got := e.get(t, "vhost.bucket", "dir/file one.txt"); string(got) != "via host" {
		t.Errorf("path-style read of a virtual-hosted write = %q", got)
	}
	list, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/?list-type=2", nil)
	list.Host = "vhost.bucket.localhost"
	resp, err = e.srv.Client().Do(list)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "<Key>dir/file one.txt</Key>") {
		t.Errorf("virtual-hosted listing = %s", body)
	}
}

// Browser-based uploads: https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html
func TestPostObject(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.queues.add(csvQueue)
	e.createBucket(t, "bkt")
	if err := putNotification(e, "bkt", queueConfig("post", csvQueue, []types.Event{"s3:ObjectCreated:Post"})); err != nil {
		t.Fatal(err)
	}
	e.queues.take(csvQueue)
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("key", "uploads/${filename}")
	_ = w.WriteField("Content-Type", "text/csv")
	_ = w.WriteField("x-amz-meta-source", "browser")
	_ = w.WriteField("success_action_status", "201")
	fw, _ := w.CreateFormFile("file", "report.csv")
	_, _ = fw.Write([]byte("a,b\n1,2\n"))
	_ = w.Close()
	resp := e.raw(t, http.MethodPost, "/bkt", &b, map[string]string{"Content-Type": w.FormDataContentType()})
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(string(body), "<Key>uploads/report.csv</Key>") {
		t.Fatalf("POST = %d %s", resp.StatusCode, body)
	}
	head, err := e.client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("uploads/report.csv")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(head.ContentType) != "text/csv" || head.Metadata["source"] != "browser" || aws.ToString(head.ETag) != md5ETag([]byte("a,b\n1,2\n")) {
		t.Errorf("posted object: %q %v %s", aws.ToString(head.ContentType), head.Metadata, aws.ToString(head.ETag))
	}
	recs := decodeRecords(t, e.queues.take(csvQueue))
	if len(recs) != 1 || recs[0].EventName != "ObjectCreated:Post" {
		t.Errorf("records = %+v", recs)
	}
}

// Everything not implemented answers 501 NotImplemented naming the operation.
func TestNotImplemented(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.createBucket(t, "bkt")
	e.put(t, "bkt", "k", []byte("x"))
	calls := map[string]func() error{
		"PutBucketVersioning": func() error {
			_, err := e.client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("bkt"),
				VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
			return err
		},
		"GetBucketAcl": func() error {
			_, err := e.client.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("bkt")})
			return err
		},
		"PutBucketLifecycleConfiguration": func() error {
			_, err := e.client.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("bkt"),
				LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{Status: types.ExpirationStatusEnabled,
					Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}}}}})
			return err
		},
		"ListObjectVersions": func() error {
			_, err := e.client.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("bkt")})
			return err
		},
		"PutObjectTagging": func() error {
			_, err := e.client.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("bkt"), Key: aws.String("k"),
				Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}})
			return err
		},
		"GetObjectAttributes": func() error {
			_, err := e.client.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("bkt"), Key: aws.String("k"),
				ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag}})
			return err
		},
		"PutBucketCors": func() error {
			_, err := e.client.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("bkt"), CORSConfiguration: &types.CORSConfiguration{
				CORSRules: []types.CORSRule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"*"}}}}})
			return err
		},
	}
	for op, call := range calls {
		t.Run(op, func(t *testing.T) {
			t.Parallel()
			err := call()
			wantAPIError(t, err, "NotImplemented", http.StatusNotImplemented)
			if err != nil && !strings.Contains(err.Error(), op) {
				t.Errorf("error %v does not name %s", err, op)
			}
		})
	}
}

// Settings templates commonly set are stored and returned, not enforced.
func TestStoredBucketSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.createBucket(t, "bkt")
	b := aws.String("bkt")

	_, err := e.client.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
	wantAPIError(t, err, "NoSuchBucketPolicy", http.StatusNotFound)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::bkt/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	if _, err := e.client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	gp, err := e.client.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
	if err != nil {
		t.Fatal(err)
	}
	var a, want any
	_ = json.Unmarshal([]byte(aws.ToString(gp.Policy)), &a)
	_ = json.Unmarshal([]byte(policy), &want)
	if fmt.Sprint(a) != fmt.Sprint(want) {
		t.Errorf("GetBucketPolicy = %s", aws.ToString(gp.Policy))
	}
	_, err = e.client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String("not json")})
	wantAPIError(t, err, "MalformedPolicy", http.StatusBadRequest)

	if _, err := e.client.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	pab, err := e.client.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	if err != nil || !aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicAcls) || aws.ToBool(pab.PublicAccessBlockConfiguration.IgnorePublicAcls) {
		t.Errorf("GetPublicAccessBlock = %+v, %v", pab, err)
	}

	enc, err := e.client.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
	if err != nil || enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 {
		t.Errorf("default encryption = %+v, %v", enc, err)
	}
	if _, err := e.client.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
		Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms}}}}}); err != nil {
		t.Fatal(err)
	}
	enc, err = e.client.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
	if err != nil || enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAwsKms {
		t.Errorf("stored encryption = %+v, %v", enc, err)
	}

	_, err = e.client.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	wantAPIError(t, err, "NoSuchTagSet", http.StatusNotFound)
	if _, err := e.client.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("team"), Value: aws.String("payments")}}}}); err != nil {
		t.Fatal(err)
	}
	tags, err := e.client.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	if err != nil || len(tags.TagSet) != 1 || aws.ToString(tags.TagSet[0].Value) != "payments" {
		t.Errorf("GetBucketTagging = %+v, %v", tags, err)
	}
	if _, err := e.client.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	wantAPIError(t, err, "NoSuchTagSet", http.StatusNotFound)
}

func TestUnsupportedObjectOptions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.createBucket(t, "bkt")
	cases := map[string]s3.PutObjectInput{
		"archive storage class": {StorageClass: types.StorageClassGlacier},
		"KMS encryption":        {ServerSideEncryption: types.ServerSideEncryptionAwsKms},
		"object tags":           {Tagging: aws.String("a=b")},
		"SSE-C":                 {SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String("MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE="), SSECustomerKeyMD5: aws.String("x")},
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in.Bucket, in.Key, in.Body = aws.String("bkt"), aws.String("k"), strings.NewReader("x")
			_, err := e.client.PutObject(ctx, &in)
			wantAPIError(t, err, "NotImplemented", http.StatusNotImplemented)
		})
	}
	if _, err := e.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("ia"), Body: strings.NewReader("x"),
		StorageClass: types.StorageClassStandardIa}); err != nil {
		t.Fatalf("STANDARD_IA: %v", err)
	}
	out, err := e.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt")})
	if err != nil || len(out.Contents) != 1 || out.Contents[0].StorageClass != types.ObjectStorageClassStandardIa {
		t.Errorf("listing = %+v, %v", out, err)
	}
	_, err = e.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("bkt"), ExpectedBucketOwner: aws.String("111111111111")})
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusForbidden {
		t.Errorf("wrong expected bucket owner = %v, want 403", err)
	}
}

// Over HTTPS the SDK sends the checksums of XML bodies as aws-chunked trailers too.
func TestXMLBodiesOverTLS(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withTLS())
	ctx := context.Background()
	e.queues.add(csvQueue)
	e.createBucket(t, "bkt")
	e.put(t, "bkt", "a", []byte("x"))
	out, err := e.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("bkt"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("a")}}}})
	if err != nil || len(out.Deleted) != 1 {
		t.Errorf("DeleteObjects = %+v, %v", out, err)
	}
	if err := putNotification(e, "bkt", queueConfig("q", csvQueue, []types.Event{"s3:ObjectCreated:*"})); err != nil {
		t.Errorf("PutBucketNotificationConfiguration: %v", err)
	}
	if _, err := e.client.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("bkt"), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}}); err != nil {
		t.Errorf("PutBucketTagging: %v", err)
	}
}
