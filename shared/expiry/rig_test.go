package expiry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	localdynamodb "github.com/paylane/paylane/infra/localcloud/dynamodb"
	"github.com/paylane/paylane/infra/localcloud/sdktest"
	"github.com/paylane/paylane/shared/dynamostore"
	"github.com/paylane/paylane/shared/expiry"
	"github.com/paylane/paylane/shared/idempotency"
	"github.com/paylane/paylane/shared/payment"
)

const table = "payments"

// window is the tests' expiry window: short, so ages read easily.
const window = time.Hour

// rig is a sweeper on the real payments store (the local cloud's DynamoDB, with gsi2 as
// template.yaml declares it) at a fixed time.
type rig struct {
	db    *dynamodb.Client
	store *dynamostore.Payments
	now   time.Time
	logs  *syncBuffer
	ids   atomic.Int64
	sw    *expiry.Sweeper
}

func newRig(t *testing.T) *rig {
	t.Helper()
	svc := localdynamodb.New(localdynamodb.Options{TTLSweepInterval: -1})
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
	str := func(n string) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: types.ScalarAttributeTypeS}
	}
	key := func(h, r string) []types.KeySchemaElement {
		return []types.KeySchemaElement{
			{AttributeName: aws.String(h), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(r), KeyType: types.KeyTypeRange},
		}
	}
	if _, err := db.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:   aws.String(table),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			str("pk"), str("sk"), str("gsi1pk"), str("gsi1sk"), str("gsi2pk"), str("gsi2sk"),
		},
		KeySchema: key("pk", "sk"),
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{
			{
				IndexName: aws.String("gsi1"), KeySchema: key("gsi1pk", "gsi1sk"),
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
			},
			{
				IndexName: aws.String("gsi2"), KeySchema: key("gsi2pk", "gsi2sk"),
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"merchantId"}},
			},
		},
	}); err != nil {
		t.Fatalf("creating the payments table: %v", err)
	}
	r := &rig{
		db:    db,
		store: dynamostore.NewPayments(db, table, dynamostore.Options{}),
		now:   time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC),
		logs:  &syncBuffer{},
	}
	r.sw = &expiry.Sweeper{
		Payments: r.store, Window: window, NewID: r.newID,
		Now: func() time.Time { return r.now }, Log: slog.New(slog.NewJSONHandler(r.logs, nil)),
	}
	return r
}

func (r *rig) newID() string { return fmt.Sprintf("ev_%d", r.ids.Add(1)) }

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// authorize stores payment id of merchant m_1, AUTHORIZED age ago.
func (r *rig) authorize(t *testing.T, id string, age time.Duration) *payment.Payment {
	t.Helper()
	return r.authorizeFor(t, "m_1", id, age)
}

func (r *rig) authorizeFor(t *testing.T, merchantID, id string, age time.Duration) *payment.Payment {
	t.Helper()
	p, ev := payment.Authorize(payment.NewPayment{ID: id, MerchantID: merchantID, Amount: 5000, Currency: "KRW"},
		payment.Authorization{Approved: true, PGTransactionID: "pgtx_" + id}, r.newID(), r.now.Add(-age))
	if err := r.store.Insert(ctxT(t), p, ev, nil); err != nil {
		t.Fatalf("Insert %s: %v", id, err)
	}
	return p
}

// service is the merchant API's payment service on the rig's store.
func (r *rig) service(store payment.Store) *payment.Service {
	if store == nil {
		store = r.store
	}
	return &payment.Service{Store: store, NewID: r.newID, Now: func() time.Time { return r.now }}
}

// capture requests the merchant's capture of id, as the API does.
func (r *rig) capture(t *testing.T, id string) {
	t.Helper()
	if _, err := r.service(nil).Capture(ctxT(t), "m_1", id, 0, nil); err != nil {
		t.Fatalf("Capture %s: %v", id, err)
	}
}

// payment reads id as stored.
func (r *rig) payment(t *testing.T, merchantID, id string) *payment.Payment {
	t.Helper()
	p, err := r.store.Get(ctxT(t), merchantID, id)
	if err != nil {
		t.Fatalf("Get %s: %v", id, err)
	}
	return p
}

// outbox returns the events recorded for id, in order.
func (r *rig) outbox(t *testing.T, id string) []payment.Event {
	t.Helper()
	out, err := r.db.Query(ctxT(t), &dynamodb.QueryInput{
		TableName:              aws.String(table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :outbox)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: "PAY#" + id}, ":outbox": &types.AttributeValueMemberS{Value: "OUTBOX#"},
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("Query outbox: %v", err)
	}
	var evs []payment.Event
	for _, it := range out.Items {
		s, ok := it["event"].(*types.AttributeValueMemberS)
		if !ok {
			t.Fatalf("outbox item without event: %v", it)
		}
		var ev payment.Event
		if err := json.Unmarshal([]byte(s.Value), &ev); err != nil {
			t.Fatal(err)
		}
		evs = append(evs, ev)
	}
	return evs
}

// eventTypes lists the types of the events recorded for id.
func (r *rig) eventTypes(t *testing.T, id string) []payment.EventType {
	t.Helper()
	var got []payment.EventType
	for _, ev := range r.outbox(t, id) {
		got = append(got, ev.Type)
	}
	return got
}

// logLines returns the log lines at level.
func (r *rig) logLines(level string) []string {
	var got []string
	for _, l := range strings.Split(r.logs.String(), "\n") {
		if strings.Contains(l, `"level":"`+level+`"`) {
			got = append(got, l)
		}
	}
	return got
}

// hooked is the real store with calls that tests replace; a nil function passes through.
type hooked struct {
	*dynamostore.Payments
	list   func(ctx context.Context, before time.Time, limit int) ([]expiry.Ref, error)
	get    func(ctx context.Context, merchantID, paymentID string) (*payment.Payment, error)
	update func(ctx context.Context, p *payment.Payment, evs []payment.Event, done *idempotency.Completion) error
}

func (h *hooked) ExpiredAuthorizations(ctx context.Context, before time.Time, limit int) ([]expiry.Ref, error) {
	if h.list != nil {
		return h.list(ctx, before, limit)
	}
	return h.Payments.ExpiredAuthorizations(ctx, before, limit)
}

func (h *hooked) Get(ctx context.Context, merchantID, paymentID string) (*payment.Payment, error) {
	if h.get != nil {
		return h.get(ctx, merchantID, paymentID)
	}
	return h.Payments.Get(ctx, merchantID, paymentID)
}

func (h *hooked) Update(ctx context.Context, p *payment.Payment, evs []payment.Event, done *idempotency.Completion) error {
	if h.update != nil {
		return h.update(ctx, p, evs, done)
	}
	return h.Payments.Update(ctx, p, evs, done)
}

// syncBuffer is a log sink safe for the concurrent tests.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
