package functions_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/payment"
)

// TestDailySettlement settles yesterday for one merchant: movements recorded as they happen
// (here: captured and refunded events stamped yesterday, as the relay would deliver them),
// closed by payctl as an operator would, read back through the API, and re-run harmlessly.
func TestDailySettlement(t *testing.T) {
	s := start(t)
	c := s.client(t, "m_other")
	yesterday := time.Now().UTC().AddDate(0, 0, -1)
	day := yesterday.Format(time.DateOnly)
	ev := func(typ payment.EventType, n int, amount int64, currency string) payment.Event {
		id := fmt.Sprintf("pay_settle%02d%d", n, time.Now().UnixNano())
		return payment.Event{ID: fmt.Sprintf("ev-%s-%s", typ, id), Type: typ, OccurredAt: yesterday.Add(time.Duration(n) * time.Minute),
			MerchantID: "m_other", PaymentID: id, Version: 1,
			Data: payment.EventData{Amount: amount, Currency: currency, PGOperationID: "pgop_" + id}}
	}
	// Two USD captures (one partly refunded) and a KRW capture; every event delivered twice.
	for _, e := range []payment.Event{
		ev(payment.EventCaptured, 1, 10000, "USD"), ev(payment.EventCaptured, 2, 1999, "USD"),
		ev(payment.EventRefunded, 3, 500, "USD"), ev(payment.EventCaptured, 4, 50001, "KRW"),
	} {
		s.deliverTwice(t, "SettlementQueue", e)
	}
	time.Sleep(3 * time.Second) // the recorder drains its queue

	out := s.payctl(t, "settle", "run", "--date", day, "--merchant", "m_other")
	if !strings.Contains(out, "USD") || !strings.Contains(out, "KRW") {
		t.Fatalf("settle run printed:\n%s", out)
	}
	r := c.do("GET", "/v1/settlements?from="+day+"&to="+day, "", "")
	if r.status != http.StatusOK {
		t.Fatalf("list settlements: %d %s", r.status, r.body)
	}
	batches := map[string]map[string]any{}
	for _, b := range r.json(t)["data"].([]any) {
		m := b.(map[string]any)
		batches[m["currency"].(string)] = m
	}
	usd := batches["USD"]
	// Fee: 2.5% of 11,999 = 299.975 -> 300 (half up); net = 11,999 - 500 - 300.
	if usd["grossAmount"] != 11999.0 || usd["refundAmount"] != 500.0 || usd["feeAmount"] != 300.0 || usd["netAmount"] != 11199.0 ||
		usd["settlementDate"] != day || usd["status"] != "CLOSED" || usd["merchantId"] != "m_other" {
		t.Errorf("USD batch: %v", usd)
	}
	// 2.5% of 50,001 KRW = 1,250.025 -> 1,250.
	if krw := batches["KRW"]; krw["feeAmount"] != 1250.0 || krw["netAmount"] != 48751.0 {
		t.Errorf("KRW batch: %v", krw)
	}
	got := c.do("GET", "/v1/settlements/"+usd["id"].(string), "", "")
	if got.status != http.StatusOK || got.json(t)["netAmount"] != 11199.0 {
		t.Errorf("get settlement: %d %s", got.status, got.body)
	}
	if other := s.client(t, "m_demo").do("GET", "/v1/settlements/"+usd["id"].(string), "", ""); other.status != http.StatusNotFound {
		t.Errorf("another merchant's settlement: %d %s", other.status, other.body)
	}
	// Settled money moved from pending to payable in the ledger.
	bal := c.do("GET", "/v1/balance", "", "").json(t)
	for _, b := range bal["balances"].([]any) {
		m := b.(map[string]any)
		if m["currency"] == "USD" && m["payable"] != 11199.0 {
			t.Errorf("USD payable %v, want the net 11199", m["payable"])
		}
	}
	// Re-running the day changes nothing.
	again := s.payctl(t, "settle", "run", "--date", day, "--merchant", "m_other")
	r2 := c.do("GET", "/v1/settlements?from="+day+"&to="+day, "", "")
	if string(r2.body) != string(r.body) {
		t.Errorf("a re-run changed the batches:\n%s\nthen\n%s\n(payctl: %s)", r.body, r2.body, again)
	}
	if r := c.do("GET", "/v1/settlements?from=2026-02-30", "", ""); r.status != http.StatusBadRequest {
		t.Errorf("bad date: %d", r.status)
	}
}
