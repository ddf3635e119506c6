package breaker_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/breaker"
)

var errPG = errors.New("pg: 503")

func succeed(context.Context) error { return nil }
func fail(context.Context) error    { return errPG }

// transitions records OnStateChange calls.
type transitions struct {
	mu  sync.Mutex
	got []string
}

func (tr *transitions) record(from, to breaker.State) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.got = append(tr.got, from.String()+">"+to.String())
}

func (tr *transitions) String() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return fmt.Sprint(tr.got)
}

func newBreaker(clk *clock, tr *transitions, threshold, probes int) *breaker.Breaker {
	return breaker.New(breaker.Options{
		FailureThreshold: threshold, OpenFor: time.Minute, HalfOpenProbes: probes,
		Now: clk.Now, OnStateChange: tr.record,
	})
}

func TestOpensAfterConsecutiveFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		calls []func(context.Context) error
		want  breaker.State
	}{
		{"below threshold", []func(context.Context) error{fail, fail}, breaker.Closed},
		{"at threshold", []func(context.Context) error{fail, fail, fail}, breaker.Open},
		{"a success resets the count", []func(context.Context) error{fail, fail, succeed, fail, fail}, breaker.Closed},
		{"successes only", []func(context.Context) error{succeed, succeed, succeed, succeed}, breaker.Closed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newBreaker(newClock(), &transitions{}, 3, 1)
			for _, fn := range tt.calls {
				_ = b.Do(context.Background(), fn)
			}
			if got := b.State(); got != tt.want {
				t.Errorf("state = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestOpenFailsFastThenProbes(t *testing.T) {
	t.Parallel()
	clk, tr := newClock(), &transitions{}
	b := newBreaker(clk, tr, 2, 1)
	for range 2 {
		if err := b.Do(context.Background(), fail); !errors.Is(err, errPG) {
			t.Fatalf("Do returned %v, want fn's error", err)
		}
	}
	called := false
	err := b.Do(context.Background(), func(context.Context) error { called = true; return nil })
	if !errors.Is(err, breaker.ErrOpen) || called {
		t.Fatalf("open breaker: err %v, fn called %v; want ErrOpen and no call", err, called)
	}
	clk.Advance(time.Minute - time.Nanosecond)
	if b.State() != breaker.Open {
		t.Fatalf("state %s before OpenFor elapsed, want open", b.State())
	}
	clk.Advance(time.Nanosecond)
	if b.State() != breaker.HalfOpen {
		t.Fatalf("state %s once OpenFor elapsed, want half-open", b.State())
	}
	if err := b.Do(context.Background(), succeed); err != nil {
		t.Fatalf("probe: %v", err)
	}
	if b.State() != breaker.Closed {
		t.Fatalf("state %s after a successful probe, want closed", b.State())
	}
	want := "[closed>open open>half-open half-open>closed]"
	if got := tr.String(); got != want {
		t.Errorf("transitions %s, want %s", got, want)
	}
}

func TestHalfOpenFailureReopensForOpenFor(t *testing.T) {
	t.Parallel()
	clk, tr := newClock(), &transitions{}
	b := newBreaker(clk, tr, 1, 1)
	_ = b.Do(context.Background(), fail)
	clk.Advance(time.Minute)
	if err := b.Do(context.Background(), fail); !errors.Is(err, errPG) {
		t.Fatalf("probe: %v", err)
	}
	if b.State() != breaker.Open {
		t.Fatalf("state %s after a failed probe, want open", b.State())
	}
	clk.Advance(time.Minute - time.Second)
	if err := b.Do(context.Background(), succeed); !errors.Is(err, breaker.ErrOpen) {
		t.Fatalf("reopened breaker let a call through before OpenFor: %v", err)
	}
	clk.Advance(time.Second)
	if err := b.Do(context.Background(), succeed); err != nil {
		t.Fatalf("probe after the second OpenFor: %v", err)
	}
	want := "[closed>open open>half-open half-open>open open>half-open half-open>closed]"
	if got := tr.String(); got != want {
		t.Errorf("transitions %s, want %s", got, want)
	}
}

func TestHalfOpenNeedsEveryProbeToSucceed(t *testing.T) {
	t.Parallel()
	clk := newClock()
	b := newBreaker(clk, &transitions{}, 1, 3)
	_ = b.Do(context.Background(), fail)
	clk.Advance(time.Minute)
	for i := range 2 {
		if err := b.Do(context.Background(), succeed); err != nil {
			t.Fatalf("probe %d: %v", i, err)
		}
		if b.State() != breaker.HalfOpen {
			t.Fatalf("state %s after %d of 3 probes, want half-open", b.State(), i+1)
		}
	}
	_ = b.Do(context.Background(), succeed)
	if b.State() != breaker.Closed {
		t.Fatalf("state %s after 3 probes, want closed", b.State())
	}
}

func TestHalfOpenLimitsProbesInFlight(t *testing.T) {
	t.Parallel()
	clk := newClock()
	b := newBreaker(clk, &transitions{}, 1, 2)
	_ = b.Do(context.Background(), fail)
	clk.Advance(time.Minute)

	release := make(chan struct{})
	entered := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			_ = b.Do(context.Background(), func(context.Context) error {
				entered <- struct{}{}
				<-release
				return nil
			})
		})
		<-entered
	}
	if err := b.Do(context.Background(), succeed); !errors.Is(err, breaker.ErrOpen) {
		t.Errorf("third call while two probes are in flight: %v, want ErrOpen", err)
	}
	close(release)
	wg.Wait()
	if b.State() != breaker.Closed {
		t.Errorf("state %s after two successful probes, want closed", b.State())
	}
}

func TestRefusalsDoNotCount(t *testing.T) {
	t.Parallel()
	errRefused := errors.New("pg: 409 already_captured")
	b := breaker.New(breaker.Options{
		FailureThreshold: 2, Now: newClock().Now,
		IsFailure: func(err error) bool { return !errors.Is(err, errRefused) },
	})
	refuse := func(context.Context) error { return errRefused }
	for range 5 {
		if err := b.Do(context.Background(), refuse); !errors.Is(err, errRefused) {
			t.Fatalf("Do returned %v, want the refusal", err)
		}
	}
	// A refusal is an answer: it also breaks a run of failures.
	_ = b.Do(context.Background(), fail)
	_ = b.Do(context.Background(), refuse)
	_ = b.Do(context.Background(), fail)
	if b.State() != breaker.Closed {
		t.Errorf("state %s, want closed", b.State())
	}
}

func TestCallerContext(t *testing.T) {
	t.Parallel()
	t.Run("done before the call: fn not called, nothing counted", func(t *testing.T) {
		t.Parallel()
		b := breaker.New(breaker.Options{FailureThreshold: 1, Now: newClock().Now})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		called := false
		err := b.Do(ctx, func(context.Context) error { called = true; return nil })
		if !errors.Is(err, context.Canceled) || called {
			t.Errorf("err %v, called %v", err, called)
		}
		if b.State() != breaker.Closed {
			t.Errorf("state %s, want closed", b.State())
		}
	})
	t.Run("caller gives up during the call: not a failure", func(t *testing.T) {
		t.Parallel()
		b := breaker.New(breaker.Options{FailureThreshold: 1, Now: newClock().Now})
		ctx, cancel := context.WithCancel(context.Background())
		err := b.Do(ctx, func(ctx context.Context) error {
			cancel()
			<-ctx.Done()
			return fmt.Errorf("request: %w", ctx.Err())
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err %v", err)
		}
		if b.State() != breaker.Closed {
			t.Errorf("state %s, want closed", b.State())
		}
	})
	t.Run("a timeout inside fn is a failure", func(t *testing.T) {
		t.Parallel()
		b := breaker.New(breaker.Options{FailureThreshold: 1, Now: newClock().Now})
		_ = b.Do(context.Background(), func(ctx context.Context) error {
			ctx, cancel := context.WithTimeout(ctx, time.Millisecond)
			defer cancel()
			<-ctx.Done()
			return ctx.Err()
		})
		if b.State() != breaker.Open {
			t.Errorf("state %s, want open", b.State())
		}
	})
	t.Run("caller gives up during a probe: the slot is freed", func(t *testing.T) {
		t.Parallel()
		clk := newClock()
		b := breaker.New(breaker.Options{FailureThreshold: 1, OpenFor: time.Second, Now: clk.Now})
		_ = b.Do(context.Background(), fail)
		clk.Advance(time.Second)
		ctx, cancel := context.WithCancel(context.Background())
		_ = b.Do(ctx, func(ctx context.Context) error { cancel(); return ctx.Err() })
		if err := b.Do(context.Background(), succeed); err != nil {
			t.Errorf("next probe: %v", err)
		}
		if b.State() != breaker.Closed {
			t.Errorf("state %s, want closed", b.State())
		}
	})
}

// A call that started before the breaker opened does not close it by
// succeeding late.
func TestStaleResultIgnored(t *testing.T) {
	t.Parallel()
	clk := newClock()
	b := newBreaker(clk, &transitions{}, 2, 1)
	entered, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		done <- b.Do(context.Background(), func(context.Context) error {
			close(entered)
			<-release
			return nil
		})
	}()
	<-entered
	_ = b.Do(context.Background(), fail)
	_ = b.Do(context.Background(), fail)
	clk.Advance(time.Minute)
	if b.State() != breaker.HalfOpen {
		t.Fatalf("state %s, want half-open", b.State())
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if b.State() != breaker.HalfOpen {
		t.Errorf("a stale success changed the state to %s", b.State())
	}
}

func TestPanicCountsAsFailureAndPropagates(t *testing.T) {
	t.Parallel()
	clk := newClock()
	b := newBreaker(clk, &transitions{}, 1, 1)
	_ = b.Do(context.Background(), fail)
	clk.Advance(time.Minute)
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not propagate")
			}
		}()
		_ = b.Do(context.Background(), func(context.Context) error { panic("boom") })
	}()
	if b.State() != breaker.Open {
		t.Errorf("state %s after a panicking probe, want open", b.State())
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	clk := newClock()
	b := breaker.New(breaker.Options{Now: clk.Now})
	for range breaker.DefaultFailureThreshold - 1 {
		_ = b.Do(context.Background(), fail)
	}
	if b.State() != breaker.Closed {
		t.Fatalf("opened before %d failures", breaker.DefaultFailureThreshold)
	}
	_ = b.Do(context.Background(), fail)
	if b.State() != breaker.Open {
		t.Fatalf("not open after %d failures", breaker.DefaultFailureThreshold)
	}
	clk.Advance(breaker.DefaultOpenFor)
	if b.State() != breaker.HalfOpen {
		t.Fatalf("not half-open after %s", breaker.DefaultOpenFor)
	}
	if breaker.New(breaker.Options{}).State() != breaker.Closed {
		t.Error("a new breaker with the real clock is not closed")
	}
}

func TestStateString(t *testing.T) {
	t.Parallel()
	for s, want := range map[breaker.State]string{
		breaker.Closed: "closed", breaker.Open: "open", breaker.HalfOpen: "half-open", breaker.State(9): "State(9)",
	} {
		if got := s.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(s), got, want)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	b := breaker.New(breaker.Options{FailureThreshold: 3, OpenFor: time.Millisecond, HalfOpenProbes: 2})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				fn := succeed
				if (i+j)%3 == 0 {
					fn = fail
				}
				_ = b.Do(context.Background(), fn)
				_ = b.State()
			}
		})
	}
	wg.Wait()
}
