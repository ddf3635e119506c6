package recontest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	localdynamodb "github.com/paylane/paylane/infra/localcloud/dynamodb"
	"github.com/paylane/paylane/infra/localcloud/sdktest"
	"github.com/paylane/paylane/shared/dynamostore"
)

// Table is the name of the reconciliation table in the tests, as template.yaml names it
// for the stack "paylane".
const Table = "paylane-reconciliation"

// Clock is a settable clock; the zero value reads the real time until Set.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now.IsZero() {
		return time.Now()
	}
	return c.now
}

// Set sets the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Advance moves a set clock.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Env is a local DynamoDB with the reconciliation table.
type Env struct {
	DB    *dynamodb.Client
	Clock *Clock
}

// NewEnv serves a local DynamoDB (TTL sweeps off) behind an HTTP server for the test,
// and creates the reconciliation table as template.yaml declares it. The client does not
// retry: a test sees every failure.
func NewEnv(t testing.TB) *Env {
	t.Helper()
	clk := &Clock{}
	svc := localdynamodb.New(localdynamodb.Options{Now: clk.Now, TTLSweepInterval: -1})
	srv := httptest.NewServer(svc)
	t.Cleanup(func() {
		srv.Close()
		svc.Close()
	})
	db := dynamodb.New(dynamodb.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), HTTPClient: srv.Client(),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		Retryer:     sdktest.ConnectionRetryer(),
	})
	CreateTable(t, db, Table)
	return &Env{DB: db, Clock: clk}
}

// NewLoadEnv is NewEnv for benchmarks: the client keeps a connection per goroutine and
// retries as a function's does (the SDK's standard retryer, without its rate limit).
//
// The retries are needed under load: smithy-go closes a request's body as soon as the
// response headers arrive, and net/http may still be reading that body to check it ended
// at its Content-Length; the read fails, the transport closes the connection, and the
// response being read fails with "use of closed network connection". On loopback, with
// dozens of requests in flight, that happens every few hundred thousand requests.
func NewLoadEnv(b testing.TB) *Env {
	b.Helper()
	clk := &Clock{}
	svc := localdynamodb.New(localdynamodb.Options{Now: clk.Now, TTLSweepInterval: -1})
	srv := httptest.NewServer(svc)
	b.Cleanup(func() {
		srv.Close()
		svc.Close()
	})
	env := NewLoadEnvAt(b, srv.URL)
	env.Clock = clk
	return env
}

// NewLoadEnvAt is NewLoadEnv on a DynamoDB already served at endpoint (another process's).
func NewLoadEnvAt(b testing.TB, endpoint string) *Env {
	b.Helper()
	tr := &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128, IdleConnTimeout: time.Minute}
	b.Cleanup(tr.CloseIdleConnections)
	db := dynamodb.New(dynamodb.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint), HTTPClient: &http.Client{Transport: tr},
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.RateLimiter = ratelimit.None
			o.MaxAttempts = 5
		}),
	})
	CreateTable(b, db, Table)
	return &Env{DB: db, Clock: &Clock{}}
}

// CreateTable creates a reconciliation table: pk S, sk S, TTL expiresAt.
func CreateTable(t testing.TB, db *dynamodb.Client, name string) {
	t.Helper()
	ctx := context.Background()
	str := func(n string) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: types.ScalarAttributeTypeS}
	}
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{str("pk"), str("sk")},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
	})
	if err != nil {
		t.Fatalf("creating the reconciliation table: %v", err)
	}
	_, err = db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("expiresAt"), Enabled: aws.Bool(true)},
	})
	if err != nil {
		t.Fatalf("enabling TTL on the reconciliation table: %v", err)
	}
}

// Store returns the adapter on the table, on db (e.DB when nil) and the env's clock.
func (e *Env) Store(db dynamostore.ReconDB) *dynamostore.Recon {
	if db == nil {
		db = e.DB
	}
	return dynamostore.NewRecon(db, Table, dynamostore.Options{Now: e.Clock.Now})
}

// NewStoreOn returns the adapter on the reconciliation table of db, with the real clock.
func NewStoreOn(db dynamostore.ReconDB) *dynamostore.Recon {
	return dynamostore.NewRecon(db, Table, dynamostore.Options{})
}
