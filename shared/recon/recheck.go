package recon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/fault"
)

// ErrUnresolved means a discrepancy is still there when re-checked. The discrepancy
// queue delivers it again later; after its maxReceiveCount it rests in the DLQ, which is
// the escalation to an operator.
var ErrUnresolved = errors.New("the discrepancy is not resolved")

// ResolutionStore is what the Rechecker needs of the results.
type ResolutionStore interface {
	Result(ctx context.Context, runID, key string) (Result, error)
	Resolve(ctx context.Context, runID, key string, res Resolution) error
	MarksOf(ctx context.Context, key string) ([]RunMark, error)
}

// Rechecker re-checks discrepancies some time after their run, for the ones that resolve
// themselves: a capture still in flight when the statement came (MISSING_IN_SYSTEM, until
// its record is made), or a record the PG listed on another day's statement
// (MISSING_IN_FILE, until a run matches it). Those become RESOLVED in the store. The other
// kinds cannot resolve themselves: they stay unresolved and visible.
type Rechecker struct {
	Records   RecordStore
	Results   ResolutionStore
	Tolerance time.Duration    // of the amount_time rule; DefaultTolerance when zero
	Now       func() time.Time // time.Now when nil
	Log       *slog.Logger     // nil logs nothing
}

// Handle re-checks a batch of discrepancy queue messages (each a Result as the
// Reconciler sent it) and reports the ones still unresolved, or that could not be
// checked, as batch item failures. Handle returns an error, failing the whole batch, only
// when the Rechecker is not usable.
func (c *Rechecker) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	if c.Records == nil || c.Results == nil {
		return events.SQSEventResponse{}, errors.New("rechecker: records and results are required")
	}
	log := c.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for _, msg := range ev.Records {
		mlog := log.With("messageId", msg.MessageId, "receiveCount", msg.Attributes["ApproximateReceiveCount"])
		if !c.handleMessage(ctx, mlog, msg.Body) {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
		}
	}
	return resp, nil
}

func (c *Rechecker) handleMessage(ctx context.Context, log *slog.Logger, body string) bool {
	var d Result
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		log.ErrorContext(ctx, "recon: malformed discrepancy message, it will reach the DLQ", "reason", err.Error())
		return false
	}
	key := d.Key()
	if d.RunID == "" || key == "" {
		log.ErrorContext(ctx, "recon: the discrepancy names no run or result, it will reach the DLQ")
		return false
	}
	log = log.With("runId", d.RunID, "resultKey", key, "kind", string(d.Kind))
	res, err := c.Recheck(ctx, d.RunID, key)
	switch {
	case err == nil:
		log.InfoContext(ctx, "recon: discrepancy resolved", "note", res.Note)
		return true
	case errors.Is(err, ErrUnresolved):
		log.WarnContext(ctx, "recon: discrepancy still unresolved, it will be checked again", "reason", err.Error())
	default:
		log.ErrorContext(ctx, "recon: re-check failed, it will be retried", "reason", err.Error())
	}
	return false
}

// Recheck looks at one result again and resolves it if it resolved itself. Returns its
// resolution (the stored one when it was resolved before), an error wrapping ErrUnresolved
// when it did not resolve, and the stores' errors.
func (c *Rechecker) Recheck(ctx context.Context, runID, key string) (Resolution, error) {
	res, err := c.Results.Result(ctx, runID, key)
	if err != nil {
		return Resolution{}, fmt.Errorf("reading result %s of run %s: %w", key, runID, err)
	}
	if res.Resolution != nil {
		return *res.Resolution, nil
	}
	var note string
	switch res.Kind {
	case MissingInSystem:
		note, err = c.recordNowExists(ctx, res)
	case MissingInFile:
		note, err = c.listedElsewhere(ctx, res)
	default:
		return Resolution{}, fmt.Errorf("%w: a %s does not resolve itself", ErrUnresolved, res.Kind)
	}
	if err != nil {
		return Resolution{}, err
	}
	r := Resolution{At: c.now().UTC(), Note: note}
	if err := c.Results.Resolve(ctx, runID, key, r); err != nil {
		return Resolution{}, fmt.Errorf("resolving result %s of run %s: %w", key, runID, err)
	}
	return r, nil
}

func (c *Rechecker) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// recordNowExists resolves a MISSING_IN_SYSTEM line whose record was made after the run,
// by the same rules, if the record now matches the line exactly. The record's own
// MISSING_IN_FILE in the same run, if the run reported one, is resolved with it.
func (c *Rechecker) recordNowExists(ctx context.Context, res Result) (string, error) {
	l := res.Line
	rec, found, err := c.findRecord(ctx, res.RunID, l)
	if err != nil {
		return "", err
	}
	if !found {
		return "", fmt.Errorf("%w: still no record of ours for line %d", ErrUnresolved, l.Number)
	}
	if j := Judge(l, rec, ByPGID); j.Kind != Matched {
		return "", fmt.Errorf("%w: our record %s now exists but is a %s: %s", ErrUnresolved, rec.Key(), j.Kind, j.Reason)
	}
	note := fmt.Sprintf("our record %s was made after the run and matches line %d", rec.Key(), l.Number)
	missing := Result{Record: &rec}
	err = c.Results.Resolve(ctx, res.RunID, missing.Key(), Resolution{At: c.now().UTC(), Note: note})
	if err != nil && !fault.Is(err, fault.NotFound) {
		return "", fmt.Errorf("resolving the record's own result: %w", err)
	}
	return note, nil
}

// findRecord looks for line l's record as the rules would, without the run's claims
// but never taking a record another line of the run claimed.
func (c *Rechecker) findRecord(ctx context.Context, runID string, l Line) (Record, bool, error) {
	free := func(r Record) (bool, error) {
		marks, err := c.Results.MarksOf(ctx, r.Key())
		if err != nil {
			return false, fmt.Errorf("reading the marks of %s: %w", r.Key(), err)
		}
		for _, m := range marks {
			if m.RunID == runID && m.Claimed && m.Line != l.Number {
				return false, nil
			}
		}
		return true, nil
	}
	var cands []Record
	if l.PGID != "" {
		got, err := c.Records.Get(ctx, []string{l.Key()})
		if err != nil {
			return Record{}, false, fmt.Errorf("reading record %s: %w", l.Key(), err)
		}
		if r, ok := got[l.Key()]; ok && r.MerchantID == l.MerchantID {
			cands = append(cands, r)
		}
	}
	if len(cands) == 0 && l.PaymentID != "" {
		recs, err := c.Records.OfPayment(ctx, l.PaymentID)
		if err != nil {
			return Record{}, false, fmt.Errorf("reading the records of payment %s: %w", l.PaymentID, err)
		}
		if ch := choosePaymentID(l, recs, noMarks); ch.found {
			cands = append(cands, ch.rec)
		}
	}
	if len(cands) == 0 {
		tol := c.Tolerance
		if tol <= 0 {
			tol = DefaultTolerance
		}
		recs, err := c.Records.Near(ctx, NearQuery{MerchantID: l.MerchantID, Type: l.Type, Currency: l.Currency,
			Amount: l.Amount, At: l.At, Within: tol, Limit: nearLimit})
		if err != nil {
			return Record{}, false, fmt.Errorf("reading records near line %d: %w", l.Number, err)
		}
		cands = recs
	}
	for _, r := range cands {
		ok, err := free(r)
		if err != nil {
			return Record{}, false, err
		}
		if ok {
			return r, true, nil
		}
	}
	return Record{}, false, nil
}

func noMarks(string) (Mark, bool) { return Mark{}, false }

// listedElsewhere resolves a MISSING_IN_FILE record that a line of another run (another
// day's statement, a corrected one) matched.
func (c *Rechecker) listedElsewhere(ctx context.Context, res Result) (string, error) {
	if res.Record == nil {
		return "", fmt.Errorf("%w: the result has no record", ErrUnresolved)
	}
	marks, err := c.Results.MarksOf(ctx, res.Record.Key())
	if err != nil {
		return "", fmt.Errorf("reading the marks of %s: %w", res.Record.Key(), err)
	}
	for _, m := range marks {
		if m.RunID != res.RunID && m.Claimed {
			return fmt.Sprintf("line %d of run %s matched it", m.Line, m.RunID), nil
		}
	}
	return "", fmt.Errorf("%w: no statement lists record %s", ErrUnresolved, res.Record.Key())
}
