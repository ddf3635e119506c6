//lint:file-ignore SA1019 feature/s3/manager is the transfer module go.mod carries; its successor is not a dependency.

package s3_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.Uint64())
	}
	return b
}

// multipartETag is how S3 forms the ETag of a multipart object: the MD5 of
// the concatenated binary part MD5s, then "-" and the part count.
func multipartETag(data []byte, partSize int) string {
	var sums []byte
	n := 0
	for off := 0; off < len(data); off += partSize {
		s := md5.Sum(data[off:min(off+partSize, len(data))])
		sums = append(sums, s[:]...)
		n++
	}
	all := md5.Sum(sums)
	return fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(all[:]), n)
}

// compositeCRC32 is the COMPOSITE checksum of a multipart object: the CRC32
// of the concatenated raw part CRC32s, then "-" and the part count.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html#large-object-checksums
func compositeCRC32(data []byte, partSize int) string {
	var sums []byte
	n := 0
	for off := 0; off < len(data); off += partSize {
		sums = binary.BigEndian.AppendUint32(sums, crc32.ChecksumIEEE(data[off:min(off+partSize, len(data))]))
		n++
	}
	var out [4]byte
	binary.BigEndian.PutUint32(out[:], crc32.ChecksumIEEE(sums))
	return fmt.Sprintf("%s-%d", base64.StdEncoding.EncodeToString(out[:]), n)
}

func TestManagerUploadDownload(t *testing.T) {
	t.Parallel()
	const size, partSize = 12 << 20, 5 << 20
	data := randomBytes(size, 1)
	for _, transport := range []string{"http", "https"} {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			var opts []envOption
			if transport == "https" {
				opts = append(opts, withTLS())
			}
			e := newEnv(t, opts...)
			ctx := context.Background()
			e.createBucket(t, "statements")
			up := manager.NewUploader(e.client, func(u *manager.Uploader) { u.PartSize = partSize })
			res, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String("statements"), Key: aws.String("2025/03/big.csv"), Body: bytes.NewReader(data)})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.CompletedParts) != 3 {
				t.Errorf("uploaded %d parts, want 3", len(res.CompletedParts))
			}
			if want := multipartETag(data, partSize); aws.ToString(res.ETag) != want {
				t.Errorf("ETag = %s, want %s", aws.ToString(res.ETag), want)
			}
			// The uploader asks for CRC32, which S3 combines as COMPOSITE by default.
			if want := compositeCRC32(data, partSize); aws.ToString(res.ChecksumCRC32) != want || res.ChecksumType != types.ChecksumTypeComposite {
				t.Errorf("ChecksumCRC32 = %s (%s), want %s COMPOSITE", aws.ToString(res.ChecksumCRC32), res.ChecksumType, want)
			}

			down := manager.NewDownloader(e.client, func(d *manager.Downloader) { d.PartSize = partSize })
			buf := manager.NewWriteAtBuffer(make([]byte, 0, size))
			n, err := down.Download(ctx, buf, &s3.GetObjectInput{Bucket: aws.String("statements"), Key: aws.String("2025/03/big.csv")})
			if err != nil {
				t.Fatal(err)
			}
			if n != size || !bytes.Equal(buf.Bytes(), data) {
				t.Fatalf("downloaded %d bytes, equal=%v", n, bytes.Equal(buf.Bytes(), data))
			}

			head, err := e.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("statements"), Key: aws.String("2025/03/big.csv"), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(head.ChecksumCRC32) != compositeCRC32(data, partSize) || aws.ToInt64(head.ContentLength) != size {
				t.Errorf("HeadObject checksum %s length %d", aws.ToString(head.ChecksumCRC32), aws.ToInt64(head.ContentLength))
			}
			// A part read alone carries its own checksum, which the SDK validates.
			part, err := e.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("statements"), Key: aws.String("2025/03/big.csv"),
				PartNumber: aws.Int32(3), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(part.Body)
			part.Body.Close()
			if err != nil || !bytes.Equal(got, data[2*partSize:]) || aws.ToInt32(part.PartsCount) != 3 {
				t.Errorf("part 3: %v, %d bytes, PartsCount %d", err, len(got), aws.ToInt32(part.PartsCount))
			}
		})
	}
}

// mpu runs the low-level multipart calls of one upload.
type mpu struct {
	t      *testing.T
	e      *env
	bucket string
	key    string
	id     string
}

func startMPU(t *testing.T, e *env, bucket, key string) *mpu {
	out, err := e.client.CreateMultipartUpload(context.Background(), &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	return &mpu{t: t, e: e, bucket: bucket, key: key, id: aws.ToString(out.UploadId)}
}

func (m *mpu) part(n int32, body []byte) types.CompletedPart {
	out, err := m.e.client.UploadPart(context.Background(), &s3.UploadPartInput{Bucket: aws.String(m.bucket), Key: aws.String(m.key),
		UploadId: aws.String(m.id), PartNumber: aws.Int32(n), Body: bytes.NewReader(body)})
	if err != nil {
		m.t.Fatalf("UploadPart %d: %v", n, err)
	}
	return types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag}
}

func (m *mpu) complete(parts ...types.CompletedPart) (*s3.CompleteMultipartUploadOutput, error) {
	return m.e.client.CompleteMultipartUpload(context.Background(), &s3.CompleteMultipartUploadInput{Bucket: aws.String(m.bucket), Key: aws.String(m.key),
		UploadId: aws.String(m.id), MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
}

func TestCompleteMultipartUploadErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createBucket(t, "bkt")
	big := randomBytes(5<<20, 2)
	small := []byte("tail")

	t.Run("part order", func(t *testing.T) {
		t.Parallel()
		m := startMPU(t, e, "bkt", "order")
		p1, p2 := m.part(1, big), m.part(2, small)
		_, err := m.complete(p2, p1)
		wantAPIError(t, err, "InvalidPartOrder", http.StatusBadRequest)
	})
	t.Run("wrong etag", func(t *testing.T) {
		t.Parallel()
		m := startMPU(t, e, "bkt", "etag")
		p1 := m.part(1, big)
		p1.ETag = aws.String(md5ETag([]byte("something else")))
		_, err := m.complete(p1)
		wantAPIError(t, err, "InvalidPart", http.StatusBadRequest)
	})
	t.Run("missing part", func(t *testing.T) {
		t.Parallel()
		m := startMPU(t, e, "bkt", "missing")
		p1 := m.part(1, big)
		_, err := m.complete(p1, types.CompletedPart{PartNumber: aws.Int32(2), ETag: p1.ETag})
		wantAPIError(t, err, "InvalidPart", http.StatusBadRequest)
	})
	t.Run("wrong part checksum", func(t *testing.T) {
		t.Parallel()
		m := startMPU(t, e, "bkt", "cksum")
		p1 := m.part(1, small)
		p1.ChecksumCRC32 = aws.String(base64.StdEncoding.EncodeToString([]byte{1, 2, 3, 4}))
		_, err := m.complete(p1)
		wantAPIError(t, err, "InvalidPart", http.StatusBadRequest)
	})
	// Every part but the last must be at least 5 MiB:
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html
	t.Run("entity too small", func(t *testing.T) {
		t.Parallel()
		m := startMPU(t, e, "bkt", "small")
		p1, p2 := m.part(1, small), m.part(2, small)
		_, err := m.complete(p1, p2)
		wantAPIError(t, err, "EntityTooSmall", http.StatusBadRequest)
	})
	t.Run("small last part and gaps in numbering are fine", func(t *testing.T) {
		t.Parallel()
		m := startMPU(t, e, "bkt", "gaps")
		p1, p7 := m.part(1, big), m.part(7, small)
		m.part(3, small) // uploaded but left out of the object
		out, err := m.complete(p1, p7)
		if err != nil {
			t.Fatal(err)
		}
		want := append(slices.Clone(big), small...)
		if got := e.get(t, "bkt", "gaps"); !bytes.Equal(got, want) {
			t.Errorf("assembled %d bytes, want %d", len(got), len(want))
		}
		if !strings.HasSuffix(aws.ToString(out.ETag), `-2"`) {
			t.Errorf("ETag %s does not end in -2", aws.ToString(out.ETag))
		}
		// The upload is gone once completed.
		_, err = m.complete(p1, p7)
		wantAPIError(t, err, "NoSuchUpload", http.StatusNotFound)
	})
	t.Run("abort", func(t *testing.T) {
		t.Parallel()
		m := startMPU(t, e, "bkt", "abort")
		m.part(1, small)
		if _, err := e.client.AbortMultipartUpload(context.Background(), &s3.AbortMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("abort"), UploadId: aws.String(m.id)}); err != nil {
			t.Fatal(err)
		}
		_, err := e.client.UploadPart(context.Background(), &s3.UploadPartInput{Bucket: aws.String("bkt"), Key: aws.String("abort"),
			UploadId: aws.String(m.id), PartNumber: aws.Int32(2), Body: bytes.NewReader(small)})
		wantAPIError(t, err, "NoSuchUpload", http.StatusNotFound)
		_, err = e.client.ListParts(context.Background(), &s3.ListPartsInput{Bucket: aws.String("bkt"), Key: aws.String("abort"), UploadId: aws.String(m.id)})
		wantAPIError(t, err, "NoSuchUpload", http.StatusNotFound)
	})
	t.Run("part number range", func(t *testing.T) {
		t.Parallel()
		m := startMPU(t, e, "bkt", "range")
		_, err := e.client.UploadPart(context.Background(), &s3.UploadPartInput{Bucket: aws.String("bkt"), Key: aws.String("range"),
			UploadId: aws.String(m.id), PartNumber: aws.Int32(10001), Body: bytes.NewReader(small)})
		wantAPIError(t, err, "InvalidArgument", http.StatusBadRequest)
	})
}

func TestListPartsAndUploads(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.createBucket(t, "bkt")
	m := startMPU(t, e, "bkt", "docs/a")
	for n := int32(1); n <= 3; n++ {
		m.part(n, []byte(strings.Repeat("x", int(n))))
	}
	m2 := startMPU(t, e, "bkt", "docs/b")
	startMPU(t, e, "bkt", "other/c")

	var parts []int32
	p := s3.NewListPartsPaginator(e.client, &s3.ListPartsInput{Bucket: aws.String("bkt"), Key: aws.String("docs/a"), UploadId: aws.String(m.id), MaxParts: aws.Int32(2)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, pt := range out.Parts {
			parts = append(parts, aws.ToInt32(pt.PartNumber))
			if aws.ToInt64(pt.Size) != int64(aws.ToInt32(pt.PartNumber)) || aws.ToString(pt.ETag) == "" {
				t.Errorf("part %+v", pt)
			}
		}
	}
	if !slices.Equal(parts, []int32{1, 2, 3}) {
		t.Errorf("ListParts = %v", parts)
	}

	out, err := e.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("bkt"), Prefix: aws.String("docs/")})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, u := range out.Uploads {
		ids = append(ids, aws.ToString(u.UploadId))
	}
	if !slices.Equal(ids, []string{m.id, m2.id}) {
		t.Errorf("uploads under docs/ = %v, want %v", ids, []string{m.id, m2.id})
	}
	out, err = e.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("bkt"), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	if got := prefixesOf(out.CommonPrefixes); !slices.Equal(got, []string{"docs/", "other/"}) || len(out.Uploads) != 0 {
		t.Errorf("uploads with delimiter: prefixes %v uploads %d", got, len(out.Uploads))
	}
	page, err := e.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("bkt"), MaxUploads: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	next, err := e.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("bkt"), MaxUploads: aws.Int32(5),
		KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(page.IsTruncated) || len(next.Uploads) != 2 || aws.ToString(next.Uploads[0].Key) != "docs/b" {
		t.Errorf("paging uploads: first truncated=%v, next %d uploads", aws.ToBool(page.IsTruncated), len(next.Uploads))
	}
}

func TestUploadPartCopy(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMinPartSize(4))
	ctx := context.Background()
	e.createBucket(t, "bkt")
	e.put(t, "bkt", "src", []byte("0123456789"))
	m := startMPU(t, e, "bkt", "dst")
	cp, err := e.client.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("bkt"), Key: aws.String("dst"), UploadId: aws.String(m.id),
		PartNumber: aws.Int32(1), CopySource: aws.String("bkt/src"), CopySourceRange: aws.String("bytes=2-7")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cp.CopyPartResult.ETag) != md5ETag([]byte("234567")) {
		t.Errorf("CopyPartResult ETag %s", aws.ToString(cp.CopyPartResult.ETag))
	}
	p2 := m.part(2, []byte("!"))
	if _, err := m.complete(types.CompletedPart{PartNumber: aws.Int32(1), ETag: cp.CopyPartResult.ETag}, p2); err != nil {
		t.Fatal(err)
	}
	if got := e.get(t, "bkt", "dst"); string(got) != "234567!" {
		t.Errorf("assembled %q", got)
	}
	_, err = e.client.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("bkt"), Key: aws.String("dst"), UploadId: aws.String("gone"),
		PartNumber: aws.Int32(1), CopySource: aws.String("bkt/src"), CopySourceRange: aws.String("bytes=2-7")})
	wantAPIError(t, err, "NoSuchUpload", http.StatusNotFound)
	m = startMPU(t, e, "bkt", "dst2")
	_, err = e.client.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("bkt"), Key: aws.String("dst2"), UploadId: aws.String(m.id),
		PartNumber: aws.Int32(1), CopySource: aws.String("bkt/src"), CopySourceRange: aws.String("bytes=5-10")})
	wantAPIError(t, err, "InvalidArgument", http.StatusBadRequest)
}

// FULL_OBJECT checksums cover the assembled bytes rather than the parts.
func TestMultipartFullObjectChecksum(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMinPartSize(4))
	ctx := context.Background()
	e.createBucket(t, "bkt")
	out, err := e.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("k"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c, ChecksumType: types.ChecksumTypeFullObject})
	if err != nil {
		t.Fatal(err)
	}
	m := &mpu{t: t, e: e, bucket: "bkt", key: "k", id: aws.ToString(out.UploadId)}
	var parts []types.CompletedPart
	for i, chunk := range []string{"first part ", "second"} {
		up, err := e.client.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("bkt"), Key: aws.String("k"), UploadId: aws.String(m.id),
			PartNumber: aws.Int32(int32(i + 1)), Body: strings.NewReader(chunk), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(up.ChecksumCRC32C) != crc32c([]byte(chunk)) {
			t.Errorf("part %d checksum %s", i+1, aws.ToString(up.ChecksumCRC32C))
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: up.ETag, ChecksumCRC32C: up.ChecksumCRC32C})
	}
	done, err := m.complete(parts...)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(done.ChecksumCRC32C) != crc32c([]byte("first part second")) || done.ChecksumType != types.ChecksumTypeFullObject {
		t.Errorf("complete checksum %s %s", aws.ToString(done.ChecksumCRC32C), done.ChecksumType)
	}
	get, err := e.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(get.Body)
	get.Body.Close()
	if err != nil || string(b) != "first part second" {
		t.Errorf("GetObject: %q %v", b, err)
	}
	_, err = e.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("k"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256, ChecksumType: types.ChecksumTypeFullObject})
	wantAPIError(t, err, "InvalidRequest", http.StatusBadRequest)
}
