package relay

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/payment"
)

func TestRelay_PublishesInStreamOrderInBatchesOfTen(t *testing.T) {
	t.Parallel()
	var recs []events.DynamoDBEventRecord
	var want []string
	for i := range 23 {
		ev := newEvent(fmt.Sprintf("pay_%02d", i), 1)
		recs = append(recs, outboxRecord(seq(i), ev))
		want = append(want, ev.ID)
	}
	bus, sink := &fakeBus{}, &fakeSink{}
	resp := mustHandle(t, &Relay{Publisher: bus, Poison: sink}, recs...)
	if len(resp.BatchItemFailures) != 0 {
		t.Errorf("failures %v, want none", failures(resp))
	}
	if resp.BatchItemFailures == nil {
		t.Error("batchItemFailures is null; want an empty list")
	}
	var sizes []int
	for _, c := range bus.calls {
		sizes = append(sizes, len(c))
	}
	if !slices.Equal(sizes, []int{10, 10, 3}) {
		t.Errorf("PutEvents sizes %v, want [10 10 3]", sizes)
	}
	if got := bus.ids(); !slices.Equal(got, want) {
		t.Errorf("published\n%v\nwant\n%v", got, want)
	}
	// The event reaches the bus as it was written: the envelope round-trips.
	if got, wantEv := bus.calls[0][0], newEvent("pay_00", 1); !got.OccurredAt.Equal(wantEv.OccurredAt) || got.Data != wantEv.Data || got.MerchantID != wantEv.MerchantID {
		t.Errorf("published %+v, want %+v", got, wantEv)
	}
}

func TestRelay_NeverPutsTwoEventsOfOnePaymentInOneCall(t *testing.T) {
	t.Parallel()
	recs := []events.DynamoDBEventRecord{
		outboxRecord(seq(0), newEvent("pay_a", 1)),
		outboxRecord(seq(1), newEvent("pay_b", 1)),
		outboxRecord(seq(2), newEvent("pay_a", 2)),
		outboxRecord(seq(3), newEvent("pay_c", 1)),
		outboxRecord(seq(4), newEvent("pay_a", 3)),
	}
	bus := &fakeBus{}
	mustHandle(t, &Relay{Publisher: bus, Poison: &fakeSink{}}, recs...)
	var got []string
	for _, c := range bus.calls {
		var ids []string
		for _, e := range c {
			ids = append(ids, e.ID)
		}
		got = append(got, strings.Join(ids, ","))
	}
	want := []string{"evt_pay_a_1,evt_pay_b_1", "evt_pay_a_2,evt_pay_c_1", "evt_pay_a_3"}
	if !slices.Equal(got, want) {
		t.Errorf("calls %q, want %q", got, want)
	}
}

func TestRelay_SkipsWhatIsNotANewOutboxRecord(t *testing.T) {
	t.Parallel()
	ev := newEvent("pay_a", 1)
	outbox := outboxRecord(seq(0), ev)
	s := events.NewStringAttribute
	key := func(pk, sk string) map[string]events.DynamoDBAttributeValue {
		return map[string]events.DynamoDBAttributeValue{"pk": s(pk), "sk": s(sk)}
	}
	modified := outboxRecord(seq(1), ev)
	modified.EventName = "MODIFY"
	ttlRemove := record(seq(2), "REMOVE", key("PAY#pay_a", outbox.Change.Keys["sk"].String()), nil)
	ttlRemove.Change.OldImage = outbox.Change.NewImage
	ttlRemove.UserIdentity = &events.DynamoDBUserIdentity{Type: "Service", PrincipalID: "dynamodb.amazonaws.com"}
	numberSK := record(seq(7), "INSERT", nil, map[string]events.DynamoDBAttributeValue{"sk": events.NewNumberAttribute("7")})

	for name, rec := range map[string]events.DynamoDBEventRecord{
		"payment insert":     record(seq(3), "INSERT", key("PAY#pay_a", "PAYMENT"), key("PAY#pay_a", "PAYMENT")),
		"payment modify":     record(seq(4), "MODIFY", key("PAY#pay_a", "PAYMENT"), key("PAY#pay_a", "PAYMENT")),
		"idempotency record": record(seq(5), "INSERT", key("IDEM#m_shop#k1", "IDEM"), key("IDEM#m_shop#k1", "IDEM")),
		"unknown outcome":    record(seq(6), "INSERT", key("UNKNOWN#pay_a", "UNKNOWN#AUTHORIZE"), key("UNKNOWN#pay_a", "UNKNOWN#AUTHORIZE")),
		"outbox modified":    modified,
		"outbox ttl remove":  ttlRemove,
		"sk not a string":    numberSK,
		"no images at all":   record(seq(8), "INSERT", nil, nil),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			bus, sink := &fakeBus{}, &fakeSink{}
			resp := mustHandle(t, &Relay{Publisher: bus, Poison: sink}, rec)
			if len(bus.calls) != 0 || sink.seen != 0 || len(resp.BatchItemFailures) != 0 {
				t.Errorf("published %v, quarantined %d, failures %v; want nothing", bus.ids(), sink.seen, failures(resp))
			}
		})
	}
}

func TestRelay_OutboxKeysWithoutImageArePoisonNotSkipped(t *testing.T) {
	t.Parallel()
	// A stream switched to KEYS_ONLY would carry outbox records without their event:
	// they must surface, not be skipped as "not outbox".
	rec := outboxRecord(seq(0), newEvent("pay_a", 1))
	rec.Change.NewImage = nil
	rec.Change.StreamViewType = "KEYS_ONLY"
	bus, sink := &fakeBus{}, &fakeSink{}
	mustHandle(t, &Relay{Publisher: bus, Poison: sink}, rec)
	if len(sink.got) != 1 || !strings.Contains(sink.got[0].reason, `"event"`) {
		t.Fatalf("quarantined %+v, want the keys-only outbox record", sink.got)
	}
}

func TestRelay_WholeCallFailure(t *testing.T) {
	t.Parallel()
	skipped := record(seq(0), "MODIFY", nil, nil)
	var recs []events.DynamoDBEventRecord
	recs = append(recs, skipped)
	for i := 1; i <= 23; i++ {
		recs = append(recs, outboxRecord(seq(i), newEvent(fmt.Sprintf("pay_%02d", i), 1)))
	}
	down := errors.New("eventbridge: connection refused")
	for _, tc := range []struct {
		name      string
		failCall  int
		wantSeq   string
		wantCalls int
	}{
		{"first call", 0, seq(1), 1},
		{"second call", 1, seq(11), 2},
		{"last call", 2, seq(21), 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bus := &fakeBus{PublishFn: func(call int, evs []payment.Event) ([]error, error) {
				if call == tc.failCall {
					return nil, down
				}
				return nil, nil
			}}
			resp := mustHandle(t, &Relay{Publisher: bus, Poison: &fakeSink{}}, recs...)
			if got := failures(resp); !slices.Equal(got, []string{tc.wantSeq}) {
				t.Errorf("failures %v, want [%s]", got, tc.wantSeq)
			}
			if len(bus.calls) != tc.wantCalls {
				t.Errorf("%d PutEvents calls, want %d (none after the failure)", len(bus.calls), tc.wantCalls)
			}
		})
	}
}

func TestRelay_FailedEntryStopsPublishing(t *testing.T) {
	t.Parallel()
	var recs []events.DynamoDBEventRecord
	for i := range 15 {
		recs = append(recs, outboxRecord(seq(i), newEvent(fmt.Sprintf("pay_%02d", i), 1)))
	}
	for _, tc := range []struct {
		name    string
		failing []int // entries of the first call that fail
		wantSeq string
	}{
		{"middle entry", []int{4}, seq(4)},
		{"first entry", []int{0}, seq(0)},
		{"last entry", []int{9}, seq(9)},
		{"several: the earliest is reported", []int{7, 3, 8}, seq(3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bus := &fakeBus{PublishFn: func(call int, evs []payment.Event) ([]error, error) {
				errs := make([]error, len(evs))
				for _, i := range tc.failing {
					errs[i] = errors.New("ThrottlingException")
				}
				return errs, nil
			}}
			resp := mustHandle(t, &Relay{Publisher: bus, Poison: &fakeSink{}}, recs...)
			if got := failures(resp); !slices.Equal(got, []string{tc.wantSeq}) {
				t.Errorf("failures %v, want [%s]", got, tc.wantSeq)
			}
			if len(bus.calls) != 1 {
				t.Errorf("%d PutEvents calls, want 1: nothing after a failed entry", len(bus.calls))
			}
		})
	}
}

func TestRelay_EarlierEventOfAPaymentFailsSoTheLaterIsNotPublished(t *testing.T) {
	t.Parallel()
	recs := []events.DynamoDBEventRecord{
		outboxRecord(seq(0), newEvent("pay_a", 1)),
		outboxRecord(seq(1), newEvent("pay_a", 2)),
	}
	bus := &fakeBus{PublishFn: func(call int, evs []payment.Event) ([]error, error) {
		return []error{errors.New("InternalFailure")}, nil
	}}
	resp := mustHandle(t, &Relay{Publisher: bus, Poison: &fakeSink{}}, recs...)
	if got := failures(resp); !slices.Equal(got, []string{seq(0)}) {
		t.Errorf("failures %v, want [%s]", got, seq(0))
	}
	if got := bus.ids(); !slices.Equal(got, []string{"evt_pay_a_1"}) {
		t.Errorf("attempted %v; the second event of pay_a must wait for the first", got)
	}
}

func TestRelay_PublisherMisbehaving(t *testing.T) {
	t.Parallel()
	recs := []events.DynamoDBEventRecord{
		outboxRecord(seq(0), newEvent("pay_a", 1)),
		outboxRecord(seq(1), newEvent("pay_b", 1)),
	}
	bus := &fakeBus{PublishFn: func(int, []payment.Event) ([]error, error) { return []error{nil}, nil }}
	resp := mustHandle(t, &Relay{Publisher: bus, Poison: &fakeSink{}}, recs...)
	if got := failures(resp); !slices.Equal(got, []string{seq(0)}) {
		t.Errorf("one result for two events: failures %v, want [%s]", got, seq(0))
	}
}

func TestRelay_PoisonIsQuarantinedAndSkipped(t *testing.T) {
	t.Parallel()
	s := events.NewStringAttribute
	sk := "OUTBOX#0000000002#evt_bad"
	noID := newEvent("pay_p", 2)
	noID.ID = ""
	for _, tc := range []struct {
		name   string
		attrs  map[string]events.DynamoDBAttributeValue
		reason string
	}{
		{"no event attribute", nil, `no string attribute "event"`},
		{"event is a number", map[string]events.DynamoDBAttributeValue{"event": events.NewNumberAttribute("1")}, `no string attribute "event"`},
		{"event is not JSON", map[string]events.DynamoDBAttributeValue{"event": s("{not json")}, "does not decode"},
		{"event is JSON null", map[string]events.DynamoDBAttributeValue{"event": s("null")}, "no id, type, paymentId"},
		{"wrong JSON type", map[string]events.DynamoDBAttributeValue{"event": s(`{"id":7}`)}, "does not decode"},
		{"no id", map[string]events.DynamoDBAttributeValue{"event": s(mustJSON(t, noID))}, "no id"},
		{"no type and payment", map[string]events.DynamoDBAttributeValue{"event": s(`{"id":"evt_1"}`)}, "no type, paymentId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bad := rawOutboxRecord(seq(1), sk, "pay_p", tc.attrs)
			recs := []events.DynamoDBEventRecord{
				outboxRecord(seq(0), newEvent("pay_a", 1)),
				bad,
				outboxRecord(seq(2), newEvent("pay_b", 1)),
			}
			bus, sink := &fakeBus{}, &fakeSink{}
			resp := mustHandle(t, &Relay{Publisher: bus, Poison: sink}, recs...)
			if len(resp.BatchItemFailures) != 0 {
				t.Errorf("failures %v: a poison record must not block the shard", failures(resp))
			}
			if got := bus.ids(); !slices.Equal(got, []string{"evt_pay_a_1", "evt_pay_b_1"}) {
				t.Errorf("published %v", got)
			}
			if len(sink.got) != 1 {
				t.Fatalf("quarantined %d records, want 1", len(sink.got))
			}
			q := sink.got[0]
			if q.record.Change.SequenceNumber != seq(1) || q.record.Change.NewImage["sk"].String() != sk {
				t.Errorf("quarantined record %+v, want the whole poison record", q.record)
			}
			if !strings.Contains(q.reason, tc.reason) {
				t.Errorf("reason %q, want it to say %q", q.reason, tc.reason)
			}
		})
	}
}

func TestRelay_QuarantineFailureIsReported(t *testing.T) {
	t.Parallel()
	bad := rawOutboxRecord(seq(1), "OUTBOX#0000000001#evt_bad", "pay_p", nil)
	recs := []events.DynamoDBEventRecord{
		outboxRecord(seq(0), newEvent("pay_a", 1)),
		bad,
		outboxRecord(seq(2), newEvent("pay_b", 1)),
	}
	bus, sink := &fakeBus{}, &fakeSink{Err: errors.New("sqs: access denied")}
	resp := mustHandle(t, &Relay{Publisher: bus, Poison: sink}, recs...)
	if got := failures(resp); !slices.Equal(got, []string{seq(1)}) {
		t.Errorf("failures %v, want the poison record %s", got, seq(1))
	}
	if got := bus.ids(); !slices.Equal(got, []string{"evt_pay_a_1"}) {
		t.Errorf("published %v: what precedes the poison record goes out, nothing after it", got)
	}
}

func TestRelay_PoisonWaitsForWhatPrecedesIt(t *testing.T) {
	t.Parallel()
	// If the events before a poison record cannot be published, the retry starts before
	// the poison record; quarantining it now would quarantine it twice.
	recs := []events.DynamoDBEventRecord{
		outboxRecord(seq(0), newEvent("pay_a", 1)),
		rawOutboxRecord(seq(1), "OUTBOX#0000000001#evt_bad", "pay_p", nil),
	}
	bus := &fakeBus{PublishFn: func(int, []payment.Event) ([]error, error) { return nil, errors.New("down") }}
	sink := &fakeSink{}
	resp := mustHandle(t, &Relay{Publisher: bus, Poison: sink}, recs...)
	if got := failures(resp); !slices.Equal(got, []string{seq(0)}) {
		t.Errorf("failures %v, want [%s]", got, seq(0))
	}
	if sink.seen != 0 {
		t.Errorf("quarantined %d records before the preceding event was published", sink.seen)
	}
}

func TestRelay_DuplicatesAreHarmless(t *testing.T) {
	t.Parallel()
	a := outboxRecord(seq(0), newEvent("pay_a", 1))
	b := outboxRecord(seq(1), newEvent("pay_b", 1))
	bus, sink := &fakeBus{}, &fakeSink{}
	r := &Relay{Publisher: bus, Poison: sink}
	// Lambda retries a batch (the same records again), and a record may repeat in a batch.
	for _, batch := range [][]events.DynamoDBEventRecord{{a, b}, {a, b}, {a, a}} {
		if resp := mustHandle(t, r, batch...); len(resp.BatchItemFailures) != 0 {
			t.Fatalf("failures %v", failures(resp))
		}
	}
	want := []string{"evt_pay_a_1", "evt_pay_b_1", "evt_pay_a_1", "evt_pay_b_1", "evt_pay_a_1", "evt_pay_a_1"}
	if got := bus.ids(); !slices.Equal(got, want) {
		t.Errorf("published %v, want %v (same ids, so consumers can drop the repeats)", got, want)
	}
	if sink.seen != 0 {
		t.Errorf("quarantined %d", sink.seen)
	}
}

func TestRelay_FailureWithoutSequenceNumberFailsTheBatch(t *testing.T) {
	t.Parallel()
	rec := outboxRecord("", newEvent("pay_a", 1))
	bus := &fakeBus{PublishFn: func(int, []payment.Event) ([]error, error) { return nil, errors.New("down") }}
	r := &Relay{Publisher: bus, Poison: &fakeSink{}}
	if _, err := r.Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{rec}}); err == nil {
		t.Error("no error: Lambda would consider the batch done")
	}
}

func TestRelay_Misconfigured(t *testing.T) {
	t.Parallel()
	for name, r := range map[string]*Relay{
		"no publisher": {Poison: &fakeSink{}},
		"no sink":      {Publisher: &fakeBus{}},
	} {
		if _, err := r.Handle(context.Background(), events.DynamoDBEvent{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestRelay_EmptyBatch(t *testing.T) {
	t.Parallel()
	bus := &fakeBus{}
	resp := mustHandle(t, &Relay{Publisher: bus, Poison: &fakeSink{}})
	if len(bus.calls) != 0 || len(resp.BatchItemFailures) != 0 {
		t.Errorf("calls %d, failures %v", len(bus.calls), failures(resp))
	}
}
