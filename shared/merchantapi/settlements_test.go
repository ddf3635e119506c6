package merchantapi

import (
	"testing"
	"time"

	"github.com/paylane/paylane/shared/fault"
)

func TestParseDayRange(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		q        map[string]string
		from, to string
		field    string
	}{
		{q: map[string]string{}, from: "2026-10-21", to: "2026-11-20"},
		{q: map[string]string{"from": "2026-11-01", "to": "2026-11-03"}, from: "2026-11-01", to: "2026-11-03"},
		{q: map[string]string{"from": "2026-11-03", "to": "2026-11-03"}, from: "2026-11-03", to: "2026-11-03"},
		{q: map[string]string{"from": "2026-11-04", "to": "2026-11-03"}, field: "to"},
		{q: map[string]string{"from": "2026-13-01"}, field: "from"},
		{q: map[string]string{"to": "yesterday"}, field: "to"},
		{q: map[string]string{"from": "2024-01-01", "to": "2026-01-01"}, field: "from"},
		{q: map[string]string{"limit": "5"}, field: "limit"},
	}
	for _, tc := range tests {
		from, to, err := parseDayRange(tc.q, now)
		if tc.field != "" {
			if fe, ok := err.(*fault.Error); !ok || fe.Field != tc.field {
				t.Errorf("%v: err = %v, want a fault on %s", tc.q, err, tc.field)
			}
			continue
		}
		if err != nil || from != tc.from || to != tc.to {
			t.Errorf("%v: %s..%s %v, want %s..%s", tc.q, from, to, err, tc.from, tc.to)
		}
	}
}
