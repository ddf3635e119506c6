package pgworker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	localdynamodb "github.com/paylane/paylane/infra/localcloud/dynamodb"
	"github.com/paylane/paylane/shared/dynamostore"
	"github.com/paylane/paylane/shared/idempotency"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/pgclient"
	"github.com/paylane/paylane/shared/pgworker"
)

const (
	merchantID = "m_1"
	table      = "paylane-payments"
)

// rig is a worker on the real payments store (the local cloud's DynamoDB), a payment
// service to put payments in the state a test needs, and a fake PG.
type rig struct {
	db       *dynamodb.Client
	store    *dynamostore.Payments
	svc      *payment.Service
	pg       *fakePG
	failures *failures
	logs     *syncBuffer
	worker   *pgworker.Worker
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
	})
	createPaymentsTable(t, db)
	var ids atomic.Int64
	newID := func() string { return "ev_" + strconv.FormatInt(ids.Add(1), 10) }
	store := dynamostore.NewPayments(db, table, dynamostore.Options{})
	r := &rig{
		db:       db,
		store:    store,
		svc:      &payment.Service{Store: store, PG: approvingGateway{}, NewID: newID, Now: time.Now},
		pg:       &fakePG{},
		failures: &failures{},
		logs:     &syncBuffer{},
	}
	r.worker = &pgworker.Worker{
		Payments: store, PG: r.pg, Failures: r.failures, Queue: "paylane-capture",
		NewID: newID, Now: time.Now,
		Log:     slog.New(slog.NewJSONHandler(r.logs, nil)),
		Backoff: 5 * time.Millisecond, Margin: 50 * time.Millisecond,
	}
	return r
}

func createPaymentsTable(t *testing.T, db *dynamodb.Client) {
	t.Helper()
	str := func(n string) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: types.ScalarAttributeTypeS}
	}
	key := func(h, r string) []types.KeySchemaElement {
		return []types.KeySchemaElement{
			{AttributeName: aws.String(h), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(r), KeyType: types.KeyTypeRange},
		}
	}
	_, err := db.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{str("pk"), str("sk"), str("gsi1pk"), str("gsi1sk")},
		KeySchema:            key("pk", "sk"),
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String("gsi1"), KeySchema: key("gsi1pk", "gsi1sk"),
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
		StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages},
	})
	if err != nil {
		t.Fatalf("creating the payments table: %v", err)
	}
}

// approvingGateway approves every authorization, with pgtx_<payment id>.
type approvingGateway struct{}

func (approvingGateway) Authorize(_ context.Context, req payment.AuthorizeRequest) (payment.Authorization, error) {
	return payment.Authorization{Approved: true, PGTransactionID: "pgtx_" + req.Reference}, nil
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// authorized authorizes a payment through the service.
func (r *rig) authorized(t *testing.T, id string, amount int64) *payment.Payment {
	t.Helper()
	p, err := r.svc.Authorize(ctxT(t), payment.AuthorizeCommand{
		NewPayment:    payment.NewPayment{ID: id, MerchantID: merchantID, OrderID: "order-" + id, Amount: amount, Currency: "KRW"},
		PaymentMethod: "pm_card",
	}, nil)
	if err != nil {
		t.Fatalf("Authorize %s: %v", id, err)
	}
	return p
}

// captureRequested authorizes amount and requests a capture of capture (0: all).
func (r *rig) captureRequested(t *testing.T, id string, amount, capture int64) *payment.Payment {
	t.Helper()
	r.authorized(t, id, amount)
	p, err := r.svc.Capture(ctxT(t), merchantID, id, capture, nil)
	if err != nil {
		t.Fatalf("Capture %s: %v", id, err)
	}
	return p
}

// captured takes a payment to CAPTURED by running the worker on its capture message.
func (r *rig) captured(t *testing.T, id string, amount int64) *payment.Payment {
	t.Helper()
	r.captureRequested(t, id, amount, 0)
	resp, err := r.worker.HandleCaptures(ctxT(t), batch(r.message(t, id, payment.EventCaptureRequested, "setup-"+id, 1)))
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("capturing %s: %+v, %v", id, resp, err)
	}
	return r.get(t, id)
}

// refundRequested requests a refund through the service and returns its id.
func (r *rig) refundRequested(t *testing.T, paymentID, refundID string, amount int64) string {
	t.Helper()
	_, ref, err := r.svc.Refund(ctxT(t), payment.RefundCommand{MerchantID: merchantID, PaymentID: paymentID, RefundID: refundID, Amount: amount}, nil)
	if err != nil {
		t.Fatalf("Refund %s of %s: %v", refundID, paymentID, err)
	}
	return ref.ID
}

func (r *rig) get(t *testing.T, id string) *payment.Payment {
	t.Helper()
	p, err := r.store.Get(ctxT(t), merchantID, id)
	if err != nil {
		t.Fatalf("Get %s: %v", id, err)
	}
	return p
}

// outbox returns a payment's events as the outbox relay reads them, in order.
func (r *rig) outbox(t *testing.T, paymentID string) []payment.Event {
	t.Helper()
	out, err := r.db.Query(ctxT(t), &dynamodb.QueryInput{
		TableName:              aws.String(table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :outbox)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: "PAY#" + paymentID}, ":outbox": &types.AttributeValueMemberS{Value: "OUTBOX#"},
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("reading the outbox: %v", err)
	}
	evs := make([]payment.Event, len(out.Items))
	for i, it := range out.Items {
		s, ok := it["event"].(*types.AttributeValueMemberS)
		if !ok {
			t.Fatalf("outbox item without an event: %v", it)
		}
		if err := json.Unmarshal([]byte(s.Value), &evs[i]); err != nil {
			t.Fatal(err)
		}
	}
	return evs
}

// eventTypes lists the types of a payment's outbox events.
func (r *rig) eventTypes(t *testing.T, paymentID string) []payment.EventType {
	t.Helper()
	var types []payment.EventType
	for _, ev := range r.outbox(t, paymentID) {
		types = append(types, ev.Type)
	}
	return types
}

// message is the SQS message the bus delivers for the payment's last event of type typ.
func (r *rig) message(t *testing.T, paymentID string, typ payment.EventType, messageID string, receiveCount int) events.SQSMessage {
	t.Helper()
	evs := r.outbox(t, paymentID)
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type == typ {
			return sqsMessage(t, messageID, evs[i], receiveCount)
		}
	}
	t.Fatalf("payment %s has no %s event", paymentID, typ)
	return events.SQSMessage{}
}

// sqsMessage wraps ev as EventBridge delivers it to an SQS target.
func sqsMessage(t *testing.T, messageID string, ev payment.Event, receiveCount int) events.SQSMessage {
	t.Helper()
	detail, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(events.EventBridgeEvent{
		Version: "0", ID: "eb-" + ev.ID, DetailType: string(ev.Type), Source: payment.EventSource,
		AccountID: "000000000000", Time: ev.OccurredAt, Region: "us-east-1", Resources: []string{}, Detail: detail,
	})
	if err != nil {
		t.Fatal(err)
	}
	return events.SQSMessage{
		MessageId: messageID, Body: string(body), EventSource: "aws:sqs",
		Attributes: map[string]string{"ApproximateReceiveCount": strconv.Itoa(receiveCount)},
	}
}

func batch(msgs ...events.SQSMessage) events.SQSEvent { return events.SQSEvent{Records: msgs} }

// failedIDs are the batch item failures of a response, sorted.
func failedIDs(resp events.SQSEventResponse) []string {
	ids := []string{}
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	sort.Strings(ids)
	return ids
}

// fakePG is the PG: each operation calls its function when set, and every call is kept.
// Unset, Capture, Refund and Void succeed and Lookup finds nothing performed.
type fakePG struct {
	CaptureFn func(n int, key, pgTx string, amount int64) (pgclient.Result, error)
	RefundFn  func(n int, key, pgTx string, amount int64) (pgclient.Result, error)
	VoidFn    func(n int, key, pgTx string) (pgclient.Result, error)
	LookupFn  func(n int, key, op string) (pgclient.Outcome, error)

	mu    sync.Mutex
	calls []string
	count map[string]int
}

// called notes a call and returns how many of that operation came before it.
func (f *fakePG) called(op, desc string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.count == nil {
		f.count = map[string]int{}
	}
	n := f.count[op]
	f.count[op]++
	f.calls = append(f.calls, op+" "+desc)
	return n
}

func (f *fakePG) Capture(_ context.Context, key, pgTx string, amount int64) (pgclient.Result, error) {
	n := f.called("capture", fmt.Sprintf("%s %s %d", key, pgTx, amount))
	if f.CaptureFn != nil {
		return f.CaptureFn(n, key, pgTx, amount)
	}
	return pgclient.Result{ID: "pgcap_" + key, Status: "CAPTURED", Amount: amount}, nil
}

func (f *fakePG) Refund(_ context.Context, key, pgTx string, amount int64) (pgclient.Result, error) {
	n := f.called("refund", fmt.Sprintf("%s %s %d", key, pgTx, amount))
	if f.RefundFn != nil {
		return f.RefundFn(n, key, pgTx, amount)
	}
	return pgclient.Result{ID: "pgrf_" + key, Status: "REFUNDED", Amount: amount}, nil
}

func (f *fakePG) Void(_ context.Context, key, pgTx string) (pgclient.Result, error) {
	n := f.called("void", key+" "+pgTx)
	if f.VoidFn != nil {
		return f.VoidFn(n, key, pgTx)
	}
	return pgclient.Result{ID: "pgvd_" + key, Status: "VOIDED"}, nil
}

func (f *fakePG) Lookup(_ context.Context, key, op string) (pgclient.Outcome, error) {
	n := f.called("lookup", key+" "+op)
	if f.LookupFn != nil {
		return f.LookupFn(n, key, op)
	}
	return pgclient.Outcome{}, fmt.Errorf("lookup %s: %w", key, pgclient.ErrNotPerformed)
}

// Calls returns the calls of operation op ("" for all), in order.
func (f *fakePG) Calls(op string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var got []string
	for _, c := range f.calls {
		if op == "" || strings.HasPrefix(c, op+" ") {
			got = append(got, c)
		}
	}
	return got
}

// unavailable is the error of a PG call whose outcome is unknown.
func unavailable(what string) error {
	return fmt.Errorf("pg %s: %w: timeout", what, pgclient.ErrUnavailable)
}

// performed is the PG's stored outcome of an operation that succeeded.
func performed(op string, r pgclient.Result) pgclient.Outcome {
	body, _ := json.Marshal(map[string]any{"id": r.ID, "status": r.Status, "amount": r.Amount})
	return pgclient.Outcome{Key: "k", Operation: op, HTTPStatus: 200, Response: body, PerformedAt: time.Now()}
}

// refusedOutcome is the PG's stored outcome of an operation it refused.
func refusedOutcome(op, code string) pgclient.Outcome {
	body, _ := json.Marshal(map[string]any{"error": map[string]string{"code": code, "message": code}})
	return pgclient.Outcome{Key: "k", Operation: op, HTTPStatus: 409, Response: body, PerformedAt: time.Now()}
}

// failures is the Failures port in memory.
type failures struct {
	mu      sync.Mutex
	reasons map[string][]string // queue/messageID -> reasons, in order
	err     error
}

func (f *failures) Record(_ context.Context, queue, messageID, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	if f.reasons == nil {
		f.reasons = map[string][]string{}
	}
	k := queue + "/" + messageID
	f.reasons[k] = append(f.reasons[k], reason)
	return nil
}

func (f *failures) of(queue, messageID string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reasons[queue+"/"+messageID]
}

func (f *failures) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, rs := range f.reasons {
		n += len(rs)
	}
	return n
}

// syncBuffer collects log lines from concurrent goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the log lines at level (e.g. "ERROR").
func (b *syncBuffer) lines(level string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var got []string
	for _, l := range strings.Split(b.buf.String(), "\n") {
		if strings.Contains(l, `"level":"`+level+`"`) {
			got = append(got, l)
		}
	}
	return got
}

// hookPayments wraps the store to inject failures.
type hookPayments struct {
	*dynamostore.Payments
	getErr    func(n int) error
	updateErr func(n int, p *payment.Payment) error
	gets      atomic.Int64
	updates   atomic.Int64
}

func (h *hookPayments) Get(ctx context.Context, m, id string) (*payment.Payment, error) {
	n := int(h.gets.Add(1)) - 1
	if h.getErr != nil {
		if err := h.getErr(n); err != nil {
			return nil, err
		}
	}
	return h.Payments.Get(ctx, m, id)
}

func (h *hookPayments) Update(ctx context.Context, p *payment.Payment, evs []payment.Event, done *idempotency.Completion) error {
	n := int(h.updates.Add(1)) - 1
	if h.updateErr != nil {
		if err := h.updateErr(n, p); err != nil {
			return err
		}
	}
	return h.Payments.Update(ctx, p, evs, done)
}

var errBoom = errors.New("boom")
