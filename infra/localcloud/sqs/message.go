package sqs

import "time"

// messageState says which of the queue's heaps holds a message.
type messageState uint8

const (
	stateVisible  messageState = iota + 1 // receivable now
	stateDelayed                          // sent with a delay that has not elapsed
	stateInflight                         // received, invisible until its deadline
)

// attrValue is one message attribute (user or system) as stored.
type attrValue struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// isBinary reports whether the value travels as bytes: the data type's
// base ("Binary" in "Binary.png") decides, as in the MD5 encoding.
func (v attrValue) isBinary() bool { return baseDataType(v.DataType) == "Binary" }

// message is one message in one queue.
type message struct {
	id        string
	body      string
	md5OfBody string
	attrs     map[string]attrValue
	// traceHeader is the AWSTraceHeader system attribute, "" when absent.
	traceHeader string
	groupID     string
	senderID    string
	// sentAt is the original enqueue time: SentTimestamp and the retention
	// clock. It survives a move to a dead-letter queue, as AWS documents.
	sentAt time.Time
	// dlqSourceARN is set when the message was dead-lettered here.
	dlqSourceARN string

	// seq orders visible messages: oldest enqueue into this queue first.
	seq            uint64
	state          messageState
	receiveCount   int
	firstReceiveAt time.Time
	// until is when a delayed message becomes visible or when an in-flight
	// message's visibility timeout expires.
	until time.Time
	// receivedAt is when the current receive happened; the visibility
	// timeout cannot be extended past receivedAt+12h.
	receivedAt time.Time
	// receipt identifies the latest receive; older receipt handles are stale.
	receipt uint64

	pos    int // index in the heap of its state
	retPos int // index in the retention heap
}

// payloadSize is what counts against MaximumMessageSize: the body plus each
// attribute's name, data type and value.
func payloadSize(body string, attrs map[string]attrValue) int {
	n := len(body)
	for name, v := range attrs {
		n += len(name) + len(v.DataType) + len(v.StringValue) + len(v.BinaryValue)
	}
	return n
}
