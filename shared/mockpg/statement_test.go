package mockpg

import (
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/quick"
	"time"
)

// busyDay performs every kind of operation on day0 and one on the next day.
func busyDay(t *testing.T) *testPG {
	t.Helper()
	p := newTestPG(t)
	a := p.approved("a", 1000)
	b := p.approved("b", 2000)
	c := p.approved("c", 3000)
	p.authorize("d", "pm_decline_insufficient_funds", 4000)
	p.post("/v1/authorizations/"+a+"/capture", "cap-a", map[string]any{"amount": 1000})
	p.post("/v1/authorizations/"+a+"/refunds", "rf-a1", map[string]any{"amount": 300})
	p.post("/v1/authorizations/"+a+"/refunds", "rf-a2", map[string]any{"amount": 200})
	p.post("/v1/authorizations/"+b+"/void", "void-b", nil)
	p.post("/v1/authorizations/"+c+"/capture", "cap-c", map[string]any{"amount": 2500})
	p.clock.Set(day0().Add(24 * time.Hour))
	p.approved("next-day", 5000)
	return p
}

func TestStatement_Clean(t *testing.T) {
	t.Parallel()
	p := busyDay(t)
	lines := p.statement("date=2025-03-01")
	wantHeader := []string{"pg_transaction_id", "type", "merchant_id", "payment_id", "amount", "currency", "transacted_at"}
	if !reflect.DeepEqual(lines[0], wantHeader) {
		t.Fatalf("header = %v", lines[0])
	}
	type row struct{ prefix, typ, payment, amount string }
	want := []row{
		{"pgtx_", "AUTH", "pay_a", "1000"},
		{"pgtx_", "AUTH", "pay_b", "2000"},
		{"pgtx_", "AUTH", "pay_c", "3000"},
		// the declined authorization moved no money: not listed
		{"pgcap_", "CAPTURE", "pay_a", "1000"},
		{"pgrf_", "REFUND", "pay_a", "300"},
		{"pgrf_", "REFUND", "pay_a", "200"},
		{"pgvd_", "VOID", "pay_b", "2000"},
		{"pgcap_", "CAPTURE", "pay_c", "2500"},
	}
	body := lines[1:]
	if len(body) != len(want) {
		t.Fatalf("%d lines, want %d: %v", len(body), len(want), body)
	}
	var prev time.Time
	for i, w := range want {
		l := body[i]
		at, err := time.Parse(time.RFC3339, l[6])
		if err != nil || at.Location() != time.UTC {
			t.Errorf("line %d transacted_at %q: %v", i, l[6], err)
		}
		if at.Before(prev) {
			t.Errorf("line %d is out of time order", i)
		}
		prev = at
		if !strings.HasPrefix(l[0], w.prefix) || l[1] != w.typ || l[2] != "m_demo" || l[3] != w.payment || l[4] != w.amount || l[5] != "KRW" {
			t.Errorf("line %d = %v, want %+v", i, l, w)
		}
	}
	next := p.statement("date=2025-03-02")
	if len(next) != 2 || next[1][3] != "pay_next-day" {
		t.Errorf("next day = %v", next)
	}
	if empty := p.statement("date=2025-02-28"); len(empty) != 1 {
		t.Errorf("a quiet day = %v", empty)
	}
	for _, q := range []string{"", "date=2025-3-1", "date=2025-03-01&drop=-1", "date=2025-03-01&alter=x", "date=2025-03-01&seed=-2", "date=2025-03-01&drop=5&alter=4"} {
		if r := p.get("/v1/statements?" + q); r.status != http.StatusBadRequest {
			t.Errorf("statement ?%s: %d %s", q, r.status, r.body)
		}
	}
}

// diff compares an injected statement with the clean one, line by line.
type diff struct {
	missing, altered, extra, duplicated []string
}

func diffStatements(clean, got [][]string) diff {
	key := func(l []string) string { return strings.Join(l, ",") }
	cleanByID := map[string][]string{}
	cleanCount := map[string]int{}
	for _, l := range clean[1:] {
		cleanByID[l[0]] = l
		cleanCount[key(l)]++
	}
	gotCount := map[string]int{}
	var d diff
	seenID := map[string]bool{}
	for _, l := range got[1:] {
		gotCount[key(l)]++
		c, known := cleanByID[l[0]]
		switch {
		case !known:
			d.extra = append(d.extra, l[0])
		case key(c) != key(l):
			d.altered = append(d.altered, l[0])
		}
		seenID[l[0]] = true
	}
	for k, n := range gotCount {
		if n > cleanCount[k] && cleanCount[k] > 0 {
			d.duplicated = append(d.duplicated, k)
		}
	}
	for id := range cleanByID {
		if !seenID[id] {
			d.missing = append(d.missing, id)
		}
	}
	return d
}

func TestStatement_Injections(t *testing.T) {
	t.Parallel()
	p := busyDay(t)
	clean := p.statement("date=2025-03-01")
	tests := []struct {
		query                         string
		missing, altered, extra, dupl int
	}{
		{"drop=1", 1, 0, 0, 0},
		{"alter=1", 0, 1, 0, 0},
		{"extra=1", 0, 0, 1, 0},
		{"duplicate=1", 0, 0, 0, 1},
		{"drop=2&alter=2&extra=3&duplicate=2", 2, 2, 3, 2},
		{"drop=8", 8, 0, 0, 0},
	}
	for _, tt := range tests {
		for _, seed := range []string{"1", "2", "99"} {
			t.Run(tt.query+"/seed="+seed, func(t *testing.T) {
				t.Parallel()
				got := p.statement("date=2025-03-01&seed=" + seed + "&" + tt.query)
				d := diffStatements(clean, got)
				if len(d.missing) != tt.missing || len(d.altered) != tt.altered || len(d.extra) != tt.extra || len(d.duplicated) != tt.dupl {
					t.Errorf("found missing %v altered %v extra %v duplicated %v", d.missing, d.altered, d.extra, d.duplicated)
				}
				if want := len(clean) - tt.missing + tt.extra + tt.dupl; len(got) != want {
					t.Errorf("%d records, want %d", len(got), want)
				}
				again := p.statement("date=2025-03-01&seed=" + seed + "&" + tt.query)
				if !reflect.DeepEqual(got, again) {
					t.Error("the same seed gave another statement")
				}
			})
		}
	}
}

// inject's arithmetic, as a property over random statements and options:
// every injection lands on its own line and the statement stays sorted.
func TestInject_Property(t *testing.T) {
	t.Parallel()
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	prop := func(n uint8, drop, alter, dup, add uint8, seed uint64) bool {
		lines := make([]journalEntry, int(n)%40)
		for i := range lines {
			lines[i] = journalEntry{id: "pgtx_" + strconv.Itoa(i), typ: typeAuth, merchantID: "m", amount: int64(100 + i), currency: "KRW", at: day.Add(time.Duration(i) * time.Minute)}
		}
		in := injections{drop: int(drop) % 8, alter: int(alter) % 8, duplicate: int(dup) % 8, extra: int(add) % 8, seed: seed}
		out, err := inject(slices.Clone(lines), in, day)
		if in.drop+in.alter+in.duplicate > len(lines) {
			return err != nil
		}
		if err != nil || len(out) != len(lines)-in.drop+in.duplicate+in.extra {
			return false
		}
		orig := map[string]journalEntry{}
		for _, l := range lines {
			orig[l.id] = l
		}
		count := map[string]int{}
		altered, extra := 0, 0
		for i, l := range out {
			if i > 0 && out[i-1].at.After(l.at) {
				return false
			}
			count[l.id]++
			o, known := orig[l.id]
			switch {
			case !known:
				extra++
				if !l.at.Truncate(24*time.Hour).Equal(day) || l.amount <= 0 {
					return false
				}
			case o.amount != l.amount:
				altered++
			}
		}
		dropped, duplicated := 0, 0
		for id := range orig {
			switch count[id] {
			case 0:
				dropped++
			case 2:
				duplicated++
			}
		}
		return dropped == in.drop && altered == in.alter && duplicated == in.duplicate && extra == in.extra
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 500}); err != nil {
		t.Error(err)
	}
}
