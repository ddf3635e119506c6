package dynamostore

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/fault"
)

// opsStore creates the ops table as template.yaml declares it (pk, sk, TTL expiresAt) and
// returns its store.
func (e *env) opsStore(t testing.TB, db DB) *Ops {
	t.Helper()
	const table = "paylane-ops"
	_, err := e.db.CreateTable(ctxT(t), &dynamodb.CreateTableInput{
		TableName:   aws.String(table),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
	})
	if err != nil {
		t.Fatalf("creating the ops table: %v", err)
	}
	if db == nil {
		db = e.db
	}
	return NewOps(db, table, Options{Now: e.clock.Now})
}

func failingDB(e *env, failing string, err error) DB {
	return hookDB{DB: e.db, hook: func(op string, _ any) error {
		if op == failing {
			return err
		}
		return nil
	}}
}

func TestOps_Record(t *testing.T) {
	t.Parallel()

	t.Run("KeepsTheLastReasonAndCounts", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.opsStore(t, nil)
		if err := s.Record(ctxT(t), "capture", "msg-1", "pg unavailable: timeout"); err != nil {
			t.Fatalf("Record: %v", err)
		}
		e.clock.Advance(time.Minute)
		if err := s.Record(ctxT(t), "capture", "msg-1", "pg unavailable: 503 outage"); err != nil {
			t.Fatalf("Record: %v", err)
		}
		if err := s.Record(ctxT(t), "refund", "msg-1", "other queue"); err != nil {
			t.Fatalf("Record: %v", err)
		}
		reason, n, err := s.Reason(ctxT(t), "capture", "msg-1")
		if err != nil || reason != "pg unavailable: 503 outage" || n != 2 {
			t.Errorf("Reason: %q, %d, %v; want the last reason and 2 failures", reason, n, err)
		}
		raw := e.rawItem(t, "paylane-ops", failureKey("capture", "msg-1"))
		r := reader{item: raw}
		if got, want := r.int(attrExpiresAt), e.clock.Now().Add(14*24*time.Hour).Unix(); got != want {
			t.Errorf("expiresAt: got %d, want %d (14 days after the last failure, as the DLQ keeps it)", got, want)
		}
		if got := r.str(attrPK); got != "FAILURE#capture#msg-1" {
			t.Errorf("pk: got %q", got)
		}
	})

	t.Run("LongReasonsAreCutOnACharacter", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.opsStore(t, nil)
		long := strings.Repeat("결제 실패 ", 1000)
		if err := s.Record(ctxT(t), "capture", "msg-1", long); err != nil {
			t.Fatalf("Record: %v", err)
		}
		reason, _, err := s.Reason(ctxT(t), "capture", "msg-1")
		if err != nil {
			t.Fatal(err)
		}
		if len(reason) > maxReasonBytes || len(reason) < maxReasonBytes-3 || !utf8.ValidString(reason) || !strings.HasPrefix(long, reason) {
			t.Errorf("stored %d bytes (valid UTF-8 %v): want a valid prefix of at most %d bytes", len(reason), utf8.ValidString(reason), maxReasonBytes)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.opsStore(t, nil)
		for _, tc := range []struct{ queue, id string }{{"", "msg-1"}, {"capture", ""}} {
			if err := s.Record(ctxT(t), tc.queue, tc.id, "x"); !fault.Is(err, fault.Invalid) {
				t.Errorf("Record(%q, %q): got %v, want invalid_request", tc.queue, tc.id, err)
			}
		}
	})

	t.Run("ErrFromDynamoDB", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		boom := errors.New("boom")
		s := e.opsStore(t, failingDB(e, "UpdateItem", boom))
		if err := s.Record(ctxT(t), "capture", "msg-1", "x"); !errors.Is(err, boom) {
			t.Errorf("got %v, want the DynamoDB error", err)
		}
	})
}

func TestOps_Reason(t *testing.T) {
	t.Parallel()

	t.Run("ErrNotFound", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.opsStore(t, nil)
		if _, _, err := s.Reason(ctxT(t), "capture", "never"); !fault.Is(err, fault.NotFound) {
			t.Errorf("got %v, want not_found", err)
		}
	})

	t.Run("ErrNotFoundOnceExpired", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.opsStore(t, nil)
		if err := s.Record(ctxT(t), "capture", "msg-1", "x"); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(14*24*time.Hour + time.Second)
		if _, _, err := s.Reason(ctxT(t), "capture", "msg-1"); !fault.Is(err, fault.NotFound) {
			t.Errorf("got %v, want not_found for an expired reason the TTL sweeper has not removed yet", err)
		}
	})

	t.Run("ErrCorruptItem", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.opsStore(t, nil)
		it := failureKey("capture", "msg-1")
		it[attrOpsCount] = avS("two")
		if _, err := e.db.PutItem(ctxT(t), putInput("paylane-ops", it)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Reason(ctxT(t), "capture", "msg-1"); err == nil || fault.Is(err, fault.NotFound) {
			t.Errorf("got %v, want an error about the stored item", err)
		}
	})

	t.Run("ErrFromDynamoDB", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		boom := errors.New("boom")
		s := e.opsStore(t, failingDB(e, "GetItem", boom))
		if _, _, err := s.Reason(ctxT(t), "capture", "msg-1"); !errors.Is(err, boom) {
			t.Errorf("got %v, want the DynamoDB error", err)
		}
	})
}

func TestOps_Breakers(t *testing.T) {
	t.Parallel()

	t.Run("OneStatePerInstance", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.opsStore(t, nil)
		t0 := e.clock.Now()
		for _, c := range []struct {
			instance, state string
			at              time.Time
		}{
			{"i-1", "open", t0},
			{"i-2", "open", t0.Add(time.Second)},
			{"i-1", "half-open", t0.Add(10 * time.Second)},
			// A report that arrives late is older than the stored one: ignored.
			{"i-1", "open", t0.Add(5 * time.Second)},
			{"i-2", "closed", t0.Add(20 * time.Second)},
		} {
			if err := s.BreakerChanged(ctxT(t), "pg", c.instance, c.state, c.at); err != nil {
				t.Fatalf("BreakerChanged(%s, %s): %v", c.instance, c.state, err)
			}
		}
		if err := s.BreakerChanged(ctxT(t), "other", "i-1", "open", t0); err != nil {
			t.Fatal(err)
		}
		got, err := s.Breakers(ctxT(t), "pg")
		if err != nil {
			t.Fatal(err)
		}
		want := []BreakerState{
			{Name: "pg", Instance: "i-1", State: "half-open", ChangedAt: t0.Add(10 * time.Second)},
			{Name: "pg", Instance: "i-2", State: "closed", ChangedAt: t0.Add(20 * time.Second)},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})

	t.Run("GoneInstancesExpireAfterAnHour", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.opsStore(t, nil)
		t0 := e.clock.Now()
		if err := s.BreakerChanged(ctxT(t), "pg", "i-old", "open", t0); err != nil {
			t.Fatal(err)
		}
		if err := s.BreakerChanged(ctxT(t), "pg", "i-new", "closed", t0.Add(30*time.Minute)); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Hour + time.Second)
		got, err := s.Breakers(ctxT(t), "pg")
		if err != nil || len(got) != 1 || got[0].Instance != "i-new" {
			t.Errorf("got %+v, %v; want i-new only", got, err)
		}
	})

	t.Run("None", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		got, err := e.opsStore(t, nil).Breakers(ctxT(t), "pg")
		if err != nil || len(got) != 0 {
			t.Errorf("got %+v, %v; want none", got, err)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.opsStore(t, nil)
		for _, tc := range []struct{ name, instance string }{{"", "i-1"}, {"pg", ""}} {
			if err := s.BreakerChanged(ctxT(t), tc.name, tc.instance, "open", e.clock.Now()); !fault.Is(err, fault.Invalid) {
				t.Errorf("BreakerChanged(%q, %q): got %v, want invalid_request", tc.name, tc.instance, err)
			}
		}
	})

	t.Run("ErrFromDynamoDB", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		boom := errors.New("boom")
		s := e.opsStore(t, failingDB(e, "PutItem", boom))
		if err := s.BreakerChanged(ctxT(t), "pg", "i-1", "open", e.clock.Now()); !errors.Is(err, boom) {
			t.Errorf("BreakerChanged: got %v, want the DynamoDB error", err)
		}
		s = e.opsStoreOn(failingDB(e, "Query", boom))
		if _, err := s.Breakers(ctxT(t), "pg"); !errors.Is(err, boom) {
			t.Errorf("Breakers: got %v, want the DynamoDB error", err)
		}
	})

	t.Run("ErrCorruptItem", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.opsStore(t, nil)
		it := item{
			attrPK: avS("BREAKER#pg"), attrSK: avS("i-1"), attrOpsState: avS("open"),
			attrOpsChangedAt: avS("yesterday"), attrExpiresAt: avN(e.clock.Now().Add(time.Hour).Unix()),
		}
		if _, err := e.db.PutItem(ctxT(t), putInput("paylane-ops", it)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Breakers(ctxT(t), "pg"); err == nil {
			t.Error("got nil, want an error about the stored item")
		}
	})
}

// opsStoreOn returns a store of the ops table opsStore created, through db.
func (e *env) opsStoreOn(db DB) *Ops { return NewOps(db, "paylane-ops", Options{Now: e.clock.Now}) }

func FuzzTruncateReason(f *testing.F) {
	f.Add("short", 0)
	f.Add(strings.Repeat("é", 2000), 1)
	f.Add(strings.Repeat("a", 2047)+"€", 0)
	f.Fuzz(func(t *testing.T, s string, pad int) {
		if pad > 0 && pad < 5000 {
			s = strings.Repeat("x", pad) + s
		}
		got := truncateReason(s)
		if !strings.HasPrefix(s, got) || len(got) > maxReasonBytes {
			t.Fatalf("truncateReason gave %d bytes, not a prefix within %d", len(got), maxReasonBytes)
		}
		if len(s) <= maxReasonBytes && got != s {
			t.Fatalf("a reason within the limit was cut")
		}
		if utf8.ValidString(s) && (!utf8.ValidString(got) || len(s)-len(got) > 0 && len(got) < maxReasonBytes-utf8.UTFMax+1) {
			t.Fatalf("valid input cut to %d bytes (valid %v)", len(got), utf8.ValidString(got))
		}
	})
}
