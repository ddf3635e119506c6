package sqs

import (
	"encoding/base64"
	"sync"
	"time"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// Move task statuses (ListMessageMoveTasksResultEntry.Status).
const (
	taskRunning   = "RUNNING"
	taskCompleted = "COMPLETED"
	taskCancelled = "CANCELLED"
	taskFailed    = "FAILED"
)

const (
	maxMoveRate = 500
	// maxMovesPerTick bounds an unthrottled task's work per tick so one
	// large redrive does not stall the loop.
	maxMovesPerTick = 10000
	// tasksKeptPerSource: ListMessageMoveTasks reports at most 10.
	tasksKeptPerSource = 10
)

// moveTask is one StartMessageMoveTask; its fields are guarded by
// taskRegistry.mu.
type moveTask struct {
	handle    string
	sourceARN string
	destARN   string // "" sends each message back to its source queue
	rate      int    // messages per second, 0 when not limited
	status    string
	moved     int64
	toMove    int64
	failure   string
	started   time.Time
}

// taskRegistry holds the move tasks. Its lock is a leaf: no queue or
// service lock is taken while holding it.
type taskRegistry struct {
	mu       sync.Mutex
	byHandle map[string]*moveTask
	// bySource lists each source queue's tasks, oldest first.
	bySource map[string][]*moveTask
}

func newTaskRegistry() taskRegistry {
	return taskRegistry{byHandle: map[string]*moveTask{}, bySource: map[string][]*moveTask{}}
}

func (t *moveTask) entry() moveTaskEntry {
	e := moveTaskEntry{
		Status:                            t.status,
		SourceArn:                         t.sourceARN,
		DestinationArn:                    t.destARN,
		ApproximateNumberOfMessagesMoved:  t.moved,
		ApproximateNumberOfMessagesToMove: t.toMove,
		FailureReason:                     t.failure,
		StartedTimestamp:                  t.started.UnixMilli(),
	}
	if t.status == taskRunning {
		e.TaskHandle = t.handle
	}
	if t.rate > 0 {
		r := int64(t.rate)
		e.MaxNumberOfMessagesPerSecond = &r
	}
	return e
}

func (s *Service) startMessageMoveTask(c *call) (any, error) {
	in, err := decode[startMessageMoveTaskInput](c)
	if err != nil {
		return nil, err
	}
	if in.SourceArn == nil {
		return nil, errMissingParameter("SourceArn")
	}
	src := s.lookupARN(*in.SourceArn)
	if src == nil {
		return nil, errResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	if len(s.deadLetterSources(src.arn)) == 0 {
		return nil, errInvalidParameterValue("Source queue must be configured as a Dead Letter Queue.")
	}
	task := &moveTask{sourceARN: src.arn, status: taskRunning, started: s.now()}
	if in.DestinationArn != nil && *in.DestinationArn != "" {
		dst := s.lookupARN(*in.DestinationArn)
		if dst == nil {
			return nil, errResourceNotFound("The resource that you specified for the DestinationArn parameter doesn't exist.")
		}
		task.destARN = dst.arn
	}
	if in.MaxNumberOfMessagesPerSecond != nil {
		r := *in.MaxNumberOfMessagesPerSecond
		if r < 1 || r > maxMoveRate {
			return nil, errInvalidParameterValue("Value %d for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and %d.", r, maxMoveRate)
		}
		task.rate = int(r)
	}
	src.mu.Lock()
	src.advanceLocked(task.started)
	task.toMove = int64(src.visible.Len())
	src.mu.Unlock()
	task.handle = base64.RawURLEncoding.EncodeToString([]byte(awsproto.NewRequestID() + "|" + src.arn))

	s.tasks.mu.Lock()
	defer s.tasks.mu.Unlock()
	for _, t := range s.tasks.bySource[src.arn] {
		if t.status == taskRunning {
			return nil, errInvalidParameterValue("There is already a task running for the source queue %s. Only one active message movement task is supported per queue.", src.arn)
		}
	}
	s.tasks.byHandle[task.handle] = task
	list := append(s.tasks.bySource[src.arn], task)
	if len(list) > tasksKeptPerSource {
		for _, old := range list[:len(list)-tasksKeptPerSource] {
			delete(s.tasks.byHandle, old.handle)
		}
		list = append([]*moveTask(nil), list[len(list)-tasksKeptPerSource:]...)
	}
	s.tasks.bySource[src.arn] = list
	return startMessageMoveTaskOutput{TaskHandle: task.handle}, nil
}

func (s *Service) listMessageMoveTasks(c *call) (any, error) {
	in, err := decode[listMessageMoveTasksInput](c)
	if err != nil {
		return nil, err
	}
	if in.SourceArn == nil {
		return nil, errMissingParameter("SourceArn")
	}
	if s.lookupARN(*in.SourceArn) == nil {
		return nil, errResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	limit := 1
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > tasksKeptPerSource {
			return nil, errInvalidParameterValue("Value %d for parameter MaxResults is invalid. Reason: Must be between 1 and %d.", *in.MaxResults, tasksKeptPerSource)
		}
		limit = int(*in.MaxResults)
	}
	s.tasks.mu.Lock()
	defer s.tasks.mu.Unlock()
	list := s.tasks.bySource[*in.SourceArn]
	out := listMessageMoveTasksOutput{Results: []moveTaskEntry{}}
	for i := len(list) - 1; i >= 0 && len(out.Results) < limit; i-- {
		out.Results = append(out.Results, list[i].entry())
	}
	return out, nil
}

func (s *Service) cancelMessageMoveTask(c *call) (any, error) {
	in, err := decode[cancelMessageMoveTaskInput](c)
	if err != nil {
		return nil, err
	}
	if in.TaskHandle == nil {
		return nil, errMissingParameter("TaskHandle")
	}
	s.tasks.mu.Lock()
	defer s.tasks.mu.Unlock()
	t := s.tasks.byHandle[*in.TaskHandle]
	if t == nil {
		return nil, errResourceNotFound("Task does not exist.")
	}
	if t.status != taskRunning {
		return nil, errInvalidParameterValue("Only a task in status RUNNING can be cancelled; this one is %s.", t.status)
	}
	t.status = taskCancelled
	return cancelMessageMoveTaskOutput{ApproximateNumberOfMessagesMoved: t.moved}, nil
}

// runMoveTasks advances every running task. Runs are serialized so two
// callers cannot both spend the same rate budget.
func (s *Service) runMoveTasks(now time.Time) {
	s.moveMu.Lock()
	defer s.moveMu.Unlock()
	s.tasks.mu.Lock()
	var running []*moveTask
	for _, list := range s.tasks.bySource {
		for _, t := range list {
			if t.status == taskRunning {
				running = append(running, t)
			}
		}
	}
	s.tasks.mu.Unlock()
	if len(running) == 0 {
		return
	}
	byARN := map[string]*queue{}
	for _, q := range s.snapshotQueues() {
		byARN[q.arn] = q
	}
	for _, t := range running {
		s.stepMoveTask(t, byARN, now)
	}
}

// stepMoveTask moves as many messages as the task's rate allows by now.
// Moved messages are new messages in the destination (new id, send time
// and receive count), as the DLQ redrive documentation says.
func (s *Service) stepMoveTask(t *moveTask, byARN map[string]*queue, now time.Time) {
	s.tasks.mu.Lock()
	if t.status != taskRunning {
		s.tasks.mu.Unlock()
		return
	}
	budget := t.toMove - t.moved
	if t.rate > 0 {
		// Up to rate messages in each started second of the task.
		allowed := int64(t.rate) * (int64(now.Sub(t.started)/time.Second) + 1)
		budget = min(budget, allowed-t.moved)
	}
	budget = min(budget, maxMovesPerTick)
	src := byARN[t.sourceARN]
	s.tasks.mu.Unlock()

	finish := func(status, reason string) {
		s.tasks.mu.Lock()
		if t.status == taskRunning {
			t.status, t.failure = status, reason
		}
		s.tasks.mu.Unlock()
	}
	if src == nil {
		finish(taskFailed, "The source queue no longer exists.")
		return
	}
	if s.taskDone(t) {
		finish(taskCompleted, "")
		return
	}
	for ; budget > 0; budget-- {
		if s.taskCancelled(t) {
			return
		}
		src.mu.Lock()
		src.advanceLocked(now)
		m := src.visible.Peek()
		if m == nil {
			src.mu.Unlock()
			finish(taskCompleted, "")
			return
		}
		destARN := t.destARN
		if destARN == "" {
			destARN = m.dlqSourceARN
		}
		dst := byARN[destARN]
		if dst == nil {
			src.mu.Unlock()
			if destARN == "" {
				finish(taskFailed, "A message in the source queue was not moved there from a dead-letter source queue, and no DestinationArn was given.")
			} else {
				finish(taskFailed, "The destination queue "+destARN+" does not exist.")
			}
			return
		}
		src.removeLocked(m)
		src.mu.Unlock()

		if !dst.acceptRedriven(m, now) {
			// The destination went away meanwhile: keep the message.
			src.mu.Lock()
			src.enqueueLocked(m, 0, now)
			src.mu.Unlock()
			finish(taskFailed, "The destination queue "+destARN+" does not exist.")
			return
		}
		s.tasks.mu.Lock()
		t.moved++
		done := t.moved >= t.toMove
		s.tasks.mu.Unlock()
		if done {
			finish(taskCompleted, "")
			return
		}
	}
}

// taskDone reports whether the task has moved all it set out to move.
func (s *Service) taskDone(t *moveTask) bool {
	s.tasks.mu.Lock()
	defer s.tasks.mu.Unlock()
	return t.moved >= t.toMove
}

func (s *Service) taskCancelled(t *moveTask) bool {
	s.tasks.mu.Lock()
	defer s.tasks.mu.Unlock()
	return t.status != taskRunning
}

// acceptRedriven enqueues m as a new message; false when q was deleted.
func (q *queue) acceptRedriven(m *message, now time.Time) bool {
	moved := &message{
		id:          awsproto.NewRequestID(),
		body:        m.body,
		md5OfBody:   m.md5OfBody,
		attrs:       m.attrs,
		traceHeader: m.traceHeader,
		groupID:     m.groupID,
		senderID:    m.senderID,
		sentAt:      now,
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.deleted {
		return false
	}
	q.enqueueLocked(moved, 0, now)
	return true
}
