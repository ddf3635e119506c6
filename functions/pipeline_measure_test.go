package functions_test

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paylane/paylane/infra/localcloud"
)

// BenchmarkCaptureToLedger measures the delay from a capture request's 202 to its journal
// in the ledger (relay, bus, capture queue, settlement worker, PG, relay again, ledger
// queue, ledger writer), at a steady rate of captures, on the local cloud with its default
// polling (streams about 4 times a second, as Lambda polls them):
//
//	go test -run '^$' -bench CaptureToLedger -benchtime 200x ./functions/
func BenchmarkCaptureToLedger(b *testing.B) {
	s := startWith(b, func(c *localcloud.Config) { c.StreamPollInterval = 0 }) // the default
	c := s.client(b, "m_demo")
	const rate = 20 // captures a second
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = c.authorize(1000, "USD")
	}
	delays := make([]time.Duration, b.N)
	var wg sync.WaitGroup
	b.ResetTimer()
	tick := time.NewTicker(time.Second / rate)
	defer tick.Stop()
	for i, id := range ids {
		<-tick.C
		wg.Go(func() {
			r := c.do("POST", "/v1/payments/"+id+"/capture", "", newKey(b))
			accepted := time.Now()
			if r.status != http.StatusAccepted {
				b.Errorf("capture: %d %s", r.status, r.body)
				return
			}
			for len(s.journals(b, id)) == 0 {
				if time.Since(accepted) > time.Minute {
					b.Errorf("%s: no journal after a minute", id)
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
			delays[i] = time.Since(accepted)
		})
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(delays)
	b.ReportMetric(float64(delays[len(delays)/2].Milliseconds()), "p50-ms")
	b.ReportMetric(float64(delays[len(delays)*95/100].Milliseconds()), "p95-ms")
	b.ReportMetric(rate, "captures/s")
}

// TestCostOfFullPayments runs full payments (authorize, capture, one partial refund) to
// the end of the pipeline and reports what each cost in DynamoDB write units and in the
// requests SQS, EventBridge and the other services bill by. The limits pin today's design:
// a rise means a design change, to be made on purpose.
func TestCostOfFullPayments(t *testing.T) {
	s := start(t)
	c := s.client(t, "m_other")
	const n = 20
	tables := []string{"PaymentsTable", "LedgerTable", "SettlementsTable", "ReconciliationTable", "MerchantsTable", "RateLimitTable", "OpsTable"}
	before := map[string]float64{}
	for _, tb := range tables {
		before[tb], _ = s.cloud.TableWriteUnits(tb)
	}
	s.cloud.Requests(true)
	var ids []string
	for range n {
		id := c.authorize(5000, "EUR")
		c.do("POST", "/v1/payments/"+id+"/capture", "", newKey(t))
		ids = append(ids, id)
	}
	for _, id := range ids {
		c.waitStatus(t, id, "CAPTURED", time.Minute)
		c.do("POST", "/v1/payments/"+id+"/refunds", `{"amount":2000}`, newKey(t))
	}
	for _, id := range ids {
		c.waitStatus(t, id, "PARTIALLY_REFUNDED", time.Minute)
		s.waitJournals(t, id, 2)
	}
	requests := s.cloud.Requests(false)
	var report []string
	total := 0.0
	for _, tb := range tables {
		after, err := s.cloud.TableWriteUnits(tb)
		if err != nil {
			t.Fatal(err)
		}
		per := (after - before[tb]) / n
		total += per
		report = append(report, fmt.Sprintf("%s %.1f WCU", tb, per))
	}
	ops := make([]string, 0, len(requests))
	for op := range requests {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		if strings.HasPrefix(op, "AmazonSQS.") || strings.HasPrefix(op, "AWSEvents.") {
			report = append(report, fmt.Sprintf("%s %.2f", op, float64(requests[op])/n))
		}
	}
	t.Logf("per full payment (authorize, capture, one refund), over %d payments: %.1f WCU in all; %s",
		n, total, strings.Join(report, "; "))
	// 77 today: payments 36 (API writes, worker writes, the open-authorization index),
	// ledger 16 (two journals), settlement 8, reconciliation records 12, rate counter 3 + 2
	// for this test's polling GETs.
	if total > 80 {
		t.Errorf("a full payment costs %.1f write units; the design's budget is 80", total)
	}
	if events := float64(requests["AWSEvents.PutEvents"]) / n; events > 8 {
		t.Errorf("%.1f PutEvents per payment; one per outbox event (6) is the design", events)
	}
}
