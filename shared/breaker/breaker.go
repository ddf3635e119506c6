// Package breaker is a circuit breaker: after a run of failures of a
// dependency (the PG) it stops calling it for a while and fails fast, then
// lets a few probe calls through to see whether it healed.
//
// The rule is consecutive failures: FailureThreshold failures in a row, with
// no success between them, open the breaker. It was chosen over a failure
// ratio in a rolling window because it needs no window to tune, reacts in
// the same number of calls at 1 or 1,000 calls a second, and cannot be kept
// closed by a trickle of successes while most calls time out at 3 s each —
// the case that hurts a Lambda's duration and the merchant's latency.
//
//	Closed ──FailureThreshold failures in a row──> Open
//	Open ──OpenFor elapsed──> HalfOpen
//	HalfOpen ──HalfOpenProbes successes──> Closed
//	HalfOpen ──any failure──> Open (for OpenFor again)
//
// While open, Do returns ErrOpen without calling fn. While half-open, at most
// HalfOpenProbes calls are in flight at once; the others get ErrOpen.
// A call's result counts only in the state it started in: a slow call that
// began before the breaker opened does not close it by succeeding later.
package breaker

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrOpen is returned by Do, without calling fn, while the breaker is open.
var ErrOpen = errors.New("circuit breaker open")

// Defaults for the zero Options.
const (
	DefaultFailureThreshold = 5
	DefaultOpenFor          = 10 * time.Second
	DefaultHalfOpenProbes   = 1
)

// Options configure a Breaker. Zero values take the defaults.
type Options struct {
	// FailureThreshold is how many failures in a row open the breaker.
	FailureThreshold int
	// OpenFor is how long the breaker stays open before letting probes through.
	OpenFor time.Duration
	// HalfOpenProbes is how many calls may be in flight while half-open, and
	// how many must succeed to close the breaker.
	HalfOpenProbes int
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// OnStateChange is called on every change of state, in order, with the
	// breaker's lock held: it must be quick and must not call the Breaker.
	OnStateChange func(from, to State)
	// IsFailure says whether fn's error counts against the dependency; when
	// nil, every error does. An error it rejects counts as a success: the
	// dependency answered, with a refusal such as a PG 4xx. Whatever it says,
	// an error returned once the context given to Do is done counts for
	// nothing: the caller gave up or ran out of time, which tells nothing
	// about the dependency (a timeout fn sets itself, on a context derived
	// inside fn, does count).
	IsFailure func(error) bool
}

// Breaker is a circuit breaker, safe for concurrent use. Create it with New.
type Breaker struct {
	threshold int
	openFor   time.Duration
	probes    int
	now       func() time.Time
	onChange  func(from, to State)
	isFailure func(error) bool

	mu       sync.Mutex
	state    State
	failures int       // consecutive failures while closed
	openedAt time.Time // when it last opened
	inFlight int       // calls let through while half-open and not yet finished
	probesOK int       // successes while half-open
	// generation changes with every state change, so that a call's result is
	// only counted in the state it started in.
	generation uint64
}

// New returns a closed breaker.
func New(opts Options) *Breaker {
	b := &Breaker{
		threshold: opts.FailureThreshold,
		openFor:   opts.OpenFor,
		probes:    opts.HalfOpenProbes,
		now:       opts.Now,
		onChange:  opts.OnStateChange,
		isFailure: opts.IsFailure,
	}
	if b.threshold <= 0 {
		b.threshold = DefaultFailureThreshold
	}
	if b.openFor <= 0 {
		b.openFor = DefaultOpenFor
	}
	if b.probes <= 0 {
		b.probes = DefaultHalfOpenProbes
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.isFailure == nil {
		b.isFailure = func(err error) bool { return err != nil }
	}
	return b
}

// outcome is what a call tells about the dependency.
type outcome int

const (
	succeeded outcome = iota
	failed
	unknown
)

// State returns the breaker's state now: an open breaker whose OpenFor has
// elapsed reads HalfOpen.
func (b *Breaker) State() State {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advance()
	return b.state
}

// Do calls fn unless the breaker is open, and records its outcome. It returns
// fn's error, or ErrOpen without calling fn. A context that is already done
// returns its error without calling fn or counting anything.
func (b *Breaker) Do(ctx context.Context, fn func(context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	gen, err := b.admit()
	if err != nil {
		return err
	}
	finished := false
	defer func() {
		// fn panicked: count a failure so a half-open probe slot is not
		// lost for good, and let the panic go on.
		if !finished {
			b.record(gen, failed)
		}
	}()
	err = fn(ctx)
	finished = true
	switch {
	case err == nil:
		b.record(gen, succeeded)
	case ctx.Err() != nil:
		b.record(gen, unknown)
	case b.isFailure(err):
		b.record(gen, failed)
	default:
		b.record(gen, succeeded)
	}
	return err
}

// admit decides whether a call may go through now, and returns the
// generation it runs in.
func (b *Breaker) admit() (uint64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advance()
	switch b.state {
	case Open:
		return 0, ErrOpen
	case HalfOpen:
		if b.inFlight+b.probesOK >= b.probes {
			return 0, ErrOpen
		}
		b.inFlight++
	}
	return b.generation, nil
}

// record counts the outcome of a call admitted in generation gen.
func (b *Breaker) record(gen uint64, o outcome) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if gen != b.generation {
		return
	}
	switch b.state {
	case Closed:
		switch o {
		case succeeded:
			b.failures = 0
		case failed:
			b.failures++
			if b.failures >= b.threshold {
				b.setState(Open)
			}
		}
	case HalfOpen:
		b.inFlight--
		switch o {
		case succeeded:
			b.probesOK++
			if b.probesOK >= b.probes {
				b.setState(Closed)
			}
		case failed:
			b.setState(Open)
		}
	}
}

// advance moves an open breaker whose time is up to half-open. Call with
// b.mu held.
func (b *Breaker) advance() {
	if b.state == Open && !b.now().Before(b.openedAt.Add(b.openFor)) {
		b.setState(HalfOpen)
	}
}

// setState changes state and resets what the new state counts. Call with
// b.mu held.
func (b *Breaker) setState(to State) {
	from := b.state
	b.state = to
	b.generation++
	b.failures, b.inFlight, b.probesOK = 0, 0, 0
	if to == Open {
		b.openedAt = b.now()
	}
	if b.onChange != nil {
		b.onChange(from, to)
	}
}
