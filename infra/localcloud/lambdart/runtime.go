package lambdart

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// Runtime runs registered functions as pools of local processes.
type Runtime struct {
	opts    Options
	console *console
	// ctx ends when Close starts: it stops asynchronous invocations waiting to retry.
	ctx    context.Context
	cancel context.CancelFunc

	mu        sync.Mutex
	closed    bool
	functions map[string]*function

	// wg counts every goroutine the runtime starts, so Close can wait for all
	// of them (and so for every process to be reaped).
	wg sync.WaitGroup
}

// New returns a runtime with no functions.
func New(opts Options) *Runtime {
	opts = opts.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	return &Runtime{
		opts:      opts,
		console:   &console{w: opts.Log},
		ctx:       ctx,
		cancel:    cancel,
		functions: map[string]*function{},
	}
}

// Register adds a function; its instances start on the first invocation.
// The configuration is checked as Lambda's CreateFunction would (name, timeout,
// memory, reserved environment variables): errors wrap ErrInvalidFunction.
func (r *Runtime) Register(fn Function) error {
	cfg, err := fn.normalize(r.opts.DefaultMaxConcurrency)
	if err != nil {
		return err
	}
	if cfg.Binary, err = filepath.Abs(cfg.Binary); err != nil {
		return fmt.Errorf("%w: function %q: binary path: %w", ErrInvalidFunction, cfg.Name, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	if _, ok := r.functions[cfg.Name]; ok {
		return fmt.Errorf("%w: %s", ErrFunctionExists, cfg.Name)
	}
	r.functions[cfg.Name] = newFunction(r, cfg)
	return nil
}

// lookup finds the function a name or ARN designates.
func (r *Runtime) lookup(ref string) (*function, functionRef, error) {
	fr, err := parseFunctionRef(ref, r.opts.Region)
	if err != nil {
		return nil, functionRef{}, err
	}
	r.mu.Lock()
	f, ok := r.functions[fr.name]
	r.mu.Unlock()
	if !ok {
		return nil, functionRef{}, fmt.Errorf("%w: %s", ErrFunctionNotFound, ref)
	}
	return f, fr, nil
}

// spawn runs fn on a goroutine Close waits for, unless the runtime is closed.
func (r *Runtime) spawn(fn func()) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		fn()
	}()
	return nil
}

// Invoke runs the function synchronously and returns its response. function
// is a name or an ARN (arn:aws:lambda:<region>:000000000000:function:<name>,
// optionally qualified with $LATEST). A failure inside the function or its
// environment is a *FunctionError (Type Sandbox.Timedout for a timeout,
// Runtime.ExitError when the process died). ctx bounds the wait for a free
// instance and for the result; an invocation already running when ctx ends
// still runs to its end, as in Lambda.
func (r *Runtime) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	f, ref, err := r.lookup(function)
	if err != nil {
		return nil, err
	}
	if len(payload) > maxPayload {
		return nil, fmt.Errorf("%w: %d bytes; a synchronous invocation takes at most %d", ErrRequestTooLarge, len(payload), maxPayload)
	}
	inv := newInvocation(awsproto.NewRequestID(), ref.invokedARN(r.opts.Region), bytes.Clone(payload), time.Now())
	return r.await(ctx, f, inv)
}

// await dispatches inv and waits for its outcome or for ctx to end.
func (r *Runtime) await(ctx context.Context, f *function, inv *invocation) ([]byte, error) {
	if err := r.spawn(func() { f.dispatch(ctx, inv) }); err != nil {
		return nil, fmt.Errorf("lambdart: invoking %s: %w", f.cfg.Name, err)
	}
	select {
	case <-inv.finished:
		return inv.out.payload, inv.out.err
	case <-ctx.Done():
		if inv.isFinished() {
			return inv.out.payload, inv.out.err
		}
		return nil, fmt.Errorf("lambdart: invoking %s (request %s): %w", f.cfg.Name, inv.id, ctx.Err())
	}
}

// PIDs lists the process ids of the function's running instances, in
// increasing order (nil for an unknown function).
func (r *Runtime) PIDs(function string) []int {
	f, _, err := r.lookup(function)
	if err != nil {
		return nil
	}
	return f.pids()
}

// Close stops every instance (killing each one's whole process group) and
// waits until every process is reaped, or until ctx ends. Invocations in
// progress fail with ErrClosed; asynchronous invocations not yet run are
// dropped. Closing again is harmless.
func (r *Runtime) Close(ctx context.Context) error {
	r.mu.Lock()
	r.closed = true
	fns := make([]*function, 0, len(r.functions))
	for _, f := range r.functions {
		fns = append(fns, f)
	}
	r.mu.Unlock()
	r.cancel()
	for _, f := range fns {
		for _, inst := range f.close() {
			inst.stop(ErrClosed)
		}
	}
	done := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("lambdart: close: waiting for the instances to stop: %w", ctx.Err())
	}
}
