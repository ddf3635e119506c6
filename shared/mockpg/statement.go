package mockpg

import (
	"encoding/csv"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// statementHeader is the column order of a statement.
func statementHeader() []string {
	return []string{"pg_transaction_id", "type", "merchant_id", "payment_id", "amount", "currency", "transacted_at"}
}

// maxInjected bounds each injection option.
const maxInjected = 100_000

// injections are the discrepancies a statement request asks for.
type injections struct {
	drop, alter, extra, duplicate int
	seed                          uint64
}

func parseInjections(q url.Values) (injections, error) {
	var in injections
	for _, f := range []struct {
		name string
		dst  *int
	}{{"drop", &in.drop}, {"alter", &in.alter}, {"extra", &in.extra}, {"duplicate", &in.duplicate}} {
		s := q.Get(f.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > maxInjected {
			return in, fmt.Errorf("%w: %s must be an integer between 0 and %d", errBadRequest, f.name, maxInjected)
		}
		*f.dst = n
	}
	if s := q.Get("seed"); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return in, fmt.Errorf("%w: seed must be a non-negative integer", errBadRequest)
		}
		in.seed = seed
	}
	return in, nil
}

func (p *PG) handleStatement(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	day, err := time.Parse(time.DateOnly, q.Get("date"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "date must be YYYY-MM-DD")
		return
	}
	in, err := parseInjections(q)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	lines := p.statementLines(day)
	lines, err = inject(lines, in, day)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="pg-statement-%s.csv"`, day.Format(time.DateOnly)))
	w.WriteHeader(http.StatusOK)
	cw := csv.NewWriter(w)
	_ = cw.Write(statementHeader())
	for _, l := range lines {
		_ = cw.Write([]string{l.id, l.typ, l.merchantID, l.paymentID, strconv.FormatInt(l.amount, 10), l.currency, formatTime(l.at)})
	}
	cw.Flush()
}

// statementLines returns the journal entries of the UTC day, sorted by time.
func (p *PG) statementLines(day time.Time) []journalEntry {
	start := day.UTC()
	end := start.AddDate(0, 0, 1)
	p.mu.Lock()
	var lines []journalEntry
	for _, e := range p.journal {
		if !e.at.Before(start) && e.at.Before(end) {
			lines = append(lines, e)
		}
	}
	p.mu.Unlock()
	slices.SortStableFunc(lines, func(a, b journalEntry) int { return a.at.Compare(b.at) })
	return lines
}

// inject applies the discrepancies to a clean statement. Dropped, altered
// and duplicated lines are distinct lines picked by the seed, so a
// reconciliation against the clean statement finds each injection exactly
// once.
func inject(lines []journalEntry, in injections, day time.Time) ([]journalEntry, error) {
	if picked := in.drop + in.alter + in.duplicate; picked > len(lines) {
		return nil, fmt.Errorf("%w: drop+alter+duplicate = %d but the statement has %d lines", errBadRequest, picked, len(lines))
	}
	var seed [32]byte
	for i := range 8 {
		seed[i] = byte(in.seed >> (8 * i))
	}
	rng := mrand.New(mrand.NewChaCha8(seed))
	order := rng.Perm(len(lines))
	action := make(map[int]string, len(order))
	for i, idx := range order {
		switch {
		case i < in.drop:
			action[idx] = "drop"
		case i < in.drop+in.alter:
			action[idx] = "alter"
		case i < in.drop+in.alter+in.duplicate:
			action[idx] = "duplicate"
		}
	}
	out := make([]journalEntry, 0, len(lines)+in.duplicate+in.extra)
	for i, l := range lines {
		switch action[i] {
		case "drop":
			continue
		case "alter":
			l.amount += 1 + rng.Int64N(1000)
		case "duplicate":
			out = append(out, l)
		}
		out = append(out, l)
	}
	for range in.extra {
		out = append(out, extraLine(rng, lines, day))
	}
	slices.SortStableFunc(out, func(a, b journalEntry) int { return a.at.Compare(b.at) })
	return out, nil
}

// extraLine invents a capture the PG never did, for a merchant and currency
// that appear in the statement when there is one.
func extraLine(rng *mrand.Rand, lines []journalEntry, day time.Time) journalEntry {
	merchant, currency := "m_unknown", "KRW"
	if len(lines) > 0 {
		l := lines[rng.IntN(len(lines))]
		merchant, currency = l.merchantID, l.currency
	}
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	id := []byte("pgcap_x")
	for range 23 {
		id = append(id, alphabet[rng.IntN(len(alphabet))])
	}
	return journalEntry{
		id:         string(id),
		typ:        typeCapture,
		merchantID: merchant,
		amount:     100 + rng.Int64N(100_000),
		currency:   currency,
		at:         day.UTC().Add(time.Duration(rng.Int64N(int64(24 * time.Hour)))).Truncate(time.Millisecond),
	}
}
