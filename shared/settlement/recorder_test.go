package settlement_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/settlement"
)

func failedIDs(resp events.SQSEventResponse) []string {
	out := []string{}
	for _, f := range resp.BatchItemFailures {
		out = append(out, f.ItemIdentifier)
	}
	return out
}

func TestRecorder_Handle(t *testing.T) {
	t.Parallel()
	r := newRig(nil, merchantWith("m_a", 250))
	p, capEv := captured(t, "pay_1", "m_a", "KRW", 50_000, t0)
	rfEv := refunded(t, p, "rf_1", 1_000, t0)
	_, other := captured(t, "pay_2", "m_a", "KRW", 7, t0)
	authorized := capEv
	authorized.ID, authorized.Type = "ev_auth", payment.EventAuthorized

	wrongSource := sqsMessage(t, "m_source", other)
	wrongSource.Body = `{"source":"someone.else","detail-type":"payment.captured","detail":{}}`
	typeMismatch := sqsMessage(t, "m_mismatch", other)
	typeMismatch.Body = `{"source":"paylane.payments","detail-type":"payment.voided","detail":` + mustJSON(t, other) + `}`
	noDetail := sqsMessage(t, "m_nodetail", other)
	noDetail.Body = `{"source":"paylane.payments","detail-type":"payment.captured"}`
	badDetail := sqsMessage(t, "m_baddetail", other)
	badDetail.Body = `{"source":"paylane.payments","detail-type":"payment.captured","detail":{"occurredAt":"yesterday"}}`
	invalid := capEv
	invalid.ID, invalid.Data.Currency = "ev_bad_currency", "XYZ"

	resp, err := r.recorder.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		sqsMessage(t, "m_cap", capEv),
		sqsMessage(t, "m_rf", rfEv),
		sqsMessage(t, "m_auth", authorized),
		sqsMessage(t, "m_dup", capEv),
		{MessageId: "m_garbage", Body: "not json"},
		wrongSource, typeMismatch, noDetail, badDetail,
		sqsMessage(t, "m_invalid", invalid),
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"m_garbage", "m_source", "m_mismatch", "m_nodetail", "m_baddetail", "m_invalid"}
	if got := failedIDs(resp); !slices.Equal(got, want) {
		t.Errorf("failed messages %v, want %v", got, want)
	}
	got := r.closeDay(t, "2026-03-01", "m_a")
	if len(got.Batches) != 1 || got.Batches[0].Gross != 50_000 || got.Batches[0].Refunded != 1_000 || got.Batches[0].PaymentCount != 2 {
		t.Errorf("batches %+v, want the capture once and the refund", got.Batches)
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRecorder_HandleFailures(t *testing.T) {
	t.Parallel()
	_, capEv := captured(t, "pay_1", "m_a", "KRW", 50_000, t0)
	t.Run("StoreFails", func(t *testing.T) {
		t.Parallel()
		r := newRig(nil)
		r.store.record = func(settlement.Movement, string) (string, error, bool) { return "", errBoom, true }
		resp, err := r.recorder.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{sqsMessage(t, "m1", capEv)}})
		if err != nil || !slices.Equal(failedIDs(resp), []string{"m1"}) {
			t.Errorf("Handle = %v, %v; want m1 to fail and be retried", failedIDs(resp), err)
		}
		if err := r.recorder.RecordEvent(context.Background(), capEv); !errors.Is(err, errBoom) || errors.Is(err, settlement.ErrInvalidMovement) {
			t.Errorf("RecordEvent = %v, want the store's error", err)
		}
	})
	t.Run("OutOfTime", func(t *testing.T) {
		t.Parallel()
		r := newRig(nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		resp, err := r.recorder.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{sqsMessage(t, "m1", capEv), sqsMessage(t, "m2", capEv)}})
		if err != nil || !slices.Equal(failedIDs(resp), []string{"m1", "m2"}) {
			t.Errorf("Handle = %v, %v; want every message left for redelivery", failedIDs(resp), err)
		}
		if sum, _ := r.store.CloseDay(context.Background(), "m_a", "2026-03-01"); len(sum) != 0 {
			t.Errorf("recorded %+v after the deadline", sum)
		}
	})
	t.Run("NoStore", func(t *testing.T) {
		t.Parallel()
		if _, err := (&settlement.Recorder{}).Handle(context.Background(), events.SQSEvent{}); err == nil {
			t.Error("a recorder without a store handled a batch")
		}
		if err := (&settlement.Recorder{}).RecordEvent(context.Background(), payment.Event{}); err == nil {
			t.Error("a recorder without a store recorded an event")
		}
	})
	t.Run("EmptyBatch", func(t *testing.T) {
		t.Parallel()
		resp, err := newRig(nil).recorder.Handle(context.Background(), events.SQSEvent{})
		if err != nil || resp.BatchItemFailures == nil || len(resp.BatchItemFailures) != 0 {
			t.Errorf("Handle(empty) = %+v, %v; want an empty, non-nil failure list", resp, err)
		}
	})
}

// A movement's day is its time's date in the settlement zone; when that day is closed it
// lands in the next open one.
func TestRecorder_DayInZoneAndLateEvents(t *testing.T) {
	t.Parallel()
	seoul := mustZone(t, "Asia/Seoul")
	r := newRig(seoul, merchantWith("m_a", 250))
	// 16:00 UTC on March 1st is 01:00 on March 2nd in Seoul.
	_, ev := captured(t, "pay_1", "m_a", "KRW", 10_000, time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC))
	r.record(t, ev)
	r.setNow(time.Date(2026, 3, 4, 0, 0, 0, 0, seoul))
	if sum := r.closeDay(t, "2026-03-01", "m_a"); len(sum.Batches) != 0 {
		t.Errorf("March 1st in Seoul: %+v, want nothing", sum.Batches)
	}
	if sum := r.closeDay(t, "2026-03-02", "m_a"); len(sum.Batches) != 1 || sum.Batches[0].Gross != 10_000 {
		t.Errorf("March 2nd in Seoul: %+v, want the capture", sum.Batches)
	}
	// Late: it happened on the 2nd, which is closed; the 3rd is open.
	_, late := captured(t, "pay_2", "m_a", "KRW", 333, time.Date(2026, 3, 2, 14, 59, 0, 0, time.UTC))
	r.record(t, late)
	if sum := r.closeDay(t, "2026-03-03", "m_a"); len(sum.Batches) != 1 || sum.Batches[0].Gross != 333 {
		t.Errorf("March 3rd: %+v, want the late capture", sum.Batches)
	}
}

// Every sample in testdata goes through the real Lambda decoding into Handle.
func TestRecorder_Fixtures(t *testing.T) {
	t.Parallel()
	r := newRig(nil, merchantWith("m_demo", 250))
	raw, err := os.ReadFile(filepath.Join("testdata", "recorder-sqs.json"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := lambda.NewHandler(r.recorder.Handle).Invoke(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	var resp events.SQSEventResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	if got := failedIDs(resp); !slices.Equal(got, []string{"3c1f7a52-0003-4000-8000-000000000003"}) {
		t.Errorf("failures %v, want only the malformed message", got)
	}
	sum := r.closeDay(t, "2026-03-01", "m_demo")
	if len(sum.Batches) != 1 || sum.Batches[0].Gross != 50_000 || sum.Batches[0].Refunded != 10_000 {
		t.Errorf("batches %+v, want 50,000 captured and 10,000 refunded", sum.Batches)
	}
}
