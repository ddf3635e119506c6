package settlement

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
)

// CatchUpDays is how far before yesterday a scheduled run looks for days no complete run
// closed. A week covers a failed schedule, a long weekend of a broken deploy and a
// regional outage; older gaps are an operator's to close with `payctl settle run`.
const CatchUpDays = 7

// Handle is the handler of the daily schedule: it closes yesterday in the settlement zone,
// and before it, oldest first, each of the CatchUpDays earlier days that no complete run
// closed (see the package doc). A day that fails does not stop the next; the error joins
// every failed day's, so Lambda retries the invocation, which settles only what is left.
func (s *Settler) Handle(ctx context.Context, _ events.EventBridgeEvent) error {
	if err := s.check(); err != nil {
		return err
	}
	yesterday, err := shiftDay(Day(s.now(), s.Location), -1)
	if err != nil {
		return err
	}
	first, err := shiftDay(yesterday, -CatchUpDays)
	if err != nil {
		return err
	}
	settled, err := s.Store.SettledDays(ctx, first, yesterday)
	if err != nil {
		return fmt.Errorf("reading which days were settled: %w", err)
	}
	done := map[string]bool{}
	for _, d := range settled {
		done[d] = true
	}
	var errs []error
	for day := first; day <= yesterday; day, _ = NextDay(day) {
		if done[day] {
			continue
		}
		if day != yesterday {
			logger(s.Log).WarnContext(ctx, "settlement: catching up a day no run settled", "day", day)
		}
		if _, err := s.CloseDay(ctx, day, ""); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
