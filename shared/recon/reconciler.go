package recon

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Defaults of the Reconciler's settings.
const (
	DefaultTolerance   = 10 * time.Minute
	DefaultChunkLines  = 500
	DefaultParallelism = 4
	DefaultLease       = 2 * time.Minute
	DefaultReserve     = 20 * time.Second
)

// ErrUnfinished means a run stopped before its end because the invocation ran out of time;
// its progress is saved and its lease released, so the next delivery resumes it.
var ErrUnfinished = errors.New("the run ran out of time and will resume")

// Reconciler reconciles statements (see the package doc).
type Reconciler struct {
	Records       RecordStore
	Results       ResultStore
	Reports       ReportWriter
	Discrepancies DiscrepancySink
	Publisher     Publisher
	// Objects opens the statements Handle is told about; Run does not use it.
	Objects Objects
	// Tolerance is how far apart in time the amount_time rule may pair a line and a
	// record (DefaultTolerance when zero).
	Tolerance time.Duration
	// Now is the clock of the runs' times and leases (time.Now when nil).
	Now func() time.Time
	Log *slog.Logger // nil logs nothing

	// ChunkLines is how many lines are matched, written and saved at a time: what the
	// memory of a run is proportional to (DefaultChunkLines when zero).
	ChunkLines int
	// Parallelism bounds the store lookups in flight for one chunk (DefaultParallelism).
	Parallelism int
	// Lease is how long a run is locked to the invocation working on it without news
	// from it; it is renewed at every chunk (DefaultLease when zero).
	Lease time.Duration
	// Reserve is the time before the context's deadline at which a run saves its
	// progress and stops, so that the invocation can end cleanly (DefaultReserve).
	Reserve time.Duration
}

// settings are a Reconciler's settings with the defaults applied.
type settings struct {
	tolerance, lease, reserve time.Duration
	chunk, parallel           int
	now                       func() time.Time
	log                       *slog.Logger
}

func (r *Reconciler) settings() (settings, error) {
	if r.Records == nil || r.Results == nil || r.Reports == nil || r.Discrepancies == nil || r.Publisher == nil {
		return settings{}, errors.New("reconciler: records, results, reports, discrepancies and publisher are all required")
	}
	s := settings{
		tolerance: r.Tolerance, lease: r.Lease, reserve: r.Reserve,
		chunk: r.ChunkLines, parallel: r.Parallelism, now: r.Now, log: r.Log,
	}
	if s.tolerance <= 0 {
		s.tolerance = DefaultTolerance
	}
	if s.lease <= 0 {
		s.lease = DefaultLease
	}
	if s.reserve <= 0 {
		s.reserve = DefaultReserve
	}
	if s.chunk <= 0 {
		s.chunk = DefaultChunkLines
	}
	if s.parallel <= 0 {
		s.parallel = DefaultParallelism
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// Run reconciles the statement stored under key, which open opens (twice: to hash the
// content, then to reconcile it). The same content always makes the same run: when it
// exists, Run returns it as it is (Existing) if it is final, and resumes it otherwise.
// A file whose header is unusable makes a FAILED run, which is no error.
//
// Returns ErrRunBusy when another invocation is working on the run, ErrUnfinished when
// the context's deadline came near before the end, and the stores' errors: in every case
// the caller should try again later, and the run resumes where it stopped.
func (r *Reconciler) Run(ctx context.Context, key string, open func() (io.ReadCloser, error)) (RunSummary, error) {
	s, err := r.settings()
	if err != nil {
		return RunSummary{}, err
	}
	id, firstDay, err := identify(open)
	if err != nil {
		return RunSummary{}, err
	}
	run := Run{ID: id, Key: key, Day: DayOfKey(key), Status: Running, CreatedAt: s.now().UTC(), ReportKey: ReportKey(id)}
	if run.Day == "" {
		run.Day = firstDay
	}
	if run.Day == "" {
		run.Reason = "the statement's day is unknown (no date in its key, no valid line): no record is reported MISSING_IN_FILE"
	}
	return r.drive(ctx, s, run, Progress{Phase: PhaseLines}, Completed, open)
}

// ReportKey is where a run's report is written.
func ReportKey(runID string) string { return "reports/" + runID + ".csv" }

// identify reads the content once: its SHA-256, and the UTC day of its first valid line
// ("" when it has none or the header is unusable).
func identify(open func() (io.ReadCloser, error)) (id, day string, err error) {
	rc, err := open()
	if err != nil {
		return "", "", fmt.Errorf("opening the statement: %w", err)
	}
	defer rc.Close()
	h := sha256.New()
	tee := io.TeeReader(rc, h)
	if rd, err := NewReader(tee); err == nil {
		for {
			l, err := rd.Next()
			if err != nil {
				break
			}
			if l.Invalid == "" {
				day = l.At.Format(time.DateOnly)
				break
			}
		}
	}
	// Whatever the parser made of it, the hash covers every byte: the scanner buffers
	// ahead, and the tee saw what it buffered.
	if _, err := io.Copy(h, rc); err != nil {
		return "", "", fmt.Errorf("reading the statement: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), day, nil
}

// drive begins or resumes run and works it to its end.
func (r *Reconciler) drive(ctx context.Context, s settings, run Run, start Progress, final RunStatus, open func() (io.ReadCloser, error)) (RunSummary, error) {
	owner, err := newOwner()
	if err != nil {
		return RunSummary{Run: run}, err
	}
	lease := Lease{Owner: owner, Until: s.now().Add(s.lease)}
	b, err := r.Results.BeginRun(ctx, run, start, lease)
	if err != nil {
		return RunSummary{Run: run}, fmt.Errorf("beginning run %s: %w", run.ID, err)
	}
	log := s.log.With("runId", run.ID, "statementKey", b.Run.Key, "day", b.Run.Day)
	if b.Run.Status.Final() {
		log.InfoContext(ctx, "recon: the statement was reconciled before, returning its run", "status", string(b.Run.Status))
		if err := r.publish(ctx, b.Run); err != nil {
			return RunSummary{Run: b.Run, Existing: true}, err
		}
		b.Run.Published = true
		return RunSummary{Run: b.Run, Existing: true}, nil
	}
	if b.Created {
		log.InfoContext(ctx, "recon: run started")
	} else {
		log.InfoContext(ctx, "recon: resuming run", "phase", int(b.Progress.Phase), "line", b.Progress.Line)
	}
	w := &work{r: r, s: s, log: log, run: b.Run, lease: lease, prog: b.Progress, final: final, open: open}
	done, err := w.do(ctx)
	if err != nil {
		w.release(ctx, err)
		return RunSummary{Run: w.run, Existing: !b.Created}, err
	}
	log.InfoContext(ctx, "recon: run finished", "status", string(done.Status), "lines", done.Counts.Lines,
		"matched", done.Counts.Matched, "discrepancies", done.Counts.Discrepancies())
	if err := r.publish(ctx, done); err != nil {
		return RunSummary{Run: done, Existing: !b.Created}, err
	}
	done.Published = true
	return RunSummary{Run: done, Existing: !b.Created}, nil
}

// publish puts reconciliation.completed on the bus unless it was, and remembers it did.
func (r *Reconciler) publish(ctx context.Context, run Run) error {
	if run.Published {
		return nil
	}
	if err := r.Publisher.PublishCompleted(ctx, completedEvent(run)); err != nil {
		return fmt.Errorf("publishing %s of run %s: %w", EventCompleted, run.ID, err)
	}
	if err := r.Results.MarkPublished(ctx, run.ID); err != nil {
		// Published, not remembered: a retry publishes again, which the event id
		// lets consumers ignore.
		return fmt.Errorf("recording that run %s was published: %w", run.ID, err)
	}
	return nil
}

// newOwner names one invocation's hold on a run.
func newOwner() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("drawing a lease owner: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// parallel calls fn(i) for i in [0, n) with at most limit calls in flight, and returns the
// first error (the calls after it are skipped).
func parallel(ctx context.Context, n, limit int, fn func(ctx context.Context, i int) error) error {
	if n == 0 {
		return nil
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := fn(ctx, i); err != nil {
				once.Do(func() { first = err; cancel(err) })
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return context.Cause(ctx)
}
