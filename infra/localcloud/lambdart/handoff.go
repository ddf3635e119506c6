package lambdart

import "sync"

// handoff is one attempt to give an invocation to an instance. The instance's
// runtime claims it in /next; the executor revokes it when it gives up on the
// instance. Exactly one of them wins, so an invocation withdrawn from a dying
// instance can never also run there.
type handoff struct {
	inv *invocation

	mu    sync.Mutex
	state handoffState
}

type handoffState int

const (
	handoffPending handoffState = iota
	handoffClaimed
	handoffRevoked
)

func (h *handoff) settle(to handoffState) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.state != handoffPending {
		return false
	}
	h.state = to
	return true
}

// claim is the runtime taking the invocation.
func (h *handoff) claim() bool { return h.settle(handoffClaimed) }

// revoke withdraws the invocation; false means the runtime already took it.
func (h *handoff) revoke() bool { return h.settle(handoffRevoked) }
