package sqs

import "github.com/paylane/paylane/infra/localcloud/awsproto"

const (
	maxBatchEntries  = 10
	maxBatchIDLength = 80
)

// checkBatchIDs applies the request-level batch rules: 1 to 10 entries,
// each Id 1-80 alphanumerics, hyphens or underscores, all distinct.
func checkBatchIDs(ids []*string) *awsproto.Error {
	if len(ids) == 0 {
		return errEmptyBatchRequest()
	}
	if len(ids) > maxBatchEntries {
		return errTooManyEntriesInBatchRequest(len(ids))
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id == nil {
			return errMissingParameter("Id")
		}
		if !validBatchID(*id) {
			return errInvalidBatchEntryID(*id)
		}
		if seen[*id] {
			return errBatchEntryIdsNotDistinct(*id)
		}
		seen[*id] = true
	}
	return nil
}

func validBatchID(id string) bool {
	if id == "" || len(id) > maxBatchIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(isAlnum(c) || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// batchFailure reports a failed entry with the code SQS would have answered
// for the single-message operation.
func batchFailure(id string, e *awsproto.Error) batchResultErrorEntry {
	return batchResultErrorEntry{Id: id, SenderFault: e.Status < 500, Code: e.Type, Message: e.Message}
}
