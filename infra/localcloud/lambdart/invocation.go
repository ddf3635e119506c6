package lambdart

import (
	"sync"
	"time"
)

// outcome is how an invocation ended: a response payload or an error
// (a *FunctionError when the function or its environment failed).
type outcome struct {
	payload []byte
	err     error
}

// invocation is one request on its way through an instance. The channels
// mark its steps; whoever decides the outcome first (the runtime posting a
// result, or the executor seeing a timeout or an exit) wins.
type invocation struct {
	id         string
	invokedARN string
	payload    []byte
	trace      string

	// started is closed by /next when the runtime takes the invocation;
	// startedAt and deadline are written before.
	started   chan struct{}
	startedAt time.Time
	deadline  time.Time

	// nextCalled is closed when the runtime, done with this invocation, asks
	// for the next one: only then is the instance free again.
	nextCalled chan struct{}

	finishOnce sync.Once
	finished   chan struct{}
	out        outcome
	finishedAt time.Time
}

func newInvocation(id, invokedARN string, payload []byte, now time.Time) *invocation {
	return &invocation{
		id:         id,
		invokedARN: invokedARN,
		payload:    payload,
		trace:      newTraceHeader(now),
		started:    make(chan struct{}),
		nextCalled: make(chan struct{}),
		finished:   make(chan struct{}),
	}
}

// finish records the outcome unless one is already recorded; it reports
// whether this call decided it.
func (inv *invocation) finish(o outcome) bool {
	won := false
	inv.finishOnce.Do(func() {
		inv.out = o
		inv.finishedAt = time.Now()
		close(inv.finished)
		won = true
	})
	return won
}

func (inv *invocation) isFinished() bool { return isClosed(inv.finished) }

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
