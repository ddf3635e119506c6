package recon

import (
	"regexp"
	"time"
)

// RunStatus is where a run is.
type RunStatus string

const (
	// Running: an invocation holds the run's lease, or held it and died; the next
	// delivery of the statement's message resumes it.
	Running RunStatus = "RUNNING"
	// Completed: every line has its result, the report is written and the
	// discrepancies are sent.
	Completed RunStatus = "COMPLETED"
	// Failed: the file cannot be reconciled at all (its header is not usable); Reason
	// says why. Uploading a corrected file makes a new run.
	Failed RunStatus = "FAILED"
	// StatementMissing: no statement came for a day that had records; the sweep made
	// this run, whose results are every record of the day as MISSING_IN_FILE.
	StatementMissing RunStatus = "STATEMENT_MISSING"
)

// Final reports whether a run in status s is over.
func (s RunStatus) Final() bool { return s == Completed || s == Failed || s == StatementMissing }

// Run is one reconciliation of one statement's content.
type Run struct {
	ID        string    `json:"id"`  // the SHA-256 of the content, hex; "missing-<day>" for the sweep's runs
	Key       string    `json:"key"` // the object key of the first upload
	Day       string    `json:"day"` // the statement's day, YYYY-MM-DD, or "" when unknown
	Status    RunStatus `json:"status"`
	Reason    string    `json:"reason,omitempty"`
	Counts    Counts    `json:"counts"`
	ReportKey string    `json:"reportKey,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	// CompletedAt is zero until the run is final.
	CompletedAt time.Time `json:"completedAt,omitzero"`
	// Published is set once reconciliation.completed is on the bus.
	Published bool `json:"published"`
}

// RunSummary is what Run returns: the run as stored, and whether it existed already
// (the same content was uploaded before).
type RunSummary struct {
	Run
	Existing bool `json:"existing"`
}

// Phase is how far a run got; a resumed run starts at its saved phase.
type Phase int

const (
	PhaseLines      Phase = iota // reading the file: the pg_transaction_id rule
	PhasePaymentID               // the deferred lines: the payment_id rule
	PhaseAmountTime              // the lines still deferred: the amount_time rule
	PhaseMissing                 // our records of the day that no line claimed
	PhaseReport                  // the report, the discrepancies, the counts
)

// Progress is what a run saved of its work: its phase and how far into it. A phase
// resumed starts after the saved point; what it did after that point before it stopped is
// done again, which writes the same again.
type Progress struct {
	Phase Phase
	// Line is the last line whose chunk is fully written (lines and deferred phases).
	Line int
	// Cursor is where the missing phase resumes in the day's records (RecordStore's).
	Cursor string
}

// Lease is a run's lock: one invocation works on a run at a time, until Until, and
// renews the lease whenever it saves its progress.
type Lease struct {
	Owner string
	Until time.Time
}

// keyDay finds the statement's day in its object key: statements/YYYY-MM-DD...
var keyDay = regexp.MustCompile(`^statements/(\d{4}-\d{2}-\d{2})`)

// DayOfKey returns the day an object key names ("" when it names none, or a date that does
// not exist).
func DayOfKey(key string) string {
	m := keyDay.FindStringSubmatch(key)
	if m == nil {
		return ""
	}
	if _, err := time.Parse(time.DateOnly, m[1]); err != nil {
		return ""
	}
	return m[1]
}

// MissingRunID is the id of the sweep's run for a day with no statement: one per day.
func MissingRunID(day string) string { return "missing-" + day }
