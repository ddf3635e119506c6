package recon

import "time"

// EventCompleted is the type of the event a finished run publishes (ARCHITECTURE.md §5).
const EventCompleted = "reconciliation.completed"

// EventSource is the EventBridge source of reconciliation events.
const EventSource = "paylane.reconciliation"

// CompletedEvent is the envelope of reconciliation.completed: its id is the run's, so a
// consumer that sees it twice (a publish retried after a crash) knows it.
type CompletedEvent struct {
	ID           string    `json:"id"`
	Type         string    `json:"type"`
	OccurredAt   time.Time `json:"occurredAt"`
	Version      int       `json:"version"`
	StatementKey string    `json:"statementKey"`
	Day          string    `json:"day"`
	Status       RunStatus `json:"status"`
	Reason       string    `json:"reason,omitempty"`
	ReportKey    string    `json:"reportKey,omitempty"`
	Data         Counts    `json:"data"`
}

// completedEvent is the event of a final run.
func completedEvent(r Run) CompletedEvent {
	return CompletedEvent{
		ID: r.ID, Type: EventCompleted, OccurredAt: r.CompletedAt, Version: 1,
		StatementKey: r.Key, Day: r.Day, Status: r.Status, Reason: r.Reason, ReportKey: r.ReportKey,
		Data: r.Counts,
	}
}
