package dynamostore

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/payment"
)

// newExpiryEnv is newEnv with the payments table swapped for one that also has gsi2, as
// template.yaml declares it for the expiry sweeper: the shared schema stays as it is.
func newExpiryEnv(t testing.TB) *env {
	t.Helper()
	e := newEnv(t)
	e.payments = "paylane-payments-gsi2"
	str := func(name string) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: types.ScalarAttributeTypeS}
	}
	key := func(hash, rng string) []types.KeySchemaElement {
		return []types.KeySchemaElement{
			{AttributeName: aws.String(hash), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(rng), KeyType: types.KeyTypeRange},
		}
	}
	_, err := e.db.CreateTable(ctxT(t), &dynamodb.CreateTableInput{
		TableName:   aws.String(e.payments),
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
	})
	if err != nil {
		t.Fatalf("creating %s: %v", e.payments, err)
	}
	return e
}

// Property: a payment carries the gsi2 keys exactly when it is AUTHORIZED, in the shard
// of its id, with its gsi1 sort key; and the keys never leak into the decoded payment.
func TestPaymentItem_AuthorizedIndexKeys(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	shards := map[string]bool{}
	for i := range 2000 {
		p := randomPayment(r)
		it := paymentItem(p)
		pk, hasPK := it["gsi2pk"].(*types.AttributeValueMemberS)
		sk, hasSK := it["gsi2sk"].(*types.AttributeValueMemberS)
		if p.Status != payment.Authorized {
			if _, ok := it["gsi2pk"]; ok {
				t.Fatalf("case %d: a %s payment has gsi2pk %v", i, p.Status, it["gsi2pk"])
			}
			if _, ok := it["gsi2sk"]; ok {
				t.Fatalf("case %d: a %s payment has gsi2sk %v", i, p.Status, it["gsi2sk"])
			}
			continue
		}
		if !hasPK || !hasSK {
			t.Fatalf("case %d: an AUTHORIZED payment lacks its gsi2 keys: %v, %v", i, it["gsi2pk"], it["gsi2sk"])
		}
		if want := fmt.Sprintf("AUTHORIZED#%d", authorizedShard(p.ID)); pk.Value != want {
			t.Fatalf("case %d: gsi2pk %q, want %q", i, pk.Value, want)
		}
		if want := gsi1SK(p.CreatedAt, p.ID); sk.Value != want {
			t.Fatalf("case %d: gsi2sk %q, want %q", i, sk.Value, want)
		}
		shards[pk.Value] = true
		got, err := paymentFromItem(it)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		assertPaymentEqual(t, got, p)
	}
	if len(shards) != authorizedShards {
		t.Errorf("AUTHORIZED payments fell in %d shards, want all %d", len(shards), authorizedShards)
	}
}

func TestPayments_ExpiredAuthorizationsFollowTheStatus(t *testing.T) {
	t.Parallel()
	e := newExpiryEnv(t)
	s := e.paymentsStore(nil)
	ctx := ctxT(t)
	old := e.clock.Now().Add(-time.Hour)
	later := e.clock.Now().Add(time.Hour)

	listed := func() []string {
		t.Helper()
		refs, err := s.ExpiredAuthorizations(ctx, later, 100)
		if err != nil {
			t.Fatalf("ExpiredAuthorizations: %v", err)
		}
		ids := []string{}
		for _, r := range refs {
			ids = append(ids, r.MerchantID+"/"+r.PaymentID)
		}
		return ids
	}

	toCapture, ev := authorized("pay_cap", "m_1", 100, old)
	mustInsert(t, s, toCapture, ev)
	toVoid, ev := authorized("pay_void", "m_2", 100, old.Add(time.Second))
	mustInsert(t, s, toVoid, ev)
	declined, ev := payment.Authorize(payment.NewPayment{ID: "pay_dec", MerchantID: "m_1", Amount: 100, Currency: "KRW"},
		payment.Authorization{DeclineCode: "do_not_honor"}, "ev_dec", old)
	mustInsert(t, s, declined, ev)
	if got, want := listed(), []string{"m_1/pay_cap", "m_2/pay_void"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("while AUTHORIZED: listed %v, want %v", got, want)
	}

	ev, err := toCapture.RequestCapture(0, "ev_capreq", e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, toCapture, []payment.Event{ev}, nil); err != nil {
		t.Fatalf("Update to CAPTURE_REQUESTED: %v", err)
	}
	if got, want := listed(), []string{"m_2/pay_void"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after a capture request: listed %v, want %v", got, want)
	}
	if _, ok := e.rawItem(t, e.payments, paymentKey("pay_cap"))["gsi2pk"]; ok {
		t.Errorf("a CAPTURE_REQUESTED item keeps gsi2pk")
	}

	ev, err = toVoid.Void("ev_void", e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, toVoid, []payment.Event{ev}, nil); err != nil {
		t.Fatalf("Update to VOIDED: %v", err)
	}
	if got := listed(); len(got) != 0 {
		t.Fatalf("after the void: listed %v, want nothing", got)
	}

	// Captured all the way: never back in the index.
	captured(t, s, "pay_full", "m_1", 100, old)
	if got := listed(); len(got) != 0 {
		t.Fatalf("after a full capture: listed %v, want nothing", got)
	}
}

func TestPayments_ExpiredAuthorizations(t *testing.T) {
	t.Parallel()

	t.Run("OldestFirstAcrossShardsBeforeTheCut", func(t *testing.T) {
		t.Parallel()
		e := newExpiryEnv(t)
		s := e.paymentsStore(nil)
		now := e.clock.Now()
		// pay_i is i+1 minutes old; inserted newest first, so the order of the answer
		// cannot come from the order of the writes.
		for i := range 24 {
			p, ev := authorized(fmt.Sprintf("pay_%02d", i), "m_1", 100, now.Add(-time.Duration(i+1)*time.Minute))
			mustInsert(t, s, p, ev)
		}
		// The cut is exclusive: pay_09, exactly 10 minutes old, is not listed; created a
		// nanosecond earlier, it would be (see JustBeforeTheCut).
		got, err := s.ExpiredAuthorizations(ctxT(t), now.Add(-10*time.Minute), 100)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for i := 23; i >= 10; i-- {
			want = append(want, fmt.Sprintf("pay_%02d", i))
		}
		if ids := expiredIDs(got); !reflect.DeepEqual(ids, want) {
			t.Errorf("got %v\nwant %v", ids, want)
		}
		shards := map[int]bool{}
		for _, r := range got {
			shards[authorizedShard(r.PaymentID)] = true
		}
		if len(shards) < 2 {
			t.Errorf("the test's ids fell in %d shard: it proves nothing about merging", len(shards))
		}
	})

	t.Run("JustBeforeTheCut", func(t *testing.T) {
		t.Parallel()
		e := newExpiryEnv(t)
		s := e.paymentsStore(nil)
		cut := e.clock.Now().Add(-time.Hour)
		for _, tc := range []struct {
			id string
			at time.Time
		}{{"pay_at", cut}, {"pay_before", cut.Add(-time.Nanosecond)}, {"pay_after", cut.Add(time.Nanosecond)}} {
			p, ev := authorized(tc.id, "m_1", 100, tc.at.In(time.FixedZone("KST", 9*3600)))
			mustInsert(t, s, p, ev)
		}
		got, err := s.ExpiredAuthorizations(ctxT(t), cut, 10)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"pay_before"}; !reflect.DeepEqual(expiredIDs(got), want) {
			t.Errorf("got %v, want %v", expiredIDs(got), want)
		}
	})

	t.Run("LimitKeepsTheOldestOverall", func(t *testing.T) {
		t.Parallel()
		e := newExpiryEnv(t)
		s := e.paymentsStore(nil)
		now := e.clock.Now()
		for i := range 30 {
			p, ev := authorized(fmt.Sprintf("pay_%02d", i), "m_1", 100, now.Add(-time.Duration(i+1)*time.Second))
			mustInsert(t, s, p, ev)
		}
		got, err := s.ExpiredAuthorizations(ctxT(t), now, 4)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"pay_29", "pay_28", "pay_27", "pay_26"}; !reflect.DeepEqual(expiredIDs(got), want) {
			t.Errorf("got %v, want %v", expiredIDs(got), want)
		}
	})

	t.Run("PagesAreFollowed", func(t *testing.T) {
		t.Parallel()
		e := newExpiryEnv(t)
		// Pages of one entry: a shard of five needs five pages and a last empty one.
		queries := 0
		s := e.paymentsStore(hookDB{DB: e.db, hook: func(op string, in any) error {
			if q, ok := in.(*dynamodb.QueryInput); ok {
				queries++
				q.Limit = aws.Int32(1)
			}
			return nil
		}})
		now := e.clock.Now()
		ids := authorizedIDsInShard(5, 5, "pay_")
		for i, id := range ids {
			p, ev := authorized(id, "m_1", 100, now.Add(-time.Hour+time.Duration(i)*time.Second))
			mustInsert(t, s, p, ev)
		}
		got, err := s.ExpiredAuthorizations(ctxT(t), now, 10)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(expiredIDs(got), ids) {
			t.Errorf("got %v, want %v", expiredIDs(got), ids)
		}
		if queries < len(ids)+authorizedShards-1 {
			t.Errorf("%d queries: the pages were not followed", queries)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		t.Parallel()
		e := newExpiryEnv(t)
		got, err := e.paymentsStore(nil).ExpiredAuthorizations(ctxT(t), e.clock.Now(), 10)
		if err != nil || len(got) != 0 {
			t.Errorf("got %v, %v; want nothing", got, err)
		}
	})

	t.Run("ErrInvalidLimit", func(t *testing.T) {
		t.Parallel()
		e := newExpiryEnv(t)
		for _, limit := range []int{0, -1} {
			_, err := e.paymentsStore(nil).ExpiredAuthorizations(ctxT(t), e.clock.Now(), limit)
			if !fault.Is(err, fault.Invalid) {
				t.Errorf("limit %d: got %v, want invalid_request", limit, err)
			}
		}
	})

	t.Run("ErrFromDynamoDB", func(t *testing.T) {
		t.Parallel()
		e := newExpiryEnv(t)
		boom := errors.New("boom")
		s := e.paymentsStore(hookDB{DB: e.db, hook: func(op string, _ any) error {
			if op == "Query" {
				return boom
			}
			return nil
		}})
		if _, err := s.ExpiredAuthorizations(ctxT(t), e.clock.Now(), 10); !errors.Is(err, boom) {
			t.Errorf("got %v, want the DynamoDB error", err)
		}
	})

	t.Run("ErrWithoutTheIndex", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t) // the shared schema has no gsi2
		if _, err := e.paymentsStore(nil).ExpiredAuthorizations(ctxT(t), e.clock.Now(), 10); err == nil {
			t.Errorf("listing on a table without gsi2 succeeded")
		}
	})

	corrupt := []struct {
		name string
		item item
		want string
	}{
		{"MissingMerchant", item{"pk": avS("PAY#pay_1"), "sk": avS("PAYMENT")}, "merchantId"},
		{"NotAPayment", item{"pk": avS("IDEM#m_1#k"), "sk": avS("PAYMENT"), "merchantId": avS("m_1")}, "not a payment"},
		{"EmptyPaymentID", item{"pk": avS("PAY#"), "sk": avS("PAYMENT"), "merchantId": avS("m_1")}, "not a payment"},
		{"MerchantNotAString", item{"pk": avS("PAY#pay_1"), "sk": avS("PAYMENT"), "merchantId": avN(1)}, "merchantId"},
	}
	for _, tc := range corrupt {
		t.Run("ErrCorruptEntry/"+tc.name, func(t *testing.T) {
			t.Parallel()
			e := newExpiryEnv(t)
			tc.item["gsi2pk"] = avS("AUTHORIZED#0")
			tc.item["gsi2sk"] = avS(gsi1SK(e.clock.Now().Add(-time.Hour), "pay_1"))
			if _, err := e.db.PutItem(ctxT(t), putInput(e.payments, tc.item)); err != nil {
				t.Fatal(err)
			}
			_, err := e.paymentsStore(nil).ExpiredAuthorizations(ctxT(t), e.clock.Now(), 10)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func expiredIDs(refs []ExpiredRef) []string {
	ids := []string{}
	for _, r := range refs {
		ids = append(ids, r.PaymentID)
	}
	return ids
}

func authorizedIDsInShard(shard, n int, prefix string) []string {
	var ids []string
	for i := 0; len(ids) < n; i++ {
		id := fmt.Sprintf("%s%d", prefix, i)
		if authorizedShard(id) == shard {
			ids = append(ids, id)
		}
	}
	return ids
}
