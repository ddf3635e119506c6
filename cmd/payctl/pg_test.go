package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/dynamostore"
	"github.com/paylane/paylane/shared/mockpg"
)

func TestPGStatus(t *testing.T) {
	s := newStack(t)
	pg := mockpg.New(mockpg.Options{Seed: 1})
	srv := httptest.NewServer(pg)
	t.Cleanup(srv.Close)
	res, err := http.Post(srv.URL+"/control", "application/json", strings.NewReader(`{"outage":true,"latencyMs":250,"failureRate":0.25}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	ops := dynamostore.NewOps(s.ddb, "paylane-ops", dynamostore.Options{})
	now := time.Now()
	if err := ops.BreakerChanged(context.Background(), "pg", "settlement-worker/i-1", "open", now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := ops.BreakerChanged(context.Background(), "pg", "refund-worker/i-2", "half-open", now); err != nil {
		t.Fatal(err)
	}

	code, out, stderr := payctl(t, map[string]string{"PAYLANE_PG_URL": srv.URL + "/"}, "pg", "status")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, stderr, out)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`PG http://\S+ answered in \d+ ms`),
		regexp.MustCompile(`outage +true`),
		regexp.MustCompile(`failure rate +0.25`),
		regexp.MustCompile(`latency +250 ms`),
		regexp.MustCompile(`drop responses +false`),
		regexp.MustCompile(`settlement-worker/i-1 +open +20\d\d-`),
		regexp.MustCompile(`refund-worker/i-2 +half-open +20\d\d-`),
	} {
		if !want.MatchString(out) {
			t.Errorf("no %s in\n%s", want, out)
		}
	}
}

func TestPGStatusWhenThingsAreMissing(t *testing.T) {
	newStack(t)
	notPG := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notPG.Close)
	for _, tc := range []struct {
		name, url string
		want      []string
	}{
		// The breakers are still shown when the PG cannot be asked.
		{"PG down", "http://127.0.0.1:1", []string{"unreachable", "no instance reported a state change in the last hour"}},
		{"not the mock PG", notPG.URL, []string{"404", "is it the mock PG?", "no instance reported"}},
		{"bad URL", "://nope", []string{"PAYLANE_PG_URL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := payctl(t, map[string]string{"PAYLANE_PG_URL": tc.url}, "pg", "status")
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			for _, w := range tc.want {
				if !strings.Contains(out+stderr, w) {
					t.Errorf("no %q in\n%s\n%s", w, out, stderr)
				}
			}
		})
	}
	// The PG answers, the ops table does not exist: the PG's settings still show.
	pg := httptest.NewServer(mockpg.New(mockpg.Options{Seed: 1}))
	t.Cleanup(pg.Close)
	code, out, _ := payctl(t, map[string]string{"PAYLANE_PG_URL": pg.URL, "OPS_TABLE": "no-such-table"}, "pg", "status")
	if code != 1 || !strings.Contains(out, "outage") || !strings.Contains(out, "circuit breakers: reading breaker pg") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func TestPGUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"pg"}, {"pg", "reset"}, {"pg", "status", "x"}} {
		if code, _, stderr := payctl(t, nil, args...); code != 2 || !strings.Contains(stderr, "usage") {
			t.Errorf("%v: exit %d %q", args, code, stderr)
		}
	}
}
