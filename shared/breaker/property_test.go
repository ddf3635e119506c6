package breaker_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/breaker"
)

// change is one OnStateChange call and the clock when it happened.
type change struct {
	from, to breaker.State
	at       time.Time
}

// call is a call in flight: fn has been entered and waits for its result.
type call struct {
	release chan error
	done    chan error
	// period is the number of state changes when it entered, and state the
	// state it entered in.
	period int
	state  breaker.State
}

// harness drives a breaker through a sequence of operations, one at a time,
// and checks its promises after each.
type harness struct {
	t         *testing.T
	clk       *clock
	b         *breaker.Breaker
	threshold int
	probes    int
	openFor   time.Duration

	mu      sync.Mutex
	changes []change

	inFlight []*call
	// streak is the failures in a row finished in the current closed period.
	streak int
}

func newHarness(t *testing.T, threshold, probes int, openFor time.Duration) *harness {
	h := &harness{t: t, clk: newClock(), threshold: threshold, probes: probes, openFor: openFor}
	h.b = breaker.New(breaker.Options{
		FailureThreshold: threshold, OpenFor: openFor, HalfOpenProbes: probes, Now: h.clk.Now,
		OnStateChange: func(from, to breaker.State) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.changes = append(h.changes, change{from, to, h.clk.Now()})
		},
	})
	return h
}

func (h *harness) snapshot() []change {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]change(nil), h.changes...)
}

// current is the state as the recorded changes say.
func current(changes []change) breaker.State {
	if len(changes) == 0 {
		return breaker.Closed
	}
	return changes[len(changes)-1].to
}

// start begins a call. Either fn is entered (the call is let through) or Do
// returns at once; the checks depend on which.
func (h *harness) start() {
	c := &call{release: make(chan error), done: make(chan error, 1)}
	entered := make(chan struct{})
	go func() {
		c.done <- h.b.Do(context.Background(), func(context.Context) error {
			close(entered)
			return <-c.release
		})
	}()
	select {
	case <-entered:
		changes := h.snapshot()
		c.period, c.state = len(changes), current(changes)
		if c.state == breaker.Open {
			h.t.Fatalf("a call went through while open (changes %v)", changes)
		}
		if c.state == breaker.HalfOpen {
			n := 0
			for _, o := range h.inFlight {
				if o.period == c.period {
					n++
				}
			}
			if n+1 > h.probes {
				h.t.Fatalf("%d calls in flight while half-open, HalfOpenProbes %d", n+1, h.probes)
			}
		}
		h.inFlight = append(h.inFlight, c)
	case err := <-c.done:
		if !errors.Is(err, breaker.ErrOpen) {
			h.t.Fatalf("Do returned %v without calling fn", err)
		}
		changes := h.snapshot()
		switch current(changes) {
		case breaker.Closed:
			h.t.Fatalf("a closed breaker refused a call")
		case breaker.Open:
			if last := changes[len(changes)-1]; !h.clk.Now().Before(last.at.Add(h.openFor)) {
				h.t.Fatalf("still refusing %s after opening, OpenFor %s", h.clk.Now().Sub(last.at), h.openFor)
			}
		}
	}
}

// finish ends the i-th call in flight with err.
func (h *harness) finish(i int, err error) {
	if len(h.inFlight) == 0 {
		return
	}
	i %= len(h.inFlight)
	c := h.inFlight[i]
	h.inFlight = append(h.inFlight[:i], h.inFlight[i+1:]...)
	before := h.snapshot()
	c.release <- err
	if got := <-c.done; !errors.Is(got, err) {
		h.t.Fatalf("Do returned %v, fn %v", got, err)
	}
	after := h.snapshot()
	// A closed breaker opens exactly on the threshold-th failure in a row
	// of calls that started while it was closed.
	if c.period == len(before) && c.state == breaker.Closed {
		if err != nil {
			h.streak++
		} else {
			h.streak = 0
		}
		opened := len(after) > len(before)
		if opened != (h.streak >= h.threshold) {
			h.t.Fatalf("after %d failures in a row (threshold %d) the breaker changed %v", h.streak, h.threshold, after[len(before):])
		}
	}
	// Any change starts a new period, and a new count.
	if len(after) != len(before) {
		h.streak = 0
	}
}

// checkChanges verifies the whole history: only the arrows of the state
// diagram, and open for at least OpenFor each time.
func (h *harness) checkChanges() {
	changes := h.snapshot()
	prev := breaker.Closed
	for i, c := range changes {
		if c.from != prev {
			h.t.Fatalf("change %d from %s, but the state was %s", i, c.from, prev)
		}
		switch {
		case c.from == breaker.Closed && c.to == breaker.Open,
			c.from == breaker.HalfOpen && c.to == breaker.Open,
			c.from == breaker.HalfOpen && c.to == breaker.Closed:
		case c.from == breaker.Open && c.to == breaker.HalfOpen:
			if c.at.Sub(changes[i-1].at) < h.openFor {
				h.t.Fatalf("half-open %s after opening, OpenFor %s", c.at.Sub(changes[i-1].at), h.openFor)
			}
		default:
			h.t.Fatalf("change %s > %s is not in the diagram", c.from, c.to)
		}
		prev = c.to
	}
}

func (h *harness) close() {
	for len(h.inFlight) > 0 {
		h.finish(0, nil)
	}
}

// run applies ops: each byte is an operation and its argument.
func (h *harness) run(ops []byte) {
	defer h.close()
	for _, op := range ops {
		arg := int(op >> 2)
		switch op & 3 {
		case 0:
			h.start()
		case 1:
			h.finish(arg, nil)
		case 2:
			h.finish(arg, errPG)
		case 3:
			// Coarse steps (tenths of OpenFor) to get around it, fine ones
			// (milliseconds) to land just before or at its end.
			if arg%2 == 0 {
				h.clk.Advance(h.openFor / 10 * time.Duration(arg/2))
			} else {
				h.clk.Advance(time.Duration(arg) * time.Millisecond)
			}
			_ = h.b.State()
		}
		h.checkChanges()
	}
}

func TestPropertyRandomSequences(t *testing.T) {
	t.Parallel()
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 7))
		ops := make([]byte, 150)
		for i := range ops {
			ops[i] = byte(r.IntN(256))
		}
		threshold, probes := 1+r.IntN(4), 1+r.IntN(3)
		newHarness(t, threshold, probes, time.Second).run(ops)
		if t.Failed() {
			t.Fatalf("seed %d", seed)
		}
	}
}

func FuzzProperty(f *testing.F) {
	f.Add([]byte{0, 2, 0, 2, 0, 2, 3 | 10<<2, 0, 0, 0, 1, 1}, uint8(3), uint8(2))
	f.Add([]byte{0, 0, 0, 2, 6, 10, 3 | 63<<2, 0, 0, 0, 0, 5, 5, 5}, uint8(1), uint8(3))
	f.Fuzz(func(t *testing.T, ops []byte, threshold, probes uint8) {
		newHarness(t, 1+int(threshold%5), 1+int(probes%4), time.Second).run(ops)
	})
}
