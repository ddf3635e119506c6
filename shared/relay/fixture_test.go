package relay

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/paylane/paylane/shared/payment"
)

// TestRelay_StreamEventFixture pushes a stream event as Lambda sends it (a capture: the
// payment's MODIFY, its outbox INSERT, the idempotency completion and the TTL removal of
// an old outbox item) through the real decoding of aws-lambda-go.
func TestRelay_StreamEventFixture(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("testdata/stream-event.json")
	if err != nil {
		t.Fatal(err)
	}
	bus, sink := &fakeBus{}, &fakeSink{}
	out, err := lambda.NewHandler((&Relay{Publisher: bus, Poison: sink}).Handle).Invoke(context.Background(), raw)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	if string(out) != `{"batchItemFailures":[]}` {
		t.Errorf("response %s", out)
	}
	if len(bus.calls) != 1 || len(bus.calls[0]) != 1 || sink.seen != 0 {
		t.Fatalf("calls %v, quarantined %d; want the one outbox event", bus.ids(), sink.seen)
	}
	got := bus.calls[0][0]
	want := `{"id":"evt_01HQ3","type":"payment.captured","occurredAt":"2025-03-01T09:30:00.123456789Z","merchantId":"m_shop","paymentId":"pay_01HQ","version":1,"data":{"amount":15000,"currency":"KRW","status":"CAPTURED","paymentVersion":3,"authorizedAmount":15000,"capturedAmount":15000,"pgTransactionId":"pgtx_9"}}`
	if b, _ := json.Marshal(got); string(b) != want {
		t.Errorf("published\n%s\nwant\n%s", b, want)
	}

	bus.PublishFn = func(int, []payment.Event) ([]error, error) { return nil, errors.New("down") }
	out, err = lambda.NewHandler((&Relay{Publisher: bus, Poison: sink}).Handle).Invoke(context.Background(), raw)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	if string(out) != `{"batchItemFailures":[{"itemIdentifier":"400000000000000000002"}]}` {
		t.Errorf("response on failure %s", out)
	}
}
