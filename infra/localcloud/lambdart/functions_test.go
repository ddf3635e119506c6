//go:build unix

package lambdart

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestRealFunctions runs small real functions (testdata/*, built once here
// with Builder) through the runtime, as aws-lambda-go's lambda.Start sees it.
func TestRealFunctions(t *testing.T) {
	// A variable of the developer's shell that no function may see.
	t.Setenv("LAMBDART_PARENT_ONLY", "leaked")
	bins := buildTestFunctions(t)
	for name, test := range map[string]func(*testing.T, map[string]string){
		"Echo":               testEcho,
		"FunctionErrors":     testFunctionErrors,
		"Timeout":            testTimeout,
		"Crash":              testCrash,
		"Panic":              testPanic,
		"Concurrency":        testConcurrency,
		"WaitBoundedByCtx":   testWaitBoundedByCtx,
		"AsyncRetries":       testAsyncRetries,
		"Environment":        testEnvironment,
		"InitFailures":       testInitFailures,
		"RuntimeAPIStates":   testRuntimeAPIStates,
		"IdleTimeout":        testIdleTimeout,
		"KilledIdleInstance": testKilledIdleInstance,
		"Close":              testClose,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, bins)
		})
	}
}

func invoke(t *testing.T, rt *Runtime, function string, payload string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return rt.Invoke(ctx, function, []byte(payload))
}

func mustInvoke(t *testing.T, rt *Runtime, function string, payload string, out any) {
	t.Helper()
	body, err := invoke(t, rt, function, payload)
	if err != nil {
		t.Fatalf("Invoke(%s, %s): %v", function, payload, err)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("Invoke(%s) response %q: %v", function, body, err)
	}
}

func functionError(t *testing.T, err error) *FunctionError {
	t.Helper()
	fe, ok := errors.AsType[*FunctionError](err)
	if !ok {
		t.Fatalf("error %v (%T) is not a *FunctionError", err, err)
	}
	return fe
}

type echoReply struct {
	Event        json.RawMessage `json:"event"`
	RequestID    string          `json:"requestId"`
	FunctionARN  string          `json:"functionArn"`
	DeadlineMs   int64           `json:"deadlineMs"`
	TraceID      string          `json:"traceId"`
	FunctionName string          `json:"functionName"`
	MemoryMB     int             `json:"memoryMB"`
	LogStream    string          `json:"logStream"`
	PID          int             `json:"pid"`
}

var (
	requestIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	tracePattern     = regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`)
)

func testEcho(t *testing.T, bins map[string]string) {
	rt, logs := newTestRuntime(t, Options{Region: "eu-west-1"},
		Function{Name: "echo", Binary: bins["echo"], Timeout: 7 * time.Second, MemoryMB: 256})
	arn := "arn:aws:lambda:eu-west-1:000000000000:function:echo"
	tests := []struct {
		name, function, wantARN string
	}{
		{"by name", "echo", arn},
		{"by ARN", arn, arn},
		{"by qualified ARN", arn + ":$LATEST", arn + ":$LATEST"},
		{"by partial ARN", "000000000000:function:echo", arn},
	}
	var pids []int
	for _, tc := range tests {
		payload := fmt.Sprintf(`{"case":%q,"amount":{"value":1234,"currency":"EUR"}}`, tc.name)
		before := time.Now()
		var got echoReply
		mustInvoke(t, rt, tc.function, payload, &got)
		if string(got.Event) != payload {
			t.Errorf("%s: event = %s, want %s", tc.name, got.Event, payload)
		}
		if !requestIDPattern.MatchString(got.RequestID) {
			t.Errorf("%s: request id %q is not a UUID", tc.name, got.RequestID)
		}
		// The deadline is the invocation's start plus the timeout
		// (https://docs.aws.amazon.com/lambda/latest/dg/golang-context.html).
		deadline := time.UnixMilli(got.DeadlineMs)
		if deadline.Before(before.Add(7*time.Second-time.Millisecond)) || deadline.After(time.Now().Add(7*time.Second)) {
			t.Errorf("%s: deadline %v is not 7s after the invocation started (%v)", tc.name, deadline, before)
		}
		if got.FunctionARN != tc.wantARN {
			t.Errorf("%s: invoked function ARN = %q, want %q", tc.name, got.FunctionARN, tc.wantARN)
		}
		if !tracePattern.MatchString(got.TraceID) {
			t.Errorf("%s: trace id %q is not an X-Ray header", tc.name, got.TraceID)
		}
		if got.FunctionName != "echo" || got.MemoryMB != 256 || got.LogStream == "" {
			t.Errorf("%s: lambdacontext sees name %q, memory %d, stream %q", tc.name, got.FunctionName, got.MemoryMB, got.LogStream)
		}
		pids = append(pids, got.PID)
		id := got.RequestID
		for _, want := range []string{
			"[echo] echo handling " + id + "\n",
			"[echo] START RequestId: " + id + " Version: $LATEST\n",
			"[echo] END RequestId: " + id + "\n",
			"[echo] REPORT RequestId: " + id + "\tDuration: ",
		} {
			eventually(t, 5*time.Second, "console has "+want, func() bool { return strings.Contains(logs.String(), want) })
		}
	}
	// One instance served the calls one after the other: it stayed warm.
	if len(slices.Compact(slices.Clone(pids))) != 1 {
		t.Errorf("sequential calls ran in processes %v, want one warm instance", pids)
	}
	report := regexp.MustCompile(`\[echo\] REPORT RequestId: \S+\tDuration: [0-9]+\.[0-9]{2} ms\tBilled Duration: [1-9][0-9]* ms\tMemory Size: 256 MB\tMax Memory Used: [1-9][0-9]* MB(\tInit Duration: [0-9]+\.[0-9]{2} ms)?\n`)
	reports := report.FindAllStringSubmatch(logs.String(), -1)
	if len(reports) != len(tests) {
		t.Fatalf("found %d well-formed REPORT lines, want %d:\n%s", len(reports), len(tests), logs)
	}
	withInit := 0
	for _, r := range reports {
		if r[1] != "" {
			withInit++
		}
	}
	if withInit != 1 {
		t.Errorf("%d REPORT lines show an Init Duration, want 1 (the cold start)", withInit)
	}
}

func testFunctionErrors(t *testing.T, bins map[string]string) {
	rt, _ := newTestRuntime(t, Options{}, Function{Name: "fail", Binary: bins["fail"]})
	if body, err := invoke(t, rt, "fail", `{"mode":"ok"}`); err != nil || string(body) != `"fine"` {
		t.Fatalf("ok: %s, %v", body, err)
	}
	pids := rt.PIDs("fail")
	tests := []struct {
		payload, wantType, wantMessage string
		keepsInstance                  bool
	}{
		{`{"mode":"error"}`, "DeclinedError", "card declined: insufficient funds", true},
		// aws-lambda-go reports a failing response stream in HTTP trailers.
		{`{"mode":"reader"}`, "errorString", "stream broke", true},
		// https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html: 6 MB
		// responses; aws-lambda-go exits when the Runtime API refuses its response.
		{`{"mode":"big"}`, ErrorTypeResponseTooLarge, "Response payload size exceeded maximum allowed payload size (6291456 bytes).", false},
	}
	for _, tc := range tests {
		_, err := invoke(t, rt, "fail", tc.payload)
		fe := functionError(t, err)
		if fe.Type != tc.wantType || fe.Message != tc.wantMessage {
			t.Errorf("%s: error %q / %q, want %q / %q", tc.payload, fe.Type, fe.Message, tc.wantType, tc.wantMessage)
		}
		var doc errorDocument
		if err := json.Unmarshal(fe.Payload, &doc); err != nil || doc.ErrorType != tc.wantType || doc.ErrorMessage != tc.wantMessage {
			t.Errorf("%s: payload %s does not carry the error (%v)", tc.payload, fe.Payload, err)
		}
		if body, err := invoke(t, rt, "fail", `{"mode":"ok"}`); err != nil || string(body) != `"fine"` {
			t.Fatalf("after %s: %s, %v", tc.payload, body, err)
		}
		if after := rt.PIDs("fail"); slices.Equal(after, pids) != tc.keepsInstance {
			t.Errorf("after %s instances %v became %v", tc.payload, pids, after)
		}
	}
}

type sleepReply struct {
	PID      int `json:"pid"`
	ChildPID int `json:"childPid"`
}

func testTimeout(t *testing.T, bins map[string]string) {
	rt, logs := newTestRuntime(t, Options{}, Function{Name: "sleep", Binary: bins["sleep"], Timeout: 500 * time.Millisecond})
	var warm sleepReply
	mustInvoke(t, rt, "sleep", `{"ms":0}`, &warm)

	start := time.Now()
	_, err := invoke(t, rt, "sleep", `{"ms":10000}`)
	elapsed := time.Since(start)
	fe := functionError(t, err)
	// https://docs.aws.amazon.com/lambda/latest/dg/golang-handler.html: a function
	// past its timeout is stopped and the invocation fails.
	if fe.Type != "Sandbox.Timedout" || fe.Message != "Task timed out after 0.50 seconds" {
		t.Errorf("timeout error = %q / %q", fe.Type, fe.Message)
	}
	if elapsed < 500*time.Millisecond || elapsed > 5*time.Second {
		t.Errorf("the timed out call took %v, want about 0.5s", elapsed)
	}
	eventually(t, 5*time.Second, "the timed out instance's process is killed", func() bool { return processGone(warm.PID) })
	if strings.Contains(fmt.Sprint(rt.PIDs("sleep")), fmt.Sprint(warm.PID)) {
		t.Errorf("PIDs still lists the killed instance %d", warm.PID)
	}
	if !strings.Contains(logs.String(), "Task timed out after 0.50 seconds") {
		t.Errorf("the console does not report the timeout:\n%s", logs)
	}
	var next sleepReply
	mustInvoke(t, rt, "sleep", `{"ms":0}`, &next)
	if next.PID == warm.PID {
		t.Errorf("the next call ran in the killed process %d", warm.PID)
	}
}

func testCrash(t *testing.T, bins map[string]string) {
	rt, logs := newTestRuntime(t, Options{}, Function{Name: "crash", Binary: bins["crash"]})
	var first int
	mustInvoke(t, rt, "crash", `{}`, &first)
	_, err := invoke(t, rt, "crash", `{"crash":true}`)
	fe := functionError(t, err)
	if fe.Type != "Runtime.ExitError" || !strings.HasSuffix(fe.Message, "Error: Runtime exited with error: exit status 3") {
		t.Errorf("crash error = %q / %q", fe.Type, fe.Message)
	}
	eventually(t, 5*time.Second, "console shows the function's last words", func() bool {
		return strings.Contains(logs.String(), "[crash] crashing now\n")
	})
	var next int
	mustInvoke(t, rt, "crash", `{}`, &next)
	if next == first || !processGone(first) {
		t.Errorf("after the crash: next call in process %d, crashed process %d gone: %v", next, first, processGone(first))
	}
}

func testPanic(t *testing.T, bins map[string]string) {
	rt, _ := newTestRuntime(t, Options{}, Function{Name: "panic", Binary: bins["panic"]})
	var first int
	mustInvoke(t, rt, "panic", `{}`, &first)
	_, err := invoke(t, rt, "panic", `{"panic":true}`)
	// aws-lambda-go reports the panic (type of the panic value, its text and
	// stack) before exiting; the report stands even though the process dies.
	fe := functionError(t, err)
	if fe.Type != "string" || fe.Message != "kaboom" || !strings.Contains(string(fe.Payload), `"stackTrace"`) {
		t.Errorf("panic error = %q / %q, payload %s", fe.Type, fe.Message, fe.Payload)
	}
	var next int
	mustInvoke(t, rt, "panic", `{}`, &next)
	if next == first {
		t.Errorf("the call after the panic ran in the same process %d", first)
	}
}

func testConcurrency(t *testing.T, bins map[string]string) {
	const limit, calls = 3, 7
	rt, _ := newTestRuntime(t, Options{DefaultMaxConcurrency: 50},
		Function{Name: "sleep", Binary: bins["sleep"], MaxConcurrency: limit})
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		pids = map[int]int{}
	)
	for range calls {
		wg.Go(func() {
			var r sleepReply
			mustInvoke(t, rt, "sleep", `{"ms":300}`, &r)
			mu.Lock()
			pids[r.PID]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(pids) != limit {
		t.Errorf("%d calls ran in %d processes %v, want exactly MaxConcurrency = %d", calls, len(pids), pids, limit)
	}
	if got := rt.PIDs("sleep"); len(got) != limit {
		t.Errorf("PIDs = %v, want %d instances", got, limit)
	}
}

func testWaitBoundedByCtx(t *testing.T, bins map[string]string) {
	rt, _ := newTestRuntime(t, Options{DefaultMaxConcurrency: 1}, Function{Name: "sleep", Binary: bins["sleep"]})
	busy := make(chan error, 1)
	go func() {
		_, err := invoke(t, rt, "sleep", `{"ms":1500}`)
		busy <- err
	}()
	eventually(t, 5*time.Second, "the first call holds the only instance", func() bool { return len(rt.PIDs("sleep")) == 1 })
	time.Sleep(100 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := rt.Invoke(ctx, "sleep", []byte(`{"ms":0}`))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second call with the only instance busy: %v, want context.DeadlineExceeded", err)
	}
	if err := <-busy; err != nil {
		t.Errorf("the first call: %v", err)
	}
}

func testAsyncRetries(t *testing.T, bins map[string]string) {
	const delay = 100 * time.Millisecond
	dir := t.TempDir()
	tests := []struct {
		name, failTimes string
		wantDiscarded   bool
	}{
		{"fails twice then succeeds", "2", false},
		{"always fails", "always", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			countFile := filepath.Join(dir, tc.failTimes)
			rt, logs := newTestRuntime(t, Options{AsyncRetryDelay: delay}, Function{
				Name: "flaky", Binary: bins["flaky"],
				Env: map[string]string{"COUNT_FILE": countFile, "FAIL_TIMES": tc.failTimes},
			})
			if err := rt.InvokeAsync(context.Background(), "arn:aws:lambda:us-east-1:000000000000:function:flaky", []byte(`{}`)); err != nil {
				t.Fatal(err)
			}
			attempts := func() []string {
				data, _ := os.ReadFile(countFile)
				return strings.Fields(string(data))
			}
			// Each attempt writes "request-id unix-nanos".
			eventually(t, 10*time.Second, "three attempts", func() bool { return len(attempts()) >= 6 })
			if tc.wantDiscarded {
				eventually(t, 5*time.Second, "the event is discarded", func() bool {
					return strings.Contains(logs.String(), "discarded after 3 attempts")
				})
			} else {
				time.Sleep(4 * delay) // room for a wrong fourth attempt
			}
			got := attempts()
			if len(got) != 6 {
				t.Fatalf("attempts %v, want exactly 3 (the first and two retries)", got)
			}
			// https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html:
			// one wait before the second attempt, twice as long before the third.
			var at [3]time.Time
			for i := range 3 {
				if got[2*i] != got[0] {
					t.Errorf("attempt %d has request id %s, want the first attempt's %s", i+1, got[2*i], got[0])
				}
				var ns int64
				fmt.Sscan(got[2*i+1], &ns)
				at[i] = time.Unix(0, ns)
			}
			if gap := at[1].Sub(at[0]); gap < delay {
				t.Errorf("first retry after %v, want at least %v", gap, delay)
			}
			if gap := at[2].Sub(at[1]); gap < 2*delay {
				t.Errorf("second retry after %v, want at least %v", gap, 2*delay)
			}
		})
	}
}

func testEnvironment(t *testing.T, bins map[string]string) {
	rt, _ := newTestRuntime(t, Options{Region: "eu-central-1", Endpoint: "http://127.0.0.1:45678"}, Function{
		Name: "env", Binary: bins["env"], MemoryMB: 512,
		Env: map[string]string{"PAYMENTS_TABLE": "payments-local", "TZ": "Europe/Paris", "AWS_ENDPOINT_URL": "https://elsewhere.example"},
	})
	var env map[string]string
	mustInvoke(t, rt, "env", `{}`, &env)
	taskRoot := filepath.Dir(bins["env"])
	for _, tc := range []struct{ key, want string }{
		{"AWS_ENDPOINT_URL", "http://127.0.0.1:45678"},
		{"PAYMENTS_TABLE", "payments-local"},
		// TZ is not reserved: the function's configuration overrides it
		// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html).
		{"TZ", "Europe/Paris"},
		{"AWS_REGION", "eu-central-1"},
		{"AWS_DEFAULT_REGION", "eu-central-1"},
		{"AWS_ACCESS_KEY_ID", "test"},
		{"AWS_SECRET_ACCESS_KEY", "test"},
		{"AWS_LAMBDA_FUNCTION_NAME", "env"},
		{"AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"},
		{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"},
		{"AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/env"},
		{"LAMBDA_TASK_ROOT", taskRoot},
		{"(cwd)", taskRoot},
		{"_HANDLER", "bootstrap"},
		{"AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR"},
		{"LAMBDART_PARENT_ONLY", ""},
	} {
		if got := env[tc.key]; got != tc.want {
			t.Errorf("%s = %q, want %q", tc.key, got, tc.want)
		}
	}
	if !regexp.MustCompile(`^127\.0\.0\.1:[0-9]+$`).MatchString(env["AWS_LAMBDA_RUNTIME_API"]) {
		t.Errorf("AWS_LAMBDA_RUNTIME_API = %q, want a loopback host:port", env["AWS_LAMBDA_RUNTIME_API"])
	}
	if !regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`).MatchString(env["AWS_LAMBDA_LOG_STREAM_NAME"]) {
		t.Errorf("AWS_LAMBDA_LOG_STREAM_NAME = %q", env["AWS_LAMBDA_LOG_STREAM_NAME"])
	}
	if env["PATH"] == "" {
		t.Error("PATH is empty")
	}
	if _, ok := env["LAMBDART_PARENT_ONLY"]; ok {
		t.Error("a variable of the parent's environment leaked into the function")
	}
}

func testInitFailures(t *testing.T, bins map[string]string) {
	fn := func(name, mode string) Function {
		return Function{Name: name, Binary: bins["initerror"], Env: map[string]string{"INIT_MODE": mode}}
	}
	rt, logs := newTestRuntime(t, Options{InitTimeout: 300 * time.Millisecond},
		fn("posts", "post"), fn("exits", "exit"), fn("hangs", "hang"), fn("fine", ""))
	tests := []struct {
		function, wantType, wantMessage string
	}{
		// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html#runtimes-api-initerror
		{"posts", "ConfigError", "config table missing"},
		{"exits", "Runtime.ExitError", "Runtime exited with error: exit status 4"},
		{"hangs", "Sandbox.Timedout", "Init phase timed out after 0.30 seconds"},
	}
	for _, tc := range tests {
		_, err := invoke(t, rt, tc.function, `{}`)
		fe := functionError(t, err)
		if fe.Type != tc.wantType || !strings.HasSuffix(fe.Message, tc.wantMessage) {
			t.Errorf("%s: %q / %q, want %q / …%q", tc.function, fe.Type, fe.Message, tc.wantType, tc.wantMessage)
		}
		eventually(t, 5*time.Second, tc.function+": the failed instance is gone", func() bool { return len(rt.PIDs(tc.function)) == 0 })
		want := "[" + tc.function + "] INIT_REPORT Init Duration: "
		if !strings.Contains(logs.String(), want) {
			t.Errorf("console lacks %q", want)
		}
	}
	if body, err := invoke(t, rt, "fine", `{}`); err != nil || string(body) != `"initialized"` {
		t.Errorf("the same binary with a good init: %s, %v", body, err)
	}
}

func testRuntimeAPIStates(t *testing.T, bins map[string]string) {
	rt, logs := newTestRuntime(t, Options{}, Function{Name: "raw", Binary: bins["rawruntime"]})
	for range 2 {
		var statuses map[string]int
		mustInvoke(t, rt, "raw", `{}`, &statuses)
		want := map[string]int{
			"wrongId":   400, // not the invocation in progress
			"nextEarly": 403, // no result posted yet
			"initError": 403, // Init is over
			"extension": 501, // the Extensions API is not implemented, and says so
			"unknown":   404,
		}
		for k, v := range want {
			if statuses[k] != v {
				t.Errorf("%s: status %d, want %d (all: %v)", k, statuses[k], v, statuses)
			}
		}
	}
	for _, want := range []string{"first response status=202", "second response status=403", "late error status=403"} {
		eventually(t, 5*time.Second, "console has "+want, func() bool { return strings.Contains(logs.String(), "[raw] "+want) })
	}
}

func testIdleTimeout(t *testing.T, bins map[string]string) {
	rt, _ := newTestRuntime(t, Options{IdleTimeout: 200 * time.Millisecond}, Function{Name: "echo", Binary: bins["echo"]})
	var r echoReply
	mustInvoke(t, rt, "echo", `{}`, &r)
	eventually(t, 5*time.Second, "the idle instance is stopped", func() bool {
		return len(rt.PIDs("echo")) == 0 && processGone(r.PID)
	})
	var again echoReply
	mustInvoke(t, rt, "echo", `{}`, &again)
	if again.PID == r.PID {
		t.Errorf("served by the stopped instance %d", r.PID)
	}
}

func testKilledIdleInstance(t *testing.T, bins map[string]string) {
	rt, _ := newTestRuntime(t, Options{}, Function{Name: "echo", Binary: bins["echo"]})
	var r echoReply
	mustInvoke(t, rt, "echo", `{}`, &r)
	p, err := os.FindProcess(r.PID)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "the pool notices the death", func() bool { return len(rt.PIDs("echo")) == 0 })
	// The dead instance is replaced: the next invocation goes to a new one.
	var again echoReply
	mustInvoke(t, rt, "echo", `{}`, &again)
	if again.PID == r.PID {
		t.Errorf("served by the killed process %d", r.PID)
	}
}

func testClose(t *testing.T, bins map[string]string) {
	rt, logs := newTestRuntime(t, Options{}, Function{Name: "sleep", Binary: bins["sleep"], Timeout: 30 * time.Second})
	var spawner sleepReply
	mustInvoke(t, rt, "sleep", `{"ms":0,"spawnChild":true}`, &spawner)
	if spawner.ChildPID == 0 || processGone(spawner.ChildPID) {
		t.Fatalf("the function's child process %d is not running", spawner.ChildPID)
	}
	inFlight := make(chan error, 1)
	go func() {
		_, err := invoke(t, rt, "sleep", `{"ms":20000}`)
		inFlight <- err
	}()
	eventually(t, 5*time.Second, "the second invocation runs", func() bool { return strings.Count(logs.String(), "START RequestId") == 2 })
	pids := append(rt.PIDs("sleep"), spawner.ChildPID)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := rt.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Close took %v", took)
	}
	for _, pid := range pids {
		if !processGone(pid) {
			t.Errorf("process %d survived Close", pid)
		}
	}
	if err := <-inFlight; !errors.Is(err, ErrClosed) {
		t.Errorf("the invocation in flight at Close: %v, want ErrClosed", err)
	}
	if _, err := invoke(t, rt, "sleep", `{}`); !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke after Close: %v, want ErrClosed", err)
	}
	if err := rt.InvokeAsync(context.Background(), "sleep", nil); !errors.Is(err, ErrClosed) {
		t.Errorf("InvokeAsync after Close: %v, want ErrClosed", err)
	}
	if got := rt.PIDs("sleep"); len(got) != 0 {
		t.Errorf("PIDs after Close = %v", got)
	}
}
