// Package schedule parses EventBridge schedule expressions, rate(...) and
// cron(...), and computes when they fire, as described in "Creating an
// Amazon EventBridge rule that runs on a schedule"
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html).
// All times are UTC and schedules have a resolution of one minute.
package schedule

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrInvalid is wrapped by every parse error; the service reports it as a
// ValidationException on ScheduleExpression.
var ErrInvalid = errors.New("schedule expression is not valid")

// Schedule computes fire times.
type Schedule interface {
	// NextFire returns the first fire time strictly after after, or the zero
	// Time when the schedule never fires again.
	NextFire(after time.Time) time.Time
}

// Parse parses a ScheduleExpression. created is the rule's creation time,
// from which rate expressions count.
func Parse(expr string, created time.Time) (Schedule, error) {
	switch {
	case strings.HasPrefix(expr, "rate(") && strings.HasSuffix(expr, ")"):
		return ParseRate(expr[len("rate("):len(expr)-1], created)
	case strings.HasPrefix(expr, "cron(") && strings.HasSuffix(expr, ")"):
		return ParseCron(expr[len("cron(") : len(expr)-1])
	default:
		return nil, invalidf("%q is neither rate(value unit) nor cron(fields)", expr)
	}
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
