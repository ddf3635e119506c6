// Package money holds amounts as integer counts of a currency's minor unit, and the
// currencies Paylane supports with their ISO 4217 exponents. No floats anywhere near money.
package money

import (
	"fmt"

	"github.com/paylane/paylane/shared/fault"
)

// MaxAmount is the largest amount one payment may have, in minor units (API.md).
const MaxAmount int64 = 1_000_000_000_000

// Currency is an ISO 4217 currency: its code and the number of decimals of its minor unit.
type Currency struct {
	Code     string
	Exponent int
}

// currencies supported for card payments, with their ISO 4217 minor-unit exponents.
var currencies = map[string]Currency{
	"AED": {"AED", 2}, "AUD": {"AUD", 2}, "BHD": {"BHD", 3}, "BRL": {"BRL", 2}, "CAD": {"CAD", 2},
	"CHF": {"CHF", 2}, "CLP": {"CLP", 0}, "CNY": {"CNY", 2}, "CZK": {"CZK", 2}, "DKK": {"DKK", 2},
	"EUR": {"EUR", 2}, "GBP": {"GBP", 2}, "HKD": {"HKD", 2}, "HUF": {"HUF", 2}, "IDR": {"IDR", 2},
	"ILS": {"ILS", 2}, "INR": {"INR", 2}, "ISK": {"ISK", 0}, "JOD": {"JOD", 3}, "JPY": {"JPY", 0},
	"KRW": {"KRW", 0}, "KWD": {"KWD", 3}, "MXN": {"MXN", 2}, "MYR": {"MYR", 2}, "NOK": {"NOK", 2},
	"NZD": {"NZD", 2}, "OMR": {"OMR", 3}, "PHP": {"PHP", 2}, "PLN": {"PLN", 2}, "SAR": {"SAR", 2},
	"SEK": {"SEK", 2}, "SGD": {"SGD", 2}, "THB": {"THB", 2}, "TND": {"TND", 3}, "TRY": {"TRY", 2},
	"TWD": {"TWD", 2}, "USD": {"USD", 2}, "VND": {"VND", 0}, "ZAR": {"ZAR", 2},
}

// LookupCurrency returns a supported currency by its upper-case ISO code.
// Returns an invalid_request fault for anything else.
func LookupCurrency(code string) (Currency, error) {
	c, ok := currencies[code]
	if !ok {
		return Currency{}, fault.Field("currency", "currency %q is not supported", code)
	}
	return c, nil
}

// ValidateAmount checks an amount a client asked for: a positive count of minor units, at
// most MaxAmount. field names the request field in the error.
func ValidateAmount(field string, amount int64) error {
	if amount <= 0 {
		return fault.Field(field, "%s must be a positive integer", field)
	}
	if amount > MaxAmount {
		return fault.Field(field, "%s must be at most %d", field, MaxAmount)
	}
	return nil
}

// Format renders an amount in major units for people (logs, payctl), never for arithmetic.
func Format(amount int64, c Currency) string {
	if c.Exponent == 0 {
		return fmt.Sprintf("%d %s", amount, c.Code)
	}
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	div := int64(1)
	for range c.Exponent {
		div *= 10
	}
	return fmt.Sprintf("%s%d.%0*d %s", sign, amount/div, c.Exponent, amount%div, c.Code)
}

// Fee is amount x bps / 10,000 (bps: basis points, 250 = 2.5%) in whole minor units,
// rounded half up — half away from zero for a negative amount. This is the one rounding
// rule for fees (ARCHITECTURE.md §3); nothing else rounds money.
func Fee(amount int64, bps int) int64 {
	neg := amount < 0
	if neg {
		amount = -amount
	}
	// amount <= MaxAmount (10^12) and bps <= 10^4 keep the product far below 2^63.
	fee := (amount*int64(bps) + 5_000) / 10_000
	if neg {
		return -fee
	}
	return fee
}
