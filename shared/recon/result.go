package recon

import (
	"fmt"
	"time"
)

// Kind is the outcome of reconciling one line, or one record no line claimed.
type Kind string

const (
	Matched          Kind = "MATCHED"
	AmountMismatch   Kind = "AMOUNT_MISMATCH"
	CurrencyMismatch Kind = "CURRENCY_MISMATCH"
	MissingInSystem  Kind = "MISSING_IN_SYSTEM" // in the file, not ours
	MissingInFile    Kind = "MISSING_IN_FILE"   // ours, not in the file
	DuplicateInFile  Kind = "DUPLICATE_IN_FILE"
	InvalidLine      Kind = "INVALID_LINE"
)

// Kinds lists every kind, in the order reports count them.
var Kinds = []Kind{Matched, AmountMismatch, CurrencyMismatch, MissingInSystem, MissingInFile, DuplicateInFile, InvalidLine}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

// Discrepancy reports whether a result of kind k needs someone's attention: all but MATCHED.
func (k Kind) Discrepancy() bool { return k != Matched }

// Rule is the matching rule that paired a line with a record (see the package doc).
type Rule string

const (
	ByPGID       Rule = "pg_transaction_id"
	ByPaymentID  Rule = "payment_id"
	ByAmountTime Rule = "amount_time"
)

// Result is the outcome for one line of a statement, or for one record of ours the
// statement does not list (MISSING_IN_FILE: Line is zero).
type Result struct {
	RunID  string `json:"runId"`
	Kind   Kind   `json:"kind"`
	Rule   Rule   `json:"rule,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Line is the statement's side; its Number is 0 for MISSING_IN_FILE.
	Line Line `json:"line"`
	// Record is ours, when a rule found one (and for MISSING_IN_FILE).
	Record *Record `json:"record,omitempty"`
	// Resolution is set once a later re-check found the discrepancy resolved itself.
	Resolution *Resolution `json:"resolution,omitempty"`
}

// Resolution says how a discrepancy resolved itself after the run.
type Resolution struct {
	At   time.Time `json:"at"`
	Note string    `json:"note"`
}

// Key identifies the result within its run: "L" and the zero-padded line number, or "R"
// and the key of the record no line claimed. Keys sort as the report lists results: the
// lines in file order, then the missing records.
func (r Result) Key() string {
	if r.Line.Number > 0 {
		return LineKey(r.Line.Number)
	}
	if r.Record != nil {
		return "R" + r.Record.Key()
	}
	return ""
}

// LineKey is the key of the result of a line.
func LineKey(number int) string { return fmt.Sprintf("L%010d", number) }

// Counts are a run's results by kind.
type Counts struct {
	Lines            int64 `json:"lines"` // every result but MISSING_IN_FILE
	Matched          int64 `json:"matched"`
	AmountMismatch   int64 `json:"amountMismatch"`
	CurrencyMismatch int64 `json:"currencyMismatch"`
	MissingInSystem  int64 `json:"missingInSystem"`
	MissingInFile    int64 `json:"missingInFile"`
	DuplicateInFile  int64 `json:"duplicateInFile"`
	InvalidLine      int64 `json:"invalidLine"`
	Resolved         int64 `json:"resolved"` // discrepancies a re-check resolved
}

// Add counts one result.
func (c *Counts) Add(r Result) {
	if r.Kind != MissingInFile {
		c.Lines++
	}
	if r.Resolution != nil {
		c.Resolved++
	}
	if p := c.of(r.Kind); p != nil {
		*p++
	}
}

// Of returns the count of kind k.
func (c Counts) Of(k Kind) int64 {
	if p := c.of(k); p != nil {
		return *p
	}
	return 0
}

// Discrepancies counts every result but MATCHED.
func (c Counts) Discrepancies() int64 {
	return c.AmountMismatch + c.CurrencyMismatch + c.MissingInSystem + c.MissingInFile + c.DuplicateInFile + c.InvalidLine
}

func (c *Counts) of(k Kind) *int64 {
	switch k {
	case Matched:
		return &c.Matched
	case AmountMismatch:
		return &c.AmountMismatch
	case CurrencyMismatch:
		return &c.CurrencyMismatch
	case MissingInSystem:
		return &c.MissingInSystem
	case MissingInFile:
		return &c.MissingInFile
	case DuplicateInFile:
		return &c.DuplicateInFile
	case InvalidLine:
		return &c.InvalidLine
	}
	return nil
}
