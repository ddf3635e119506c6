package recon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Defaults of the Sweeper.
const (
	DefaultCutoff   = 48 * time.Hour
	DefaultLookback = 7
)

// Sweeper makes the gap visible when a statement does not come: for every day that ended
// more than Cutoff ago, that has records of ours and no run, it records a run in status
// STATEMENT_MISSING whose results are all the day's records as MISSING_IN_FILE, once (the
// run's id is the day's).
type Sweeper struct {
	Reconciler *Reconciler
	// Cutoff is how long after a day's end its statement may still come (DefaultCutoff).
	Cutoff time.Duration
	// Lookback is how many days before the last swept one are examined too, so a day
	// whose sweep failed is swept by a later schedule (DefaultLookback).
	Lookback int
}

// Handle sweeps on the schedule's event.
func (s *Sweeper) Handle(ctx context.Context, _ events.EventBridgeEvent) error {
	_, err := s.Sweep(ctx)
	return err
}

// errFound stops a look at a day's records at the first page.
var errFound = errors.New("found")

// Sweep examines the days and returns the runs it made. An error on one day does not stop
// the others; they are returned joined.
func (s *Sweeper) Sweep(ctx context.Context) ([]RunSummary, error) {
	if s.Reconciler == nil {
		return nil, errors.New("sweeper: no reconciler")
	}
	set, err := s.Reconciler.settings()
	if err != nil {
		return nil, err
	}
	cutoff, lookback := s.Cutoff, s.Lookback
	if cutoff <= 0 {
		cutoff = DefaultCutoff
	}
	if lookback <= 0 {
		lookback = DefaultLookback
	}
	// The last day whose end is at least cutoff ago.
	last := set.now().UTC().Add(-cutoff).Truncate(24*time.Hour).AddDate(0, 0, -1)
	var made []RunSummary
	var errs []error
	for i := range lookback + 1 {
		day := last.AddDate(0, 0, -i).Format(time.DateOnly)
		sum, ok, err := s.sweepDay(ctx, set, day)
		if err != nil {
			errs = append(errs, fmt.Errorf("sweeping %s: %w", day, err))
			continue
		}
		if ok {
			made = append(made, sum)
		}
	}
	return made, errors.Join(errs...)
}

func (s *Sweeper) sweepDay(ctx context.Context, set settings, day string) (RunSummary, bool, error) {
	has, err := s.Reconciler.Results.HasRun(ctx, day)
	if err != nil || has {
		return RunSummary{}, false, err
	}
	err = s.Reconciler.Records.EachOfDay(ctx, day, "", func(page []string, _ string) error {
		if len(page) > 0 {
			return errFound
		}
		return nil
	})
	switch {
	case err == nil:
		return RunSummary{}, false, nil // no records: nothing was expected
	case !errors.Is(err, errFound):
		return RunSummary{}, false, err
	}
	id := MissingRunID(day)
	run := Run{ID: id, Day: day, Status: Running, CreatedAt: set.now().UTC(), ReportKey: ReportKey(id),
		Reason: "no statement came for " + day}
	set.log.WarnContext(ctx, "recon: no statement for a day with records", "day", day)
	sum, err := s.Reconciler.drive(ctx, set, run, Progress{Phase: PhaseMissing}, StatementMissing, nil)
	return sum, err == nil, err
}
