package functions_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/paylane/paylane/shared/dynamostore"
	"github.com/paylane/paylane/shared/ledger"
	"github.com/paylane/paylane/shared/payment"
)

// waitStatus polls the API until the payment reaches status.
func (c *client) waitStatus(t testing.TB, id string, status string, timeout time.Duration) map[string]any {
	t.Helper()
	var p map[string]any
	waitUntil(t, timeout, fmt.Sprintf("payment %s to become %s", id, status), func() bool {
		r := c.do("GET", "/v1/payments/"+id, "", "")
		if r.status != http.StatusOK {
			return false
		}
		p = r.json(t)
		return p["status"] == status
	})
	return p
}

// journals returns what the ledger holds for a payment.
func (s *system) journals(t testing.TB, paymentID string) []ledger.Journal {
	t.Helper()
	l := dynamostore.NewLedger(s.db, s.cloud.Resource("LedgerTable"), dynamostore.Options{Now: time.Now})
	js, err := l.PaymentJournals(context.Background(), paymentID)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// payable sums what a payment's journals credit to the merchant: captured minus refunded.
func payable(t testing.TB, js []ledger.Journal, merchantID string) int64 {
	t.Helper()
	var sum int64
	for _, j := range js {
		if err := j.Validate(); err != nil {
			t.Errorf("journal %s does not balance: %v", j.ID, err)
		}
		for _, p := range j.Postings {
			if p.Account == "merchant_payable:"+merchantID {
				sum += p.Credit - p.Debit
			}
		}
	}
	return sum
}

func (s *system) waitJournals(t testing.TB, paymentID string, n int) []ledger.Journal {
	t.Helper()
	var js []ledger.Journal
	waitUntil(t, 30*time.Second, fmt.Sprintf("%d journals of %s", n, paymentID), func() bool {
		js = s.journals(t, paymentID)
		return len(js) >= n
	})
	return js
}

// pgStatementLines counts the lines of today's PG statement of a type for one of our
// payments (the statement's payment_id column is our reference).
func (s *system) pgStatementLines(t *testing.T, paymentID, typ string) int {
	n := 0
	for _, line := range strings.Split(s.pgStatement(t), "\n") {
		f := strings.Split(line, ",")
		if len(f) >= 4 && f[1] == typ && f[3] == paymentID {
			n++
		}
	}
	return n
}

func TestMoneyPipeline(t *testing.T) {
	s := start(t)

	t.Run("FullFlowCaptureLedgerRefundReversal", func(t *testing.T) {
		t.Parallel()
		c := s.client(t, "m_demo")
		id := c.authorize(10000, "USD")
		if r := c.do("POST", "/v1/payments/"+id+"/capture", `{"amount":8000}`, newKey(t)); r.status != http.StatusAccepted {
			t.Fatalf("capture: %d %s", r.status, r.body)
		}
		if p := c.waitStatus(t, id, "CAPTURED", 30*time.Second); p["capturedAmount"] != 8000.0 {
			t.Errorf("captured %v, want 8000", p["capturedAmount"])
		}
		js := s.waitJournals(t, id, 1)
		if got := payable(t, js, "m_demo"); got != 8000 {
			t.Errorf("after capture the merchant is owed %d, want 8000", got)
		}
		if r := c.do("POST", "/v1/payments/"+id+"/refunds", `{"amount":3000}`, newKey(t)); r.status != http.StatusAccepted {
			t.Fatalf("refund: %d %s", r.status, r.body)
		}
		p := c.waitStatus(t, id, "PARTIALLY_REFUNDED", 30*time.Second)
		if p["refundedAmount"] != 3000.0 || p["refunds"].([]any)[0].(map[string]any)["status"] != "REFUNDED" {
			t.Errorf("after the refund: %v", p)
		}
		js = s.waitJournals(t, id, 2)
		if got := payable(t, js, "m_demo"); got != 5000 {
			t.Errorf("the payment's ledger sums to %d, want captured minus refunded = 5000", got)
		}
		if s.pgStatementLines(t, id, "CAPTURE") != 1 || s.pgStatementLines(t, id, "REFUND") != 1 {
			t.Errorf("PG statement:\n%s", s.pgStatement(t))
		}
		bal := c.do("GET", "/v1/balance", "", "")
		if bal.status != http.StatusOK || !strings.Contains(string(bal.body), `"currency":"USD"`) {
			t.Errorf("balance: %d %s", bal.status, bal.body)
		}
	})

	t.Run("VoidReleasesTheAuthorizationAtThePG", func(t *testing.T) {
		t.Parallel()
		c := s.client(t, "m_demo")
		id := c.authorize(500, "EUR")
		r := c.do("POST", "/v1/payments/"+id+"/void", "", newKey(t))
		if r.status != http.StatusOK {
			t.Fatalf("void: %d %s", r.status, r.body)
		}
		pgtx := r.json(t)["pgTransactionId"].(string)
		waitUntil(t, 30*time.Second, "the PG to release the authorization", func() bool {
			return s.pgAuthorization(t, pgtx)["voided"] == true
		})
		// A duplicate of the voided event releases nothing twice.
		for _, ev := range s.outboxEvents(t, id) {
			if ev.Type == payment.EventVoided {
				s.deliverTwice(t, "VoidQueue", ev)
			}
		}
		time.Sleep(2 * time.Second)
		if n := s.pgStatementLines(t, id, "VOID"); n != 1 {
			t.Errorf("%d voids at the PG, want 1", n)
		}
	})

	t.Run("DuplicateDeliveryOfEveryEventTypeHasOneEffect", func(t *testing.T) {
		t.Parallel()
		c := s.client(t, "m_other")
		id := c.authorize(7000, "KRW")
		c.do("POST", "/v1/payments/"+id+"/capture", "", newKey(t))
		c.waitStatus(t, id, "CAPTURED", 30*time.Second)
		c.do("POST", "/v1/payments/"+id+"/refunds", `{"amount":1000}`, newKey(t))
		c.waitStatus(t, id, "PARTIALLY_REFUNDED", 30*time.Second)
		s.waitJournals(t, id, 2)
		// Send every event of the payment again, as EventBridge would on a redelivery.
		events := s.outboxEvents(t, id)
		for _, ev := range events {
			queue := map[payment.EventType]string{
				payment.EventCaptureRequested: "CaptureQueue", payment.EventRefundRequested: "RefundQueue",
				payment.EventCaptured: "LedgerQueue", payment.EventRefunded: "LedgerQueue",
			}[ev.Type]
			if queue != "" {
				s.deliverTwice(t, queue, ev)
			}
		}
		time.Sleep(3 * time.Second) // let the workers chew on the duplicates
		if n := s.pgStatementLines(t, id, "CAPTURE"); n != 1 {
			t.Errorf("%d captures at the PG, want 1", n)
		}
		if n := s.pgStatementLines(t, id, "REFUND"); n != 1 {
			t.Errorf("%d refunds at the PG, want 1", n)
		}
		js := s.journals(t, id)
		if len(js) != 2 || payable(t, js, "m_other") != 6000 {
			t.Errorf("ledger after duplicates: %d journals, payable %d; want 2 and 6000", len(js), payable(t, js, "m_other"))
		}
	})

	t.Run("OutOfOrderEventsEndRight", func(t *testing.T) {
		t.Parallel()
		c := s.client(t, "m_other")
		id := c.authorize(4000, "JPY")
		c.do("POST", "/v1/payments/"+id+"/capture", "", newKey(t))
		c.waitStatus(t, id, "CAPTURED", 30*time.Second)
		c.do("POST", "/v1/payments/"+id+"/refunds", `{"amount":1500}`, newKey(t))
		c.waitStatus(t, id, "PARTIALLY_REFUNDED", 30*time.Second)
		s.waitJournals(t, id, 2)
		events := s.outboxEvents(t, id)
		// A capture_requested arriving after the payment was captured and refunded is a no-op.
		for _, ev := range events {
			if ev.Type == payment.EventCaptureRequested {
				s.deliverTwice(t, "CaptureQueue", ev)
			}
		}
		time.Sleep(2 * time.Second)
		if got := c.do("GET", "/v1/payments/"+id, "", "").json(t); got["status"] != "PARTIALLY_REFUNDED" {
			t.Errorf("a late capture_requested changed the payment: %v", got["status"])
		}
	})

	t.Run("RefundPostedBeforeCaptureStillBalances", func(t *testing.T) {
		t.Parallel()
		// The ledger may see a refund before the capture it reverses: each journal balances
		// on its own and the sum is right once both are in.
		ev := func(typ payment.EventType, id string, amount int64) payment.Event {
			return payment.Event{ID: fmt.Sprintf("%s-%s", typ, id), Type: typ, OccurredAt: time.Now().UTC(), MerchantID: "m_demo",
				PaymentID: id, Version: 1, Data: payment.EventData{Amount: amount, Currency: "USD", RefundID: "rf_" + id}}
		}
		id := fmt.Sprintf("pay_ooo%d", time.Now().UnixNano())
		s.deliverTwice(t, "LedgerQueue", ev(payment.EventRefunded, id, 300))
		s.waitJournals(t, id, 1)
		s.deliverTwice(t, "LedgerQueue", ev(payment.EventCaptured, id, 1000))
		js := s.waitJournals(t, id, 2)
		if got := payable(t, js, "m_demo"); got != 700 {
			t.Errorf("payable %d, want 700", got)
		}
	})

	t.Run("WorkerKilledMidBatchLosesAndDoublesNothing", func(t *testing.T) {
		t.Parallel()
		c := s.client(t, "m_demo")
		// A slower PG keeps the worker busy long enough to be killed mid-batch (well inside
		// the PG timeout, so no other test's call fails).
		s.pgControl(t, `{"latencyMs":300}`)
		defer s.pgControl(t, `{"latencyMs":0}`)
		var ids []string
		for range 6 {
			ids = append(ids, c.authorize(1200, "USD"))
		}
		var wg sync.WaitGroup
		for _, id := range ids {
			wg.Go(func() { c.do("POST", "/v1/payments/"+id+"/capture", "", newKey(t)) })
		}
		wg.Wait()
		// Kill the settlement worker's processes while they work on the batch.
		waitUntil(t, 10*time.Second, "a settlement worker instance", func() bool {
			return len(s.cloud.Runtime().PIDs("paylane-SettlementWorkerFunction")) > 0
		})
		for _, pid := range s.cloud.Runtime().PIDs("paylane-SettlementWorkerFunction") {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		for _, id := range ids {
			c.waitStatus(t, id, "CAPTURED", 60*time.Second)
			if n := s.pgStatementLines(t, id, "CAPTURE"); n != 1 {
				t.Errorf("%s captured %d times at the PG", id, n)
			}
			if js := s.waitJournals(t, id, 1); len(js) != 1 {
				t.Errorf("%s has %d journals", id, len(js))
			}
		}
	})
}

// outboxEvents reads a payment's events from its outbox records.
func (s *system) outboxEvents(t *testing.T, paymentID string) []payment.Event {
	t.Helper()
	store := dynamostore.NewPayments(s.db, s.cloud.Resource("PaymentsTable"), dynamostore.Options{Now: time.Now})
	evs, err := store.OutboxEvents(context.Background(), paymentID)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// deliverTwice sends an event to a queue twice, in the EventBridge envelope, as an
// at-least-once delivery may.
func (s *system) deliverTwice(t *testing.T, queueLogicalID string, ev payment.Event) {
	t.Helper()
	detail, _ := json.Marshal(ev)
	body, _ := json.Marshal(map[string]any{
		"version": "0", "id": "redelivery-" + ev.ID, "detail-type": string(ev.Type), "source": payment.EventSource,
		"account": "000000000000", "time": ev.OccurredAt.Format(time.RFC3339), "region": "us-east-1",
		"resources": []string{}, "detail": json.RawMessage(detail),
	})
	q := sqs.NewFromConfig(s.cloud.AWSConfig())
	for range 2 {
		if _, err := q.SendMessage(context.Background(), &sqs.SendMessageInput{
			QueueUrl: aws.String(s.cloud.Resource(queueLogicalID)), MessageBody: aws.String(string(body)),
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// payctl runs the operators' tool against the system, as a person would.
func (s *system) payctl(t *testing.T, args ...string) string {
	t.Helper()
	out, err := s.payctlRun(args...)
	if err != nil {
		t.Fatalf("payctl %v: %v\n%s", args, err, out)
	}
	return out
}

// payctlOutput runs payctl and returns what it printed, failed or not.
func (s *system) payctlOutput(args ...string) string {
	out, _ := s.payctlRun(args...)
	return out
}

func (s *system) payctlRun(args ...string) (string, error) {
	root, _ := filepath.Abs("..")
	cmd := exec.Command("go", append([]string{"run", "./cmd/payctl"}, args...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL="+s.cloud.AWSEndpoint(), "AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "PAYLANE_PG_URL="+s.cloud.PGURL())
	var stdout strings.Builder
	cmd.Stdout = &stdout
	cmd.Stderr = os.Stderr
	err := cmd.Run()
	return stdout.String(), err
}

// These break the PG for everyone, so they run on a system of their own.
func TestMoneyPipelinePGFailures(t *testing.T) {
	s := start(t)

	t.Run("OutageSendsCapturesToTheDLQAndRedriveCompletesThem", func(t *testing.T) {
		c := s.client(t, "m_demo")
		var ids []string
		for range 3 {
			ids = append(ids, c.authorize(2500, "USD"))
		}
		s.pgControl(t, `{"outage":true}`)
		for _, id := range ids {
			if r := c.do("POST", "/v1/payments/"+id+"/capture", "", newKey(t)); r.status != http.StatusAccepted {
				t.Fatalf("capture: %d %s", r.status, r.body)
			}
		}
		// Five receives, each a worker invocation that retries inside its budget, then the DLQ.
		waitUntil(t, 90*time.Second, "the captures to reach the DLQ", func() bool {
			return strings.Contains(s.payctl(t, "dlq", "list"), "paylane-capture-dlq") && s.dlqDepth(t, "CaptureDLQ") == len(ids)
		})
		for _, id := range ids {
			if got := c.do("GET", "/v1/payments/"+id, "", "").json(t)["status"]; got != "CAPTURE_REQUESTED" {
				t.Errorf("during the outage %s is %v", id, got)
			}
		}
		show := s.payctl(t, "dlq", "show", "paylane-capture-dlq")
		if !strings.Contains(show, "payment.capture_requested") || !strings.Contains(strings.ToLower(show), "unavailable") {
			t.Errorf("dlq show does not say what failed and why:\n%s", show)
		}
		s.pgControl(t, `{"reset":true}`)
		s.payctl(t, "dlq", "redrive", "paylane-capture-dlq")
		for _, id := range ids {
			c.waitStatus(t, id, "CAPTURED", 60*time.Second)
			if n := s.pgStatementLines(t, id, "CAPTURE"); n != 1 {
				t.Errorf("%s captured %d times", id, n)
			}
			if js := s.waitJournals(t, id, 1); len(js) != 1 || payable(t, js, "m_demo") != 2500 {
				t.Errorf("%s ledger: %d journals", id, len(js))
			}
		}
	})

	t.Run("DroppedAnswersEndInTheRightState", func(t *testing.T) {
		c := s.client(t, "m_demo")
		// Capture and refund: the PG performs them and the answer is lost; the workers find
		// out by key on the next delivery instead of repeating them.
		id := c.authorize(9000, "USD")
		s.pgControl(t, `{"dropResponses":true}`)
		c.do("POST", "/v1/payments/"+id+"/capture", "", newKey(t))
		time.Sleep(2 * time.Second)
		s.pgControl(t, `{"reset":true}`)
		c.waitStatus(t, id, "CAPTURED", 60*time.Second)
		if n := s.pgStatementLines(t, id, "CAPTURE"); n != 1 {
			t.Errorf("captured %d times at the PG", n)
		}
		s.pgControl(t, `{"dropResponses":true}`)
		c.do("POST", "/v1/payments/"+id+"/refunds", `{"amount":4000}`, newKey(t))
		time.Sleep(2 * time.Second)
		s.pgControl(t, `{"reset":true}`)
		c.waitStatus(t, id, "PARTIALLY_REFUNDED", 60*time.Second)
		if n := s.pgStatementLines(t, id, "REFUND"); n != 1 {
			t.Errorf("refunded %d times at the PG", n)
		}

		// Authorize: we answer 503, the PG approved. The janitor voids it at the PG.
		key := newKey(t)
		s.pgControl(t, `{"dropResponses":true}`)
		r := c.do("POST", "/v1/payments", `{"amount":3100,"currency":"USD","orderId":"o-dropped","paymentMethod":"pm_card_visa"}`, key)
		s.pgControl(t, `{"reset":true}`)
		if r.status != http.StatusServiceUnavailable {
			t.Fatalf("authorize with the answer dropped: %d %s", r.status, r.body)
		}
		lost := payment.ID("pay_", "m_demo", key)
		if !s.pgPerformed(t, "authorize:"+lost) {
			t.Fatal("the PG did not perform the authorization")
		}
		time.Sleep(1100 * time.Millisecond) // the janitor's grace in these tests is 1 s
		if err := s.cloud.FireSchedule(context.Background(), "JanitorFunction"); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, 30*time.Second, "the janitor to void the orphan authorization", func() bool {
			return s.pgOperation(t, "void:"+lost)
		})
		if r := c.do("GET", "/v1/payments/"+lost, "", ""); r.status != http.StatusNotFound {
			t.Errorf("the orphan was recorded as a payment: %d %s", r.status, r.body)
		}
	})
}

func (s *system) dlqDepth(t *testing.T, logicalID string) int {
	t.Helper()
	q := sqs.NewFromConfig(s.cloud.AWSConfig())
	out, err := q.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(s.cloud.Resource(logicalID)), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages},
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	fmt.Sscan(out.Attributes["ApproximateNumberOfMessages"], &n)
	return n
}

func (s *system) pgOperation(t *testing.T, key string) bool {
	status, _ := s.pgGet(t, "/v1/operations/"+strings.ReplaceAll(key, ":", "%3A")+"?operation=void")
	return status == http.StatusOK
}
