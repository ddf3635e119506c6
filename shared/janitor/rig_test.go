package janitor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	localdynamodb "github.com/paylane/paylane/infra/localcloud/dynamodb"
	"github.com/paylane/paylane/shared/dynamostore"
	"github.com/paylane/paylane/shared/janitor"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/pgclient"
)

const merchantID = "m_1"

// rig is a janitor on the real payments store (the local cloud's DynamoDB) and a fake PG.
type rig struct {
	store *dynamostore.Payments
	pg    *fakePG
	logs  *bytes.Buffer
	now   time.Time
	j     *janitor.Janitor
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
		TableName:            aws.String("payments"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{str("pk"), str("sk"), str("gsi1pk"), str("gsi1sk")},
		KeySchema:            key("pk", "sk"),
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String("gsi1"), KeySchema: key("gsi1pk", "gsi1sk"),
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	}); err != nil {
		t.Fatalf("creating the payments table: %v", err)
	}
	r := &rig{
		store: dynamostore.NewPayments(db, "payments", dynamostore.Options{}),
		pg:    &fakePG{},
		logs:  &bytes.Buffer{},
		now:   time.Now(),
	}
	r.j = &janitor.Janitor{
		Pending: r.store, Payments: r.store, PG: r.pg, Grace: 10 * time.Minute,
		Now: func() time.Time { return r.now }, Log: slog.New(slog.NewJSONHandler(r.logs, nil)),
	}
	return r
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// pending leaves a note for payment id, age old.
func (r *rig) pending(t *testing.T, id string, age time.Duration) payment.PendingAuthorization {
	t.Helper()
	a := payment.PendingAuthorization{
		PaymentID: id, MerchantID: merchantID, Amount: 5000, Currency: "KRW", PGKey: "authorize:" + id, At: r.now.Add(-age),
	}
	if err := r.store.RecordAuthorization(ctxT(t), a); err != nil {
		t.Fatalf("RecordAuthorization: %v", err)
	}
	return a
}

// recorded stores payment id as AUTHORIZED, as the merchant's retry would have.
func (r *rig) recorded(t *testing.T, id string) {
	t.Helper()
	p, ev := payment.Authorize(payment.NewPayment{ID: id, MerchantID: merchantID, Amount: 5000, Currency: "KRW"},
		payment.Authorization{Approved: true, PGTransactionID: "pgtx_" + id}, "ev_"+id, r.now)
	if err := r.store.Insert(ctxT(t), p, ev, nil); err != nil {
		t.Fatalf("Insert: %v", err)
	}
}

// left returns the ids of the notes still pending, whatever their age.
func (r *rig) left(t *testing.T) []string {
	t.Helper()
	as, err := r.store.ListPending(ctxT(t), r.now.Add(time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, a := range as {
		ids = append(ids, a.PaymentID)
	}
	return ids
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

// fakePG answers Lookup and Void through its functions and keeps the calls. Unset,
// Lookup finds nothing performed and Void succeeds.
type fakePG struct {
	LookupFn func(key string) (pgclient.Outcome, error)
	VoidFn   func(key, pgTx string) (pgclient.Result, error)

	mu    sync.Mutex
	calls []string
}

func (f *fakePG) note(c string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
}

func (f *fakePG) Calls(op string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var got []string
	for _, c := range f.calls {
		if strings.HasPrefix(c, op+" ") {
			got = append(got, c)
		}
	}
	return got
}

func (f *fakePG) Lookup(_ context.Context, key, op string) (pgclient.Outcome, error) {
	f.note("lookup " + key + " " + op)
	if f.LookupFn != nil {
		return f.LookupFn(key)
	}
	return pgclient.Outcome{}, fmt.Errorf("lookup %s: %w", key, pgclient.ErrNotPerformed)
}

func (f *fakePG) Void(_ context.Context, key, pgTx string) (pgclient.Result, error) {
	f.note("void " + key + " " + pgTx)
	if f.VoidFn != nil {
		return f.VoidFn(key, pgTx)
	}
	return pgclient.Result{ID: "pgvd_" + key, Status: "VOIDED"}, nil
}

// authorizeOutcome is the PG's stored answer to an authorize: approved or declined.
func authorizeOutcome(approved bool, pgTx string) pgclient.Outcome {
	status, decline := "APPROVED", any(nil)
	if !approved {
		status, decline = "DECLINED", "do_not_honor"
	}
	body, _ := json.Marshal(map[string]any{"id": pgTx, "status": status, "declineCode": decline})
	return pgclient.Outcome{Operation: "authorize", HTTPStatus: 200, Response: body}
}

func unavailable(what string) error {
	return fmt.Errorf("pg %s: %w: timeout", what, pgclient.ErrUnavailable)
}
