package recon

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"
)

// reportHeader is the first line of a report; one line per result follows, in key order.
var reportHeader = []string{
	"line", "kind", "rule", "reason",
	"type", "pg_transaction_id", "merchant_id", "payment_id", "amount", "currency", "transacted_at",
	"our_type", "our_pg_id", "our_merchant_id", "our_payment_id", "our_amount", "our_currency", "our_at",
	"resolved_at", "resolution",
}

func reportRow(r Result) []string {
	row := make([]string, 0, len(reportHeader))
	num := ""
	if r.Line.Number > 0 {
		num = strconv.Itoa(r.Line.Number)
	}
	row = append(row, num, string(r.Kind), string(r.Rule), r.Reason)
	l := r.Line
	row = append(row, string(l.Type), l.PGID, l.MerchantID, l.PaymentID, amountText(l.Amount), l.Currency, timeText(l.At))
	if rec := r.Record; rec != nil {
		row = append(row, string(rec.Type), rec.PGID, rec.MerchantID, rec.PaymentID, amountText(rec.Amount), rec.Currency, timeText(rec.At))
	} else {
		row = append(row, "", "", "", "", "", "", "")
	}
	if res := r.Resolution; res != nil {
		row = append(row, timeText(res.At), res.Note)
	} else {
		row = append(row, "", "")
	}
	return row
}

func amountText(a int64) string {
	if a == 0 {
		return ""
	}
	return strconv.FormatInt(a, 10)
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// report reads the run's results back in order, once, to write the report, send the
// discrepancies and count; then the run is final. Taking the counts from the store, not
// from the passes, is what keeps a resumed run from counting a chunk twice.
func (w *work) report(ctx context.Context) (Run, error) {
	pr, pw := io.Pipe()
	uploaded := make(chan error, 1)
	go func() {
		err := w.r.Reports.Put(ctx, w.run.ReportKey, pr)
		// An upload that gave up early must not leave the writer blocked.
		if err != nil {
			pr.CloseWithError(err)
		} else {
			pr.CloseWithError(io.ErrClosedPipe)
		}
		uploaded <- err
	}()
	counts, err := w.writeReport(ctx, pw)
	pw.CloseWithError(err) // nil: the upload reads io.EOF
	uploadErr := <-uploaded
	if err != nil {
		return w.run, err
	}
	if uploadErr != nil {
		return w.run, fmt.Errorf("writing the report %s: %w", w.run.ReportKey, uploadErr)
	}
	status := w.final
	return w.finish(ctx, status, "", counts)
}

// reportRenewEvery is how many results the report writes between two lease renewals.
const reportRenewEvery = 5000

func (w *work) writeReport(ctx context.Context, out io.Writer) (Counts, error) {
	var counts Counts
	bw := bufio.NewWriterSize(out, 64<<10)
	cw := csv.NewWriter(bw)
	if err := cw.Write(reportHeader); err != nil {
		return counts, fmt.Errorf("writing the report: %w", err)
	}
	batch := make([]Result, 0, MaxDiscrepancyBatch)
	send := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := w.r.Discrepancies.Send(ctx, batch); err != nil {
			return fmt.Errorf("sending %d discrepancies: %w", len(batch), err)
		}
		batch = batch[:0]
		return nil
	}
	n := 0
	err := w.r.Results.EachResult(ctx, w.run.ID, ResultFilter{}, func(res Result) error {
		counts.Add(res)
		if n++; n%reportRenewEvery == 0 {
			// A long report must not outlive the lease.
			if err := w.save(ctx); err != nil {
				return err
			}
		}
		if err := cw.Write(reportRow(res)); err != nil {
			return fmt.Errorf("writing the report: %w", err)
		}
		if !res.Kind.Discrepancy() || res.Resolution != nil {
			return nil
		}
		batch = append(batch, res)
		if len(batch) == MaxDiscrepancyBatch {
			return send()
		}
		return nil
	})
	if err != nil {
		return counts, err
	}
	if err := send(); err != nil {
		return counts, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return counts, fmt.Errorf("writing the report: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return counts, fmt.Errorf("writing the report: %w", err)
	}
	return counts, nil
}
