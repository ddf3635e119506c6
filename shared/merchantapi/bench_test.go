package merchantapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	localddb "github.com/paylane/paylane/infra/localcloud/dynamodb"
	"github.com/paylane/paylane/shared/auth"
	"github.com/paylane/paylane/shared/dynamostore"
	"github.com/paylane/paylane/shared/idempotency"
	"github.com/paylane/paylane/shared/merchant"
	"github.com/paylane/paylane/shared/merchantapi"
	"github.com/paylane/paylane/shared/mockpg"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/pgclient"
	"github.com/paylane/paylane/shared/ratelimit"
)

// inProcess is an http.RoundTripper that hands requests straight to a handler: the whole
// SDK path (serialising, signing, parsing) without sockets.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// meter counts DynamoDB round trips and the write and read units they consumed.
type meter struct {
	mu       sync.Mutex
	calls    map[string]int
	wcu, rcu float64
}

func (m *meter) record(op string, wcu, rcu float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls[op]++
	m.wcu += wcu
	m.rcu += rcu
}

func (m *meter) total() (calls int) {
	for _, n := range m.calls {
		calls += n
	}
	return calls
}

// rig is the authorize path of one function instance against a DynamoDB (the local
// cloud's) and the mock PG.
type rig struct {
	api      *merchantapi.API
	meter    *meter
	payments *dynamostore.Payments
}

func newRig(b testing.TB, transport http.RoundTripper, ddbURL string) *rig {
	b.Helper()
	ctx := context.Background()
	db := dynamodb.New(dynamodb.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(ddbURL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:  &http.Client{Transport: transport},
	})
	for _, name := range []string{"payments", "merchants", "ledger"} {
		in := &dynamodb.CreateTableInput{
			TableName: aws.String(name), BillingMode: types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{
				{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
				{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
			},
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
			},
		}
		if name == "payments" {
			in.AttributeDefinitions = append(in.AttributeDefinitions,
				types.AttributeDefinition{AttributeName: aws.String("gsi1pk"), AttributeType: types.ScalarAttributeTypeS},
				types.AttributeDefinition{AttributeName: aws.String("gsi1sk"), AttributeType: types.ScalarAttributeTypeS})
			in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{{
				IndexName: aws.String("gsi1"),
				KeySchema: []types.KeySchemaElement{
					{AttributeName: aws.String("gsi1pk"), KeyType: types.KeyTypeHash},
					{AttributeName: aws.String("gsi1sk"), KeyType: types.KeyTypeRange},
				},
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
			}}
			in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages}
		}
		if _, err := db.CreateTable(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("ratelimit"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
	}); err != nil {
		b.Fatal(err)
	}
	m := &meter{calls: map[string]int{}}
	opts := dynamostore.Options{Now: time.Now, Meter: m.record}
	merchants := dynamostore.NewMerchants(db, "merchants", opts)
	for id, secret := range map[string]string{"m_bench": "s", "m_demo": "secret1"} {
		if err := merchants.Create(ctx, merchant.Merchant{ID: id, Secret: secret, Status: merchant.Active, RateLimitPerSecond: 1_000_000, FeeRateBps: 250}); err != nil {
			b.Fatal(err)
		}
	}
	pgServer := httptest.NewServer(mockpg.New(mockpg.Options{}))
	b.Cleanup(pgServer.Close)
	payments := dynamostore.NewPayments(db, "payments", opts)
	ids := 0
	var idMu sync.Mutex
	return &rig{meter: m, payments: payments, api: &merchantapi.API{
		Payments: &payment.Service{
			Store: payments,
			PG:    pgclient.New(pgclient.Options{BaseURL: pgServer.URL, HTTP: pgServer.Client(), Timeout: 3 * time.Second}),
			NewID: func() string {
				idMu.Lock()
				defer idMu.Unlock()
				ids++
				return "ev-" + strconv.Itoa(ids)
			},
			Now: time.Now,
		},
		// The merchant cache keeps the merchant read out of the per-request count, as in a
		// warm instance.
		Verifier: &auth.Verifier{Merchants: &merchant.Cache{Store: merchants, TTL: time.Hour, Now: time.Now}, Now: time.Now},
		Limiter:  &ratelimit.Limiter{Counter: dynamostore.NewRateCounter(db, "ratelimit", opts), Now: time.Now},
		Guard:    &idempotency.Guard{Store: payments, Now: time.Now, DefaultLease: 30 * time.Second},
		Balances: dynamostore.NewLedger(db, "ledger", opts),
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	}}
}

func signedAuthorize(i int) events.APIGatewayV2HTTPRequest {
	body := fmt.Sprintf(`{"amount":%d,"currency":"KRW","orderId":"order-%d","paymentMethod":"pm_card_visa"}`, 1000+i, i)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req := events.APIGatewayV2HTTPRequest{
		RouteKey: "POST /v1/payments", RawPath: "/v1/payments", Body: body,
		Headers: map[string]string{
			"x-merchant-id": "m_bench", "x-timestamp": ts, "idempotency-key": fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), i),
			"x-signature": auth.Sign("s", ts, "POST", "/v1/payments", []byte(body)),
		},
	}
	req.RequestContext.HTTP.Method = "POST"
	return req
}

// BenchmarkAuthorize measures the authorize handler, end to end minus API Gateway and the
// Lambda runtime: signature check, rate limit, idempotency claim, PG call, and the final
// transaction. It reports DynamoDB round trips and write units per authorize; the floor is
// one TransactWriteItems of the payment, its outbox event and the idempotency record.
//
//	go test -run '^$' -bench Authorize -benchmem ./shared/merchantapi/
func BenchmarkAuthorize(b *testing.B) {
	for _, mode := range []string{"loopback", "in-process"} {
		b.Run(mode, func(b *testing.B) {
			// A fresh DynamoDB per run: the benchmark function runs several times.
			ddb := localddb.New(localddb.Options{})
			b.Cleanup(ddb.Close)
			transport, url := http.RoundTripper(inProcess{ddb}), "http://dynamodb.local"
			if mode == "loopback" {
				srv := httptest.NewServer(ddb)
				b.Cleanup(srv.Close)
				transport, url = srv.Client().Transport, srv.URL
			}
			r := newRig(b, transport, url)
			ctx := context.Background()
			reqs := make([]events.APIGatewayV2HTTPRequest, b.N)
			for i := range reqs {
				reqs[i] = signedAuthorize(i)
			}
			r.meter.mu.Lock()
			r.meter.calls, r.meter.wcu, r.meter.rcu = map[string]int{}, 0, 0
			r.meter.mu.Unlock()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				resp, err := r.api.Authorize(ctx, reqs[i])
				if err != nil || resp.StatusCode != http.StatusCreated {
					b.Fatalf("authorize: %v %d %s", err, resp.StatusCode, resp.Body)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(r.meter.total())/float64(b.N), "ddb-calls/op")
			b.ReportMetric(r.meter.wcu/float64(b.N), "wcu/op")
			b.ReportMetric(r.meter.rcu/float64(b.N), "rcu/op")
			if testing.Verbose() {
				b.Logf("DynamoDB calls per authorize by operation: %v (over %d)", r.meter.calls, b.N)
			}
		})
	}
}

// TestWriteUnitsPerRequest pins what each effectful request costs in DynamoDB: round trips
// and write units (what on-demand capacity bills). Rises are design changes, not noise.
func TestWriteUnitsPerRequest(t *testing.T) {
	ddb := localddb.New(localddb.Options{})
	t.Cleanup(ddb.Close)
	r := newRig(t, inProcess{ddb}, "http://dynamodb.local")
	ctx := context.Background()
	measure := func(name string, req events.APIGatewayV2HTTPRequest, wantStatus int) (calls int, wcu float64, body string) {
		t.Helper()
		r.meter.mu.Lock()
		r.meter.calls, r.meter.wcu, r.meter.rcu = map[string]int{}, 0, 0
		r.meter.mu.Unlock()
		resp, err := map[string]func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error){
			"authorize": r.api.Authorize, "capture": r.api.Capture, "refund": r.api.Refund,
		}[name](ctx, req)
		if err != nil || resp.StatusCode != wantStatus {
			t.Fatalf("%s: %v %d %s", name, err, resp.StatusCode, resp.Body)
		}
		t.Logf("%s: %d DynamoDB calls %v, %.1f WCU, %.1f RCU", name, r.meter.total(), r.meter.calls, r.meter.wcu, r.meter.rcu)
		return r.meter.total(), r.meter.wcu, resp.Body
	}
	measure("authorize", signedAuthorize(0), http.StatusCreated) // a warm instance has the merchant cached
	calls, wcu, body := measure("authorize", signedAuthorize(1), http.StatusCreated)
	// Floor: one TransactWriteItems (payment + outbox + idempotency completion, 2 WCU each,
	// plus 1 for the merchant index) = 7. Above it: the idempotency claim (1) and the rate
	// counter (1).
	if calls != 3 || wcu > 9 {
		t.Errorf("authorize: %d calls, %.1f WCU; want 3 calls and at most 9 WCU", calls, wcu)
	}
	var p struct{ ID string }
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	calls, wcu, _ = measure("capture", signedPost("/v1/payments/"+p.ID+"/capture", "", map[string]string{"id": p.ID}), http.StatusAccepted)
	if calls != 4 || wcu > 9 {
		t.Errorf("capture: %d calls, %.1f WCU; want 4 calls (counter, claim, read, transaction) and at most 9 WCU", calls, wcu)
	}
	// The settlement worker (next issue) confirms the capture; then a refund.
	stored, err := r.payments.Get(ctx, "m_bench", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := stored.CaptureSucceeded("pgcap_bench", "ev-captured", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := r.payments.Update(ctx, stored, []payment.Event{ev}, nil); err != nil {
		t.Fatal(err)
	}
	calls, wcu, _ = measure("refund", signedPost("/v1/payments/"+p.ID+"/refunds", `{"amount":100}`, map[string]string{"id": p.ID}), http.StatusAccepted)
	if calls != 4 || wcu > 9 {
		t.Errorf("refund: %d calls, %.1f WCU; want 4 calls and at most 9 WCU", calls, wcu)
	}
}

func signedPost(path, body string, params map[string]string) events.APIGatewayV2HTTPRequest {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req := events.APIGatewayV2HTTPRequest{
		RawPath: path, Body: body, PathParameters: params,
		Headers: map[string]string{
			"x-merchant-id": "m_bench", "x-timestamp": ts, "idempotency-key": fmt.Sprintf("k-%d", time.Now().UnixNano()),
			"x-signature": auth.Sign("s", ts, "POST", path, []byte(body)),
		},
	}
	req.RequestContext.HTTP.Method = "POST"
	return req
}
