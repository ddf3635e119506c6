package bootstrap

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
)

func TestMerchantAPIEnvironment(t *testing.T) {
	full := map[string]string{
		"PAYMENTS_TABLE": "p", "MERCHANTS_TABLE": "m", "RATE_LIMIT_TABLE": "r", "LEDGER_TABLE": "l", "SETTLEMENTS_TABLE": "s", "PG_BASE_URL": "http://127.0.0.1:8090",
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, missing := range []string{"PAYMENTS_TABLE", "MERCHANTS_TABLE", "RATE_LIMIT_TABLE", "LEDGER_TABLE", "SETTLEMENTS_TABLE", "PG_BASE_URL"} {
		env := func(k string) string {
			if k == missing {
				return ""
			}
			return full[k]
		}
		if _, err := MerchantAPI(context.Background(), env, log); err == nil || !strings.Contains(err.Error(), missing) {
			t.Errorf("without %s: err = %v", missing, err)
		}
	}
	bad := func(k string) string {
		if k == "PG_TIMEOUT_MS" {
			return "soon"
		}
		return full[k]
	}
	if _, err := MerchantAPI(context.Background(), bad, log); err == nil || !strings.Contains(err.Error(), "PG_TIMEOUT_MS") {
		t.Errorf("bad PG_TIMEOUT_MS: err = %v", err)
	}
	api, err := MerchantAPI(context.Background(), func(k string) string { return full[k] }, log)
	if err != nil || api.Payments == nil || api.Verifier == nil || api.Limiter == nil || api.Guard == nil {
		t.Fatalf("full environment: %v %+v", err, api)
	}
}

func TestNewUUID(t *testing.T) {
	t.Parallel()
	a, b := NewUUID(), NewUUID()
	if a == b || len(a) != 36 || a[14] != '4' || strings.Count(a, "-") != 4 {
		t.Errorf("NewUUID() = %q, %q", a, b)
	}
}
