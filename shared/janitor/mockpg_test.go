package janitor_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/janitor"
	"github.com/paylane/paylane/shared/mockpg"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/pgclient"
)

// The whole chain against the mock PG through the real client: the API's authorization
// times out (the PG approved, the answer was lost), the service leaves its note, and the
// janitor settles it.
func TestMockPG_UnknownAuthorizations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		method        string
		merchantRetry bool
		want          janitor.Report
		wantPGState   string
	}{
		{name: "ApprovedAndLostIsVoided", method: "pm_card", want: janitor.Report{Voided: 1}, wantPGState: "VOIDED"},
		{name: "RecordedByTheRetryIsKept", method: "pm_card", merchantRetry: true, want: janitor.Report{RecordedByRetry: 1}, wantPGState: "AUTHORIZED"},
		{name: "NeverPerformed", method: "pm_timeout", want: janitor.Report{NotPerformed: 1}},
		{name: "DeclinedAndLost", method: "pm_decline_do_not_honor", want: janitor.Report{Declined: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			pg := mockpg.New(mockpg.Options{})
			srv := httptest.NewServer(pg)
			t.Cleanup(srv.Close)
			t.Cleanup(pg.Close)
			client := pgclient.New(pgclient.Options{BaseURL: srv.URL, HTTP: srv.Client(), Timeout: 100 * time.Millisecond})
			r.j.PG = client
			svc := &payment.Service{Store: r.store, PG: client, Unknown: r.store, NewID: func() string { return "ev_1" },
				Now: func() time.Time { return r.now }}
			cmd := payment.AuthorizeCommand{
				NewPayment:    payment.NewPayment{ID: "pay_1", MerchantID: merchantID, Amount: 5000, Currency: "KRW"},
				PaymentMethod: tc.method,
			}

			if tc.method != "pm_timeout" {
				if err := pg.SetSettings(mockpg.Settings{DropResponses: true}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := svc.Authorize(ctxT(t), cmd, nil); !fault.Is(err, fault.PGUnavailable) {
				t.Fatalf("Authorize: %v, want pg_unavailable", err)
			}
			if err := pg.SetSettings(mockpg.Settings{}); err != nil {
				t.Fatal(err)
			}
			if tc.merchantRetry {
				if p, err := svc.Authorize(ctxT(t), cmd, nil); err != nil || p.Status != payment.Authorized {
					t.Fatalf("the merchant's retry: %+v, %v", p, err)
				}
			}

			r.now = r.now.Add(time.Hour)
			rep, err := r.j.Run(ctxT(t))
			if err != nil || rep != tc.want {
				t.Fatalf("Run: %+v, %v; want %+v", rep, err, tc.want)
			}
			if left := r.left(t); len(left) != 0 {
				t.Errorf("notes left: %v", left)
			}
			if tc.wantPGState != "" {
				o, err := client.Lookup(ctxT(t), "authorize:pay_1", "authorize")
				if err != nil {
					t.Fatal(err)
				}
				auth, err := o.Authorization()
				if err != nil {
					t.Fatal(err)
				}
				if got := pgState(t, srv.URL, auth.PGTransactionID); got != tc.wantPGState {
					t.Errorf("PG state %s, want %s", got, tc.wantPGState)
				}
			}
		})
	}
}

func pgState(t *testing.T, base, id string) string {
	t.Helper()
	resp, err := http.Get(base + "/v1/authorizations/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		State string `json:"state"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	return got.State
}
