package recon

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// readAll reads every line of a statement.
func readAll(t testing.TB, text string) []Line {
	t.Helper()
	rd, err := NewReader(strings.NewReader(text))
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	var lines []Line
	for {
		l, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return lines
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		lines = append(lines, l)
	}
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// The file has every quirk the format allows, and one bad line: a user checks that each
// line reads as written, with the line number an editor shows.
func TestReaderReadsEveryQuirkOfTheFormat(t *testing.T) {
	t.Parallel()
	text := "\uFEFF" + // BOM
		"Currency, AMOUNT ,note,transacted_at,payment_id,type,merchant_id,pg_transaction_id\r\n" + // shuffled, spaced, an extra column, CRLF
		"KRW,50000,plain,2026-03-01T10:00:00Z,pay_1,CAPTURE,m_shop,pgcap_1\r\n" +
		"\r\n" + // blank
		"USD,1999,\"with, commas\",2026-03-01T11:00:00+09:00,pay_2,REFUND,m_shop,\"pgrf_\"\"2\"\"\"\n" + // LF, quotes, doubled quotes, an offset
		"   \n" + // blank (spaces)
		"KRW,abc,bad,2026-03-01T12:00:00Z,pay_3,CAPTURE,m_shop,pgcap_3\n" + // the bad line
		"JPY,700,\"two\nlines\",2026-03-01T13:00:00Z,,VOID,m_shop,pgvd_4\n" + // a quoted newline
		"KRW,1,last,2026-03-01T23:59:59.999Z,pay_5,AUTH,m_shop,pgtx_5" // no final newline
	lines := readAll(t, text)
	want := []Line{
		{Number: 2, Type: Capture, PGID: "pgcap_1", MerchantID: "m_shop", PaymentID: "pay_1", Amount: 50000, Currency: "KRW", At: at("2026-03-01T10:00:00Z")},
		{Number: 4, Type: Refund, PGID: `pgrf_"2"`, MerchantID: "m_shop", PaymentID: "pay_2", Amount: 1999, Currency: "USD", At: at("2026-03-01T02:00:00Z")},
		{Number: 6, Type: Capture, PGID: "pgcap_3", MerchantID: "m_shop", PaymentID: "pay_3", Currency: "KRW", At: at("2026-03-01T12:00:00Z"),
			Invalid: `amount "abc" is not a positive integer of minor units`, Raw: "KRW,abc,bad,2026-03-01T12:00:00Z,pay_3,CAPTURE,m_shop,pgcap_3"},
		{Number: 7, Type: Void, PGID: "pgvd_4", MerchantID: "m_shop", Amount: 700, Currency: "JPY", At: at("2026-03-01T13:00:00Z")},
		{Number: 9, Type: Auth, PGID: "pgtx_5", MerchantID: "m_shop", PaymentID: "pay_5", Amount: 1, Currency: "KRW", At: at("2026-03-01T23:59:59.999Z")},
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d: %+v", len(lines), len(want), lines)
	}
	for i := range want {
		got := lines[i]
		got.last = 0
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want[i]) {
			t.Errorf("line %d:\n got %+v\nwant %+v", i, got, want[i])
		}
	}
}

// Every way a line can be wrong makes an INVALID line with its reason and number, and the
// lines after it still read.
func TestReaderInvalidLines(t *testing.T) {
	t.Parallel()
	const header = "pg_transaction_id,type,merchant_id,payment_id,amount,currency,transacted_at\n"
	const good = "pgcap_ok,CAPTURE,m_shop,pay_ok,100,KRW,2026-03-01T10:00:00Z"
	for _, tc := range []struct {
		name, line, reason string
	}{
		{"too few fields", "pgcap_1,CAPTURE,m_shop,pay_1,100,KRW", "6 fields, the header has 7"},
		{"too many fields", good + ",extra", "8 fields, the header has 7"},
		{"amount not a number", "pgcap_1,CAPTURE,m_shop,pay_1,12.50,KRW,2026-03-01T10:00:00Z", `amount "12.50" is not a positive integer`},
		{"amount negative", "pgcap_1,CAPTURE,m_shop,pay_1,-5,KRW,2026-03-01T10:00:00Z", `amount "-5" is not a positive integer`},
		{"amount with a sign", "pgcap_1,CAPTURE,m_shop,pay_1,+5,KRW,2026-03-01T10:00:00Z", `amount "+5" is not a positive integer`},
		{"amount zero", "pgcap_1,CAPTURE,m_shop,pay_1,0,KRW,2026-03-01T10:00:00Z", "amount is 0"},
		{"amount empty", "pgcap_1,CAPTURE,m_shop,pay_1,,KRW,2026-03-01T10:00:00Z", "amount is empty"},
		{"amount too large", "pgcap_1,CAPTURE,m_shop,pay_1,99999999999999999999,KRW,2026-03-01T10:00:00Z", "exceeds 1000000000000"},
		{"unknown currency", "pgcap_1,CAPTURE,m_shop,pay_1,100,XXX,2026-03-01T10:00:00Z", `currency "XXX" is not supported`},
		{"lower-case currency", "pgcap_1,CAPTURE,m_shop,pay_1,100,krw,2026-03-01T10:00:00Z", `currency "krw" is not supported`},
		{"no currency", "pgcap_1,CAPTURE,m_shop,pay_1,100,,2026-03-01T10:00:00Z", "currency is empty"},
		{"unknown type", "pgcap_1,CHARGEBACK,m_shop,pay_1,100,KRW,2026-03-01T10:00:00Z", `type "CHARGEBACK" is not AUTH`},
		{"bad time", "pgcap_1,CAPTURE,m_shop,pay_1,100,KRW,2026-03-01 10:00:00", `transacted_at "2026-03-01 10:00:00" is not an RFC 3339 time`},
		{"no time", "pgcap_1,CAPTURE,m_shop,pay_1,100,KRW,", "transacted_at is empty"},
		{"no merchant", "pgcap_1,CAPTURE,,pay_1,100,KRW,2026-03-01T10:00:00Z", "merchant_id is empty"},
		{"control character in an id", "\"pg\x01cap\",CAPTURE,m_shop,pay_1,100,KRW,2026-03-01T10:00:00Z", "pg_transaction_id holds a control character"},
		{"id too long", strings.Repeat("x", 256) + ",CAPTURE,m_shop,pay_1,100,KRW,2026-03-01T10:00:00Z", "pg_transaction_id is longer than 255 bytes"},
		{"id not UTF-8", "pg\xffcap,CAPTURE,m_shop,pay_1,100,KRW,2026-03-01T10:00:00Z", "pg_transaction_id is not UTF-8"},
		{"bare quote", "pg\"cap,CAPTURE,m_shop,pay_1,100,KRW,2026-03-01T10:00:00Z", "a quote inside an unquoted field"},
		{"text after a closing quote", "\"pgcap\"x,CAPTURE,m_shop,pay_1,100,KRW,2026-03-01T10:00:00Z", "a character follows a closing quote"},
		{"two reasons", "pgcap_1,CAPTURE,m_shop,pay_1,0,XXX,2026-03-01T10:00:00Z", `amount is 0, not a positive integer; currency "XXX" is not supported`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			lines := readAll(t, header+tc.line+"\n"+good+"\n")
			if len(lines) != 2 {
				t.Fatalf("%d lines, want 2: %+v", len(lines), lines)
			}
			if l := lines[0]; l.Number != 2 || !strings.Contains(l.Invalid, tc.reason) || l.Raw == "" {
				t.Errorf("got line %d invalid %q raw %q, want line 2 with %q", l.Number, l.Invalid, l.Raw, tc.reason)
			}
			if l := lines[1]; l.Number != 3 || l.Invalid != "" {
				t.Errorf("the next line: number %d invalid %q, want 3 and valid", l.Number, l.Invalid)
			}
		})
	}
}

// A quote that never closes costs its own line only: the lines after it are read again as
// lines, whether the stream ends first or the record grows past its bound.
func TestReaderUnclosedQuoteCostsOneLine(t *testing.T) {
	t.Parallel()
	const header = "pg_transaction_id,type,merchant_id,payment_id,amount,currency,transacted_at\n"
	good := func(i int) string {
		return fmt.Sprintf("pgcap_%d,CAPTURE,m_shop,pay_%d,100,KRW,2026-03-01T10:00:00Z\n", i, i)
	}
	t.Run("at the end of the stream", func(t *testing.T) {
		t.Parallel()
		text := header + good(1) + "\"pgcap_2,CAPTURE,m_shop,pay_2,100,KRW,2026-03-01T10:00:00Z\n" + good(3) + good(4)
		lines := readAll(t, text)
		if len(lines) != 4 {
			t.Fatalf("%d lines, want 4", len(lines))
		}
		if lines[1].Number != 3 || !strings.Contains(lines[1].Invalid, "quoted field is not closed") {
			t.Errorf("line %d: %q", lines[1].Number, lines[1].Invalid)
		}
		if lines[2].Number != 4 || lines[2].Invalid != "" || lines[3].Number != 5 || lines[3].Invalid != "" {
			t.Errorf("the lines after: %+v %+v", lines[2], lines[3])
		}
	})
	t.Run("past the record bound", func(t *testing.T) {
		t.Parallel()
		var b strings.Builder
		b.WriteString(header + "\"pgcap_x,CAPTURE,m_shop,pay_x,100,KRW,2026-03-01T10:00:00Z\n")
		const n = 2000 // 2000 lines of ~60 bytes: past 64 KiB
		for i := range n {
			b.WriteString(good(i))
		}
		lines := readAll(t, b.String())
		if len(lines) != n+1 {
			t.Fatalf("%d lines, want %d", len(lines), n+1)
		}
		if !strings.Contains(lines[0].Invalid, "not closed within 65536 bytes") {
			t.Errorf("first line: %q", lines[0].Invalid)
		}
		for i, l := range lines[1:] {
			if l.Invalid != "" || l.Number != i+3 {
				t.Fatalf("line %d: number %d invalid %q", i, l.Number, l.Invalid)
			}
		}
	})
	t.Run("a line too long", func(t *testing.T) {
		t.Parallel()
		text := header + "pgcap_1,CAPTURE,m_shop," + strings.Repeat("p", 70_000) + ",100,KRW,2026-03-01T10:00:00Z\n" + good(2)
		lines := readAll(t, text)
		if len(lines) != 2 || !strings.Contains(lines[0].Invalid, "longer than 65536 bytes") || lines[1].Invalid != "" || lines[1].Number != 3 {
			t.Fatalf("%+v", lines)
		}
	})
}

func TestReaderRefusesUnusableHeaders(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, text, want string }{
		{"empty", "", "the file is empty"},
		{"only blank lines", "\n\r\n  \n", "the file is empty"},
		{"only a BOM", "\uFEFF", "the file is empty"},
		{"a missing column", "pg_transaction_id,type,merchant_id,payment_id,amount,transacted_at\n", "missing column(s) currency"},
		{"several missing", "pg_transaction_id,type\n", "missing column(s) merchant_id, payment_id, amount, currency, transacted_at"},
		{"a repeated column", "pg_transaction_id,type,merchant_id,payment_id,amount,currency,transacted_at,Amount\n", "column amount appears twice"},
		{"malformed", "\"pg_transaction_id,type\n", "quoted field is not closed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewReader(strings.NewReader(tc.text))
			if !errors.Is(err, ErrBadHeader) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want ErrBadHeader with %q", err, tc.want)
			}
		})
	}
}

type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

func TestReaderPassesReadErrorsOn(t *testing.T) {
	t.Parallel()
	boom := errors.New("connection reset")
	if _, err := NewReader(failingReader{boom}); !errors.Is(err, boom) || errors.Is(err, ErrBadHeader) {
		t.Errorf("header: got %v, want the read error", err)
	}
	header := strings.NewReader("pg_transaction_id,type,merchant_id,payment_id,amount,currency,transacted_at\n")
	rd, err := NewReader(io.MultiReader(header, failingReader{boom}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rd.Next(); !errors.Is(err, boom) {
		t.Errorf("Next: got %v, want the read error", err)
	}
}

// A property: whatever lines are written, with any column order, extra columns, quoting,
// line endings, BOM and blank lines, they read back as written, numbered as placed.
func TestReaderRoundTripsRandomStatements(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := range 200 {
		var want []Line
		columns := append([]string{}, requiredColumns[:]...)
		if rng.IntN(2) == 0 {
			columns = append(columns, "note")
		}
		rng.Shuffle(len(columns), func(i, j int) { columns[i], columns[j] = columns[j], columns[i] })
		var buf bytes.Buffer
		if rng.IntN(2) == 0 {
			buf.Write(utf8BOM)
		}
		w := csv.NewWriter(&buf)
		w.UseCRLF = rng.IntN(2) == 0
		_ = w.Write(columns)
		w.Flush()
		physical := 1
		for i := range rng.IntN(30) {
			if rng.IntN(5) == 0 {
				buf.WriteString("\n")
				physical++
			}
			l := randomLine(rng, i)
			row := make([]string, len(columns))
			for c, name := range columns {
				row[c] = l.field(name, rng)
			}
			_ = w.Write(row)
			w.Flush()
			physical++
			l.Number = physical
			physical += strings.Count(strings.Join(row, ""), "\n")
			want = append(want, l.Line)
		}
		got := readAll(t, buf.String())
		if len(got) != len(want) {
			t.Fatalf("statement %d: %d lines, want %d\n%s", iter, len(got), len(want), buf.String())
		}
		for i := range want {
			g := got[i]
			g.last = 0
			if fmt.Sprintf("%+v", g) != fmt.Sprintf("%+v", want[i]) {
				t.Fatalf("statement %d line %d:\n got %+v\nwant %+v\n%s", iter, i, g, want[i], buf.String())
			}
		}
	}
}

type genLine struct{ Line }

func randomLine(rng *rand.Rand, i int) genLine {
	types := []Type{Auth, Capture, Refund, Void}
	currencies := []string{"KRW", "USD", "JPY", "EUR"}
	l := Line{
		Type:       types[rng.IntN(len(types))],
		PGID:       fmt.Sprintf("pg_%d_%s", i, []string{"a", "b,c", `q"uote`, "é", " spaced"}[rng.IntN(5)]),
		MerchantID: "m_" + []string{"one", "two", "with space"}[rng.IntN(3)],
		Amount:     1 + rng.Int64N(1_000_000_000_000),
		Currency:   currencies[rng.IntN(len(currencies))],
		At:         time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(24 * time.Hour)))).Truncate(time.Millisecond),
	}
	if rng.IntN(4) > 0 {
		l.PaymentID = fmt.Sprintf("pay_%d", i)
	}
	return genLine{l}
}

func (g genLine) field(name string, rng *rand.Rand) string {
	switch name {
	case colPGID:
		return g.PGID
	case colType:
		return string(g.Type)
	case colMerchantID:
		return g.MerchantID
	case colPaymentID:
		return g.PaymentID
	case colAmount:
		return fmt.Sprint(g.Amount)
	case colCurrency:
		return g.Currency
	case colAt:
		return g.At.Format(time.RFC3339Nano)
	}
	return []string{"", "x", "a, b", `say "hi"`, "two\nlines"}[rng.IntN(5)]
}

// FuzzReader: the reader never panics, never returns an error for content, and accounts
// for every physical line: each non-blank line after the header starts exactly one Line or
// lies inside a multi-line record, and Lines come in order.
func FuzzReader(f *testing.F) {
	const header = "pg_transaction_id,type,merchant_id,payment_id,amount,currency,transacted_at\n"
	f.Add(header + "pgcap_1,CAPTURE,m_1,pay_1,100,KRW,2026-03-01T10:00:00Z\n")
	f.Add(header + "\"a,b\",VOID,m_1,,5,USD,2026-03-01T10:00:00+09:00\r\n\r\n,,,,,,\n")
	f.Add(header + "\"unclosed,CAPTURE\nnext,line\n\"x\"y\n")
	f.Add("\uFEFFtype,amount,currency,transacted_at,merchant_id,payment_id,pg_transaction_id,x\n\"\"\"\",1,KRW,2026-03-01T00:00:00Z,m,p,\"multi\nline\",z\n")
	f.Fuzz(func(t *testing.T, text string) {
		rd, err := NewReader(strings.NewReader(text))
		if err != nil {
			if !errors.Is(err, ErrBadHeader) {
				t.Fatalf("NewReader: %v is not ErrBadHeader", err)
			}
			return
		}
		covered := map[int]int{} // physical line -> Lines covering it
		prev := 0
		for {
			l, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if l.Number <= prev || l.last < l.Number {
				t.Fatalf("line %d (to %d) after %d", l.Number, l.last, prev)
			}
			if l.Invalid == "" && (!l.Type.Valid() || l.Amount <= 0 || l.Currency == "" || l.At.IsZero() || l.MerchantID == "" || (l.PGID == "" && l.PaymentID == "")) {
				t.Fatalf("a valid line lacks a value: %+v", l)
			}
			prev = l.last
			for n := l.Number; n <= l.last; n++ {
				covered[n]++
			}
		}
		physical := strings.Split(strings.TrimPrefix(text, "\uFEFF"), "\n")
		if len(physical) > 0 && physical[len(physical)-1] == "" {
			physical = physical[:len(physical)-1]
		}
		headerLine := headerEnd(physical)
		for i, p := range physical {
			n := i + 1
			if n <= headerLine {
				continue
			}
			p = strings.TrimSuffix(p, "\r")
			if covered[n] > 1 {
				t.Fatalf("physical line %d is in %d Lines", n, covered[n])
			}
			if covered[n] == 0 && !blank([]byte(p)) && len(p) <= maxLineBytes {
				t.Fatalf("physical line %d %q yields no Line", n, p)
			}
		}
	})
}

// headerEnd is the last physical line of the header record of a statement the reader
// accepted: the first non-blank line, and the lines its quoted fields span.
func headerEnd(physical []string) int {
	for i, p := range physical {
		if blank([]byte(strings.TrimSuffix(p, "\r"))) {
			continue
		}
		sc := newScanner(strings.NewReader(strings.Join(physical[i:], "\n")))
		rec, err := sc.record()
		if err != nil {
			return i + 1
		}
		return i + rec.last
	}
	return len(physical)
}

// A line without a PG id or a payment id is valid: it can still be paired by merchant,
// amount, currency and time (the amount_time rule).
func TestReaderLineWithoutIDs(t *testing.T) {
	t.Parallel()
	lines := readAll(t, "pg_transaction_id,type,merchant_id,payment_id,amount,currency,transacted_at\n,CAPTURE,m_shop,,100,KRW,2026-03-01T10:00:00Z\n")
	if len(lines) != 1 || lines[0].Invalid != "" || lines[0].Amount != 100 || lines[0].MerchantID != "m_shop" {
		t.Fatalf("lines = %+v", lines)
	}
}
