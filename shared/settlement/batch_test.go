package settlement_test

import (
	"encoding/json"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/money"
	"github.com/paylane/paylane/shared/settlement"
)

// The fee is 2.5% (or the merchant's rate) of the day's gross, rounded half up to a whole
// minor unit of the currency, whatever its exponent.
func TestNewBatch_Fee(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		currency string
		gross    int64
		refunded int64
		bps      int
		fee, net int64
	}{
		{"USD 2.5% of $19.99 = 49.975 cents, up", "USD", 1999, 0, 250, 50, 1949},
		{"KRW 2.5% of 50,001 = 1,250.025, down", "KRW", 50_001, 0, 250, 1250, 48_751},
		{"KRW 2.5% of 50,000 exactly", "KRW", 50_000, 0, 250, 1250, 48_750},
		{"USD half a cent rounds up: 2.5% of 100 = 2.5", "USD", 100, 0, 250, 3, 97},
		{"KRW half a won rounds up: 2.5% of 20 = 0.5", "KRW", 20, 0, 250, 1, 19},
		{"KRW just under half: 2.5% of 19 = 0.475", "KRW", 19, 0, 250, 0, 19},
		{"USD 1.75% of $1,234.57 = 2160.4975 cents", "USD", 123_457, 0, 175, 2160, 121_297},
		{"JPY 3.6% of 999 = 35.964", "JPY", 999, 0, 360, 36, 963},
		{"BHD (3 decimals) 2.5% of 1.010 = 25.25 fils", "BHD", 1010, 0, 250, 25, 985},
		{"refunds do not give the fee back", "USD", 10_000, 4_000, 250, 250, 5_750},
		{"refunds above the day's captures: net negative", "KRW", 10_000, 30_000, 250, 250, -20_250},
		{"refund-only day: no fee, net negative", "USD", 0, 1999, 250, 0, -1999},
		{"zero rate", "USD", 1999, 0, 0, 0, 1999},
		{"full rate", "USD", 1999, 0, 10_000, 1999, 0},
		{"the largest payment", "KRW", money.MaxAmount, 0, 250, 25_000_000_000, 975_000_000_000},
	}
	at := time.Date(2026, 3, 2, 0, 5, 0, 0, time.FixedZone("KST", 9*3600))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := settlement.NewBatch("m_a", "2026-03-01", settlement.Totals{Currency: tc.currency, Gross: tc.gross, Refunded: tc.refunded, Captures: 3, Refunds: 2}, tc.bps, at)
			want := settlement.Batch{
				ID: "stl_20260301_" + strings.ToLower(tc.currency), MerchantID: "m_a", Date: "2026-03-01", Currency: tc.currency,
				Gross: tc.gross, Refunded: tc.refunded, Fee: tc.fee, Net: tc.net, PaymentCount: 5,
				Status: settlement.StatusClosed, CreatedAt: at.UTC(),
			}
			if b != want {
				t.Errorf("NewBatch = %+v\nwant        %+v", b, want)
			}
		})
	}
}

// For any day, the batch's amounts add up (gross = refunded + fee + net), the fee is the
// exact rate rounded half up, and it never exceeds what was captured.
func TestNewBatch_AmountsAddUp(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 5))
	for range 20_000 {
		tot := settlement.Totals{Currency: "USD", Gross: r.Int64N(money.MaxAmount + 1), Refunded: r.Int64N(money.MaxAmount + 1)}
		if r.IntN(4) == 0 {
			tot.Gross = r.Int64N(1000)
		}
		bps := r.IntN(10_001)
		b := settlement.NewBatch("m_a", "2026-03-01", tot, bps, t0)
		if b.Refunded+b.Fee+b.Net != b.Gross {
			t.Fatalf("%+v: refunded + fee + net = %d, want gross %d", b, b.Refunded+b.Fee+b.Net, b.Gross)
		}
		if b.Fee < 0 || b.Fee > b.Gross {
			t.Fatalf("%+v: fee outside 0..gross", b)
		}
		// Exact: fee = floor(gross*bps/10000 + 1/2).
		exact := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(tot.Gross), big.NewInt(int64(bps))), big.NewInt(10_000))
		exact.Add(exact, big.NewRat(1, 2))
		want := new(big.Int).Quo(exact.Num(), exact.Denom())
		if want.Int64() != b.Fee {
			t.Fatalf("fee of %d at %d bps = %d, want %s", tot.Gross, bps, b.Fee, want)
		}
	}
}

// The API's JSON of a batch, field by field (API.md).
func TestBatch_JSON(t *testing.T) {
	t.Parallel()
	b := settlement.NewBatch("m_demo", "2026-03-01", settlement.Totals{Currency: "KRW", Gross: 50_001, Refunded: 1_000, Captures: 2, Refunds: 1}, 250,
		time.Date(2026, 3, 2, 9, 5, 0, 120_000_000, time.FixedZone("KST", 9*3600)))
	got, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"stl_20260301_krw","merchantId":"m_demo","settlementDate":"2026-03-01","currency":"KRW",` +
		`"grossAmount":50001,"refundAmount":1000,"feeAmount":1250,"netAmount":47751,"paymentCount":3,` +
		`"status":"CLOSED","createdAt":"2026-03-02T00:05:00.12Z"}`
	if string(got) != want {
		t.Errorf("JSON\n%s\nwant\n%s", got, want)
	}
	var back settlement.Batch
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if back != b {
		t.Errorf("round trip %+v, want %+v", back, b)
	}
	if err := json.Unmarshal([]byte(`{"grossAmount":"lots"}`), &back); err == nil {
		t.Error("a string amount decoded")
	}
}

func TestClosedEvent(t *testing.T) {
	t.Parallel()
	b := settlement.NewBatch("m_demo", "2026-03-01", settlement.Totals{Currency: "USD", Gross: 1999, Captures: 1}, 250, t0)
	ev := settlement.NewClosedEvent(b)
	got, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"m_demo/stl_20260301_usd","type":"settlement.closed","occurredAt":"2026-03-01T10:00:00Z","merchantId":"m_demo",` +
		`"paymentId":"","version":1,"data":{"id":"stl_20260301_usd","merchantId":"m_demo","settlementDate":"2026-03-01",` +
		`"currency":"USD","grossAmount":1999,"refundAmount":0,"feeAmount":50,"netAmount":1949,"paymentCount":1,"status":"CLOSED",` +
		`"createdAt":"2026-03-01T10:00:00Z"}}`
	if string(got) != want {
		t.Errorf("JSON\n%s\nwant\n%s", got, want)
	}
	other := settlement.NewBatch("m_other", "2026-03-01", settlement.Totals{Currency: "USD", Gross: 1999, Captures: 1}, 250, t0)
	if other.ID != b.ID || other.GlobalID() == b.GlobalID() {
		t.Errorf("two merchants' batches of a day: ids %s/%s, global ids %s/%s; want the same id, different global ids",
			b.ID, other.ID, b.GlobalID(), other.GlobalID())
	}
}

func TestParseBatchID(t *testing.T) {
	t.Parallel()
	for id, want := range map[string][2]string{
		"stl_20260301_krw": {"2026-03-01", "KRW"},
		"stl_20281231_usd": {"2028-12-31", "USD"},
		"stl_20280229_bhd": {"2028-02-29", "BHD"},
	} {
		day, cur, err := settlement.ParseBatchID(id)
		if err != nil || day != want[0] || cur != want[1] {
			t.Errorf("ParseBatchID(%q) = %q, %q, %v; want %v", id, day, cur, err, want)
		}
		if back := settlement.BatchID(day, cur); back != id {
			t.Errorf("BatchID(%q, %q) = %q, want %q", day, cur, back, id)
		}
	}
	for _, id := range []string{"", "stl_", "stl_20260301", "stl_20260301_", "stl_20260301_KRW", "stl_20260230_krw",
		"stl_2026031_krw", "stl_20260301_xxx", "stl_20260301_krw_", "STL_20260301_krw", "pay_20260301_krw", "stl_2026-3-1_krw"} {
		if _, _, err := settlement.ParseBatchID(id); !fault.Is(err, fault.NotFound) {
			t.Errorf("ParseBatchID(%q) = %v, want fault.NotFound", id, err)
		}
	}
}

// Whatever ParseBatchID accepts, BatchID writes back the same.
func FuzzParseBatchID(f *testing.F) {
	for _, s := range []string{"stl_20260301_krw", "stl_20260301_usd", "stl_99991231_jpy", "stl_00000101_krw", "stl__"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		day, cur, err := settlement.ParseBatchID(id)
		if err != nil {
			if !fault.Is(err, fault.NotFound) {
				t.Fatalf("ParseBatchID(%q) = %v, want fault.NotFound", id, err)
			}
			return
		}
		if back := settlement.BatchID(day, cur); back != id {
			t.Fatalf("ParseBatchID(%q) = %q, %q, which BatchID writes %q", id, day, cur, back)
		}
	})
}
