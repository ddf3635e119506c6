package ledger

import "strings"

// System accounts: one each, shared by every merchant.
const (
	PGReceivable = "pg_receivable"
	FeeRevenue   = "fee_revenue"
)

// Prefixes of the merchant's accounts; the merchant id follows.
const (
	merchantPayablePrefix = "merchant_payable:"
	payoutClearingPrefix  = "payout_clearing:"
	payoutPaidPrefix      = "payout_paid:"
)

// MerchantPayable names what we owe the merchant for captures not yet settled.
func MerchantPayable(merchantID string) string { return merchantPayablePrefix + merchantID }

// PayoutClearing names the merchant's settled net amounts awaiting payout.
func PayoutClearing(merchantID string) string { return payoutClearingPrefix + merchantID }

// PayoutPaid names what has been paid out to the merchant.
func PayoutPaid(merchantID string) string { return payoutPaidPrefix + merchantID }

// AccountMerchant returns the merchant a merchant account belongs to; ok is false for a
// system account and for a name that is no account at all.
func AccountMerchant(account string) (merchantID string, ok bool) {
	for _, prefix := range [...]string{merchantPayablePrefix, payoutClearingPrefix, payoutPaidPrefix} {
		if id, found := strings.CutPrefix(account, prefix); found && id != "" {
			return id, true
		}
	}
	return "", false
}

// IsSystemAccount reports whether account is one of the shared accounts.
func IsSystemAccount(account string) bool {
	return account == PGReceivable || account == FeeRevenue
}
