package functions_test

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// The sweep voids every old authorization of the system, so it runs on a system of its own.
func TestAuthorizationExpiry(t *testing.T) {
	s := start(t)
	c := s.client(t, "m_demo")
	old := c.authorize(1500, "USD")
	oldCaptured := c.authorize(1500, "USD")
	if r := c.do("POST", "/v1/payments/"+oldCaptured+"/capture", "", newKey(t)); r.status != http.StatusAccepted {
		t.Fatalf("capture: %d %s", r.status, r.body)
	}
	time.Sleep(4 * time.Second) // past the 3.6 s window these tests configure
	young := c.authorize(1500, "USD")
	if err := s.cloud.FireSchedule(context.Background(), "ExpirySweeperFunction"); err != nil {
		t.Fatal(err)
	}
	p := c.waitStatus(t, old, "VOIDED", 30*time.Second)
	// Through the same void path as the API: the void worker releases it at the PG.
	waitUntil(t, 30*time.Second, "the PG to release the expired authorization", func() bool {
		return s.pgAuthorization(t, p["pgTransactionId"].(string))["voided"] == true
	})
	if got := c.do("GET", "/v1/payments/"+young, "", "").json(t)["status"]; got != "AUTHORIZED" {
		t.Errorf("a younger authorization became %v", got)
	}
	if got := c.do("GET", "/v1/payments/"+oldCaptured, "", "").json(t)["status"]; got == "VOIDED" {
		t.Errorf("a captured payment was voided")
	}
}
