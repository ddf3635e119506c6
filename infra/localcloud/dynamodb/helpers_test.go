package dynamodb

import (
	"context"
	"errors"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/smithy-go"
	"github.com/paylane/paylane/infra/localcloud/sdktest"
)

// fakeClock is a settable clock for TTL, retention and token windows.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// testEnv is a Service behind an httptest server with SDK clients.
type testEnv struct {
	svc     *Service
	clock   *fakeClock
	db      *ddb.Client
	streams *dynamodbstreams.Client
}

func newTestEnv(t *testing.T, tweak ...func(*Options)) *testEnv {
	t.Helper()
	clock := newFakeClock()
	opts := Options{Now: clock.Now, TTLSweepInterval: -1}
	for _, f := range tweak {
		f(&opts)
	}
	svc := New(opts)
	srv := httptest.NewServer(svc)
	t.Cleanup(func() {
		srv.Close()
		svc.Close()
	})
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:  srv.Client(),
		Retryer:     sdktest.ConnectionRetryer,
	}
	return &testEnv{
		svc:   svc,
		clock: clock,
		db: ddb.NewFromConfig(cfg, func(o *ddb.Options) {
			o.BaseEndpoint = aws.String(srv.URL)
		}),
		streams: dynamodbstreams.NewFromConfig(cfg, func(o *dynamodbstreams.Options) {
			o.BaseEndpoint = aws.String(srv.URL)
		}),
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// createTable creates a PAY_PER_REQUEST table with string keys pk (and sk
// when withSort), optionally with a stream.
func (e *testEnv) createTable(t *testing.T, name string, withSort bool, viewType ddbtypes.StreamViewType) {
	t.Helper()
	in := &ddb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
		},
		KeySchema: []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
	}
	if withSort {
		in.AttributeDefinitions = append(in.AttributeDefinitions, ddbtypes.AttributeDefinition{AttributeName: aws.String("sk"), AttributeType: ddbtypes.ScalarAttributeTypeS})
		in.KeySchema = append(in.KeySchema, ddbtypes.KeySchemaElement{AttributeName: aws.String("sk"), KeyType: ddbtypes.KeyTypeRange})
	}
	if viewType != "" {
		in.StreamSpecification = &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: viewType}
	}
	if _, err := e.db.CreateTable(ctx(t), in); err != nil {
		t.Fatalf("CreateTable %s: %v", name, err)
	}
}

func (e *testEnv) put(t *testing.T, table string, item map[string]ddbtypes.AttributeValue) {
	t.Helper()
	if _, err := e.db.PutItem(ctx(t), &ddb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}
}

func s(v string) ddbtypes.AttributeValue   { return &ddbtypes.AttributeValueMemberS{Value: v} }
func n(v string) ddbtypes.AttributeValue   { return &ddbtypes.AttributeValueMemberN{Value: v} }
func boolv(v bool) ddbtypes.AttributeValue { return &ddbtypes.AttributeValueMemberBOOL{Value: v} }

// str returns the string of an S attribute ("" otherwise).
func str(item map[string]ddbtypes.AttributeValue, name string) string {
	if v, ok := item[name].(*ddbtypes.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// num returns the text of an N attribute ("" otherwise).
func num(item map[string]ddbtypes.AttributeValue, name string) string {
	if v, ok := item[name].(*ddbtypes.AttributeValueMemberN); ok {
		return v.Value
	}
	return ""
}

// apiCode returns the error code of an SDK error ("" for nil).
func apiCode(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "non-API error: " + err.Error()
}

func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}
