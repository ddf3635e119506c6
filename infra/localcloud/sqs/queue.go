package sqs

import (
	"sync"
	"time"
)

// queue is one standard queue. Visible messages wait in a heap ordered by
// enqueue sequence (oldest first), delayed and in-flight ones in heaps
// ordered by the time they become visible, and every message also sits in a
// retention heap ordered by its original send time, so sends, receives,
// expiries and deletes all cost O(log n) however many messages the queue
// holds.
type queue struct {
	name      string
	arn       string
	createdAt time.Time

	mu           sync.Mutex
	cfg          queueConfig
	lastModified time.Time
	tags         map[string]string
	messages     map[string]*message
	visible      msgHeap
	delayed      msgHeap
	inflight     msgHeap
	retention    msgHeap
	nextSeq      uint64
	nextReceipt  uint64
	lastPurge    time.Time
	deleted      bool
	// wake is closed (and replaced) when a message becomes visible while
	// long polls are waiting; waiters counts them so idle queues skip it.
	wake    chan struct{}
	waiters int
}

func newQueue(name, arn string, cfg queueConfig, tags map[string]string, now time.Time) *queue {
	statePos := func(m *message) *int { return &m.pos }
	byUntil := func(a, b *message) bool {
		if a.until.Equal(b.until) {
			return a.seq < b.seq
		}
		return a.until.Before(b.until)
	}
	if tags == nil {
		tags = map[string]string{}
	}
	return &queue{
		name:         name,
		arn:          arn,
		createdAt:    now,
		cfg:          cfg,
		lastModified: now,
		tags:         tags,
		messages:     map[string]*message{},
		visible:      msgHeap{less: func(a, b *message) bool { return a.seq < b.seq }, pos: statePos},
		delayed:      msgHeap{less: byUntil, pos: statePos},
		inflight:     msgHeap{less: byUntil, pos: statePos},
		retention: msgHeap{
			less: func(a, b *message) bool {
				if a.sentAt.Equal(b.sentAt) {
					return a.seq < b.seq
				}
				return a.sentAt.Before(b.sentAt)
			},
			pos: func(m *message) *int { return &m.retPos },
		},
		wake: make(chan struct{}),
	}
}

// heapOf returns the heap that holds messages in state st.
func (q *queue) heapOf(st messageState) *msgHeap {
	switch st {
	case stateDelayed:
		return &q.delayed
	case stateInflight:
		return &q.inflight
	default:
		return &q.visible
	}
}

// enqueueLocked adds m, visible at once or after delay.
func (q *queue) enqueueLocked(m *message, delay time.Duration, now time.Time) {
	q.nextSeq++
	m.seq = q.nextSeq
	q.messages[m.id] = m
	q.retention.Push(m)
	if delay > 0 {
		m.state = stateDelayed
		m.until = now.Add(delay)
		q.delayed.Push(m)
		return
	}
	m.state = stateVisible
	q.visible.Push(m)
	q.signalLocked()
}

// removeLocked deletes m from the queue.
func (q *queue) removeLocked(m *message) {
	q.heapOf(m.state).Remove(m)
	q.retention.Remove(m)
	delete(q.messages, m.id)
}

// makeVisibleLocked moves m from the delayed or in-flight heap to the
// visible one.
func (q *queue) makeVisibleLocked(m *message) {
	q.heapOf(m.state).Remove(m)
	m.state = stateVisible
	m.until = time.Time{}
	q.visible.Push(m)
	q.signalLocked()
}

// advanceLocked applies the passage of time: drops messages older than the
// retention period and makes visible the delayed and in-flight messages
// whose time has come.
func (q *queue) advanceLocked(now time.Time) {
	retention := q.cfg.retention()
	for m := q.retention.Peek(); m != nil && !now.Before(m.sentAt.Add(retention)); m = q.retention.Peek() {
		q.removeLocked(m)
	}
	for m := q.delayed.Peek(); m != nil && !now.Before(m.until); m = q.delayed.Peek() {
		q.makeVisibleLocked(m)
	}
	for m := q.inflight.Peek(); m != nil && !now.Before(m.until); m = q.inflight.Peek() {
		q.makeVisibleLocked(m)
	}
}

// signalLocked wakes the long polls waiting on this queue.
func (q *queue) signalLocked() {
	if q.waiters == 0 {
		return
	}
	close(q.wake)
	q.wake = make(chan struct{})
}

// purgeLocked drops every message.
func (q *queue) purgeLocked() {
	q.visible.Clear()
	q.delayed.Clear()
	q.inflight.Clear()
	q.retention.Clear()
	q.messages = map[string]*message{}
}

// addWaiterLocked registers a long poll and returns the channel that will
// be closed when a message may have become available.
func (q *queue) addWaiterLocked() <-chan struct{} {
	q.waiters++
	return q.wake
}

func (q *queue) removeWaiter() {
	q.mu.Lock()
	q.waiters--
	q.mu.Unlock()
}
