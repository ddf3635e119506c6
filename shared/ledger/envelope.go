package ledger

import (
	"github.com/paylane/paylane/shared/payment"
)

// decodeMessage reads the payment event out of a ledger queue message.
func decodeMessage(body string) (payment.Event, error) { return payment.EventFromBusMessage(body) }
