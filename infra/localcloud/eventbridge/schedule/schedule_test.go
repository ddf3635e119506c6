package schedule

import (
	"errors"
	"testing"
	"time"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// Rate expressions start counting when the rule is created, and the unit is
// singular exactly for a value of 1:
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html#eb-rate-expressions
func TestRateNextFire(t *testing.T) {
	t.Parallel()
	created := ts("2024-01-01T12:00:30Z")
	tests := []struct {
		expr  string
		after string
		want  string
	}{
		{"rate(1 minute)", "2024-01-01T12:00:30Z", "2024-01-01T12:01:30Z"},
		{"rate(1 minute)", "2024-01-01T12:01:30Z", "2024-01-01T12:02:30Z"},
		{"rate(1 minute)", "2024-01-01T12:01:29Z", "2024-01-01T12:01:30Z"},
		{"rate(1 minute)", "2023-12-31T00:00:00Z", "2024-01-01T12:01:30Z"},
		{"rate(5 minutes)", "2024-01-01T12:07:00Z", "2024-01-01T12:10:30Z"},
		{"rate(1 hour)", "2024-01-01T12:00:30Z", "2024-01-01T13:00:30Z"},
		{"rate(2 hours)", "2024-01-01T15:00:00Z", "2024-01-01T16:00:30Z"},
		{"rate(1 day)", "2024-01-02T12:00:30Z", "2024-01-03T12:00:30Z"},
		{"rate(7 days)", "2024-01-01T12:00:31Z", "2024-01-08T12:00:30Z"},
	}
	for _, tt := range tests {
		t.Run(tt.expr+"@"+tt.after, func(t *testing.T) {
			t.Parallel()
			s, err := Parse(tt.expr, created)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.NextFire(ts(tt.after)); !got.Equal(ts(tt.want)) {
				t.Errorf("NextFire(%s) = %s, want %s", tt.after, got.Format(time.RFC3339), tt.want)
			}
		})
	}
}

// Cases from the documented examples and the L, W and # wildcards:
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html#eb-cron-expressions
func TestCronNextFire(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		expr  string
		after string
		want  string // empty: never fires again
	}{
		{"10am every day", "cron(0 10 * * ? *)", "2024-01-01T10:00:00Z", "2024-01-02T10:00:00Z"},
		{"10am same day", "cron(0 10 * * ? *)", "2024-01-01T09:59:59Z", "2024-01-01T10:00:00Z"},
		{"strictly after", "cron(15 12 * * ? *)", "2024-01-01T12:15:00Z", "2024-01-02T12:15:00Z"},
		{"seconds ignored", "cron(15 12 * * ? *)", "2024-01-01T12:14:59.9Z", "2024-01-01T12:15:00Z"},
		{"weekdays skip weekend", "cron(0 18 ? * MON-FRI *)", "2024-01-05T18:00:00Z", "2024-01-08T18:00:00Z"},
		{"first of month", "cron(0 8 1 * ? *)", "2024-01-31T09:00:00Z", "2024-02-01T08:00:00Z"},
		{"every 15 minutes", "cron(0/15 * * * ? *)", "2024-01-01T12:07:00Z", "2024-01-01T12:15:00Z"},
		{"every 15 minutes hour rollover", "cron(0/15 * * * ? *)", "2024-01-01T12:45:00Z", "2024-01-01T13:00:00Z"},
		{"1/10 starts at minute 1", "cron(1/10 * * * ? *)", "2024-01-01T12:02:00Z", "2024-01-01T12:11:00Z"},
		{"every 10 minutes weekdays", "cron(0/10 * ? * MON-FRI *)", "2024-01-06T10:00:00Z", "2024-01-08T00:00:00Z"},
		{"every 5 minutes office hours", "cron(0/5 8-17 ? * MON-FRI *)", "2024-01-08T17:55:00Z", "2024-01-09T08:00:00Z"},
		{"hour range wraps midnight", "cron(0/30 20-2 ? * MON-FRI *)", "2024-01-08T23:45:00Z", "2024-01-09T00:00:00Z"},
		{"hour range wraps end", "cron(0/30 20-2 ? * MON-FRI *)", "2024-01-09T02:30:00Z", "2024-01-09T20:00:00Z"},
		{"list of minutes", "cron(5,35 14 * * ? *)", "2024-01-01T14:05:00Z", "2024-01-01T14:35:00Z"},
		{"last Friday 2019-2022", "cron(15 10 ? * 6L 2019-2022)", "2019-01-01T00:00:00Z", "2019-01-25T10:15:00Z"},
		{"last Friday February", "cron(15 10 ? * 6L 2019-2022)", "2019-01-25T10:15:00Z", "2019-02-22T10:15:00Z"},
		{"last Friday then never", "cron(15 10 ? * 6L 2019-2022)", "2022-12-30T10:15:00Z", ""},
		{"last Friday by name", "cron(0 0 ? * FRIL *)", "2024-03-01T00:00:00Z", "2024-03-29T00:00:00Z"},
		{"L leap February", "cron(0 0 L * ? *)", "2024-02-01T00:00:00Z", "2024-02-29T00:00:00Z"},
		{"L plain February", "cron(0 0 L * ? *)", "2023-02-01T00:00:00Z", "2023-02-28T00:00:00Z"},
		{"L century not leap", "cron(0 0 L 2 ? *)", "2100-01-01T00:00:00Z", "2100-02-28T00:00:00Z"},
		{"L 400 years leap", "cron(0 0 L 2 ? *)", "2000-01-01T00:00:00Z", "2000-02-29T00:00:00Z"},
		{"L after month end", "cron(0 0 L * ? *)", "2024-04-30T00:00:00Z", "2024-05-31T00:00:00Z"},
		{"29 February only in leap years", "cron(0 0 29 2 ? *)", "2023-03-01T00:00:00Z", "2024-02-29T00:00:00Z"},
		{"31st skips short months", "cron(0 0 31 * ? *)", "2024-04-01T00:00:00Z", "2024-05-31T00:00:00Z"},
		{"year end", "cron(59 23 31 12 ? *)", "2024-12-31T23:59:00Z", "2025-12-31T23:59:00Z"},
		{"W Saturday goes to Friday", "cron(0 0 15W * ? *)", "2024-06-01T00:00:00Z", "2024-06-14T00:00:00Z"},
		{"W Sunday goes to Monday", "cron(0 0 16W * ? *)", "2024-06-01T00:00:00Z", "2024-06-17T00:00:00Z"},
		{"W weekday stays", "cron(0 0 3W * ? *)", "2024-06-01T00:00:00Z", "2024-06-03T00:00:00Z"},
		{"1W on Saturday stays in month", "cron(0 0 1W * ? *)", "2024-05-31T00:00:00Z", "2024-06-03T00:00:00Z"},
		{"30W on last Sunday stays in month", "cron(0 0 30W 6 ? *)", "2024-06-01T00:00:00Z", "2024-06-28T00:00:00Z"},
		{"31W skips 30-day months", "cron(0 0 31W * ? *)", "2024-04-01T00:00:00Z", "2024-05-31T00:00:00Z"},
		{"LW last weekday", "cron(0 0 LW * ? *)", "2024-03-01T00:00:00Z", "2024-03-29T00:00:00Z"},
		{"second Tuesday", "cron(0 12 ? * 3#2 *)", "2024-01-01T00:00:00Z", "2024-01-09T12:00:00Z"},
		{"second Tuesday next month", "cron(0 12 ? * 3#2 *)", "2024-01-09T12:00:00Z", "2024-02-13T12:00:00Z"},
		{"fifth Thursday skips months", "cron(0 0 ? * 5#5 *)", "2024-03-01T00:00:00Z", "2024-05-30T00:00:00Z"},
		{"lone L is Saturday", "cron(0 0 ? * L *)", "2024-01-01T00:00:00Z", "2024-01-06T00:00:00Z"},
		{"month names", "cron(0 0 1 JAN,JUL ? *)", "2024-01-01T00:00:00Z", "2024-07-01T00:00:00Z"},
		{"lowercase names", "cron(0 0 ? jan mon *)", "2024-01-01T00:00:00Z", "2024-01-08T00:00:00Z"},
		{"month increments", "cron(0 0 1 1/3 ? *)", "2024-01-01T00:00:00Z", "2024-04-01T00:00:00Z"},
		{"day range wraps", "cron(0 0 ? * FRI-MON *)", "2024-01-08T00:00:00Z", "2024-01-12T00:00:00Z"},
		{"single future year", "cron(0 0 1 1 ? 2030)", "2024-06-01T00:00:00Z", "2030-01-01T00:00:00Z"},
		{"single year passed", "cron(0 0 1 1 ? 2030)", "2030-01-01T00:00:00Z", ""},
		{"never-existing date", "cron(0 0 30 2 ? *)", "2024-01-01T00:00:00Z", ""},
		{"non-UTC input", "cron(0 10 * * ? *)", "2024-01-01T11:30:00+02:00", "2024-01-01T10:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Parse(tt.expr, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			got := s.NextFire(ts(tt.after))
			if tt.want == "" {
				if !got.IsZero() {
					t.Errorf("NextFire(%s) = %s, want never", tt.after, got)
				}
				return
			}
			if !got.Equal(ts(tt.want)) || got.Location() != time.UTC {
				t.Errorf("NextFire(%s) = %s, want %s", tt.after, got, tt.want)
			}
		})
	}
}

func TestParseRejectsInvalidExpressions(t *testing.T) {
	t.Parallel()
	tests := []string{
		"", "rate", "rate()", "rate(1minute)", "rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)",
		"rate(-1 minutes)", "rate(+5 minutes)", "rate(1.5 hours)", "rate(1 week)", "rate(2 weeks)",
		"rate(1 second)", "rate(999999999999 days)", "rate(5 minutes", "every(5 minutes)", "at(2024-01-01T00:00:00)",
		"cron(0 10 * * ?)", "cron(0 10 * * ? * *)", "cron(0 10 ? * ? *)", "cron(0 10 * * * *)",
		"cron(0 10 1 * MON *)", "cron(60 10 * * ? *)", "cron(0 24 * * ? *)", "cron(0 0 0 * ? *)",
		"cron(0 0 32 * ? *)", "cron(0 0 1 13 ? *)", "cron(0 0 ? * 8 *)", "cron(0 0 ? * 0 *)", "cron(0 0 1 1 ? 1969)",
		"cron(0 0 1 1 ? 2200)", "cron(0 0 ? * 1/2 *)", "cron(L 0 * * ? *)", "cron(0 0 1#2 * ? *)",
		"cron(0 0 ? * 2W *)", "cron(0 0 ? * 3#6 *)", "cron(0 0 ? * 3#1,6#3 *)", "cron(0 0 1 FOO ? *)",
		"cron(0 0 ? * MON-FOO *)", "cron(1- 0 * * ? *)", "cron(*/0 0 * * ? *)", "cron(0 0 1,L * ? *)",
		"cron(0 0 W * ? *)", "cron(0 0 ? * L,2 *)", "cron(0 0 ? * 8L *)", "cron(0 MON * * ? *)",
	}
	for _, expr := range tests {
		t.Run(expr, func(t *testing.T) {
			t.Parallel()
			if _, err := Parse(expr, time.Time{}); !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse(%q) error = %v, want ErrInvalid", expr, err)
			}
		})
	}
}

// FuzzCronNextFire checks NextFire against a minute-by-minute scan: the
// result is after the input, is selected by the expression, and no earlier
// minute is.
func FuzzCronNextFire(f *testing.F) {
	f.Add("0/15 8-17 ? * MON-FRI *", int64(1704067200))
	f.Add("0 0 L * ? *", int64(1706745600))
	f.Add("30 2 15W * ? *", int64(1717200000))
	f.Add("0 12 ? * 3#2 *", int64(1704067200))
	f.Add("5,35 20-2 ? * 6L *", int64(1704067200))
	f.Fuzz(func(t *testing.T, fields string, unix int64) {
		c, err := ParseCron(fields)
		if err != nil {
			return
		}
		after := time.Unix(unix%(4<<30), 0).UTC() // 1970 to about 2106
		got := c.NextFire(after)
		const window = 3 * 24 * 60 // minutes scanned
		scan := after.Truncate(time.Minute).Add(time.Minute)
		for i := 0; i < window; i++ {
			if c.selects(scan) {
				if !got.Equal(scan) {
					t.Fatalf("cron(%s) NextFire(%s) = %s, but %s is selected", fields, after, got, scan)
				}
				return
			}
			scan = scan.Add(time.Minute)
		}
		if !got.IsZero() && !got.After(scan.Add(-time.Minute)) {
			t.Fatalf("cron(%s) NextFire(%s) = %s, but no minute before %s is selected", fields, after, got, scan)
		}
		if !got.IsZero() && !c.selects(got) {
			t.Fatalf("cron(%s) NextFire(%s) = %s, which the expression does not select", fields, after, got)
		}
	})
}

// selects reports whether the expression selects minute t.
func (c *Cron) selects(t time.Time) bool {
	y, m, d := t.Date()
	return c.years.has(yearField(), y) && c.months.has(monthField(), int(m)) && c.dayMatches(y, m, d) &&
		c.hours.has(hourField(), t.Hour()) && c.minutes.has(minuteField(), t.Minute())
}
