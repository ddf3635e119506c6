package schedule

import (
	"strconv"
	"strings"
	"time"
)

// Cron is a parsed cron(Minutes Hours Day-of-month Month Day-of-week Year)
// expression, evaluated in UTC.
type Cron struct {
	minutes, hours, months, years valueSet
	// Exactly one of the day fields is "?"; the other decides the day.
	dom domRule
	dow dowRule
	// domDecides is true when Day-of-week is "?".
	domDecides bool
}

type domKind int

const (
	domSet            domKind = iota // a value set (includes "*")
	domLast                          // L: last day of the month
	domLastWeekday                   // LW: last weekday (Mon-Fri) of the month
	domNearestWeekday                // nW: weekday nearest to day n, within the month
)

type domRule struct {
	kind domKind
	set  valueSet
	day  int
}

type dowKind int

const (
	dowSet  dowKind = iota // a value set (includes "*" and a lone "L" = Saturday)
	dowLast                // nL: last day n of the month
	dowNth                 // n#k: k-th day n of the month
)

type dowRule struct {
	kind dowKind
	set  valueSet
	day  int // 1 (SUN) to 7 (SAT)
	nth  int
}

// ParseCron parses the six fields inside cron(...).
func ParseCron(spec string) (*Cron, error) {
	fields := strings.Fields(spec)
	if len(fields) != 6 {
		return nil, invalidf("cron(%s) must have six fields: Minutes Hours Day-of-month Month Day-of-week Year", spec)
	}
	c := &Cron{}
	var err error
	if c.minutes, err = minuteField().parseSet(fields[0]); err != nil {
		return nil, err
	}
	if c.hours, err = hourField().parseSet(fields[1]); err != nil {
		return nil, err
	}
	if c.months, err = monthField().parseSet(fields[3]); err != nil {
		return nil, err
	}
	if c.years, err = yearField().parseSet(fields[5]); err != nil {
		return nil, err
	}
	domQ, dowQ := fields[2] == "?", fields[4] == "?"
	switch {
	case domQ && dowQ:
		return nil, invalidf("cron(%s): only one of Day-of-month and Day-of-week can be ?", spec)
	case !domQ && !dowQ:
		return nil, invalidf("cron(%s): one of Day-of-month and Day-of-week must be ?", spec)
	case dowQ:
		c.domDecides = true
		c.dom, err = parseDOM(fields[2])
	default:
		c.dow, err = parseDOW(fields[4])
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

func parseDOM(text string) (domRule, error) {
	if err := domField().checkChars(text); err != nil {
		return domRule{}, err
	}
	switch upper := strings.ToUpper(text); {
	case upper == "L":
		return domRule{kind: domLast}, nil
	case upper == "LW":
		return domRule{kind: domLastWeekday}, nil
	case strings.HasSuffix(upper, "W"):
		day, err := domField().value(upper[:len(upper)-1])
		if err != nil {
			return domRule{}, invalidf("Day-of-month %q: W needs a single day before it", text)
		}
		return domRule{kind: domNearestWeekday, day: day}, nil
	case strings.ContainsAny(upper, "LW?"):
		return domRule{}, invalidf("Day-of-month %q: L, W and ? must stand alone", text)
	}
	set, err := domField().parseSet(text)
	return domRule{kind: domSet, set: set}, err
}

func parseDOW(text string) (dowRule, error) {
	if err := dowField().checkChars(text); err != nil {
		return dowRule{}, err
	}
	upper := strings.ToUpper(text)
	if upper == "L" {
		set := make(valueSet, 7)
		set[6] = true
		return dowRule{kind: dowSet, set: set}, nil
	}
	if day, nth, ok := strings.Cut(upper, "#"); ok {
		d, err := dowField().value(day)
		if err != nil {
			return dowRule{}, invalidf("Day-of-week %q: # must follow a single day (only one # expression is allowed)", text)
		}
		k, err := strconv.Atoi(nth)
		if err != nil || k < 1 || k > 5 {
			return dowRule{}, invalidf("Day-of-week %q: the instance after # must be 1 to 5", text)
		}
		return dowRule{kind: dowNth, day: d, nth: k}, nil
	}
	if strings.HasSuffix(upper, "L") {
		d, err := dowField().value(upper[:len(upper)-1])
		if err != nil {
			return dowRule{}, invalidf("Day-of-week %q: L must follow a single day", text)
		}
		return dowRule{kind: dowLast, day: d}, nil
	}
	if strings.Contains(upper, "L") || strings.Contains(upper, "?") {
		return dowRule{}, invalidf("Day-of-week %q: L and ? must stand alone", text)
	}
	set, err := dowField().parseSet(text)
	return dowRule{kind: dowSet, set: set}, err
}

// NextFire returns the first minute strictly after after that the
// expression selects, or the zero Time after the last year it allows.
func (c *Cron) NextFire(after time.Time) time.Time {
	t := after.UTC().Truncate(time.Minute).Add(time.Minute)
	for t.Year() <= yearField().max {
		y, m, d := t.Date()
		switch {
		case !c.years.has(yearField(), y):
			t = time.Date(y+1, time.January, 1, 0, 0, 0, 0, time.UTC)
		case !c.months.has(monthField(), int(m)):
			t = time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
		case !c.dayMatches(y, m, d):
			t = time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
		default:
			if h, mi, ok := c.timeOnOrAfter(t.Hour(), t.Minute()); ok {
				return time.Date(y, m, d, h, mi, 0, 0, time.UTC)
			}
			t = time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
		}
	}
	return time.Time{}
}

// timeOnOrAfter finds the first selected hour:minute at or after h:mi.
func (c *Cron) timeOnOrAfter(h, mi int) (int, int, bool) {
	for ; h <= hourField().max; h++ {
		if c.hours.has(hourField(), h) {
			for ; mi <= minuteField().max; mi++ {
				if c.minutes.has(minuteField(), mi) {
					return h, mi, true
				}
			}
		}
		mi = 0
	}
	return 0, 0, false
}

func (c *Cron) dayMatches(y int, m time.Month, d int) bool {
	last := daysIn(y, m)
	if c.domDecides {
		switch c.dom.kind {
		case domLast:
			return d == last
		case domLastWeekday:
			return d == nearestWeekday(y, m, last, last)
		case domNearestWeekday:
			return c.dom.day <= last && d == nearestWeekday(y, m, c.dom.day, last)
		default:
			return c.dom.set.has(domField(), d)
		}
	}
	dow := int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday()) + 1
	switch c.dow.kind {
	case dowLast:
		return dow == c.dow.day && d+7 > last
	case dowNth:
		return dow == c.dow.day && (d-1)/7+1 == c.dow.nth
	default:
		return c.dow.set.has(dowField(), dow)
	}
}

// nearestWeekday moves day off a weekend to the closest Monday-Friday
// without leaving the month: Saturday the 1st becomes Monday the 3rd, and
// Sunday the last day becomes the Friday before.
func nearestWeekday(y int, m time.Month, day, last int) int {
	switch time.Date(y, m, day, 0, 0, 0, 0, time.UTC).Weekday() {
	case time.Saturday:
		if day == 1 {
			return 3
		}
		return day - 1
	case time.Sunday:
		if day == last {
			return day - 2
		}
		return day + 1
	}
	return day
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
