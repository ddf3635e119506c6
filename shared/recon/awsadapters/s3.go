package awsadapters

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/paylane/paylane/shared/recon"
)

// S3API is what Bucket needs of *s3.Client: reading objects, and the uploads of the
// transfer manager.
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	manager.UploadAPIClient
}

var _ S3API = (*s3.Client)(nil)

// Upload sizes: parts of 8 MiB, two in flight, so a report of any size is uploaded in
// about 16 MiB of memory.
const (
	uploadPartSize    = 8 << 20
	uploadConcurrency = 2
)

// Bucket opens statements from any bucket S3 names in a notification, and writes reports
// to its own bucket.
type Bucket struct {
	client S3API
	//lint:ignore SA1019 see NewBucket.
	uploader *manager.Uploader
	name     string
}

var (
	_ recon.Objects      = (*Bucket)(nil)
	_ recon.ReportWriter = (*Bucket)(nil)
)

// NewBucket returns the adapter writing reports to bucket.
func NewBucket(client S3API, bucket string) *Bucket {
	//lint:ignore SA1019 the brief asks for the SDK's manager; transfermanager, which supersedes it, is not a dependency yet.
	up := manager.NewUploader(client, func(u *manager.Uploader) {
		u.PartSize = uploadPartSize
		u.Concurrency = uploadConcurrency
	})
	return &Bucket{client: client, uploader: up, name: bucket}
}

// Open returns the object's body as a stream; the caller closes it.
func (b *Bucket) Open(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("opening s3://%s/%s: %w", bucket, key, err)
	}
	return out.Body, nil
}

// Put uploads what body yields as the object key of the bucket: one PutObject when it is
// smaller than a part, a multipart upload otherwise, aborted if body fails.
func (b *Bucket) Put(ctx context.Context, key string, body io.Reader) error {
	//lint:ignore SA1019 see NewBucket.
	_, err := b.uploader.Upload(ctx, &s3.PutObjectInput{
		Bucket: aws.String(b.name), Key: aws.String(key), Body: body,
		ContentType: aws.String("text/csv; charset=utf-8"),
	})
	if err != nil {
		return fmt.Errorf("writing s3://%s/%s: %w", b.name, key, err)
	}
	return nil
}
