package eventbus_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/paylane/paylane/shared/eventbus"
	"github.com/paylane/paylane/shared/settlement"
)

// closedBusEvent is what an SQS target of the bus receives for settlement.closed.
type closedBusEvent struct {
	DetailType string                 `json:"detail-type"`
	Source     string                 `json:"source"`
	Time       string                 `json:"time"`
	Detail     settlement.ClosedEvent `json:"detail"`
}

func TestSettlementPublisher_EventArrivesAsTheEnvelope(t *testing.T) {
	t.Parallel()
	c := newCloud(t)
	ctx := testContext(t)
	queue := c.createQueue(t, "settlements")
	if _, err := c.eb.PutRule(ctx, &eventbridge.PutRuleInput{
		Name: aws.String("settlements"), EventBusName: aws.String(busName),
		EventPattern: aws.String(`{"source":["paylane.settlements"],"detail-type":["settlement.closed"]}`),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.eb.PutTargets(ctx, &eventbridge.PutTargetsInput{
		Rule: aws.String("settlements"), EventBusName: aws.String(busName),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:settlements")}},
	}); err != nil {
		t.Fatal(err)
	}
	b := settlement.NewBatch("m_shop", "2026-03-01", settlement.Totals{Currency: "KRW", Gross: 50_001, Refunded: 1_000, Captures: 2, Refunds: 1}, 250,
		time.Date(2026, 3, 2, 0, 5, 0, 0, time.UTC))
	if err := eventbus.NewSettlementPublisher(c.eb, busName).PublishClosed(ctx, b); err != nil {
		t.Fatal(err)
	}
	got := receive[closedBusEvent](t, c, queue, 1)[0]
	if got.Source != "paylane.settlements" || got.DetailType != "settlement.closed" || got.Time != "2026-03-02T00:05:00Z" {
		t.Errorf("arrived with source %q detail-type %q time %q", got.Source, got.DetailType, got.Time)
	}
	want := settlement.ClosedEvent{ID: "m_shop/stl_20260301_krw", Type: "settlement.closed", OccurredAt: b.CreatedAt,
		MerchantID: "m_shop", PaymentID: "", Version: 1, Data: b}
	if got.Detail != want {
		t.Errorf("detail\n%+v\nwant\n%+v", got.Detail, want)
	}
	// Payment consumers do not see it.
	if n := len(receiveSome(t, c, c.seenURL)); n != 0 {
		t.Errorf("%d settlement events reached the payment events' queue", n)
	}
}

// receiveSome reads what is in a queue now, without waiting for more.
func receiveSome(t *testing.T, c *cloud, queueURL string) []string {
	t.Helper()
	res, err := c.sqs.ReceiveMessage(testContext(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range res.Messages {
		out = append(out, aws.ToString(m.Body))
	}
	return out
}

// putEventsFunc is a PutEventsAPI answering with fn.
type putEventsFunc func(*eventbridge.PutEventsInput) (*eventbridge.PutEventsOutput, error)

func (f putEventsFunc) PutEvents(_ context.Context, in *eventbridge.PutEventsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	return f(in)
}

func TestSettlementPublisher_Failures(t *testing.T) {
	t.Parallel()
	b := settlement.NewBatch("m_shop", "2026-03-01", settlement.Totals{Currency: "USD", Gross: 1999, Captures: 1}, 250, t0)
	boom := errors.New("boom")
	tests := []struct {
		name   string
		answer func(*eventbridge.PutEventsInput) (*eventbridge.PutEventsOutput, error)
		check  func(t *testing.T, err error)
	}{
		{"CallFails", func(*eventbridge.PutEventsInput) (*eventbridge.PutEventsOutput, error) { return nil, boom },
			func(t *testing.T, err error) {
				if !errors.Is(err, boom) || !strings.Contains(err.Error(), "m_shop/stl_20260301_usd") {
					t.Errorf("%v, want the call's error, naming the event", err)
				}
			}},
		{"EntryRefused", func(*eventbridge.PutEventsInput) (*eventbridge.PutEventsOutput, error) {
			return &eventbridge.PutEventsOutput{FailedEntryCount: 1, Entries: []ebtypes.PutEventsResultEntry{
				{ErrorCode: aws.String("ThrottlingException"), ErrorMessage: aws.String("slow down")}}}, nil
		}, func(t *testing.T, err error) {
			var ee *eventbus.EntryError
			if !errors.As(err, &ee) || ee.Code != "ThrottlingException" || ee.EventID != "m_shop/stl_20260301_usd" {
				t.Errorf("%v, want an *EntryError with the code", err)
			}
		}},
		{"NoEventID", func(*eventbridge.PutEventsInput) (*eventbridge.PutEventsOutput, error) {
			return &eventbridge.PutEventsOutput{Entries: []ebtypes.PutEventsResultEntry{{}}}, nil
		}, func(t *testing.T, err error) {
			var ee *eventbus.EntryError
			if !errors.As(err, &ee) {
				t.Errorf("%v, want an *EntryError", err)
			}
		}},
		{"NoResultEntries", func(*eventbridge.PutEventsInput) (*eventbridge.PutEventsOutput, error) {
			return &eventbridge.PutEventsOutput{}, nil
		}, func(t *testing.T, err error) {
			if err == nil || !strings.Contains(err.Error(), "0 result entries") {
				t.Errorf("%v, want an error", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var sent *eventbridge.PutEventsInput
			p := eventbus.NewSettlementPublisher(putEventsFunc(func(in *eventbridge.PutEventsInput) (*eventbridge.PutEventsOutput, error) {
				sent = in
				return tc.answer(in)
			}), "arn:aws:events:us-east-1:000000000000:event-bus/paylane")
			tc.check(t, p.PublishClosed(context.Background(), b))
			if sent == nil || len(sent.Entries) != 1 || aws.ToString(sent.Entries[0].EventBusName) != "arn:aws:events:us-east-1:000000000000:event-bus/paylane" {
				t.Errorf("sent %+v, want one entry on the bus given", sent)
			}
		})
	}
}
