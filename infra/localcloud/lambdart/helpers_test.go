//go:build unix

package lambdart

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildTestFunctions compiles every test function once for the whole test
// run, two at a time (the machine's cores), and returns name -> binary.
func buildTestFunctions(t *testing.T) map[string]string {
	t.Helper()
	moduleDir, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	// A lasting cache folder lets go build skip the link of unchanged functions
	// from one test run to the next.
	outDir := t.TempDir()
	if cache, err := os.UserCacheDir(); err == nil {
		outDir = filepath.Join(cache, "paylane", "lambdart-test")
	}
	b := Builder{ModuleDir: moduleDir, OutDir: outDir}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var (
		mu   sync.Mutex
		bins = map[string]string{}
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, 2)
	)
	// The folders under testdata/ holding test functions.
	for _, name := range []string{"echo", "fail", "sleep", "crash", "panic", "flaky", "env", "initerror", "rawruntime"} {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			bin, err := b.Build(ctx, name, "infra/localcloud/lambdart/testdata/"+name)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			bins[name] = bin
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return bins
}

// syncBuffer is a console tests can read while functions write to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newTestRuntime returns a runtime with fast timings, closed when the test ends.
func newTestRuntime(t *testing.T, opts Options, fns ...Function) (*Runtime, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	if opts.Log == nil {
		opts.Log = logs
	}
	if opts.Endpoint == "" {
		opts.Endpoint = "http://127.0.0.1:4566"
	}
	if opts.AsyncRetryDelay == 0 {
		opts.AsyncRetryDelay = 50 * time.Millisecond
	}
	if opts.InitTimeout == 0 {
		opts.InitTimeout = 5 * time.Second
	}
	rt := New(opts)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := rt.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	for _, fn := range fns {
		if err := rt.Register(fn); err != nil {
			t.Fatalf("Register(%s): %v", fn.Name, err)
		}
	}
	return rt, logs
}

// eventually polls cond until it holds or the time is up.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// processGone tells whether pid no longer runs. A zombie (exited, waiting for
// a parent that may never reap it) counts as gone.
func processGone(pid int) bool {
	if runtime.GOOS == "linux" {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return true
		}
		// The state follows the parenthesized command name.
		s := string(data)
		if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
			return s[i+2] == 'Z' || s[i+2] == 'X'
		}
		return false
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
