package lambdart

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// function is a registered function and its pool of instances.
type function struct {
	rt  *Runtime
	cfg Function

	mu        sync.Mutex
	instances map[*instance]struct{} // every instance counted against MaxConcurrency
	ready     []*instance            // waiting in /next, most recently used last
	// finishing counts instances whose runtime posted a result and has yet to
	// ask for the next invocation (a millisecond, for aws-lambda-go).
	finishing int
	changed   chan struct{} // closed (and replaced) when capacity may have freed up
	closed    bool
}

func newFunction(rt *Runtime, cfg Function) *function {
	return &function{rt: rt, cfg: cfg, instances: map[*instance]struct{}{}, changed: make(chan struct{})}
}

func (f *function) broadcastLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// settleWait is how long an invocation waits for an instance that has just
// answered to ask for its next invocation, before starting a new instance:
// without it a caller invoking again as soon as it has its answer would find
// no instance ready and cause a needless cold start.
const settleWait = 100 * time.Millisecond

// acquire reserves an instance for one invocation: a ready one if any (the most
// recently used, as Lambda reuses warm environments), else a new one while
// fewer than MaxConcurrency run, else it waits until one frees up or ctx ends.
// cold tells that the instance was started for this invocation.
func (f *function) acquire(ctx context.Context) (inst *instance, cold bool, err error) {
	var settleUntil time.Time
	for {
		f.mu.Lock()
		if f.closed {
			f.mu.Unlock()
			return nil, false, fmt.Errorf("lambdart: invoking %s: %w", f.cfg.Name, ErrClosed)
		}
		if n := len(f.ready); n > 0 {
			inst = f.ready[n-1]
			f.ready = f.ready[:n-1]
			inst.reserved = true
			if inst.idleTimer != nil {
				inst.idleTimer.Stop()
			}
			f.mu.Unlock()
			return inst, false, nil
		}
		var settle time.Duration
		if len(f.instances) < f.cfg.MaxConcurrency {
			if f.finishing > 0 {
				if settleUntil.IsZero() {
					settleUntil = time.Now().Add(settleWait)
				}
				settle = time.Until(settleUntil)
			}
			if settle <= 0 {
				inst = newInstance(f)
				inst.reserved = true
				f.instances[inst] = struct{}{}
				f.mu.Unlock()
				if err := inst.start(); err != nil {
					f.remove(inst)
					return nil, false, err
				}
				return inst, true, nil
			}
		}
		changed := f.changed
		f.mu.Unlock()
		if err := waitChange(ctx, changed, settle); err != nil {
			return nil, false, fmt.Errorf("lambdart: waiting for a free instance of %s (%d running): %w", f.cfg.Name, f.cfg.MaxConcurrency, err)
		}
	}
}

// waitChange waits for changed, for ctx to end, or for d if positive.
func waitChange(ctx context.Context, changed <-chan struct{}, d time.Duration) error {
	var timeout <-chan time.Time
	if d > 0 {
		timer := time.NewTimer(d)
		defer timer.Stop()
		timeout = timer.C
	}
	select {
	case <-changed:
	case <-timeout:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// noteFinishing marks an instance whose runtime is posting a result: it is
// about to be ready again.
func (f *function) noteFinishing(inst *instance) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.instances[inst]; ok && !inst.finishing {
		inst.finishing = true
		f.finishing++
	}
}

func (f *function) clearFinishingLocked(inst *instance) {
	if inst.finishing {
		inst.finishing = false
		f.finishing--
	}
}

// markReady puts an instance whose runtime is waiting in /next back in the
// pool, unless an invocation is already on its way to it.
func (f *function) markReady(inst *instance) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clearFinishingLocked(inst)
	if _, ok := f.instances[inst]; !ok || inst.reserved || slices.Contains(f.ready, inst) {
		f.broadcastLocked()
		return
	}
	f.ready = append(f.ready, inst)
	inst.readyGen++
	if idle := f.rt.opts.IdleTimeout; idle > 0 {
		gen := inst.readyGen
		inst.idleTimer = time.AfterFunc(idle, func() { f.reapIdle(inst, gen) })
	}
	f.broadcastLocked()
}

// unready takes an instance out of the pool when its runtime stopped waiting.
func (f *function) unready(inst *instance) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i := slices.Index(f.ready, inst); i >= 0 {
		f.ready = slices.Delete(f.ready, i, i+1)
	}
}

// delivered notes that the runtime took the invocation reserved for it.
func (f *function) delivered(inst *instance) {
	f.mu.Lock()
	inst.reserved = false
	f.mu.Unlock()
}

// reapIdle stops an instance still idle since the readiness numbered gen.
func (f *function) reapIdle(inst *instance, gen uint64) {
	f.mu.Lock()
	i := slices.Index(f.ready, inst)
	if i < 0 || inst.readyGen != gen {
		f.mu.Unlock()
		return
	}
	f.ready = slices.Delete(f.ready, i, i+1)
	delete(f.instances, inst)
	f.broadcastLocked()
	f.mu.Unlock()
	inst.stop(errIdle)
}

// remove takes an instance out of the pool for good; it no longer counts
// against MaxConcurrency. Removing twice is harmless.
func (f *function) remove(inst *instance) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if inst.idleTimer != nil {
		inst.idleTimer.Stop()
	}
	f.clearFinishingLocked(inst)
	if i := slices.Index(f.ready, inst); i >= 0 {
		f.ready = slices.Delete(f.ready, i, i+1)
	}
	if _, ok := f.instances[inst]; ok {
		delete(f.instances, inst)
		f.broadcastLocked()
	}
}

// retire removes an instance and kills it.
func (f *function) retire(inst *instance, reason error) {
	f.remove(inst)
	inst.stop(reason)
}

// close refuses new instances and returns the running ones for the caller to stop.
func (f *function) close() []*instance {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	out := make([]*instance, 0, len(f.instances))
	for inst := range f.instances {
		out = append(out, inst)
	}
	f.broadcastLocked()
	return out
}

// pids lists the process ids of the running instances.
func (f *function) pids() []int {
	f.mu.Lock()
	insts := make([]*instance, 0, len(f.instances))
	for inst := range f.instances {
		insts = append(insts, inst)
	}
	f.mu.Unlock()
	var out []int
	for _, inst := range insts {
		if pid := inst.getPID(); pid > 0 && !isClosed(inst.exited) {
			out = append(out, pid)
		}
	}
	slices.Sort(out)
	return out
}
