package mockpg

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"
)

func TestControl_Settings(t *testing.T) {
	t.Parallel()
	p := newTestPG(t)
	defaults := map[string]any{"outage": false, "failureRate": 0.0, "latencyMs": 0.0, "dropResponses": false}
	if got := p.get("/control"); got.status != http.StatusOK || !reflect.DeepEqual(got.json, defaults) {
		t.Fatalf("GET /control = %d %s", got.status, got.body)
	}
	got := p.control(map[string]any{"failureRate": 0.25})
	want := map[string]any{"outage": false, "failureRate": 0.25, "latencyMs": 0.0, "dropResponses": false}
	if !reflect.DeepEqual(got.json, want) {
		t.Errorf("POST subset answered %s, want the full settings %v", got.body, want)
	}
	got = p.control(map[string]any{"latencyMs": 5, "outage": true})
	want = map[string]any{"outage": true, "failureRate": 0.25, "latencyMs": 5.0, "dropResponses": false}
	if !reflect.DeepEqual(got.json, want) {
		t.Errorf("second POST kept the other settings? %s", got.body)
	}
	if got := p.get("/control"); !reflect.DeepEqual(got.json, want) {
		t.Errorf("GET after POST = %s", got.body)
	}
	if got := p.control(map[string]any{"reset": true}); !reflect.DeepEqual(got.json, defaults) {
		t.Errorf("reset = %s", got.body)
	}
	if got := p.control(map[string]any{"reset": true, "dropResponses": true}); got.json["dropResponses"] != true || got.json["failureRate"] != 0.0 {
		t.Errorf("reset with a setting = %s", got.body)
	}
	for _, bad := range []string{`{"failureRate": 1.5}`, `{"failureRate": -0.1}`, `{"latencyMs": -1}`, `{"outage": "yes"}`, `{"speed": 1}`, `nope`} {
		if r := p.post("/control", "", bad); r.status != http.StatusBadRequest || r.errCode() != "invalid_request" {
			t.Errorf("POST /control %s: %d %s", bad, r.status, r.body)
		}
	}
}

func TestControl_Outage(t *testing.T) {
	t.Parallel()
	p := newTestPG(t)
	id := p.approved("before", 1000)
	p.control(map[string]any{"outage": true})
	for _, r := range []response{
		p.authorize("during", "pm_ok", 1000),
		p.post("/v1/authorizations/"+id+"/capture", "cap", map[string]any{"amount": 1000}),
		p.post("/v1/authorizations/"+id+"/void", "void", nil),
		p.post("/v1/authorizations/"+id+"/refunds", "rf", map[string]any{"amount": 1}),
		p.authorize("before", "pm_ok", 1000), // even a replay: the PG is down
	} {
		if r.status != http.StatusServiceUnavailable || r.errCode() != "outage" {
			t.Errorf("during outage: %d %s", r.status, r.body)
		}
	}
	// Lookups, statements and control still answer, and show nothing was done.
	if r := p.get("/v1/operations/during"); r.status != http.StatusNotFound {
		t.Errorf("the outage recorded an operation: %d %s", r.status, r.body)
	}
	if st := p.state(id); st.str("state") != "AUTHORIZED" {
		t.Errorf("the outage changed the authorization: %s", st.body)
	}
	if lines := p.statement("date=2025-03-01"); len(lines) != 2 {
		t.Errorf("statement during outage: %v", lines)
	}
	p.control(map[string]any{"outage": false})
	if r := p.post("/v1/authorizations/"+id+"/capture", "cap", map[string]any{"amount": 1000}); r.status != http.StatusOK {
		t.Errorf("after healing, capture with the same key: %d %s", r.status, r.body)
	}
}

func TestControl_FailureRate(t *testing.T) {
	t.Parallel()
	p := newTestPG(t)
	p.control(map[string]any{"failureRate": 1})
	if r := p.authorize("k", "pm_ok", 1); r.status != http.StatusServiceUnavailable || r.errCode() != "transient_failure" {
		t.Fatalf("failureRate 1: %d %s", r.status, r.body)
	}
	if r := p.get("/v1/operations/k"); r.status != http.StatusNotFound {
		t.Errorf("a failed operation was recorded: %s", r.body)
	}
	p.control(map[string]any{"failureRate": 0.5})
	const n = 200
	ok, failed := 0, 0
	for i := range n {
		switch r := p.authorize("half-"+string(rune('A'+i%26))+string(rune('a'+i/26)), "pm_ok", 1); r.status {
		case http.StatusOK:
			ok++
		case http.StatusServiceUnavailable:
			failed++
		default:
			t.Fatalf("unexpected %d %s", r.status, r.body)
		}
	}
	// Binomial(200, 0.5): outside [60, 140] has probability below 1e-8.
	if failed < 60 || failed > 140 {
		t.Errorf("%d of %d failed with failureRate 0.5", failed, n)
	}
	if lines := p.statement("date=2025-03-01"); len(lines)-1 != ok {
		t.Errorf("statement has %d AUTH lines, want the %d that succeeded", len(lines)-1, ok)
	}
}

func TestControl_Latency(t *testing.T) {
	t.Parallel()
	p := newTestPG(t)
	p.control(map[string]any{"latencyMs": 150})
	start := time.Now()
	if r := p.authorize("slow", "pm_ok", 1); r.status != http.StatusOK {
		t.Fatalf("slow authorize: %d %s", r.status, r.body)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("answered after %v, want at least 150ms", d)
	}
	// A client that gives up during the latency leaves nothing done.
	_, err := p.do(http.MethodPost, "/v1/authorizations", "impatient", map[string]any{
		"merchantId": "m", "amount": 1, "currency": "KRW", "paymentMethod": "pm_ok",
	}, 30*time.Millisecond)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("impatient client: %v, want a timeout", err)
	}
	time.Sleep(200 * time.Millisecond) // past the latency: had it been performed, it would be by now
	if r := p.get("/v1/operations/impatient"); r.status != http.StatusNotFound {
		t.Errorf("performed although the client gave up during the latency: %s", r.body)
	}
	// Lookups do not wait.
	start = time.Now()
	p.get("/v1/operations/slow")
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("lookup took %v", d)
	}
}

func TestControl_DropResponses(t *testing.T) {
	t.Parallel()
	p := newTestPG(t)
	id := p.approved("a", 1000)
	p.control(map[string]any{"dropResponses": true})
	_, err := p.do(http.MethodPost, "/v1/authorizations/"+id+"/capture", "lost", map[string]any{"amount": 1000}, 100*time.Millisecond)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("dropped answer: %v, want a timeout", err)
	}
	// The capture was performed: the caller learns it from the lookup.
	r := p.get("/v1/operations/lost")
	if r.status != http.StatusOK || r.num("httpStatus") != 200 {
		t.Fatalf("lookup after a dropped answer: %d %s", r.status, r.body)
	}
	if st := p.state(id); st.str("state") != "CAPTURED" {
		t.Errorf("authorization after the dropped capture: %s", st.body)
	}
	p.control(map[string]any{"dropResponses": false})
	again := p.post("/v1/authorizations/"+id+"/capture", "lost", map[string]any{"amount": 1000})
	if again.status != http.StatusOK || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry after healing: %d %s", again.status, again.body)
	}
	if lines := p.statement("date=2025-03-01"); len(lines) != 3 {
		t.Errorf("statement: %v", lines)
	}
}

func TestTimeoutToken(t *testing.T) {
	t.Parallel()
	p := newTestPG(t)
	_, err := p.do(http.MethodPost, "/v1/authorizations", "t1", map[string]any{
		"merchantId": "m", "amount": 1, "currency": "KRW", "paymentMethod": "pm_timeout",
	}, 100*time.Millisecond)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("pm_timeout: %v, want a timeout", err)
	}
	if r := p.get("/v1/operations/t1"); r.status != http.StatusNotFound {
		t.Errorf("pm_timeout recorded an operation: %s", r.body)
	}
	if lines := p.statement("date=2025-03-01"); len(lines) != 1 {
		t.Errorf("pm_timeout appears in the statement: %v", lines)
	}
}

func TestClose_ReleasesHangingRequests(t *testing.T) {
	t.Parallel()
	p := newTestPG(t)
	done := make(chan response, 1)
	go func() {
		r, _ := p.do(http.MethodPost, "/v1/authorizations", "hang", map[string]any{
			"merchantId": "m", "amount": 1, "currency": "KRW", "paymentMethod": "pm_timeout",
		}, 0)
		done <- r
	}()
	time.Sleep(50 * time.Millisecond)
	p.pg.Close()
	select {
	case r := <-done:
		if r.status != http.StatusServiceUnavailable || r.errCode() != "shutting_down" {
			t.Errorf("released request: %d %s", r.status, r.body)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not release the hanging request")
	}
}

func TestSetSettings(t *testing.T) {
	t.Parallel()
	pg := New(Options{})
	if err := pg.SetSettings(Settings{FailureRate: 2}); err == nil {
		t.Error("SetSettings accepted failureRate 2")
	}
	want := Settings{Outage: true, LatencyMs: 10}
	if err := pg.SetSettings(want); err != nil || pg.Settings() != want {
		t.Errorf("Settings() = %+v, %v; want %+v", pg.Settings(), err, want)
	}
}
