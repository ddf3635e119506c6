package merchantapi

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/fault"
)

func TestErrorResponses(t *testing.T) {
	t.Parallel()
	secretDetail := "dial tcp 10.1.2.3:443: connection refused"
	tests := []struct {
		name       string
		err        error
		status     int
		code       string
		mustNot    string
		retryAfter string
	}{
		{"internal hides its cause", fmt.Errorf("writing: %w", errors.New(secretDetail)), 500, "internal", secretDetail, ""},
		{"PG unavailable hides its cause", fault.Wrap(fault.PGUnavailable, errors.New(secretDetail), "pg"), 503, "pg_unavailable", secretDetail, ""},
		{"in progress asks to retry", fault.New(fault.InProgress, "busy"), 409, "idempotency_in_progress", "", "1"},
		{"not found", fault.New(fault.NotFound, "no payment"), 404, "not_found", "", ""},
		{"field error", fault.Field("amount", "amount must be positive"), 400, "invalid_request", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := errorResponse(tc.err)
			if r.StatusCode != tc.status || !strings.Contains(r.Body, `"code":"`+tc.code+`"`) || r.Headers["Content-Type"] != "application/json" {
				t.Errorf("%d %s", r.StatusCode, r.Body)
			}
			if tc.mustNot != "" && strings.Contains(r.Body, tc.mustNot) {
				t.Errorf("body leaks %q: %s", tc.mustNot, r.Body)
			}
			if r.Headers["Retry-After"] != tc.retryAfter {
				t.Errorf("Retry-After %q, want %q", r.Headers["Retry-After"], tc.retryAfter)
			}
		})
	}
	if a, b := errorResponse(fault.New(fault.Unauthenticated, "bad signature")), errorResponse(fault.New(fault.Unauthenticated, "unknown merchant")); a.Body != b.Body || a.StatusCode != 401 {
		t.Errorf("401 bodies differ by cause: %s / %s", a.Body, b.Body)
	}
	if r := rateLimited(300 * time.Millisecond); r.StatusCode != 429 || r.Headers["Retry-After"] != "1" {
		t.Errorf("rate limited: %d %v", r.StatusCode, r.Headers)
	}
}
