package s3_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestBucketLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	for _, name := range []string{"zeta-bucket", "alpha-bucket", "mid.bucket"} {
		e.createBucket(t, name)
	}
	list, err := e.client.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range list.Buckets {
		names = append(names, aws.ToString(b.Name))
		if b.CreationDate == nil || aws.ToString(b.BucketRegion) != "us-east-1" {
			t.Errorf("bucket %s: CreationDate %v, BucketRegion %q", aws.ToString(b.Name), b.CreationDate, aws.ToString(b.BucketRegion))
		}
	}
	if want := []string{"alpha-bucket", "mid.bucket", "zeta-bucket"}; !slices.Equal(names, want) {
		t.Errorf("ListBuckets = %v, want %v", names, want)
	}
	if list.Owner == nil || aws.ToString(list.Owner.ID) == "" {
		t.Error("ListBuckets has no Owner")
	}

	head, err := e.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("alpha-bucket")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(head.BucketRegion) != "us-east-1" {
		t.Errorf("HeadBucket region = %q", aws.ToString(head.BucketRegion))
	}
	// GetBucketLocation reports us-east-1 as an empty constraint:
	// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html
	loc, err := e.client.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("alpha-bucket")})
	if err != nil {
		t.Fatal(err)
	}
	if loc.LocationConstraint != "" {
		t.Errorf("LocationConstraint = %q, want empty for us-east-1", loc.LocationConstraint)
	}

	e.put(t, "alpha-bucket", "k", []byte("x"))
	_, err = e.client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha-bucket")})
	wantAPIError(t, err, "BucketNotEmpty", http.StatusConflict)

	if _, err := e.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("alpha-bucket"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha-bucket")}); err != nil {
		t.Fatalf("DeleteBucket of an emptied bucket: %v", err)
	}
	_, err = e.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("alpha-bucket")})
	var nf *types.NotFound
	if !errors.As(err, &nf) {
		t.Errorf("HeadBucket after delete = %v, want NotFound", err)
	}
	_, err = e.client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha-bucket")})
	wantAPIError(t, err, "NoSuchBucket", http.StatusNotFound)
}

func TestListBucketsPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, n := range []string{"b-1", "b-2", "b-3", "c-1"} {
		e.createBucket(t, n)
	}
	var got []string
	p := s3.NewListBucketsPaginator(e.client, &s3.ListBucketsInput{Prefix: aws.String("b-"), MaxBuckets: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, b := range out.Buckets {
			got = append(got, aws.ToString(b.Name))
		}
	}
	if want := []string{"b-1", "b-2", "b-3"}; !slices.Equal(got, want) || pages != 2 {
		t.Errorf("paged buckets = %v in %d pages, want %v in 2", got, pages, want)
	}
}

func TestCreateBucketErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("invalid names", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		for _, name := range []string{"ab", "UpperCase", "-leading", "trailing-", "two..dots", "192.168.1.1", "xn--punycode", "under_score"} {
			_, err := e.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
			wantAPIError(t, err, "InvalidBucketName", http.StatusBadRequest)
		}
	})

	// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html#API_CreateBucket_Errors
	t.Run("already owned outside us-east-1", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, withRegion("eu-west-1"))
		in := &s3.CreateBucketInput{Bucket: aws.String("mine"), CreateBucketConfiguration: &types.CreateBucketConfiguration{
			LocationConstraint: types.BucketLocationConstraintEuWest1,
		}}
		if _, err := e.client.CreateBucket(ctx, in); err != nil {
			t.Fatal(err)
		}
		_, err := e.client.CreateBucket(ctx, in)
		var owned *types.BucketAlreadyOwnedByYou
		if !errors.As(err, &owned) {
			t.Errorf("second CreateBucket = %v, want BucketAlreadyOwnedByYou", err)
		}
		loc, err := e.client.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("mine")})
		if err != nil || loc.LocationConstraint != types.BucketLocationConstraintEuWest1 {
			t.Errorf("GetBucketLocation = %v, %v; want eu-west-1", loc, err)
		}
	})

	t.Run("already owned in us-east-1 succeeds for legacy compatibility", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.createBucket(t, "mine")
		e.put(t, "mine", "kept", []byte("data"))
		e.createBucket(t, "mine")
		if got := e.get(t, "mine", "kept"); string(got) != "data" {
			t.Errorf("object after re-create = %q", got)
		}
	})

	t.Run("location constraints", func(t *testing.T) {
		t.Parallel()
		east := newEnv(t)
		_, err := east.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bucket-1"),
			CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}})
		wantAPIError(t, err, "IllegalLocationConstraintException", http.StatusBadRequest)
		_, err = east.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bucket-2"),
			CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "us-east-1"}})
		wantAPIError(t, err, "InvalidLocationConstraint", http.StatusBadRequest)
		west := newEnv(t, withRegion("eu-west-1"))
		_, err = west.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bucket-3")})
		wantAPIError(t, err, "IllegalLocationConstraintException", http.StatusBadRequest)
	})
}

func TestNoSuchBucket(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	missing := aws.String("missing")
	calls := map[string]func() error{
		"PutObject": func() error {
			_, err := e.client.PutObject(ctx, &s3.PutObjectInput{Bucket: missing, Key: aws.String("k")})
			return err
		},
		"GetObject": func() error {
			_, err := e.client.GetObject(ctx, &s3.GetObjectInput{Bucket: missing, Key: aws.String("k")})
			return err
		},
		"ListObjectsV2": func() error {
			_, err := e.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: missing})
			return err
		},
		"GetBucketLocation": func() error {
			_, err := e.client.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: missing})
			return err
		},
		"CreateMultipartUpload": func() error {
			_, err := e.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: missing, Key: aws.String("k")})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := call()
			wantAPIError(t, err, "NoSuchBucket", http.StatusNotFound)
		})
	}
}
