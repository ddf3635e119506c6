package functions_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/payment"
)

// These tests break the PG, so they run on a system of their own, one after the other.
func TestPGFailures(t *testing.T) {
	s := start(t)

	t.Run("OutageAnswers503AndChargesNothing", func(t *testing.T) {
		c := s.client(t, "m_demo")
		key := newKey(t)
		body := `{"amount":4200,"currency":"USD","orderId":"o-outage","paymentMethod":"pm_card_visa"}`
		s.pgControl(t, `{"outage":true}`)
		r := c.do("POST", "/v1/payments", body, key)
		s.pgControl(t, `{"reset":true}`)
		if r.status != http.StatusServiceUnavailable || r.errorCode() != "pg_unavailable" {
			t.Fatalf("during the outage: %d %s", r.status, r.body)
		}
		if strings.Contains(string(r.body), "outage") || strings.Contains(string(r.body), "127.0.0.1") {
			t.Errorf("the 503 body leaks internal detail: %s", r.body)
		}
		// Nothing was recorded and the key was released: the same request now succeeds.
		r = c.do("POST", "/v1/payments", body, key)
		if r.status != http.StatusCreated || r.header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("after the outage, same key: %d %s", r.status, r.body)
		}
	})

	t.Run("TimeoutAnswers503", func(t *testing.T) {
		c := s.client(t, "m_demo")
		started := time.Now()
		r := c.do("POST", "/v1/payments", `{"amount":1,"currency":"USD","orderId":"o-t","paymentMethod":"pm_timeout"}`, newKey(t))
		if r.status != http.StatusServiceUnavailable || r.errorCode() != "pg_unavailable" {
			t.Fatalf("PG never answers: %d %s", r.status, r.body)
		}
		if took := time.Since(started); took > 8*time.Second {
			t.Errorf("answered after %s; the PG timeout is 3s", took)
		}
	})

	t.Run("KilledBetweenPGCallAndWriteNeitherLosesNorDoubles", func(t *testing.T) {
		c := s.client(t, "m_demo")
		key := newKey(t)
		body := `{"amount":9900,"currency":"USD","orderId":"o-killed","paymentMethod":"pm_card_visa"}`
		id := payment.ID("pay_", "m_demo", key)
		// The PG approves, then its answer never comes: the function waits for it, and we
		// kill the function's process in that window, after the PG call, before the write.
		s.pgControl(t, `{"dropResponses":true}`)
		done := make(chan reply, 1)
		go func() { done <- c.do("POST", "/v1/payments", body, key) }()
		waitUntil(t, 10*time.Second, "the PG performed the authorization", func() bool {
			return s.pgPerformed(t, "authorize:"+id)
		})
		pids := s.cloud.Runtime().PIDs("paylane-AuthorizeFunction")
		if len(pids) == 0 {
			t.Fatal("no authorize instance running")
		}
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		// The gateway answers for the dead function; a pg_unavailable would mean the kill came
		// too late (the function gave up on the PG first) and the test proved nothing.
		if r := <-done; r.status < 500 || r.errorCode() == "pg_unavailable" {
			t.Fatalf("the killed request answered %d %s", r.status, r.body)
		}
		s.pgControl(t, `{"reset":true}`)

		// The retry waits out the dead invocation's lease (409), then takes over and gets the
		// PG's stored approval for the same key.
		var r reply
		waitUntil(t, 30*time.Second, "the retry to complete", func() bool {
			r = c.do("POST", "/v1/payments", body, key)
			if r.status == http.StatusConflict && r.errorCode() == "idempotency_in_progress" {
				return false
			}
			return true
		})
		if r.status != http.StatusCreated || r.json(t)["id"] != id {
			t.Fatalf("retry: %d %s (want 201 for %s)", r.status, r.body, id)
		}
		pgtx := r.json(t)["pgTransactionId"].(string)
		auth := s.pgAuthorization(t, pgtx)
		if auth["reference"] != id {
			t.Errorf("PG authorization %s references %v, want %s", pgtx, auth["reference"], id)
		}
		list := c.do("GET", "/v1/payments?limit=100", "", "")
		if n := strings.Count(string(list.body), `"orderId":"o-killed"`); n != 1 {
			t.Errorf("%d payments recorded for the order, want 1", n)
		}
		// Exactly one authorization at the PG: the statement for today lists it once.
		if n := strings.Count(s.pgStatement(t), pgtx); n != 1 {
			t.Errorf("the PG statement lists %s %d times, want 1", pgtx, n)
		}
	})
}

func waitUntil(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *system) pgGet(t *testing.T, path string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(s.cloud.PGURL() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, []byte(b.String())
}

func (s *system) pgPerformed(t *testing.T, key string) bool {
	status, _ := s.pgGet(t, "/v1/operations/"+url.PathEscape(key)+"?operation=authorize")
	return status == http.StatusOK
}

func (s *system) pgAuthorization(t *testing.T, id string) map[string]any {
	status, body := s.pgGet(t, "/v1/authorizations/"+id)
	if status != http.StatusOK {
		t.Fatalf("PG authorization %s: %d %s", id, status, body)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func (s *system) pgStatement(t *testing.T) string {
	_, body := s.pgGet(t, "/v1/statements?date="+time.Now().UTC().Format("2006-01-02"))
	return string(body)
}
