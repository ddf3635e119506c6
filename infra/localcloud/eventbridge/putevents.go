package eventbridge

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// PutEvents limits: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
// and "Calculating PutEvents event entry size".
const (
	maxEntries         = 10
	maxEntriesSize     = 256 * 1024
	maxDetailTypeChars = 128
)

type putEventsInput struct {
	Entries    []putEventsEntry
	EndpointId *string
}

type putEventsEntry struct {
	Source       *string
	DetailType   *string
	Detail       *string
	Resources    []string
	Time         json.RawMessage
	EventBusName *string
	TraceHeader  *string
}

type putEventsResultEntry struct {
	EventId      string `json:"EventId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

type putEventsOutput struct {
	FailedEntryCount int                    `json:"FailedEntryCount"`
	Entries          []putEventsResultEntry `json:"Entries"`
}

// size follows the documented entry size calculation.
func (e *putEventsEntry) size() int {
	n := 0
	if len(e.Time) > 0 && string(e.Time) != "null" {
		n += 14
	}
	for _, p := range []*string{e.Source, e.DetailType, e.Detail} {
		if p != nil {
			n += len(*p)
		}
	}
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

func (e *putEventsEntry) complete() bool {
	return e.Source != nil && e.DetailType != nil && e.Detail != nil
}

func (s *Service) putEvents(ctx context.Context, body []byte) (any, error) {
	var in putEventsInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	if in.EndpointId != nil {
		return nil, notImplementedErr("global endpoints (EndpointId)")
	}
	if len(in.Entries) == 0 || len(in.Entries) > maxEntries {
		return nil, validationErr("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and %d", maxEntries)
	}
	total, anyComplete := 0, false
	for i := range in.Entries {
		total += in.Entries[i].size()
		anyComplete = anyComplete || in.Entries[i].complete()
	}
	if total > maxEntriesSize {
		return nil, validationErr("Total size of the entries in the request is over the limit.")
	}
	// "If you submit a request in which none of the entries have each of
	// these properties, EventBridge fails the entire request."
	if !anyComplete {
		return nil, validationErr("Parameters Source, DetailType and Detail are required: no entry of the request has all three.")
	}

	now := s.clock.Now().UTC()
	out := putEventsOutput{Entries: make([]putEventsResultEntry, len(in.Entries))}
	var accepted []*event
	for i := range in.Entries {
		ev, code, msg := s.acceptEntry(&in.Entries[i], now)
		if code != "" {
			out.Entries[i] = putEventsResultEntry{ErrorCode: code, ErrorMessage: msg}
			out.FailedEntryCount++
			continue
		}
		out.Entries[i] = putEventsResultEntry{EventId: ev.id}
		accepted = append(accepted, ev)
	}
	for _, ev := range accepted {
		s.route(ctx, ev)
	}
	return out, nil
}

// acceptEntry validates one entry and builds its event, or returns the
// per-entry error code and message.
func (s *Service) acceptEntry(e *putEventsEntry, now time.Time) (*event, string, string) {
	switch {
	case e.Source == nil || *e.Source == "":
		return nil, "InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."
	case e.DetailType == nil || *e.DetailType == "":
		return nil, "InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."
	case e.Detail == nil:
		return nil, "InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."
	case len([]rune(*e.DetailType)) > maxDetailTypeChars:
		return nil, "InvalidArgument", fmt.Sprintf("Parameter DetailType is not valid. Reason: DetailType must be at most %d characters.", maxDetailTypeChars)
	case strings.HasPrefix(*e.Source, "aws."):
		// Sources starting with "aws." are reserved for AWS services.
		return nil, "NotAuthorizedForSourceException", "Not authorized for the source."
	}
	detail := bytes.TrimSpace([]byte(*e.Detail))
	if !json.Valid(detail) || len(detail) == 0 || detail[0] != '{' {
		return nil, "MalformedDetail", "Detail is malformed."
	}
	at, ok := entryTime(e.Time, now)
	if !ok {
		return nil, "InvalidArgument", "Parameter Time is not valid."
	}
	busName, err := s.busName(e.EventBusName)
	if err != nil {
		return nil, "InvalidArgument", "Parameter EventBusName is not valid."
	}
	s.mu.Lock()
	_, exists := s.buses[busName]
	s.mu.Unlock()
	if !exists {
		// AWS has been seen to accept events for a missing bus and drop
		// them; a test tool reports the mistake instead.
		return nil, "ResourceNotFoundException", fmt.Sprintf("Event bus %s does not exist.", busName)
	}
	ev, err := s.newEvent(busName, *e.Source, *e.DetailType, detail, e.Resources, at, now)
	if err != nil {
		return nil, "InternalFailure", err.Error()
	}
	return ev, "", ""
}

// entryTime reads an entry's Time, epoch seconds as awsJson sends
// timestamps (an RFC 3339 string is accepted too); it defaults to now.
func entryTime(raw json.RawMessage, now time.Time) (time.Time, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return now, true
	}
	var secs float64
	if err := json.Unmarshal(raw, &secs); err == nil {
		if math.IsNaN(secs) || math.IsInf(secs, 0) || math.Abs(secs) > 1e11 {
			return time.Time{}, false
		}
		whole, frac := math.Modf(secs)
		return time.Unix(int64(whole), int64(frac*1e9)).UTC(), true
	}
	var str string
	if err := json.Unmarshal(raw, &str); err == nil {
		if t, err := time.Parse(time.RFC3339, str); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
