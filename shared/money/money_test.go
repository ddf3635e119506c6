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
