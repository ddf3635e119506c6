package recon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// work is one invocation's work on one run, from its saved progress to its end.
type work struct {
	r     *Reconciler
	s     settings
	log   *slog.Logger
	run   Run
	lease Lease
	prog  Progress
	final RunStatus // the status the run ends with
	open  func() (io.ReadCloser, error)
}

// errHeader stops a run whose file has no usable header: it ends FAILED.
type errHeader struct{ err error }

func (e errHeader) Error() string { return e.err.Error() }

// do runs the phases from the saved one and makes the run final.
func (w *work) do(ctx context.Context) (Run, error) {
	for {
		var err error
		switch w.prog.Phase {
		case PhaseLines:
			err = w.lines(ctx)
		case PhasePaymentID:
			err = w.deferred(ctx, ByPaymentID)
		case PhaseAmountTime:
			err = w.deferred(ctx, ByAmountTime)
		case PhaseMissing:
			err = w.missing(ctx)
		case PhaseReport:
			return w.report(ctx)
		default:
			return w.run, fmt.Errorf("run %s: unknown phase %d", w.run.ID, w.prog.Phase)
		}
		var bad errHeader
		if errors.As(err, &bad) {
			return w.finish(ctx, Failed, bad.Error(), Counts{})
		}
		if err != nil {
			return w.run, err
		}
		w.prog = Progress{Phase: w.prog.Phase + 1}
		if err := w.save(ctx); err != nil {
			return w.run, err
		}
	}
}

// save writes the progress and renews the lease.
func (w *work) save(ctx context.Context) error {
	w.lease.Until = w.s.now().Add(w.s.lease)
	if err := w.r.Results.SaveProgress(ctx, w.run.ID, w.lease, w.prog); err != nil {
		return fmt.Errorf("saving the progress of run %s: %w", w.run.ID, err)
	}
	return nil
}

// checkpoint saves the progress (renewing the lease) between two chunks, and stops the run
// when the invocation is out of time.
func (w *work) checkpoint(ctx context.Context) error {
	if w.outOfTime(ctx) {
		return w.yield(ctx)
	}
	return w.save(ctx)
}

// outOfTime reports whether the invocation must stop now to end cleanly.
func (w *work) outOfTime(ctx context.Context) bool {
	deadline, ok := ctx.Deadline()
	return ok && time.Until(deadline) < w.s.reserve
}

// yield saves the progress with a lease that is already over, so the next delivery takes
// the run over at once, and returns ErrUnfinished.
func (w *work) yield(ctx context.Context) error {
	w.lease.Until = w.s.now()
	if err := w.r.Results.SaveProgress(ctx, w.run.ID, w.lease, w.prog); err != nil {
		return fmt.Errorf("saving the progress of run %s: %w", w.run.ID, err)
	}
	w.log.WarnContext(ctx, "recon: out of time, the run will resume", "phase", int(w.prog.Phase), "line", w.prog.Line)
	return fmt.Errorf("run %s: %w", w.run.ID, ErrUnfinished)
}

// release gives up the lease of a run that stopped on an error, so the next delivery of
// its message resumes it at once rather than after the lease runs out. It is best effort,
// with its own time: the context may be what ended the run.
func (w *work) release(ctx context.Context, cause error) {
	if errors.Is(cause, ErrLeaseLost) || errors.Is(cause, ErrUnfinished) {
		return // not ours any more, or released already
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	w.lease.Until = w.s.now()
	if err := w.r.Results.SaveProgress(ctx, w.run.ID, w.lease, w.prog); err != nil {
		w.log.WarnContext(ctx, "recon: could not release the run's lease; it expires by itself", "reason", err.Error())
	}
}

// releaseTimeout bounds the release of a lease.
const releaseTimeout = 5 * time.Second

// lines reads the file from the saved line on and applies the pg_transaction_id rule,
// a chunk at a time.
func (w *work) lines(ctx context.Context) error {
	rc, err := w.open()
	if err != nil {
		return fmt.Errorf("opening the statement: %w", err)
	}
	defer rc.Close()
	rd, err := NewReader(rc)
	if errors.Is(err, ErrBadHeader) {
		return errHeader{err}
	}
	if err != nil {
		return err
	}
	chunk := make([]Line, 0, w.s.chunk)
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		if err := w.lineChunk(ctx, chunk); err != nil {
			return err
		}
		w.prog.Line = chunk[len(chunk)-1].Number
		chunk = chunk[:0]
		return w.save(ctx)
	}
	for {
		l, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return flush()
		}
		if err != nil {
			return fmt.Errorf("reading the statement: %w", err)
		}
		if l.Number <= w.prog.Line {
			continue // done before the run was resumed
		}
		chunk = append(chunk, l)
		if len(chunk) < w.s.chunk {
			continue
		}
		if err := flush(); err != nil {
			return err
		}
		if w.outOfTime(ctx) {
			return w.yield(ctx)
		}
	}
}

// lineChunk applies the pg_transaction_id rule to a chunk of lines: a line whose type and
// PG id an earlier line listed is a duplicate; one whose key is a record of its merchant
// is judged against it; the others wait for the weaker rules.
func (w *work) lineChunk(ctx context.Context, lines []Line) error {
	var keys []string
	for _, l := range lines {
		if l.Invalid == "" && l.PGID != "" {
			keys = append(keys, l.Key())
		}
	}
	keys = unique(keys)
	recs, err := w.r.Records.Get(ctx, keys)
	if err != nil {
		return fmt.Errorf("reading records: %w", err)
	}
	marks, err := w.r.Results.Marks(ctx, w.run.ID, keys)
	if err != nil {
		return fmt.Errorf("reading marks: %w", err)
	}
	fresh := map[string]Mark{}
	var results []Result
	var deferred []Deferred
	for _, l := range lines {
		switch {
		case l.Invalid != "":
			results = append(results, Result{Kind: InvalidLine, Reason: fmt.Sprintf("line %d: %s", l.Number, l.Invalid), Line: l})
			continue
		case l.PGID == "":
			deferred = append(deferred, Deferred{Line: l})
			continue
		}
		k := l.Key()
		m, seen := fresh[k]
		if !seen {
			m, seen = marks[k]
		}
		if seen && m.Line != l.Number {
			results = append(results, Result{Kind: DuplicateInFile, Rule: ByPGID, Line: l,
				Reason: fmt.Sprintf("line %d has the same type and pg_transaction_id", m.Line)})
			continue
		}
		rec, found := recs[k]
		if found && rec.MerchantID == l.MerchantID {
			fresh[k] = Mark{Line: l.Number, Claimed: true}
			results = append(results, Judge(l, rec, ByPGID))
			continue
		}
		fresh[k] = Mark{Line: l.Number}
		d := Deferred{Line: l}
		if found {
			d.Note = fmt.Sprintf("pg_transaction_id %s is ours, for merchant %s", l.PGID, rec.MerchantID)
		}
		deferred = append(deferred, d)
	}
	return w.write(ctx, fresh, results, deferred, nil)
}

// write stores what a chunk decided: marks, results and new deferred lines at once (the
// chunk is saved as done only after all of them are written, and a chunk replayed after a
// crash decides the same again, whichever were written), then drops the deferred lines
// it gave a result — after, or a crash in between would lose them.
func (w *work) write(ctx context.Context, marks map[string]Mark, results []Result, deferred []Deferred, drop []int) error {
	for i := range results {
		results[i].RunID = w.run.ID
	}
	writes := []func(ctx context.Context) error{
		func(ctx context.Context) error {
			return wrap("writing marks", w.r.Results.PutMarks(ctx, w.run.ID, marks))
		},
		func(ctx context.Context) error { return wrap("writing results", w.r.Results.PutResults(ctx, results)) },
		func(ctx context.Context) error {
			return wrap("writing deferred lines", w.r.Results.PutDeferred(ctx, w.run.ID, deferred))
		},
	}
	if err := parallel(ctx, len(writes), len(writes), func(ctx context.Context, i int) error { return writes[i](ctx) }); err != nil {
		return err
	}
	return wrap("dropping deferred lines", w.r.Results.DropDeferred(ctx, w.run.ID, drop))
}

// wrap says what was being done when err happened; nil stays nil.
func wrap(doing string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", doing, err)
	}
	return nil
}

// deferred applies a weaker rule to the lines still deferred, in line order. The
// payment_id rule leaves the lines it cannot match for the next rule; the amount_time
// rule is the last one: a line it does not match is MISSING_IN_SYSTEM.
func (w *work) deferred(ctx context.Context, rule Rule) error {
	var pending []Deferred
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		err := w.deferredChunk(ctx, rule, pending)
		if err != nil {
			return err
		}
		w.prog.Line = pending[len(pending)-1].Line.Number
		pending = pending[:0]
		return w.checkpoint(ctx)
	}
	err := w.r.Results.EachDeferred(ctx, w.run.ID, w.prog.Line, func(page []Deferred) error {
		for _, d := range page {
			pending = append(pending, d)
			if len(pending) >= w.s.chunk {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

func (w *work) deferredChunk(ctx context.Context, rule Rule, ds []Deferred) error {
	cands := make([][]Record, len(ds))
	err := parallel(ctx, len(ds), w.s.parallel, func(ctx context.Context, i int) error {
		l := ds[i].Line
		var err error
		switch {
		case rule == ByPaymentID && l.PaymentID != "":
			cands[i], err = w.r.Records.OfPayment(ctx, l.PaymentID)
		case rule == ByAmountTime:
			cands[i], err = w.r.Records.Near(ctx, NearQuery{
				MerchantID: l.MerchantID, Type: l.Type, Currency: l.Currency, Amount: l.Amount,
				At: l.At, Within: w.s.tolerance, Limit: nearLimit,
			})
		}
		if err != nil {
			return fmt.Errorf("reading the records near line %d: %w", l.Number, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var keys []string
	for _, cs := range cands {
		for _, c := range cs {
			keys = append(keys, c.Key())
		}
	}
	keys = unique(keys)
	stored, err := w.r.Results.Marks(ctx, w.run.ID, keys)
	if err != nil {
		return fmt.Errorf("reading marks: %w", err)
	}
	fresh := map[string]Mark{}
	marks := func(k string) (Mark, bool) {
		if m, ok := fresh[k]; ok {
			return m, true
		}
		m, ok := stored[k]
		return m, ok
	}
	var results []Result
	var done []int
	for i, d := range ds {
		l := d.Line
		var c choice
		if rule == ByPaymentID {
			if l.PaymentID == "" {
				continue
			}
			c = choosePaymentID(l, cands[i], marks)
		} else {
			c = chooseAmountTime(l, cands[i], marks, w.s.tolerance)
		}
		switch {
		case c.found:
			fresh[c.rec.Key()] = Mark{Line: l.Number, Claimed: true}
			res := Judge(l, c.rec, rule)
			if rule == ByAmountTime {
				res.Reason = joinReason(res.Reason, fmt.Sprintf("no record has its ids; paired by merchant, amount and time (%s apart)", distance(c.rec.At, l.At)))
			}
			results = append(results, res)
		case c.duplicate != 0:
			results = append(results, Result{Kind: DuplicateInFile, Rule: rule, Line: l, Record: &c.rec,
				Reason: fmt.Sprintf("line %d was matched with the record of this payment, type and amount", c.duplicate)})
		case rule == ByAmountTime:
			results = append(results, Result{Kind: MissingInSystem, Line: l, Reason: joinReason(d.Note, fmt.Sprintf(
				"no record of ours has its pg_transaction_id or payment_id, nor its merchant, type, currency and amount within %s", w.s.tolerance))})
		default:
			continue // left for the next rule
		}
		done = append(done, l.Number)
	}
	return w.write(ctx, fresh, results, nil, done)
}

// nearLimit bounds the candidates of the amount_time rule for one line: a merchant may
// have many payments of one amount in a few minutes, and the nearest ones are enough.
const nearLimit = 50

// missing reports every record of the statement's day that no line claimed.
func (w *work) missing(ctx context.Context) error {
	if w.run.Day == "" {
		return nil
	}
	return w.r.Records.EachOfDay(ctx, w.run.Day, w.prog.Cursor, func(page []string, next string) error {
		for len(page) > 0 {
			n := min(len(page), w.s.chunk)
			if err := w.missingChunk(ctx, page[:n]); err != nil {
				return err
			}
			page = page[n:]
		}
		w.prog.Cursor = next
		return w.checkpoint(ctx)
	})
}

func (w *work) missingChunk(ctx context.Context, keys []string) error {
	marks, err := w.r.Results.Marks(ctx, w.run.ID, keys)
	if err != nil {
		return fmt.Errorf("reading marks: %w", err)
	}
	var unclaimed []string
	for _, k := range keys {
		if m, ok := marks[k]; !ok || !m.Claimed {
			unclaimed = append(unclaimed, k)
		}
	}
	if len(unclaimed) == 0 {
		return nil
	}
	recs, err := w.r.Records.Get(ctx, unclaimed)
	if err != nil {
		return fmt.Errorf("reading records: %w", err)
	}
	var results []Result
	for _, k := range unclaimed {
		rec, ok := recs[k]
		if !ok {
			continue // its day index entry outlived it (TTL): nothing to report
		}
		res := Result{RunID: w.run.ID, Kind: MissingInFile, Record: &rec, Reason: "no line of the statement lists it"}
		if m, ok := marks[k]; ok {
			res.Reason = fmt.Sprintf("line %d lists its pg_transaction_id but does not match it", m.Line)
		}
		if w.final == StatementMissing {
			res.Reason = "no statement came for " + w.run.Day
		}
		results = append(results, res)
	}
	if err := w.r.Results.PutResults(ctx, results); err != nil {
		return fmt.Errorf("writing results: %w", err)
	}
	return nil
}

// finish makes the run final.
func (w *work) finish(ctx context.Context, status RunStatus, reason string, counts Counts) (Run, error) {
	fin := w.run
	fin.Status, fin.Counts, fin.CompletedAt = status, counts, w.s.now().UTC()
	if reason != "" {
		fin.Reason = reason
	}
	if status == Failed {
		fin.ReportKey = ""
	}
	stored, err := w.r.Results.FinishRun(ctx, w.run.ID, w.lease, fin)
	if err != nil {
		return w.run, fmt.Errorf("finishing run %s: %w", w.run.ID, err)
	}
	w.run = stored
	return stored, nil
}

func joinReason(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// unique returns keys without repeats, in their first order.
func unique(keys []string) []string {
	seen := make(map[string]bool, len(keys))
	out := keys[:0]
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}
