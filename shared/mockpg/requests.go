package mockpg

import (
	"fmt"
	"unicode/utf8"
)

// maxAmount is the largest amount the Paylane API accepts (10^12 minor units).
const maxAmount = 1_000_000_000_000

type authorizeRequest struct {
	MerchantID    string `json:"merchantId"`
	Amount        *int64 `json:"amount"`
	Currency      string `json:"currency"`
	PaymentMethod string `json:"paymentMethod"`
	Reference     string `json:"reference"`
}

func (r authorizeRequest) validate() error {
	switch {
	case r.MerchantID == "" || utf8.RuneCountInString(r.MerchantID) > 64:
		return fmt.Errorf("%w: merchantId must be 1 to 64 characters", errBadRequest)
	case r.Amount == nil:
		return fmt.Errorf("%w: amount is required", errBadRequest)
	case *r.Amount <= 0 || *r.Amount > maxAmount:
		return fmt.Errorf("%w: amount must be an integer between 1 and %d", errBadRequest, int64(maxAmount))
	case !isCurrency(r.Currency):
		return fmt.Errorf("%w: currency must be an ISO 4217 code of three upper-case letters", errBadRequest)
	case r.PaymentMethod == "":
		return fmt.Errorf("%w: paymentMethod is required", errBadRequest)
	case utf8.RuneCountInString(r.Reference) > 128:
		return fmt.Errorf("%w: reference must be at most 128 characters", errBadRequest)
	}
	return nil
}

// amountRequest is the body of capture and refund.
type amountRequest struct {
	Amount *int64 `json:"amount"`
}

func (r amountRequest) validate() error {
	if r.Amount == nil {
		return fmt.Errorf("%w: amount is required", errBadRequest)
	}
	if *r.Amount <= 0 || *r.Amount > maxAmount {
		return fmt.Errorf("%w: amount must be an integer between 1 and %d", errBadRequest, int64(maxAmount))
	}
	return nil
}

// voidRequest is the (empty) body of void.
type voidRequest struct{}

func (voidRequest) validate() error { return nil }

func isCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := range 3 {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// validIdempotencyKey checks 1 to 255 printable ASCII characters.
func validIdempotencyKey(k string) bool {
	if len(k) == 0 || len(k) > 255 {
		return false
	}
	for i := range len(k) {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}
