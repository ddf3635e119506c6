package eventsource

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// Invoker runs a function synchronously and returns its response payload.
// Any non-nil error is a failed invocation.
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

// ErrInvalidMapping is wrapped by the configuration errors RunSQS and
// RunStream return before polling.
var ErrInvalidMapping = errors.New("invalid event source mapping")

// errBadBatchResponse marks a partial batch response Lambda treats as a
// failure of the whole batch.
var errBadBatchResponse = errors.New("invalid batchItemFailures response")

// parseBatchItemFailures reads a partial batch response
// {"batchItemFailures":[{"itemIdentifier":"..."}]}. An empty or null response,
// or a null or empty list, reports no failure. An item without a non-empty
// itemIdentifier string, an identifier not in known, or an answer that is not
// such an object fails the whole batch (errBadBatchResponse); see "Success and
// failure conditions" in
// https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html.
func parseBatchItemFailures(out []byte, known map[string]bool) ([]string, error) {
	out = bytes.TrimSpace(out)
	if len(out) == 0 || string(out) == "null" {
		return nil, nil
	}
	var resp map[string]json.RawMessage
	if err := json.Unmarshal(out, &resp); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadBatchResponse, err)
	}
	raw, ok := resp["batchItemFailures"]
	if !ok || string(bytes.TrimSpace(raw)) == "null" {
		return nil, nil
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadBatchResponse, err)
	}
	ids := make([]string, 0, len(items))
	for _, item := range items {
		var id string
		if err := json.Unmarshal(item["itemIdentifier"], &id); err != nil || id == "" {
			return nil, fmt.Errorf("%w: item %v has no itemIdentifier", errBadBatchResponse, item)
		}
		if !known[id] {
			return nil, fmt.Errorf("%w: itemIdentifier %q is not in the batch", errBadBatchResponse, id)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// functionARN returns the function's ARN; names are qualified with the region.
func functionARN(function, region string) string {
	if _, _, _, _, err := awsproto.ParseARN(function); err == nil {
		return function
	}
	return awsproto.ARN("lambda", region, "function:"+function)
}

// sleep waits for d or until ctx is done, reporting whether it slept fully.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
