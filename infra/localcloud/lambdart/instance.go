package lambdart

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// Why an instance was stopped; an invocation it was running fails accordingly.
var (
	errProcessExited = errors.New("the process exited")
	errTimedOut      = errors.New("the invocation timed out")
	errInitFailed    = errors.New("the Init phase failed")
	errIdle          = errors.New("idle for too long")
	errUnresponsive  = errors.New("did not take an invocation in time")
)

// logDrainTimeout bounds the wait for a dead instance's output: a process that
// left the process group can hold the pipe open forever.
const logDrainTimeout = 2 * time.Second

// groupExitWait bounds the wait for a dead instance's children to be gone: a
// child killed with its group stays a zombie until something reaps it.
const groupExitWait = time.Second

// instance is one execution environment: a process of the function's binary
// and the Runtime API listener it alone talks to.
type instance struct {
	fn        *function
	logStream string

	// deliver holds the invocation handed to this instance until the runtime
	// asks for it; only the invocation that reserved the instance writes it.
	deliver    chan *handoff
	stopping   chan struct{} // closed by stop
	exited     chan struct{} // closed once the process is reaped
	initFailed chan struct{} // closed when the runtime posts /init/error

	launchedAt time.Time // written by start before the process runs

	mu           sync.Mutex
	pid          int
	srv          *http.Server
	stopReason   error
	exitMsg      string // how the process ended, in Lambda's words; set before exited is closed
	exitPeakMB   int
	initialized  bool // the runtime has asked for its first invocation
	initDuration time.Duration
	initReported bool
	initErr      *FunctionError
	polling      bool        // a /next request is waiting
	current      *invocation // taken by the runtime and not yet followed by /next

	// Guarded by fn.mu.
	reserved  bool // an invocation is on its way to this instance
	finishing bool // its runtime posted a result and has not asked for the next invocation yet
	readyGen  uint64
	idleTimer *time.Timer
}

func newInstance(f *function) *instance {
	return &instance{
		fn:         f,
		logStream:  newLogStreamName(time.Now()),
		deliver:    make(chan *handoff, 1),
		stopping:   make(chan struct{}),
		exited:     make(chan struct{}),
		initFailed: make(chan struct{}),
	}
}

// start launches the process with its Runtime API. It is called by an
// invocation already counted by the runtime's WaitGroup, so the goroutines it
// adds are waited for by Close.
func (inst *instance) start() error {
	f := inst.fn
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("lambdart: %s: Runtime API listener: %w", f.cfg.Name, err)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("lambdart: %s: output pipe: %w", f.cfg.Name, err)
	}
	srv := &http.Server{
		Handler:           inst.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		// A runtime hanging up mid-request is the function's business, not the console's.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	cmd := exec.Command(f.cfg.Binary)
	cmd.Dir = filepath.Dir(f.cfg.Binary)
	cmd.Env = f.instanceEnv(ln.Addr().String(), inst.logStream)
	// Lambda sends stdout and stderr to the same log stream.
	cmd.Stdout, cmd.Stderr = pw, pw
	isolate(cmd)
	inst.launchedAt = time.Now()
	if err := cmd.Start(); err != nil {
		_, _, _ = ln.Close(), pr.Close(), pw.Close()
		return newFunctionError(ErrorTypeInvalidEntrypoint, err.Error())
	}
	_ = pw.Close() // the child holds its own copy; EOF comes when it and its children are gone

	inst.mu.Lock()
	inst.pid = cmd.Process.Pid
	inst.srv = srv
	stopped := isClosed(inst.stopping)
	inst.mu.Unlock()

	rt := f.rt
	logsDone := make(chan struct{})
	rt.wg.Add(3)
	go func() {
		defer rt.wg.Done()
		// Serve closes the listener when it returns, even if stop came first.
		_ = srv.Serve(ln)
	}()
	go func() {
		defer rt.wg.Done()
		defer close(logsDone)
		rt.console.copyLines(f.cfg.Name, pr)
	}()
	go func() {
		defer rt.wg.Done()
		inst.reap(cmd, pr, logsDone)
	}()
	if stopped {
		// stop ran before the process existed, so it could not kill it.
		_ = killGroup(inst.pid)
		_ = srv.Close()
	}
	return nil
}

// reap waits for the process to end, records how, and cleans up after it.
func (inst *instance) reap(cmd *exec.Cmd, pr *os.File, logsDone <-chan struct{}) {
	err := cmd.Wait()
	peak := 0
	if cmd.ProcessState != nil {
		peak = exitedPeakMemoryMB(cmd.ProcessState)
	}
	inst.mu.Lock()
	inst.exitMsg = exitDescription(err)
	inst.exitPeakMB = peak
	pid := inst.pid
	inst.mu.Unlock()
	inst.fn.remove(inst)
	// Whatever the function started dies with it, as its execution environment
	// would (stop kills the process group).
	inst.stop(errProcessExited)
	close(inst.exited)
	waitGroupGone(pid, groupExitWait)

	timer := time.NewTimer(logDrainTimeout)
	defer timer.Stop()
	select {
	case <-logsDone:
	case <-timer.C:
	}
	_ = pr.Close()
}

// exitDescription words a process's end as Lambda's Runtime.ExitError does.
func exitDescription(waitErr error) string {
	var exit *exec.ExitError
	switch {
	case waitErr == nil:
		return "Runtime exited without providing a reason"
	case errors.As(waitErr, &exit):
		return "Runtime exited with error: " + exit.ProcessState.String()
	default:
		return "Runtime exited with error: " + waitErr.Error()
	}
}

// stop kills the instance's process group and closes its Runtime API. It does
// not wait: exited is closed once the process is reaped.
func (inst *instance) stop(reason error) {
	inst.mu.Lock()
	if isClosed(inst.stopping) {
		inst.mu.Unlock()
		return
	}
	inst.stopReason = reason
	close(inst.stopping)
	pid, srv := inst.pid, inst.srv
	inst.mu.Unlock()
	if err := killGroup(pid); err != nil {
		inst.fn.rt.console.printf(inst.fn.cfg.Name, "lambdart: stopping process %d: %v", pid, err)
	}
	if srv != nil {
		_ = srv.Close()
	}
}

// lostOutcome is how an invocation ends when its instance's process is gone.
func (inst *instance) lostOutcome(inv *invocation) outcome {
	inst.mu.Lock()
	reason, exitMsg := inst.stopReason, inst.exitMsg
	inst.mu.Unlock()
	if errors.Is(reason, ErrClosed) {
		return outcome{err: fmt.Errorf("lambdart: invocation %s of %s: %w", inv.id, inst.fn.cfg.Name, ErrClosed)}
	}
	if exitMsg == "" {
		exitMsg = "Runtime exited without providing a reason"
	}
	return outcome{err: newFunctionError(ErrorTypeExit, "RequestId: "+inv.id+" Error: "+exitMsg)}
}

// peakMemoryMB is the instance's Max Memory Used so far.
func (inst *instance) peakMemoryMB() int {
	inst.mu.Lock()
	pid, exitPeak := inst.pid, inst.exitPeakMB
	inst.mu.Unlock()
	if mb, ok := peakMemoryMB(pid); ok {
		return mb
	}
	return exitPeak
}

// takeInitDuration returns the Init duration the first time it is called after
// the runtime initialized, zero afterwards: only a cold start's REPORT shows it.
func (inst *instance) takeInitDuration() time.Duration {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	if !inst.initialized || inst.initReported {
		return 0
	}
	inst.initReported = true
	return inst.initDuration
}

func (inst *instance) getPID() int {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	return inst.pid
}
