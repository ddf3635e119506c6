package s3_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func keysOf(objs []types.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, aws.ToString(o.Key))
	}
	return out
}

func prefixesOf(ps []types.CommonPrefix) []string {
	var out []string
	for _, p := range ps {
		out = append(out, aws.ToString(p.Prefix))
	}
	return out
}

func listingEnv(t *testing.T) *env {
	e := newEnv(t)
	e.createBucket(t, "bkt")
	for _, k := range []string{
		"2024/01/a.csv", "2024/01/b.csv", "2024/02/c.csv", "2025/01/d.csv",
		"readme.txt", "reports/q1.pdf", "reports/q2.pdf", "z last",
	} {
		e.put(t, "bkt", k, []byte(k))
	}
	return e
}

func TestListObjectsV2(t *testing.T) {
	t.Parallel()
	e := listingEnv(t)
	cases := []struct {
		name      string
		in        s3.ListObjectsV2Input
		keys      []string
		prefixes  []string
		truncated bool
	}{
		{name: "all", keys: []string{"2024/01/a.csv", "2024/01/b.csv", "2024/02/c.csv", "2025/01/d.csv", "readme.txt", "reports/q1.pdf", "reports/q2.pdf", "z last"}},
		{name: "delimiter", in: s3.ListObjectsV2Input{Delimiter: aws.String("/")},
			keys: []string{"readme.txt", "z last"}, prefixes: []string{"2024/", "2025/", "reports/"}},
		{name: "prefix and delimiter", in: s3.ListObjectsV2Input{Prefix: aws.String("2024/"), Delimiter: aws.String("/")},
			prefixes: []string{"2024/01/", "2024/02/"}},
		{name: "prefix", in: s3.ListObjectsV2Input{Prefix: aws.String("re")}, keys: []string{"readme.txt", "reports/q1.pdf", "reports/q2.pdf"}},
		{name: "start-after", in: s3.ListObjectsV2Input{StartAfter: aws.String("readme.txt")}, keys: []string{"reports/q1.pdf", "reports/q2.pdf", "z last"}},
		{name: "max-keys counts prefixes", in: s3.ListObjectsV2Input{Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)},
			prefixes: []string{"2024/", "2025/"}, truncated: true},
		{name: "multi-character delimiter", in: s3.ListObjectsV2Input{Delimiter: aws.String("/0")},
			keys: []string{"readme.txt", "reports/q1.pdf", "reports/q2.pdf", "z last"}, prefixes: []string{"2024/0", "2025/0"}},
		{name: "no match", in: s3.ListObjectsV2Input{Prefix: aws.String("nothing")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := tc.in
			in.Bucket = aws.String("bkt")
			out, err := e.client.ListObjectsV2(context.Background(), &in)
			if err != nil {
				t.Fatal(err)
			}
			if got := keysOf(out.Contents); !slices.Equal(got, tc.keys) {
				t.Errorf("keys = %q, want %q", got, tc.keys)
			}
			if got := prefixesOf(out.CommonPrefixes); !slices.Equal(got, tc.prefixes) {
				t.Errorf("prefixes = %q, want %q", got, tc.prefixes)
			}
			if aws.ToBool(out.IsTruncated) != tc.truncated || (out.NextContinuationToken != nil) != tc.truncated {
				t.Errorf("IsTruncated %v NextContinuationToken %v, want truncated %v", aws.ToBool(out.IsTruncated), out.NextContinuationToken, tc.truncated)
			}
			if int(aws.ToInt32(out.KeyCount)) != len(tc.keys)+len(tc.prefixes) {
				t.Errorf("KeyCount = %d, want %d", aws.ToInt32(out.KeyCount), len(tc.keys)+len(tc.prefixes))
			}
		})
	}
	t.Run("object fields", func(t *testing.T) {
		t.Parallel()
		out, err := e.client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), Prefix: aws.String("readme")})
		if err != nil || len(out.Contents) != 1 {
			t.Fatalf("%v %v", out, err)
		}
		o := out.Contents[0]
		if aws.ToInt64(o.Size) != int64(len("readme.txt")) || aws.ToString(o.ETag) != md5ETag([]byte("readme.txt")) || o.LastModified == nil || o.StorageClass != types.ObjectStorageClassStandard {
			t.Errorf("object = %+v", o)
		}
	})
}

// Paging with any page size must visit every entry exactly once, whether the
// page ends on a key or on a common prefix.
func TestListObjectsV2Paging(t *testing.T) {
	t.Parallel()
	e := listingEnv(t)
	for _, delim := range []string{"", "/"} {
		full, err := e.client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), Delimiter: aws.String(delim)})
		if err != nil {
			t.Fatal(err)
		}
		for size := int32(1); size <= 4; size++ {
			p := s3.NewListObjectsV2Paginator(e.client, &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), Delimiter: aws.String(delim), MaxKeys: aws.Int32(size)})
			var keys, prefixes []string
			for p.HasMorePages() {
				out, err := p.NextPage(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if n := len(out.Contents) + len(out.CommonPrefixes); n > int(size) {
					t.Errorf("page of %d entries with max-keys %d", n, size)
				}
				keys = append(keys, keysOf(out.Contents)...)
				prefixes = append(prefixes, prefixesOf(out.CommonPrefixes)...)
			}
			if !slices.Equal(keys, keysOf(full.Contents)) || !slices.Equal(prefixes, prefixesOf(full.CommonPrefixes)) {
				t.Errorf("delimiter %q page size %d: keys %q prefixes %q", delim, size, keys, prefixes)
			}
		}
	}
	_, err := e.client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), ContinuationToken: aws.String("garbage!")})
	wantAPIError(t, err, "InvalidArgument", http.StatusBadRequest)
}

// With encoding-type=url, keys and prefixes come back URL-encoded:
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html#API_ListObjectsV2_RequestSyntax
func TestListEncodingTypeURL(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createBucket(t, "bkt")
	e.put(t, "bkt", "dir one/a+b=c.txt", nil)
	e.put(t, "bkt", "ctl\x01char", nil)
	out, err := e.client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), EncodingType: types.EncodingTypeUrl})
	if err != nil {
		t.Fatal(err)
	}
	if out.EncodingType != types.EncodingTypeUrl {
		t.Errorf("EncodingType = %q", out.EncodingType)
	}
	want := []string{"ctl%01char", "dir+one/a%2Bb%3Dc.txt"}
	if got := keysOf(out.Contents); !slices.Equal(got, want) {
		t.Fatalf("encoded keys = %q, want %q", got, want)
	}
	for i, k := range keysOf(out.Contents) {
		if dec, err := url.QueryUnescape(k); err != nil || dec != []string{"ctl\x01char", "dir one/a+b=c.txt"}[i] {
			t.Errorf("QueryUnescape(%q) = %q, %v", k, dec, err)
		}
	}
	resp := e.raw(t, http.MethodGet, "/bkt?list-type=2&encoding-type=base64", nil, nil)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad encoding-type = %d", resp.StatusCode)
	}
}

func TestListObjectsV1(t *testing.T) {
	t.Parallel()
	e := listingEnv(t)
	out, err := e.client.ListObjects(context.Background(), &s3.ListObjectsInput{Bucket: aws.String("bkt"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(out.IsTruncated) || aws.ToString(out.NextMarker) != "2025/" || !slices.Equal(prefixesOf(out.CommonPrefixes), []string{"2024/", "2025/"}) {
		t.Fatalf("page 1: truncated %v next %q prefixes %q", aws.ToBool(out.IsTruncated), aws.ToString(out.NextMarker), prefixesOf(out.CommonPrefixes))
	}
	out, err = e.client.ListObjects(context.Background(), &s3.ListObjectsInput{Bucket: aws.String("bkt"), Delimiter: aws.String("/"), Marker: out.NextMarker})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToBool(out.IsTruncated) || !slices.Equal(keysOf(out.Contents), []string{"readme.txt", "z last"}) || !slices.Equal(prefixesOf(out.CommonPrefixes), []string{"reports/"}) {
		t.Errorf("page 2: keys %q prefixes %q", keysOf(out.Contents), prefixesOf(out.CommonPrefixes))
	}
	if len(out.Contents) > 0 && out.Contents[0].Owner == nil {
		t.Error("ListObjects v1 entries carry an Owner")
	}
}
