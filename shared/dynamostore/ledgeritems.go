package dynamostore

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/ledger"
)

// journalAttributes are the attributes of a journal, shared by the journal item and its
// payment line. Postings are a list of maps, readable as they are in the console.
func journalAttributes(j ledger.Journal) item {
	postings := make([]types.AttributeValue, len(j.Postings))
	for i, p := range j.Postings {
		postings[i] = &types.AttributeValueMemberM{Value: item{
			attrAccount: avS(p.Account), attrDebit: avN(p.Debit), attrCredit: avN(p.Credit),
		}}
	}
	it := item{
		attrJournalID:      avS(j.ID),
		attrMerchantID:     avS(j.MerchantID),
		attrLedgerCurrency: avS(j.Currency),
		attrKind:           avS(j.Kind),
		attrOccurredAt:     avTime(j.OccurredAt),
		attrPostings:       &types.AttributeValueMemberL{Value: postings},
	}
	if j.PaymentID != "" {
		it[attrPaymentID] = avS(j.PaymentID)
	}
	return it
}

// journalFromItem decodes a journal item or payment line. An item that does not decode
// is corrupt: an error wrapping errCorruptJournal.
func journalFromItem(it item) (ledger.Journal, error) {
	r := reader{item: it}
	j := ledger.Journal{
		ID:         r.str(attrJournalID),
		MerchantID: r.str(attrMerchantID),
		PaymentID:  r.optStr(attrPaymentID),
		Currency:   r.str(attrLedgerCurrency),
		Kind:       r.str(attrKind),
		OccurredAt: r.time(attrOccurredAt),
	}
	list, ok := it[attrPostings].(*types.AttributeValueMemberL)
	if !ok {
		r.fail("attribute %s is missing or not a list", attrPostings)
	} else {
		for i, v := range list.Value {
			m, ok := v.(*types.AttributeValueMemberM)
			if !ok {
				r.fail("posting %d is a %T, not a map", i, v)
				break
			}
			pr := reader{item: m.Value}
			j.Postings = append(j.Postings, ledger.Posting{
				Account: pr.str(attrAccount), Debit: pr.int(attrDebit), Credit: pr.int(attrCredit),
			})
			if pr.err != nil {
				r.fail("posting %d: %w", i, pr.err)
			}
		}
	}
	if r.err != nil {
		return ledger.Journal{}, fmt.Errorf("%w %s/%s: %w", errCorruptJournal, keyOf(it, attrPK), keyOf(it, attrSK), r.err)
	}
	return j, nil
}

// totalFromItem decodes a balance item.
func totalFromItem(it item) (ledger.Total, error) {
	r := reader{item: it}
	t := ledger.Total{
		Account:  r.str(attrAccount),
		Currency: r.str(attrLedgerCurrency),
		Debit:    r.optInt(attrDebit),
		Credit:   r.optInt(attrCredit),
	}
	if r.err != nil {
		return ledger.Total{}, fmt.Errorf("%w %s/%s: %w", errCorruptJournal, keyOf(it, attrPK), keyOf(it, attrSK), r.err)
	}
	return t, nil
}

// keyOf reads a key attribute for an error message.
func keyOf(it item, name string) string {
	if s, ok := it[name].(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return "?"
}
