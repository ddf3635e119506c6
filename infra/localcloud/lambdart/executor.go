package lambdart

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// maxHandOffs bounds how often an invocation goes to another instance because
// the one it reserved died before taking it.
const maxHandOffs = 3

// dispatch runs inv on an instance, then records its outcome. ctx bounds only
// the wait for an instance: once a runtime took the invocation, it runs to its
// end, as a Lambda invocation does when its caller goes away.
func (f *function) dispatch(ctx context.Context, inv *invocation) {
	for attempt := 1; ; attempt++ {
		inst, cold, err := f.acquire(ctx)
		if err != nil {
			inv.finish(outcome{err: err})
			return
		}
		if f.execute(inst, inv, cold) {
			return
		}
		if attempt == maxHandOffs {
			inv.finish(outcome{err: fmt.Errorf("lambdart: invoking %s: %d instances in a row were lost before taking invocation %s", f.cfg.Name, attempt, inv.id)})
			return
		}
	}
}

// execute hands inv to the instance reserved for it and follows it until the
// instance is free again. It reports false when the instance was lost before
// its runtime took the invocation, which can then go to another instance.
func (f *function) execute(inst *instance, inv *invocation, cold bool) bool {
	h := &handoff{inv: inv}
	inst.deliver <- h // never blocks: the instance is reserved for this invocation
	started, handled := f.awaitStart(inst, h, cold)
	if !started {
		return handled
	}
	f.run(inst, inv)
	return true
}

// awaitStart waits for the runtime to take the invocation: the Init phase for
// a new instance, immediate for a warm one. When it did not start, handled
// tells whether the invocation has its outcome (false: it may go to another
// instance, this one never saw it).
func (f *function) awaitStart(inst *instance, h *handoff, cold bool) (started, handled bool) {
	inv := h.inv
	limit := time.NewTimer(f.rt.opts.InitTimeout)
	defer limit.Stop()
	var fail outcome
	select {
	case <-inv.started:
		return true, true
	case <-inst.initFailed:
		if !h.revoke() {
			break
		}
		f.retire(inst, errInitFailed)
		fail = inst.initFailure()
	case <-inst.exited:
		if !h.revoke() {
			break
		}
		if isClosed(inst.initFailed) {
			// The runtime reported why before exiting: that is the error.
			fail = inst.initFailure()
			break
		}
		fail = inst.lostOutcome(inv)
		if !cold && !errors.Is(fail.err, ErrClosed) {
			// A warm instance that died while idle never saw the invocation.
			return false, false
		}
	case <-limit.C:
		if !h.revoke() {
			break
		}
		if !cold {
			// Its runtime stopped asking for invocations: not fit to serve.
			f.retire(inst, errUnresponsive)
			return false, false
		}
		f.retire(inst, errInitFailed)
		fail = outcome{err: newFunctionError(ErrorTypeTimeout,
			fmt.Sprintf("Init phase timed out after %.2f seconds", f.rt.opts.InitTimeout.Seconds()))}
	}
	if fail.err == nil {
		// The runtime claimed the invocation as we gave up on it: it runs after all.
		<-inv.started
		return true, true
	}
	if fe, ok := errors.AsType[*FunctionError](fail.err); ok {
		f.initReport(inst, fe.Type)
	}
	inv.finish(fail)
	return false, true
}

// run follows a started invocation: it ends when the runtime posts a result,
// at the deadline (the instance is killed, as Lambda stops the execution
// environment) or when the process dies. The instance is free again only when
// its runtime asks for the next invocation.
func (f *function) run(inst *instance, inv *invocation) {
	name := f.cfg.Name
	f.rt.console.printf(name, "START RequestId: %s Version: %s", inv.id, latest)
	deadline := time.NewTimer(time.Until(inv.deadline))
	defer deadline.Stop()
	timedOut := false
	select {
	case <-inv.finished:
	case <-deadline.C:
		timedOut = true
		if inv.finish(outcome{err: newFunctionError(ErrorTypeTimeout, timeoutMessage(f.cfg.Timeout))}) {
			f.rt.console.printf(name, "%s %s %s", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), inv.id, timeoutMessage(f.cfg.Timeout))
		}
		f.retire(inst, errTimedOut)
	case <-inst.exited:
		// A result posted just before the process exited (a panic) stands.
		inv.finish(inst.lostOutcome(inv))
		f.retire(inst, errProcessExited)
	}
	f.rt.console.printf(name, "END RequestId: %s", inv.id)
	f.rt.console.printf(name, "%s", report{
		requestID:    inv.id,
		duration:     inv.finishedAt.Sub(inv.startedAt),
		memoryMB:     f.cfg.MemoryMB,
		maxMemoryMB:  inst.peakMemoryMB(),
		initDuration: inst.takeInitDuration(),
	}.line())
	if timedOut || isClosed(inst.stopping) {
		return
	}
	select {
	case <-inv.nextCalled:
	case <-inst.exited:
		f.retire(inst, errProcessExited)
	case <-deadline.C:
		// Lambda bills and keeps the environment until the runtime asks for
		// the next invocation, but not past the timeout.
		f.retire(inst, errTimedOut)
	}
}

// initReport logs a failed Init phase as Lambda does.
func (f *function) initReport(inst *instance, errorType string) {
	f.rt.console.printf(f.cfg.Name, "INIT_REPORT Init Duration: %s ms\tPhase: init\tStatus: error\tError Type: %s",
		millis(time.Since(inst.launchedAt)), errorType)
}

// initFailure is the outcome of the error the runtime posted to /init/error.
func (inst *instance) initFailure() outcome {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	return outcome{err: inst.initErr}
}
