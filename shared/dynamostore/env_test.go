package dynamostore

import (
	"context"
	"errors"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	localdynamodb "github.com/paylane/paylane/infra/localcloud/dynamodb"
	"github.com/paylane/paylane/infra/localcloud/sdktest"
	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/payment"
)

// clock is a settable clock shared by the local DynamoDB and the stores.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// env is one local DynamoDB, behind an HTTP server and the real SDK client, with the
// tables of template.yaml.
type env struct {
	db                             *dynamodb.Client
	clock                          *clock
	payments, merchants, rateLimit string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	clk := &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	// The TTL sweeper is off: expired items stay readable, as they do in AWS until the
	// background delete comes, and the stores must treat them as expired themselves.
	svc := localdynamodb.New(localdynamodb.Options{Now: clk.Now, TTLSweepInterval: -1})
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
	e := &env{
		db:        dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(srv.URL) }),
		clock:     clk,
		payments:  "paylane-payments",
		merchants: "paylane-merchants",
		rateLimit: "paylane-ratelimit",
	}
	e.createTables(t)
	return e
}

// createTables declares the tables as template.yaml does.
func (e *env) createTables(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	str := func(name string) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: types.ScalarAttributeTypeS}
	}
	key := func(hash, rng string) []types.KeySchemaElement {
		k := []types.KeySchemaElement{{AttributeName: aws.String(hash), KeyType: types.KeyTypeHash}}
		if rng != "" {
			k = append(k, types.KeySchemaElement{AttributeName: aws.String(rng), KeyType: types.KeyTypeRange})
		}
		return k
	}
	tables := []*dynamodb.CreateTableInput{
		{
			TableName:            aws.String(e.payments),
			BillingMode:          types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{str("pk"), str("sk"), str("gsi1pk"), str("gsi1sk")},
			KeySchema:            key("pk", "sk"),
			GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
				IndexName:  aws.String("gsi1"),
				KeySchema:  key("gsi1pk", "gsi1sk"),
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
			}},
			StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages},
		},
		{
			TableName:            aws.String(e.merchants),
			BillingMode:          types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{str("pk"), str("sk")},
			KeySchema:            key("pk", "sk"),
		},
		{
			TableName:            aws.String(e.rateLimit),
			BillingMode:          types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{str("pk")},
			KeySchema:            key("pk", ""),
		},
	}
	for _, in := range tables {
		if _, err := e.db.CreateTable(ctx, in); err != nil {
			t.Fatalf("creating table %s: %v", *in.TableName, err)
		}
	}
	for _, name := range []string{e.payments, e.rateLimit} {
		_, err := e.db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
			TableName:               aws.String(name),
			TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("expiresAt"), Enabled: aws.Bool(true)},
		})
		if err != nil {
			t.Fatalf("enabling TTL on %s: %v", name, err)
		}
	}
}

func (e *env) paymentsStore(db DB) *Payments {
	if db == nil {
		db = e.db
	}
	return NewPayments(db, e.payments, Options{Now: e.clock.Now})
}

func (e *env) merchantsStore(db DB) *Merchants {
	if db == nil {
		db = e.db
	}
	return NewMerchants(db, e.merchants, Options{Now: e.clock.Now})
}

// rawItem reads an item as stored, bypassing the stores.
func (e *env) rawItem(t testing.TB, table string, key item) item {
	t.Helper()
	out, err := e.db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	return out.Item
}

// outboxItems returns the outbox records of a payment, in sort-key order.
func (e *env) outboxItems(t testing.TB, paymentID string) []item {
	t.Helper()
	out, err := e.db.Query(context.Background(), &dynamodb.QueryInput{
		TableName:                 aws.String(e.payments),
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :outbox)"),
		ExpressionAttributeValues: item{":pk": avS(paymentPK(paymentID)), ":outbox": avS("OUTBOX#")},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("Query outbox: %v", err)
	}
	return out.Items
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// authorized returns a new AUTHORIZED payment and its event, made by the domain.
func authorized(id, merchantID string, amount int64, at time.Time) (*payment.Payment, payment.Event) {
	return payment.Authorize(payment.NewPayment{
		ID: id, MerchantID: merchantID, OrderID: "order-" + id, Amount: amount, Currency: "KRW",
	}, payment.Authorization{Approved: true, PGTransactionID: "pgtx_" + id}, "ev_auth_"+id, at)
}

// mustInsert stores a new authorized payment.
func mustInsert(t testing.TB, s *Payments, p *payment.Payment, ev payment.Event) {
	t.Helper()
	if err := s.Insert(context.Background(), p, ev, nil); err != nil {
		t.Fatalf("Insert %s: %v", p.ID, err)
	}
}

// captured stores a payment and takes it to CAPTURED through the domain's transitions,
// and returns it as stored.
func captured(t testing.TB, s *Payments, id, merchantID string, amount int64, at time.Time) *payment.Payment {
	t.Helper()
	p, ev := authorized(id, merchantID, amount, at)
	mustInsert(t, s, p, ev)
	ev, err := p.RequestCapture(0, "ev_capreq_"+id, at)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(context.Background(), p, []payment.Event{ev}, nil); err != nil {
		t.Fatalf("Update to CAPTURE_REQUESTED: %v", err)
	}
	ev, err = p.CaptureSucceeded("pgcap_"+id, "ev_cap_"+id, at)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(context.Background(), p, []payment.Event{ev}, nil); err != nil {
		t.Fatalf("Update to CAPTURED: %v", err)
	}
	return p
}

// hookDB runs hook before every call of the wrapped DB; a non-nil error from it is the
// call's answer. Tests use it to inject failures and to shape requests.
type hookDB struct {
	DB
	hook func(op string, in any) error
}

func (h hookDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	if err := h.hook("GetItem", in); err != nil {
		return nil, err
	}
	return h.DB.GetItem(ctx, in, o...)
}

func (h hookDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if err := h.hook("PutItem", in); err != nil {
		return nil, err
	}
	return h.DB.PutItem(ctx, in, o...)
}

func (h hookDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if err := h.hook("UpdateItem", in); err != nil {
		return nil, err
	}
	return h.DB.UpdateItem(ctx, in, o...)
}

func (h hookDB) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	if err := h.hook("DeleteItem", in); err != nil {
		return nil, err
	}
	return h.DB.DeleteItem(ctx, in, o...)
}

func (h hookDB) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	if err := h.hook("Query", in); err != nil {
		return nil, err
	}
	return h.DB.Query(ctx, in, o...)
}

func (h hookDB) Scan(ctx context.Context, in *dynamodb.ScanInput, o ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	if err := h.hook("Scan", in); err != nil {
		return nil, err
	}
	return h.DB.Scan(ctx, in, o...)
}

func (h hookDB) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if err := h.hook("TransactWriteItems", in); err != nil {
		return nil, err
	}
	return h.DB.TransactWriteItems(ctx, in, o...)
}

func asFault(err error, fe **fault.Error) bool { return errors.As(err, fe) }

func putInput(table string, it item) *dynamodb.PutItemInput {
	return &dynamodb.PutItemInput{TableName: aws.String(table), Item: it}
}
