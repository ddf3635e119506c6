package schedule

import (
	"strconv"
	"strings"
	"time"
)

// maxRate bounds rate values so that the period fits a time.Duration with
// room to spare (a little over a century).
const maxRate = 100 * 365 * 24 * time.Hour

// Rate fires every Every, counting from Start (the rule's creation).
type Rate struct {
	Every time.Duration
	Start time.Time
}

// ParseRate parses the inside of rate(...): "value unit", where the unit is
// singular exactly when the value is 1, as AWS enforces.
func ParseRate(spec string, created time.Time) (Rate, error) {
	fields := strings.Fields(spec)
	if len(fields) != 2 {
		return Rate{}, invalidf("rate(%s) must be rate(value unit)", spec)
	}
	for _, c := range fields[0] {
		if c < '0' || c > '9' {
			return Rate{}, invalidf("rate value %q is not a positive integer", fields[0])
		}
	}
	n, err := strconv.ParseInt(fields[0], 10, 64)
	if err != nil || n <= 0 {
		return Rate{}, invalidf("rate value %q is not a positive integer", fields[0])
	}
	unit := fields[1]
	singular := strings.TrimSuffix(unit, "s")
	if (n == 1) != (singular == unit) {
		if n == 1 {
			return Rate{}, invalidf("rate(1 %s): the unit must be singular for a value of 1", unit)
		}
		return Rate{}, invalidf("rate(%d %s): the unit must be plural for a value greater than 1", n, unit)
	}
	var per time.Duration
	switch singular {
	case "minute":
		per = time.Minute
	case "hour":
		per = time.Hour
	case "day":
		per = 24 * time.Hour
	default:
		return Rate{}, invalidf("rate unit %q is not one of minute(s), hour(s), day(s)", unit)
	}
	if n > int64(maxRate/per) {
		return Rate{}, invalidf("rate(%s) is too long", spec)
	}
	return Rate{Every: time.Duration(n) * per, Start: created}, nil
}

// NextFire returns Start + k*Every for the smallest k >= 1 that is after after.
func (r Rate) NextFire(after time.Time) time.Time {
	first := r.Start.Add(r.Every)
	if after.Before(first) {
		return first
	}
	k := after.Sub(r.Start)/r.Every + 1
	return r.Start.Add(k * r.Every)
}
