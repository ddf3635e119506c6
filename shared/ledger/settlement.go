package ledger

import "time"

// ForSettlement returns the journal that closes a merchant's settlement day in one
// currency: the fee moves from the merchant's payable to fee_revenue, the net to the
// merchant's payout_clearing. id is the settlement batch's id, so re-running a day posts
// nothing twice. A negative fee or net moves the other way (see the package doc); a zero
// one posts no lines; both zero is an invalid journal: a day with nothing to settle has
// nothing to post.
func ForSettlement(id, merchantID, currency string, fee, net int64, at time.Time) (Journal, error) {
	payable := MerchantPayable(merchantID)
	var postings []Posting
	postings = append(postings, signedTransfer(payable, FeeRevenue, fee)...)
	postings = append(postings, signedTransfer(payable, PayoutClearing(merchantID), net)...)
	j := Journal{
		ID: id, MerchantID: merchantID, Currency: currency, Kind: KindSettlement,
		Postings: postings, OccurredAt: at,
	}
	if err := j.Validate(); err != nil {
		return Journal{}, err
	}
	return j, nil
}

// signedTransfer moves amount from debit to credit, or -amount back when it is negative.
func signedTransfer(debit, credit string, amount int64) []Posting {
	switch {
	case amount > 0:
		return transfer(debit, credit, amount)
	case amount < 0:
		return transfer(credit, debit, -amount)
	}
	return nil
}
