package settlement_test

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has installed

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/settlement"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestDay(t *testing.T) {
	t.Parallel()
	seoul, newYork := mustZone(t, "Asia/Seoul"), mustZone(t, "America/New_York")
	tests := []struct {
		name string
		at   time.Time
		loc  *time.Location
		want string
	}{
		{"UTC by default", time.Date(2026, 3, 1, 23, 59, 59, 999_999_999, time.UTC), nil, "2026-03-01"},
		{"UTC midnight starts the day", time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), time.UTC, "2026-03-02"},
		{"Seoul is ahead: 15:00 UTC is the next day", time.Date(2026, 3, 1, 15, 0, 0, 0, time.UTC), seoul, "2026-03-02"},
		{"Seoul, a second before its midnight", time.Date(2026, 3, 1, 14, 59, 59, 0, time.UTC), seoul, "2026-03-01"},
		{"New York is behind", time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC), newYork, "2026-03-01"},
		// 2026-03-08 is 23 hours long in New York: 04:59 UTC on the 9th is still the 8th (EDT).
		{"New York, short day", time.Date(2026, 3, 9, 3, 59, 0, 0, time.UTC), newYork, "2026-03-08"},
		{"New York, after the short day", time.Date(2026, 3, 9, 4, 0, 0, 0, time.UTC), newYork, "2026-03-09"},
		{"a time given in another zone", time.Date(2026, 3, 2, 8, 0, 0, 0, seoul), time.UTC, "2026-03-01"},
		{"leap day", time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC), nil, "2028-02-29"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := settlement.Day(tc.at, tc.loc); got != tc.want {
				t.Errorf("Day(%s, %v) = %s, want %s", tc.at.Format(time.RFC3339), tc.loc, got, tc.want)
			}
		})
	}
}

func TestParseDayAndNextDay(t *testing.T) {
	t.Parallel()
	good := map[string]string{
		"2026-03-01": "2026-03-02",
		"2026-02-28": "2026-03-01",
		"2028-02-28": "2028-02-29",
		"2026-12-31": "2027-01-01",
		"2026-03-08": "2026-03-09", // a short day somewhere changes nothing: days are dates
	}
	for day, next := range good {
		if _, err := settlement.ParseDay(day); err != nil {
			t.Errorf("ParseDay(%q): %v", day, err)
		}
		if got, err := settlement.NextDay(day); err != nil || got != next {
			t.Errorf("NextDay(%q) = %q, %v; want %q", day, got, err, next)
		}
	}
	for _, bad := range []string{"", "2026-3-1", "2026-03-1", "2026-02-29", "2026-13-01", "2026-00-10", "20260301",
		"2026/03/01", " 2026-03-01", "2026-03-01 ", "2026-03-01T00:00:00Z", "+2026-03-01", "yesterday"} {
		if _, err := settlement.ParseDay(bad); !fault.Is(err, fault.Invalid) {
			t.Errorf("ParseDay(%q) = %v, want fault.Invalid", bad, err)
		}
		if _, err := settlement.NextDay(bad); !fault.Is(err, fault.Invalid) {
			t.Errorf("NextDay(%q) = %v, want fault.Invalid", bad, err)
		}
	}
}

// Any day ParseDay accepts is its own canonical spelling, its next day sorts after it as a
// string (stores rely on it), and any time's Day parses.
func FuzzParseDay(f *testing.F) {
	for _, s := range []string{"2026-03-01", "2026-02-29", "9999-12-31", "0000-01-01", "2026-3-01", "x"} {
		f.Add(s, int64(0))
	}
	f.Fuzz(func(t *testing.T, s string, unix int64) {
		if d, err := settlement.ParseDay(s); err == nil {
			if got := d.Format("2006-01-02"); got != s {
				t.Fatalf("ParseDay(%q) accepted a non-canonical day (%s)", s, got)
			}
			next, err := settlement.NextDay(s)
			if err != nil {
				t.Fatalf("NextDay(%q): %v", s, err)
			}
			if s[0] != '9' && next <= s { // 9999-12-31 has no next day of four digits
				t.Fatalf("NextDay(%q) = %q does not sort after it", s, next)
			}
		}
		at := time.Unix(unix%(400*365*86400), 0)
		if _, err := settlement.ParseDay(settlement.Day(at, time.UTC)); err != nil && at.Year() >= 0 && at.Year() <= 9999 {
			t.Fatalf("Day(%v) does not parse: %v", at, err)
		}
	})
}
