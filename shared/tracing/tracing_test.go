package tracing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-xray-sdk-go/strategy/ctxmissing"
	"github.com/aws/aws-xray-sdk-go/strategy/sampling"
	"github.com/aws/aws-xray-sdk-go/xray"

	localdynamodb "github.com/paylane/paylane/infra/localcloud/dynamodb"
	"github.com/paylane/paylane/shared/tracing"
)

// newDynamoDB returns a client of the local cloud's DynamoDB, instrumented.
func newDynamoDB(t *testing.T) *dynamodb.Client {
	t.Helper()
	svc := localdynamodb.New(localdynamodb.Options{TTLSweepInterval: -1})
	srv := httptest.NewServer(svc)
	t.Cleanup(func() { srv.Close(); svc.Close() })
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
	}
	tracing.AWS(&cfg)
	return dynamodb.NewFromConfig(cfg)
}

// useTable creates a table and writes then reads one item with ctx.
func useTable(ctx context.Context, t *testing.T, db *dynamodb.Client) {
	t.Helper()
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("payments"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "pay_1"}}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("payments"), Item: key}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("payments"), Key: key})
	if err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	if got, ok := out.Item["pk"].(*types.AttributeValueMemberS); !ok || got.Value != "pay_1" {
		t.Fatalf("GetItem returned %v", out.Item)
	}
}

// sampleAll samples every segment, so that tests do not depend on the
// SDK's default reservoir of one trace a second.
type sampleAll struct{}

func (sampleAll) ShouldTrace(*sampling.Request) *sampling.Decision {
	return &sampling.Decision{Sample: true}
}

// daemon is a fake X-Ray daemon: a UDP socket the SDK's default emitter
// sends segments to.
type daemon struct {
	t    *testing.T
	conn *net.UDPConn
}

func newDaemon(t *testing.T) *daemon {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &daemon{t: t, conn: conn}
}

// segmentContext returns a context holding a sampled segment that will be
// sent to d when closed.
func (d *daemon) segmentContext(name string) (context.Context, *xray.Segment) {
	d.t.Helper()
	emitter, err := xray.NewDefaultEmitter(d.conn.LocalAddr().(*net.UDPAddr))
	if err != nil {
		d.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.t.Cleanup(cancel)
	ctx, err = xray.ContextWithConfig(ctx, xray.Config{Emitter: emitter, SamplingStrategy: sampleAll{}})
	if err != nil {
		d.t.Fatal(err)
	}
	return xray.BeginSegment(ctx, name)
}

// subsegment is what the tests read of a subsegment.
type subsegment struct {
	Name      string         `json:"name"`
	Namespace string         `json:"namespace"`
	AWS       map[string]any `json:"aws"`
	HTTP      struct {
		Request  struct{ Method, URL string } `json:"request"`
		Response struct{ Status int }         `json:"response"`
	} `json:"http"`
	Subsegments []subsegment `json:"subsegments"`
}

// segment reads the next segment document the daemon receives.
func (d *daemon) segment() (traceID string, subs []subsegment) {
	d.t.Helper()
	buf := make([]byte, 64<<10)
	if err := d.conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		d.t.Fatal(err)
	}
	n, err := d.conn.Read(buf)
	if err != nil {
		d.t.Fatalf("no segment reached the daemon: %v", err)
	}
	header, body, ok := bytes.Cut(buf[:n], []byte("\n"))
	if !ok || !bytes.Contains(header, []byte(`"format": "json"`)) {
		d.t.Fatalf("not an X-Ray daemon packet: %q", buf[:n])
	}
	var doc struct {
		TraceID     string            `json:"trace_id"`
		Subsegments []json.RawMessage `json:"subsegments"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		d.t.Fatalf("segment: %v: %s", err, body)
	}
	for _, raw := range doc.Subsegments {
		var s subsegment
		if err := json.Unmarshal(raw, &s); err != nil {
			d.t.Fatalf("subsegment: %v", err)
		}
		subs = append(subs, s)
	}
	return doc.TraceID, subs
}

// Lambda starts every function with AWS_XRAY_CONTEXT_MISSING=LOG_ERROR,
// which the SDK would prefer to the strategy given to xray.Configure.
func TestConfigureOverridesLambdasLogError(t *testing.T) {
	t.Setenv("AWS_XRAY_CONTEXT_MISSING", ctxmissing.LogErrorStrategy)
	tracing.Configure()
	if got := os.Getenv("AWS_XRAY_CONTEXT_MISSING"); got != ctxmissing.IgnoreErrorStrategy {
		t.Errorf("AWS_XRAY_CONTEXT_MISSING = %q, want %q", got, ctxmissing.IgnoreErrorStrategy)
	}
}

func TestAWSWithoutSegment(t *testing.T) {
	t.Parallel()
	useTable(context.Background(), t, newDynamoDB(t))
}

func TestAWSWithSegment(t *testing.T) {
	t.Parallel()
	d := newDaemon(t)
	ctx, seg := d.segmentContext("authorize")
	useTable(ctx, t, newDynamoDB(t))
	seg.Close(nil)

	traceID, subs := d.segment()
	if traceID != seg.TraceID {
		t.Errorf("trace id %q, want %q", traceID, seg.TraceID)
	}
	var ops []string
	for _, s := range subs {
		if s.Name != "DynamoDB" || s.Namespace != "aws" {
			t.Errorf("subsegment %q in namespace %q, want DynamoDB in aws", s.Name, s.Namespace)
		}
		if s.AWS["region"] != "us-east-1" {
			t.Errorf("subsegment region %v", s.AWS["region"])
		}
		op, _ := s.AWS["operation"].(string)
		ops = append(ops, op)
	}
	if got, want := strings.Join(ops, ","), "CreateTable,PutItem,GetItem"; got != want {
		t.Errorf("operations %s, want %s", got, want)
	}
}

// server answers 200 and remembers the X-Amzn-Trace-Id header it received.
func server(t *testing.T) (*httptest.Server, *atomic.Value) {
	t.Helper()
	var header atomic.Value
	header.Store("")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header.Store(r.Header.Get(xray.TraceIDHeaderKey))
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv, &header
}

func get(ctx context.Context, t *testing.T, c *http.Client, u string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestHTTPClientWithoutSegment(t *testing.T) {
	t.Parallel()
	srv, header := server(t)
	get(context.Background(), t, tracing.HTTPClient(srv.Client()), srv.URL+"/v1/authorizations")
	if h := header.Load().(string); h != "" {
		t.Errorf("a call without a segment sent a trace header %q", h)
	}
}

func TestHTTPClientWithSegment(t *testing.T) {
	t.Parallel()
	srv, header := server(t)
	d := newDaemon(t)
	ctx, seg := d.segmentContext("authorize")
	get(ctx, t, tracing.HTTPClient(srv.Client()), srv.URL+"/v1/authorizations?x=secret")
	seg.Close(nil)

	if h := header.Load().(string); !strings.Contains(h, "Root="+seg.TraceID) {
		t.Errorf("trace header %q does not carry trace %s", h, seg.TraceID)
	}
	_, subs := d.segment()
	host := strings.TrimPrefix(srv.URL, "http://")
	if len(subs) != 1 {
		t.Fatalf("%d subsegments, want 1: %+v", len(subs), subs)
	}
	s := subs[0]
	if s.Name != host || s.Namespace != "remote" {
		t.Errorf("subsegment %q in %q, want %q in remote", s.Name, s.Namespace, host)
	}
	if s.HTTP.Request.Method != "GET" || s.HTTP.Response.Status != 200 {
		t.Errorf("http %+v", s.HTTP)
	}
	if strings.Contains(s.HTTP.Request.URL, "secret") {
		t.Errorf("the query string reached the trace: %s", s.HTTP.Request.URL)
	}
}

// In Lambda the handler's context carries the trace header, not a segment;
// the SDK makes a facade segment from it.
func TestHTTPClientWithLambdaTraceHeader(t *testing.T) {
	t.Parallel()
	srv, header := server(t)
	//lint:ignore SA1029 the key is the string aws-lambda-go puts the trace header under
	ctx := context.WithValue(context.Background(), xray.LambdaTraceHeaderKey, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0")
	get(ctx, t, tracing.HTTPClient(srv.Client()), srv.URL)
	if h := header.Load().(string); !strings.Contains(h, "Root=1-5759e988-bd862e3fe1be46a994272793") {
		t.Errorf("trace header %q does not continue the Lambda trace", h)
	}
}

type countingTransport struct {
	n    atomic.Int32
	base http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

func TestHTTPClientKeepsTheClientsSettings(t *testing.T) {
	t.Parallel()
	srv, _ := server(t)
	d := newDaemon(t)
	errNoRedirect := errors.New("no redirects")
	base := &countingTransport{base: srv.Client().Transport}
	c := tracing.HTTPClient(&http.Client{
		Transport:     base,
		Timeout:       7 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return errNoRedirect },
	})
	if c.Timeout != 7*time.Second || c.CheckRedirect == nil || c.CheckRedirect(nil, nil) != errNoRedirect {
		t.Errorf("settings lost: %+v", c)
	}
	ctx, seg := d.segmentContext("x")
	get(context.Background(), t, c, srv.URL)
	get(ctx, t, c, srv.URL)
	seg.Close(nil)
	if n := base.n.Load(); n != 2 {
		t.Errorf("the client's transport served %d calls, want 2 (with and without a segment)", n)
	}
}

func TestHTTPClientNil(t *testing.T) {
	t.Parallel()
	srv, _ := server(t)
	c := tracing.HTTPClient(nil)
	if c == http.DefaultClient {
		t.Fatal("HTTPClient(nil) returned http.DefaultClient itself")
	}
	get(context.Background(), t, c, srv.URL)
}

func TestHTTPClientConnectionError(t *testing.T) {
	t.Parallel()
	srv, _ := server(t)
	u, _ := url.Parse(srv.URL)
	srv.Close()
	d := newDaemon(t)
	ctx, seg := d.segmentContext("x")
	for _, ctx := range []context.Context{context.Background(), ctx} {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if resp, err := tracing.HTTPClient(nil).Do(req); err == nil {
			resp.Body.Close()
			t.Error("a call to a closed server succeeded")
		}
	}
	seg.Close(nil)
}
