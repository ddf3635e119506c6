package recon

import (
	"context"
	"errors"
	"io"
	"time"
)

// RecordStore keeps our records (see the package doc for how they are found).
type RecordStore interface {
	// Put stores records. Storing a record again is harmless: its key and content are
	// those of the event that made it.
	Put(ctx context.Context, recs ...Record) error
	// Get returns the records that exist among keys (Record.Key), by key.
	Get(ctx context.Context, keys []string) (map[string]Record, error)
	// OfPayment returns a payment's records, in key order.
	OfPayment(ctx context.Context, paymentID string) ([]Record, error)
	// Near returns up to q.Limit records of one merchant, type, currency and amount whose
	// time is within q.Within of q.At, the nearest in time first.
	Near(ctx context.Context, q NearQuery) ([]Record, error)
	// EachOfDay calls fn with the keys of the records of a UTC day (YYYY-MM-DD), a page
	// at a time, from the position after (an opaque cursor; "" for the first page) on.
	// Each page comes with the cursor of the position after it, to resume from. An error
	// from fn stops it and is returned, wrapped; an after that is not the store's:
	// fault.Invalid. Keys, not records: the caller needs whole records only for the few
	// that no line claimed.
	EachOfDay(ctx context.Context, day, after string, fn func(keys []string, next string) error) error
}

// NearQuery selects the candidates of the amount_time rule.
type NearQuery struct {
	MerchantID string
	Type       Type
	Currency   string
	Amount     int64
	At         time.Time
	Within     time.Duration
	Limit      int
}

// ErrRunBusy means another invocation holds the run's lease: try again later.
var ErrRunBusy = errors.New("the run is being worked on by another invocation")

// ErrLeaseLost means the run's lease passed to another invocation: stop working on it.
var ErrLeaseLost = errors.New("the run's lease was taken over")

// RunStore keeps runs.
type RunStore interface {
	// BeginRun creates run (with progress p) and gives lease to the caller, or returns
	// the stored run: final as it is; running with its lease given to the caller and its
	// progress, when its lease expired or is already the caller's. Returns ErrRunBusy when
	// another owner's lease is alive.
	BeginRun(ctx context.Context, run Run, p Progress, lease Lease) (Begun, error)
	// SaveProgress saves p and renews the lease until lease.Until. Returns ErrLeaseLost
	// when lease.Owner no longer holds it.
	SaveProgress(ctx context.Context, runID string, lease Lease, p Progress) error
	// FinishRun makes the run final with its status, reason, counts and completion time,
	// and releases the lease. Returns ErrLeaseLost as SaveProgress.
	FinishRun(ctx context.Context, runID string, lease Lease, fin Run) (Run, error)
	// MarkPublished records that reconciliation.completed was published.
	MarkPublished(ctx context.Context, runID string) error
	// GetRun returns a run. Returns a fault.NotFound error when there is none.
	GetRun(ctx context.Context, runID string) (Run, error)
	// Runs lists runs, the newest statement day first.
	Runs(ctx context.Context, q RunQuery) (RunPage, error)
	// HasRun reports whether a run exists for a statement day.
	HasRun(ctx context.Context, day string) (bool, error)
}

// Begun is what BeginRun found or made.
type Begun struct {
	Run      Run
	Progress Progress
	Created  bool // the run did not exist
}

// RunQuery pages through runs.
type RunQuery struct {
	Limit  int    // 1..100, default 20
	Cursor string // from a previous page; a cursor that is not the store's: fault.Invalid
}

// RunPage is one page of runs.
type RunPage struct {
	Runs       []Run
	NextCursor string // "" on the last page
}

// Mark is a run's note that its file accounts for a record key: the line that listed the
// key's type and PG id, or the line a rule gave the record to.
type Mark struct {
	Line int
	// Claimed: the line was matched with the record of this key. A mark that is not
	// claimed only says that the file lists this type and PG id (the line matched no
	// record of ours): it makes later lines duplicates, and keeps the record from the
	// weaker rules.
	Claimed bool
}

// RunMark is a mark and its run.
type RunMark struct {
	RunID string
	Mark
}

// Deferred is a line left for the weaker rules, with what the stronger rules noted.
type Deferred struct {
	Line Line
	Note string
}

// MatchStore keeps what a run must remember across chunks, so that memory does not grow
// with the file: the marks, and the lines deferred to the weaker rules.
type MatchStore interface {
	// Marks returns the run's marks among keys, by key.
	Marks(ctx context.Context, runID string, keys []string) (map[string]Mark, error)
	// PutMarks writes marks of the run (replacing the same keys').
	PutMarks(ctx context.Context, runID string, marks map[string]Mark) error
	// MarksOf returns every run's mark of one key.
	MarksOf(ctx context.Context, key string) ([]RunMark, error)
	// PutDeferred stores lines left for the weaker rules.
	PutDeferred(ctx context.Context, runID string, ds []Deferred) error
	// EachDeferred calls fn with the run's deferred lines after line afterLine, in line
	// order, a page at a time.
	EachDeferred(ctx context.Context, runID string, afterLine int, fn func([]Deferred) error) error
	// DropDeferred forgets deferred lines once their result is written.
	DropDeferred(ctx context.Context, runID string, lines []int) error
}

// ResultLog keeps the results of runs.
type ResultLog interface {
	// PutResults writes results (replacing the same keys'; never their resolution).
	PutResults(ctx context.Context, results []Result) error
	// EachResult calls fn with a run's results in key order (lines, then missing records),
	// each with its resolution. An error from fn stops it and is returned, wrapped.
	EachResult(ctx context.Context, runID string, f ResultFilter, fn func(Result) error) error
	// Results returns one page of a run's results in key order.
	Results(ctx context.Context, runID string, q ResultQuery) (ResultPage, error)
	// Result returns one result. Returns a fault.NotFound error when there is none.
	Result(ctx context.Context, runID, key string) (Result, error)
	// Resolve records that a discrepancy resolved itself. Returns a fault.NotFound error
	// when there is no such result.
	Resolve(ctx context.Context, runID, key string, res Resolution) error
}

// ResultFilter selects results.
type ResultFilter struct {
	Kind       Kind // "" for every kind
	Unresolved bool // discrepancies not resolved only
}

// ResultQuery pages through results.
type ResultQuery struct {
	ResultFilter
	Limit  int    // 1..1000, default 100
	Cursor string // from a previous page; a cursor that is not the store's: fault.Invalid
}

// ResultPage is one page of results.
type ResultPage struct {
	Results    []Result
	NextCursor string // "" on the last page
}

// ResultStore is everything a run keeps: one reconciliation table.
type ResultStore interface {
	RunStore
	MatchStore
	ResultLog
}

// ReportWriter stores a run's report.
type ReportWriter interface {
	// Put stores what body yields under key, reading it as a stream (a report may be
	// larger than memory); an error from body aborts the upload and is returned.
	Put(ctx context.Context, key string, body io.Reader) error
}

// MaxDiscrepancyBatch is the most discrepancies one Send takes (an SQS batch).
const MaxDiscrepancyBatch = 10

// DiscrepancySink takes the discrepancies of runs to re-check them later.
type DiscrepancySink interface {
	// Send delivers up to MaxDiscrepancyBatch discrepancies, all or an error.
	Send(ctx context.Context, ds []Result) error
}

// Publisher puts reconciliation.completed on the bus.
type Publisher interface {
	PublishCompleted(ctx context.Context, ev CompletedEvent) error
}

// Objects opens uploaded statements.
type Objects interface {
	Open(ctx context.Context, bucket, key string) (io.ReadCloser, error)
}
