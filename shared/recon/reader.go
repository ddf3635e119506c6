package recon

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paylane/paylane/shared/money"
)

// Line is one line of a statement: its values, or why it has none (Invalid).
type Line struct {
	// Number is the physical line the record starts on, 1-based, counting the header
	// and blank lines: what an editor shows.
	Number int    `json:"number,omitzero"`
	Type   Type   `json:"type,omitempty"`
	PGID   string `json:"pgTransactionId,omitempty"` // may be empty when PaymentID is not
	// MerchantID and PaymentID are as the PG wrote them; PaymentID may be empty.
	MerchantID string    `json:"merchantId,omitempty"`
	PaymentID  string    `json:"paymentId,omitempty"`
	Amount     int64     `json:"amount,omitzero"` // minor units, > 0
	Currency   string    `json:"currency,omitempty"`
	At         time.Time `json:"transactedAt,omitzero"` // in UTC
	// Invalid is why the line cannot be reconciled; "" for a valid line. An invalid
	// line's values are those that were read cleanly, for the report.
	Invalid string `json:"invalid,omitempty"`
	// Raw is the line as written, for invalid lines only, cut to rawBytes.
	Raw string `json:"raw,omitempty"`

	last int // the last physical line of the record
}

// Key is the key a record of the line's type and PG id has; "" without a PG id.
func (l Line) Key() string {
	if l.PGID == "" {
		return ""
	}
	return recordKey(l.Type, l.PGID, "")
}

// Columns of a statement (ARCHITECTURE.md §7).
const (
	colPGID       = "pg_transaction_id"
	colType       = "type"
	colMerchantID = "merchant_id"
	colPaymentID  = "payment_id"
	colAmount     = "amount"
	colCurrency   = "currency"
	colAt         = "transacted_at"
)

// requiredColumns in the order errors list them.
var requiredColumns = [...]string{colPGID, colType, colMerchantID, colPaymentID, colAmount, colCurrency, colAt}

// rawBytes bounds Line.Raw.
const rawBytes = 512

// ErrBadHeader means the statement has no usable header: the whole file is refused.
var ErrBadHeader = errors.New("the statement's header is not usable")

// Reader reads a statement line by line in constant memory.
type Reader struct {
	sc      *scanner
	columns map[string]int // required column -> field index
	fields  int            // fields per line: the header's
}

// NewReader reads the header of a statement. Column names are matched without regard to
// case or surrounding spaces, in any order; extra columns are ignored. Returns an error
// wrapping ErrBadHeader when the stream is empty, the header is malformed, or a required
// column is missing or repeated, and the reader's error when reading fails.
func NewReader(r io.Reader) (*Reader, error) {
	sc := newScanner(r)
	rec, err := sc.record()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: the file is empty", ErrBadHeader)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the statement's header: %w", err)
	}
	if rec.bad != "" {
		return nil, fmt.Errorf("%w: line %d: %s", ErrBadHeader, rec.first, rec.bad)
	}
	rd := &Reader{sc: sc, columns: map[string]int{}, fields: len(rec.fields)}
	for i, name := range rec.fields {
		name = strings.ToLower(strings.TrimSpace(name))
		if !isRequired(name) {
			continue
		}
		if _, dup := rd.columns[name]; dup {
			return nil, fmt.Errorf("%w: column %s appears twice", ErrBadHeader, name)
		}
		rd.columns[name] = i
	}
	var missing []string
	for _, c := range requiredColumns {
		if _, ok := rd.columns[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: missing column(s) %s", ErrBadHeader, strings.Join(missing, ", "))
	}
	return rd, nil
}

func isRequired(name string) bool {
	for _, c := range requiredColumns {
		if c == name {
			return true
		}
	}
	return false
}

// Next returns the next line, valid or not; io.EOF after the last. Any other error is the
// underlying reader's: the rest of the statement cannot be read.
func (r *Reader) Next() (Line, error) {
	rec, err := r.sc.record()
	if err != nil {
		return Line{}, err
	}
	l := Line{Number: rec.first, last: rec.last}
	switch {
	case rec.bad != "":
		l.Invalid = rec.bad
	case len(rec.fields) != r.fields:
		l.Invalid = fmt.Sprintf("%d fields, the header has %d", len(rec.fields), r.fields)
	default:
		l.Invalid = r.decode(rec.fields, &l)
	}
	if l.Invalid != "" {
		l.Raw = rawText(rec.raw)
	}
	return l, nil
}

// decode reads the values of a well-formed record into l and returns why the line is
// invalid, every reason it has, or "".
func (r *Reader) decode(fields []string, l *Line) string {
	get := func(col string) string { return strings.Trim(fields[r.columns[col]], " \t") }
	var reasons []string
	bad := func(format string, args ...any) { reasons = append(reasons, fmt.Sprintf(format, args...)) }

	if t := Type(get(colType)); t.Valid() {
		l.Type = t
	} else {
		bad("type %q is not AUTH, CAPTURE, REFUND or VOID", clip(string(t)))
	}
	for _, f := range []struct {
		col string
		dst *string
	}{{colPGID, &l.PGID}, {colMerchantID, &l.MerchantID}, {colPaymentID, &l.PaymentID}} {
		v := get(f.col)
		if why := checkID(v); why != "" {
			bad("%s %s", f.col, why)
			continue
		}
		*f.dst = v
	}
	if get(colMerchantID) == "" {
		bad("merchant_id is empty")
	}
	// A line with neither id is still matchable by merchant, amount, currency and time
	// (the amount_time rule), as the issue asks of lines without a PG id.
	if amount, why := parseAmount(get(colAmount)); why != "" {
		bad("%s", why)
	} else {
		l.Amount = amount
	}
	if c := get(colCurrency); c == "" {
		bad("currency is empty")
	} else if _, err := money.LookupCurrency(c); err != nil {
		bad("currency %q is not supported", clip(c))
	} else {
		l.Currency = c
	}
	if s := get(colAt); s == "" {
		bad("transacted_at is empty")
	} else if at, err := time.Parse(time.RFC3339, s); err != nil {
		bad("transacted_at %q is not an RFC 3339 time", clip(s))
	} else {
		l.At = at.UTC()
	}
	return strings.Join(reasons, "; ")
}

// parseAmount reads a positive count of minor units: digits only, no sign, no decimals.
func parseAmount(s string) (int64, string) {
	if s == "" {
		return 0, "amount is empty"
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Sprintf("amount %q is not a positive integer of minor units", clip(s))
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > money.MaxAmount {
		return 0, fmt.Sprintf("amount %q exceeds %d", clip(s), money.MaxAmount)
	}
	if n == 0 {
		return 0, "amount is 0, not a positive integer"
	}
	return n, ""
}

// clip makes a value fit in a reason: valid UTF-8, at most 64 bytes.
func clip(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= 64 {
		return s
	}
	cut := 64
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// rawText is an invalid line as written, made storable: valid UTF-8, at most rawBytes.
func rawText(b []byte) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	if len(s) <= rawBytes {
		return s
	}
	cut := rawBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
