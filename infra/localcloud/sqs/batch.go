package sqs

import "github.com/paylane/paylane/infra/localcloud/awsproto"

const (
	maxBatchEntries  = 10
	maxBatchIDLength = 80
)

// batchEntry is an entry of a batch request, which names it by its Id.
type batchEntry interface{ entryID() *string }

func (e sendMessageBatchEntry) entryID() *string      { return e.Id }
func (e deleteMessageBatchEntry) entryID() *string    { return e.Id }
func (e changeVisibilityBatchEntry) entryID() *string { return e.Id }

// checkBatchIDs applies the request-level batch rules: 1 to 10 entries,
// each Id 1-80 alphanumerics, hyphens or underscores, all distinct.
func checkBatchIDs[E batchEntry](entries []E) *awsproto.Error {
	if len(entries) == 0 {
		return errEmptyBatchRequest()
	}
	if len(entries) > maxBatchEntries {
		return errTooManyEntriesInBatchRequest(len(entries))
	}
	seen := make(map[string]bool, len(entries))
	for _, e := range entries {
		id := e.entryID()
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

// applyToBatch resolves the queue url names and applies op, the
// single-message operation of DeleteMessageBatch or
// ChangeMessageVisibilityBatch, to every entry; an entry that fails is
// reported by its Id and does not stop the others.
func applyToBatch[E batchEntry](s *Service, url *string, entries []E, op func(q *queue, e E) *awsproto.Error) (any, error) {
	q, apiErr := s.queueFromURL(url)
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := checkBatchIDs(entries); apiErr != nil {
		return nil, apiErr
	}
	out := batchIDOutput{Successful: []batchIDEntry{}, Failed: []batchResultErrorEntry{}}
	for _, e := range entries {
		if apiErr := op(q, e); apiErr != nil {
			out.Failed = append(out.Failed, batchFailure(*e.entryID(), apiErr))
			continue
		}
		out.Successful = append(out.Successful, batchIDEntry{Id: *e.entryID()})
	}
	return out, nil
}

// applyToQueue resolves the queue url names and applies op, the operation
// of DeleteMessage or ChangeMessageVisibility, which answer nothing.
func (s *Service) applyToQueue(url *string, op func(q *queue) *awsproto.Error) (any, error) {
	q, apiErr := s.queueFromURL(url)
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := op(q); apiErr != nil {
		return nil, apiErr
	}
	return emptyOutput{}, nil
}

// batchFailure reports a failed entry with the code SQS would have answered
// for the single-message operation.
func batchFailure(id string, e *awsproto.Error) batchResultErrorEntry {
	return batchResultErrorEntry{Id: id, SenderFault: e.Status < 500, Code: e.Type, Message: e.Message}
}
