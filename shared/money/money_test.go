package money

import (
	"testing"

	"github.com/paylane/paylane/shared/fault"
)

func TestLookupCurrency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code     string
		exponent int
		ok       bool
	}{
		{"KRW", 0, true}, {"JPY", 0, true}, {"USD", 2, true}, {"EUR", 2, true}, {"KWD", 3, true},
		{"usd", 0, false}, {"XXX", 0, false}, {"", 0, false}, {"US", 0, false},
	}
	for _, tc := range tests {
		c, err := LookupCurrency(tc.code)
		if tc.ok != (err == nil) || (tc.ok && c.Exponent != tc.exponent) {
			t.Errorf("LookupCurrency(%q) = %+v, %v", tc.code, c, err)
		}
		if !tc.ok && !fault.Is(err, fault.Invalid) {
			t.Errorf("LookupCurrency(%q): err %v is not invalid_request", tc.code, err)
		}
	}
}

func TestValidateAmount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		amount int64
		ok     bool
	}{{1, true}, {MaxAmount, true}, {0, false}, {-1, false}, {MaxAmount + 1, false}} {
		err := ValidateAmount("amount", tc.amount)
		if tc.ok != (err == nil) {
			t.Errorf("ValidateAmount(%d) = %v", tc.amount, err)
		}
		var fe *fault.Error
		if err != nil && (!fault.Is(err, fault.Invalid) || !asField(err, &fe) || fe.Field != "amount") {
			t.Errorf("ValidateAmount(%d): %v does not name the field", tc.amount, err)
		}
	}
}

func asField(err error, fe **fault.Error) bool {
	e, ok := err.(*fault.Error)
	*fe = e
	return ok
}

func TestFormat(t *testing.T) {
	t.Parallel()
	usd, _ := LookupCurrency("USD")
	krw, _ := LookupCurrency("KRW")
	bhd, _ := LookupCurrency("BHD")
	for _, tc := range []struct {
		amount int64
		c      Currency
		want   string
	}{{1999, usd, "19.99 USD"}, {5, usd, "0.05 USD"}, {-1999, usd, "-19.99 USD"}, {50000, krw, "50000 KRW"}, {1234, bhd, "1.234 BHD"}} {
		if got := Format(tc.amount, tc.c); got != tc.want {
			t.Errorf("Format(%d, %s) = %q, want %q", tc.amount, tc.c.Code, got, tc.want)
		}
	}
}

func TestFee(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		amount int64
		bps    int
		want   int64
	}{
		{1999, 250, 50},    // USD 19.99 at 2.5% = 49.975 cents -> 50
		{50001, 250, 1250}, // KRW 50,001 at 2.5% = 1,250.025 -> 1,250
		{20, 250, 1},       // 0.5 -> 1: halves round up
		{19, 250, 0},       // 0.475 -> 0
		{60, 250, 2},       // 1.5 -> 2
		{-60, 250, -2},     // a negative day rounds away from zero too
		{0, 250, 0},
		{1_000_000_000_000, 10_000, 1_000_000_000_000},
		{12345, 0, 0},
	} {
		if got := Fee(tc.amount, tc.bps); got != tc.want {
			t.Errorf("Fee(%d, %d) = %d, want %d", tc.amount, tc.bps, got, tc.want)
		}
	}
}

// FuzzFee checks the rule against exact rational arithmetic.
func FuzzFee(f *testing.F) {
	f.Add(int64(1999), 250)
	f.Add(int64(-7), 5000)
	f.Fuzz(func(t *testing.T, amount int64, bps int) {
		if amount > MaxAmount || amount < -MaxAmount || bps < 0 || bps > 10_000 {
			return
		}
		got := Fee(amount, bps)
		// |fee - exact| <= 1/2, and exactly 1/2 only when rounding away from zero.
		diff2 := 2*got*10_000 - 2*amount*int64(bps) // 2 x 10,000 x (fee - exact)
		if diff2 > 10_000 || diff2 < -10_000 {
			t.Fatalf("Fee(%d, %d) = %d is more than half a unit off", amount, bps, got)
		}
		if (diff2 == 10_000 && amount < 0) || (diff2 == -10_000 && amount > 0) {
			t.Fatalf("Fee(%d, %d) = %d rounds a half toward zero", amount, bps, got)
		}
	})
}
