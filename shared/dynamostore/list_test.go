package dynamostore

import (
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/payment"
)

// seedList stores n payments of merchantID, one a minute from start; every third is
// voided. It returns their ids, oldest first.
func seedList(t testing.TB, s *Payments, merchantID string, n int, start time.Time) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range n {
		id := fmt.Sprintf("pay_%s_%03d", merchantID, i)
		at := start.Add(time.Duration(i) * time.Minute)
		p, ev := authorized(id, merchantID, int64(100+i), at)
		mustInsert(t, s, p, ev)
		if i%3 == 0 {
			ev, err := p.Void("ev_void_"+id, at)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Update(ctxT(t), p, []payment.Event{ev}, nil); err != nil {
				t.Fatal(err)
			}
		}
		ids[i] = id
	}
	return ids
}

// listAll pages through a list and returns the ids in the order received.
func listAll(t testing.TB, s *Payments, merchantID string, q payment.ListQuery) (ids []string, pages int) {
	t.Helper()
	for {
		page, err := s.List(ctxT(t), merchantID, q)
		if err != nil {
			t.Fatalf("List page %d: %v", pages+1, err)
		}
		pages++
		if len(page.Payments) > q.Limit {
			t.Fatalf("page of %d payments with limit %d", len(page.Payments), q.Limit)
		}
		for _, p := range page.Payments {
			if p.MerchantID != merchantID {
				t.Fatalf("payment %s of merchant %s in %s's list", p.ID, p.MerchantID, merchantID)
			}
			if q.Status != "" && p.Status != q.Status {
				t.Fatalf("payment %s is %s, the filter asked for %s", p.ID, p.Status, q.Status)
			}
			ids = append(ids, p.ID)
		}
		if page.NextCursor == "" {
			return ids, pages
		}
		if pages > 50 {
			t.Fatal("the cursor never ends")
		}
		q.Cursor = page.NextCursor
	}
}

func TestPayments_List(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.paymentsStore(nil)
	start := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	ids := seedList(t, s, "m_1", 45, start)
	seedList(t, s, "m_2", 5, start) // another merchant's, interleaved in time

	newestFirst := func(keep func(i int) bool) []string {
		var want []string
		for i := len(ids) - 1; i >= 0; i-- {
			if keep(i) {
				want = append(want, ids[i])
			}
		}
		return want
	}
	tests := []struct {
		name      string
		q         payment.ListQuery
		want      []string
		wantPages int
	}{
		{"AllByTwenty", payment.ListQuery{Limit: 20}, newestFirst(func(int) bool { return true }), 3},
		{"AuthorizedByTwenty", payment.ListQuery{Limit: 20, Status: payment.Authorized},
			newestFirst(func(i int) bool { return i%3 != 0 }), 2},
		{"VoidedByTwenty", payment.ListQuery{Limit: 20, Status: payment.Voided},
			newestFirst(func(i int) bool { return i%3 == 0 }), 1},
		{"NoneCaptured", payment.ListQuery{Limit: 20, Status: payment.Captured}, nil, 1},
		{"FromToInclusive", payment.ListQuery{Limit: 7, From: start.Add(10 * time.Minute), To: start.Add(30 * time.Minute)},
			newestFirst(func(i int) bool { return i >= 10 && i <= 30 }), 3},
		{"FromOnly", payment.ListQuery{Limit: 100, From: start.Add(40 * time.Minute)},
			newestFirst(func(i int) bool { return i >= 40 }), 1},
		{"ToOnlyInAnotherZone", payment.ListQuery{Limit: 100, To: start.Add(4 * time.Minute).In(time.FixedZone("X", -5*3600))},
			newestFirst(func(i int) bool { return i <= 4 }), 1},
		{"FilterAndRange", payment.ListQuery{Limit: 3, Status: payment.Voided, From: start.Add(3 * time.Minute), To: start.Add(20 * time.Minute)},
			newestFirst(func(i int) bool { return i%3 == 0 && i >= 3 && i <= 20 }), 2},
		{"DefaultLimit", payment.ListQuery{}, newestFirst(func(int) bool { return true })[:20], 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.wantPages == 0 {
				page, err := s.List(ctxT(t), "m_1", tc.q)
				if err != nil {
					t.Fatal(err)
				}
				if got := idsOf(page.Payments); fmt.Sprint(got) != fmt.Sprint(tc.want) || page.NextCursor == "" {
					t.Errorf("got %v (cursor %q), want %v and a cursor", got, page.NextCursor, tc.want)
				}
				return
			}
			got, pages := listAll(t, s, "m_1", tc.q)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("ids:\n got %v\nwant %v", got, tc.want)
			}
			// A filter may leave DynamoDB with more to read after a full page, so a
			// filtered list may end with one empty page; an unfiltered one never does.
			slack := 0
			if tc.q.Status != "" {
				slack = 1
			}
			if pages < tc.wantPages || pages > tc.wantPages+slack {
				t.Errorf("pages: got %d, want %d (+%d)", pages, tc.wantPages, slack)
			}
		})
	}
}

func idsOf(ps []*payment.Payment) []string {
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return ids
}

// The status filter is applied after DynamoDB reads a page; with small pages most come
// back empty, and List must keep reading rather than end the list early.
func TestPayments_List_ShortPagesFromTheFilter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	start := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	seedList(t, e.paymentsStore(nil), "m_1", 30, start)
	var queries int
	s := e.paymentsStore(hookDB{DB: e.db, hook: func(op string, in any) error {
		if q, ok := in.(*dynamodb.QueryInput); ok {
			queries++
			q.Limit = aws.Int32(2) // DynamoDB may always stop a page early (1 MB)
		}
		return nil
	}})
	got, _ := listAll(t, s, "m_1", payment.ListQuery{Limit: 4, Status: payment.Voided})
	want := []string{"pay_m_1_027", "pay_m_1_024", "pay_m_1_021", "pay_m_1_018", "pay_m_1_015", "pay_m_1_012", "pay_m_1_009", "pay_m_1_006", "pay_m_1_003", "pay_m_1_000"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ids:\n got %v\nwant %v", got, want)
	}
	if queries < 15 {
		t.Errorf("%d queries for 30 items in pages of 2: pages were skipped", queries)
	}
}

func TestPayments_List_Invalid(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.paymentsStore(nil)
	start := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	seedList(t, s, "m_1", 3, start)
	seedList(t, s, "m_2", 3, start)
	page, err := s.List(ctxT(t), "m_2", payment.ListQuery{Limit: 1})
	if err != nil || page.NextCursor == "" {
		t.Fatalf("List: %v, cursor %q", err, page.NextCursor)
	}
	otherMerchants := page.NextCursor
	page, err = s.List(ctxT(t), "m_1", payment.ListQuery{Limit: 1, From: start.Add(time.Minute)})
	if err != nil || page.NextCursor == "" {
		t.Fatalf("List: %v, cursor %q", err, page.NextCursor)
	}
	inRange := page.NextCursor
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

	tests := []struct {
		name      string
		q         payment.ListQuery
		wantField string
	}{
		{"LimitTooLarge", payment.ListQuery{Limit: 101}, "limit"},
		{"LimitNegative", payment.ListQuery{Limit: -1}, "limit"},
		{"UnknownStatus", payment.ListQuery{Status: "PENDING"}, "status"},
		{"ToBeforeFrom", payment.ListQuery{From: start, To: start.Add(-time.Nanosecond)}, "to"},
		{"CursorNotBase64", payment.ListQuery{Cursor: "%%%"}, "cursor"},
		{"CursorWithoutKey", payment.ListQuery{Cursor: enc("nope")}, "cursor"},
		{"CursorOfAnotherMerchant", payment.ListQuery{Cursor: otherMerchants}, "cursor"},
		{"CursorWithABadSortKey", payment.ListQuery{Cursor: enc("MERCHANT#m_1\x00yesterday#pay_1")}, "cursor"},
		{"CursorOutsideTheRange", payment.ListQuery{Cursor: inRange, To: start}, "cursor"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := s.List(ctxT(t), "m_1", tc.q)
			var fe *fault.Error
			if !asFault(err, &fe) || fe.Code != fault.Invalid || fe.Field != tc.wantField {
				t.Fatalf("List: got %v, want invalid_request on %s", err, tc.wantField)
			}
		})
	}
}
