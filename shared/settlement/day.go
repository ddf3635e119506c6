package settlement

import (
	"time"

	"github.com/paylane/paylane/shared/fault"
)

// dayLayout is how a settlement day is written: YYYY-MM-DD, the calendar date in the
// settlement zone.
const dayLayout = "2006-01-02"

// Day is the settlement day t falls on in loc (UTC when loc is nil), as YYYY-MM-DD.
func Day(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format(dayLayout)
}

// ParseDay reads a day written YYYY-MM-DD, a real calendar date, and returns its midnight
// in UTC. Returns a fault.Invalid error for anything else, so an API or a command can show
// it as it is.
func ParseDay(s string) (time.Time, error) {
	t, err := time.Parse(dayLayout, s)
	// Formatting back refuses what Parse tolerates but is not the canonical spelling.
	if err != nil || t.Format(dayLayout) != s {
		return time.Time{}, fault.New(fault.Invalid, "%q is not a date written YYYY-MM-DD", s)
	}
	return t, nil
}

// NextDay is the calendar day after day. Returns a fault.Invalid error if day is not
// written YYYY-MM-DD.
func NextDay(day string) (string, error) { return shiftDay(day, 1) }

// shiftDay is day moved by n calendar days. Days are dates, not spans of 24 hours: date
// arithmetic in UTC is immune to the settlement zone's daylight saving changes.
func shiftDay(day string, n int) (string, error) {
	t, err := ParseDay(day)
	if err != nil {
		return "", err
	}
	return t.AddDate(0, 0, n).Format(dayLayout), nil
}
