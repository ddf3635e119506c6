// Package eventbus is the EventBridge and SQS adapter of the outbox relay: Publisher puts
// payment events on the bus (relay.Publisher) and Quarantine keeps the stream records that
// can never be published in a queue (relay.PoisonSink).
//
// An event on the bus is the envelope of ARCHITECTURE.md §5: source "paylane.payments",
// detail-type the event type, detail the payment.Event JSON, time the event's occurredAt.
package eventbus
