package settlement

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/ledger"
	"github.com/paylane/paylane/shared/merchant"
)

// DefaultParallel is how many merchants a Settler closes at once when Parallel is not set:
// each close is a handful of small writes, so a few at once keep a run of thousands of
// merchants within minutes without bursting the tables.
const DefaultParallel = 8

// maxFeeBps is a fee of 100%: a rate above it would settle more than was captured.
const maxFeeBps = 10_000

// Settler closes settlement days into batches: saved, booked in the ledger, announced.
type Settler struct {
	Store     Store
	Ledger    Ledger
	Publisher Publisher
	Merchants Merchants
	Location  *time.Location   // the settlement zone; nil is UTC
	Now       func() time.Time // nil is time.Now
	Parallel  int              // merchants closed at once; 0 is DefaultParallel
	Log       *slog.Logger     // nil logs nothing
}

// Summary is what a run of one day did.
type Summary struct {
	Day       string
	Merchants int      // merchants whose day was closed and settled completely
	Batches   []Batch  // the day's batches, by merchant then currency, including a re-run's
	Posted    int      // journals this run posted (a re-run posts none)
	Failed    []string // merchants whose day did not settle completely; the error says why
}

// CloseDay closes day (YYYY-MM-DD) for merchantID, or for every merchant when merchantID is
// "": for each, the store's aggregates become one batch per currency, each saved, posted
// to the ledger under its GlobalID (skipped when its fee and net are both zero: there is
// nothing to move) and published as settlement.closed. Running a day again yields the
// same batches and posts nothing twice.
//
// A merchant that fails does not stop the others: the error joins every merchant's failure
// and Summary says what did complete; running the day again finishes the rest. Once every
// merchant's day settled in a run over all merchants, the store remembers the day as
// settled (see Handle). Returns a fault.Invalid error, settling nothing, for a day not
// written YYYY-MM-DD or not yet over in the settlement zone, and a fault.NotFound error
// for an unknown merchantID.
func (s *Settler) CloseDay(ctx context.Context, day, merchantID string) (Summary, error) {
	sum := Summary{Day: day}
	if err := s.check(); err != nil {
		return sum, err
	}
	if _, err := ParseDay(day); err != nil {
		return sum, err
	}
	now := s.now()
	if today := Day(now, s.Location); day >= today {
		return sum, fault.New(fault.Invalid, "day %s has not ended in %s (it is %s there): closing it now would push its remaining movements to the next day", day, s.zone(), today)
	}
	merchants, err := s.merchants(ctx, merchantID)
	if err != nil {
		return sum, err
	}
	results := s.closeAll(ctx, merchants, day, now)
	var errs []error
	for i, r := range results {
		sum.Batches = append(sum.Batches, r.batches...)
		sum.Posted += r.posted
		if r.err != nil {
			sum.Failed = append(sum.Failed, merchants[i].ID)
			errs = append(errs, fmt.Errorf("merchant %s: %w", merchants[i].ID, r.err))
			continue
		}
		sum.Merchants++
	}
	slices.SortFunc(sum.Batches, func(a, b Batch) int {
		return cmp.Or(cmp.Compare(a.MerchantID, b.MerchantID), cmp.Compare(a.Currency, b.Currency))
	})
	if len(errs) > 0 {
		return sum, fmt.Errorf("settling %s: %d of %d merchants failed: %w", day, len(errs), len(merchants), errors.Join(errs...))
	}
	if merchantID == "" {
		if err := s.Store.MarkSettled(ctx, day); err != nil {
			return sum, fmt.Errorf("settling %s: every merchant settled, but remembering it failed: %w", day, err)
		}
	}
	logger(s.Log).InfoContext(ctx, "settlement: day closed", "day", day, "merchants", sum.Merchants, "batches", len(sum.Batches), "journalsPosted", sum.Posted)
	return sum, nil
}

func (s *Settler) check() error {
	switch {
	case s.Store == nil:
		return errors.New("settler: no store")
	case s.Ledger == nil:
		return errors.New("settler: no ledger")
	case s.Publisher == nil:
		return errors.New("settler: no publisher")
	case s.Merchants == nil:
		return errors.New("settler: no merchants")
	}
	return nil
}

func (s *Settler) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Settler) zone() string {
	if s.Location == nil {
		return "UTC"
	}
	return s.Location.String()
}

// merchants are the merchants to settle: one, or all of them.
func (s *Settler) merchants(ctx context.Context, merchantID string) ([]merchant.Merchant, error) {
	if merchantID != "" {
		m, err := s.Merchants.Get(ctx, merchantID)
		if err != nil {
			return nil, fmt.Errorf("reading merchant %s: %w", merchantID, err)
		}
		return []merchant.Merchant{*m}, nil
	}
	ms, err := s.Merchants.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing merchants: %w", err)
	}
	return ms, nil
}

// merchantResult is what closing one merchant's day did.
type merchantResult struct {
	batches []Batch
	posted  int
	err     error
}

// closeAll closes the day of every merchant, Parallel at a time; result i is merchant i's.
func (s *Settler) closeAll(ctx context.Context, merchants []merchant.Merchant, day string, now time.Time) []merchantResult {
	results := make([]merchantResult, len(merchants))
	workers := cmp.Or(s.Parallel, DefaultParallel)
	if workers < 1 {
		workers = 1
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(merchants)) {
		wg.Go(func() {
			for i := range next {
				results[i] = s.closeMerchant(ctx, merchants[i], day, now)
			}
		})
	}
	for i := range merchants {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

// closeMerchant closes one merchant's day and settles each of its currencies; a currency
// that fails does not stop the others.
func (s *Settler) closeMerchant(ctx context.Context, m merchant.Merchant, day string, now time.Time) merchantResult {
	if err := ctx.Err(); err != nil {
		return merchantResult{err: err}
	}
	if m.FeeRateBps < 0 || m.FeeRateBps > maxFeeBps {
		// Checked before the day closes: a merchant whose rate cannot be right is left
		// open, for an operator to fix the rate and run the day again.
		return merchantResult{err: fmt.Errorf("fee rate %d bps is outside 0 to %d", m.FeeRateBps, maxFeeBps)}
	}
	totals, err := s.Store.CloseDay(ctx, m.ID, day)
	if err != nil {
		return merchantResult{err: fmt.Errorf("closing the day: %w", err)}
	}
	var res merchantResult
	var errs []error
	for _, t := range totals {
		b, posted, err := s.settle(ctx, NewBatch(m.ID, day, t, m.FeeRateBps, now))
		if err != nil {
			errs = append(errs, fmt.Errorf("batch %s: %w", b.ID, err))
			continue
		}
		res.batches = append(res.batches, b)
		if posted {
			res.posted++
		}
	}
	res.err = errors.Join(errs...)
	return res
}

// settle saves b, posts its journal and publishes it. When the batch was saved before (a
// re-run), the stored batch is the one settled again, so every run books and announces the
// same amounts and time. It reports whether this call posted the journal.
func (s *Settler) settle(ctx context.Context, b Batch) (Batch, bool, error) {
	log := logger(s.Log).With("merchantId", b.MerchantID, "batchId", b.ID)
	stored, err := s.Store.Batch(ctx, b.MerchantID, b.ID)
	switch {
	case err == nil:
		if !stored.SameSettlement(b) {
			log.WarnContext(ctx, "settlement: the day was settled before with other amounts (a changed fee rate?); the stored batch stands",
				"storedFee", stored.Fee, "fee", b.Fee)
		}
		b = *stored
	case fault.Is(err, fault.NotFound):
		err := s.Store.SaveBatch(ctx, b)
		if errors.Is(err, ErrBatchExists) {
			// Another run saved it between our read and our write.
			if stored, err = s.Store.Batch(ctx, b.MerchantID, b.ID); err != nil {
				return b, false, fmt.Errorf("reading the batch saved concurrently: %w", err)
			}
			b = *stored
		} else if err != nil {
			return b, false, fmt.Errorf("saving: %w", err)
		}
	default:
		return b, false, fmt.Errorf("reading: %w", err)
	}
	posted, err := s.post(ctx, b)
	if err != nil {
		return b, false, err
	}
	if err := s.Publisher.PublishClosed(ctx, b); err != nil {
		return b, posted, fmt.Errorf("publishing settlement.closed: %w", err)
	}
	log.InfoContext(ctx, "settlement: batch settled", "currency", b.Currency, "gross", b.Gross, "refunded", b.Refunded,
		"fee", b.Fee, "net", b.Net, "movements", b.PaymentCount, "journalPosted", posted)
	return b, posted, nil
}

// post books b's fee and net, once: the journal's id is the batch's GlobalID.
func (s *Settler) post(ctx context.Context, b Batch) (bool, error) {
	if b.Fee == 0 && b.Net == 0 {
		return false, nil
	}
	j, err := ledger.ForSettlement(b.GlobalID(), b.MerchantID, b.Currency, b.Fee, b.Net, b.CreatedAt)
	if err != nil {
		return false, fmt.Errorf("building the journal: %w", err)
	}
	switch err := s.Ledger.Post(ctx, j); {
	case err == nil:
		return true, nil
	case errors.Is(err, ledger.ErrAlreadyPosted):
		return false, nil
	default:
		return false, fmt.Errorf("posting the journal: %w", err)
	}
}
