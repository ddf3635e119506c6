package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/mockpg"
)

func TestPGStatement(t *testing.T) {
	t.Parallel()
	pg := httptest.NewServer(mockpg.New(mockpg.Options{Seed: 1, Now: func() time.Time { return time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC) }}))
	t.Cleanup(pg.Close)
	for i := range 3 {
		body, _ := json.Marshal(map[string]any{"merchantId": "m_shop", "amount": 1000 + i, "currency": "KRW", "paymentMethod": "pm_card", "reference": "pay"})
		req, _ := http.NewRequest(http.MethodPost, pg.URL+"/v1/authorizations", bytes.NewReader(body))
		req.Header.Set("Idempotency-Key", "k"+string(rune('a'+i)))
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("authorize: %v %v", res, err)
		}
		res.Body.Close()
	}
	const today = "2026-03-01"
	env := func(k string) string {
		if k == "PAYLANE_PG_URL" {
			return pg.URL + "/"
		}
		return ""
	}
	for _, tc := range []struct {
		name  string
		args  []string
		lines int
	}{
		{"clean", []string{"statement", "--date", today}, 3},
		{"without the word statement", []string{"--date", today}, 3},
		{"with injections", []string{"statement", "--date", today, "--drop", "1", "--extra", "2", "--duplicate", "1", "--alter", "1", "--seed", "9"}, 3 - 1 + 2 + 1},
		{"another day", []string{"statement", "--date", "2001-01-01"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			if err := pgStatementCommand(context.Background(), tc.args, env, &out); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if lines[0] != "pg_transaction_id,type,merchant_id,payment_id,amount,currency,transacted_at" || len(lines)-1 != tc.lines {
				t.Errorf("%d lines:\n%s", len(lines)-1, out.String())
			}
		})
	}
	for _, tc := range []struct {
		name string
		args []string
		pg   string
		want string
	}{
		{"no date", []string{"statement"}, pg.URL, "is not a day"},
		{"a bad date", []string{"statement", "--date", "03/01/2026"}, pg.URL, "is not a day"},
		{"a negative count", []string{"statement", "--date", today, "--drop", "-1"}, pg.URL, "must not be negative"},
		{"an argument", []string{"statement", "--date", today, "extra"}, pg.URL, "pg statement --date"},
		{"an unknown flag", []string{"statement", "--nope"}, pg.URL, "flag provided but not defined"},
		{"the PG refuses", []string{"statement", "--date", today, "--drop", "50"}, pg.URL, "400 Bad Request"},
		{"the PG is down", []string{"statement", "--date", today}, "http://127.0.0.1:1", "unreachable"},
		{"a bad URL", []string{"statement", "--date", today}, "://nope", "PAYLANE_PG_URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := func(k string) string {
				if k == "PAYLANE_PG_URL" {
					return tc.pg
				}
				return ""
			}
			err := pgStatementCommand(context.Background(), tc.args, env, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}
