package eventbridge

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/paylane/paylane/infra/localcloud/eventbridge/transform"
)

// delivery is one payload on its way to one target.
type delivery struct {
	ruleARN string
	target  *target
	payload []byte
	// ingestion is when the event entered EventBridge; the target's
	// MaximumEventAgeInSeconds counts from it.
	ingestion time.Time
}

// matchedRule is a snapshot of a rule taken under the lock.
type matchedRule struct {
	name, arn string
	targets   []*target
}

// route matches an event against the enabled rules of its bus and starts
// the deliveries to their targets.
func (s *Service) route(ctx context.Context, ev *event) {
	s.mu.Lock()
	var candidates []matchedRule
	var patterns []func(any) bool
	if b, ok := s.buses[ev.bus]; ok {
		for _, r := range b.rules {
			if r.enabled() && r.pattern != nil && len(r.targets) > 0 {
				candidates = append(candidates, matchedRule{name: r.name, arn: r.arn, targets: r.targets})
				patterns = append(patterns, r.pattern.MatchDecoded)
			}
		}
	}
	s.mu.Unlock()
	for i, mr := range candidates {
		if patterns[i](ev.decoded) {
			s.dispatch(ctx, mr, ev)
		}
	}
}

// dispatch starts an asynchronous delivery to each target of a rule.
func (s *Service) dispatch(ctx context.Context, mr matchedRule, ev *event) {
	for _, t := range mr.targets {
		d := delivery{ruleARN: mr.arn, target: t, payload: payloadFor(t, ev, mr), ingestion: ev.ingestion}
		if !s.beginDelivery() {
			s.log.WarnContext(ctx, "eventbridge: service closed, event dropped", "event", ev.id, "rule", mr.arn, "target", t.wire.Arn)
			return
		}
		go func() {
			defer s.endDelivery()
			_ = s.deliver(s.lifetime, d)
		}()
	}
}

// payloadFor builds what a target receives: the event, the constant Input,
// the part InputPath selects, or the InputTransformer's output.
func payloadFor(t *target, ev *event, mr matchedRule) []byte {
	switch {
	case t.wire.Input != nil:
		return []byte(*t.wire.Input)
	case t.inputPath != nil:
		v, ok := t.inputPath.Eval(ev.decoded)
		if !ok {
			return []byte("null")
		}
		b, err := marshalJSON(v)
		if err != nil {
			return []byte("null")
		}
		return b
	case t.transformer != nil:
		return t.transformer.Apply(ev.decoded, transform.Predefined{
			RuleARN:       mr.arn,
			RuleName:      mr.name,
			IngestionTime: ev.ingestion.UTC().Format(eventTimeLayout),
			Event:         ev.noDetail,
			EventJSON:     ev.full,
		})
	default:
		return ev.full
	}
}

// deliver sends a payload with the bounded retry policy, then dead-letters
// or drops it. The error says what became of a payload that the target
// did not get.
func (s *Service) deliver(ctx context.Context, d delivery) error {
	attempts := s.retry.MaxAttempts
	if d.target.maxAttempts > 0 {
		attempts = min(attempts, d.target.maxAttempts)
	}
	backoff := s.retry.InitialBackoff
	var err error
	attempt := 1
retries:
	for ; ; attempt++ {
		if err = s.send(ctx, d.target, d.target.wire.Arn, d.payload); err == nil {
			return nil
		}
		tooOld := d.target.maxAge > 0 && s.clock.Now().Sub(d.ingestion) >= d.target.maxAge
		if attempt >= attempts || tooOld {
			break
		}
		select {
		case <-ctx.Done():
			err = errors.Join(err, ctx.Err())
			break retries
		case <-s.clock.After(backoff):
		}
		backoff = min(2*backoff, s.retry.MaxBackoff)
	}
	err = fmt.Errorf("delivering to %s for rule %s failed after %d attempt(s): %w", d.target.wire.Arn, d.ruleARN, attempt, err)
	if d.target.dlqARN == "" {
		s.log.ErrorContext(ctx, "eventbridge: delivery failed, event dropped", "error", err)
		return err
	}
	if dlqErr := s.send(ctx, &target{kind: targetQueue}, d.target.dlqARN, d.payload); dlqErr != nil {
		err = errors.Join(err, fmt.Errorf("sending to dead-letter queue %s: %w", d.target.dlqARN, dlqErr))
		s.log.ErrorContext(ctx, "eventbridge: delivery and dead-lettering failed, event dropped", "error", err)
		return err
	}
	s.log.WarnContext(ctx, "eventbridge: delivery failed, event sent to the dead-letter queue", "error", err, "dlq", d.target.dlqARN)
	return fmt.Errorf("%w (sent to dead-letter queue %s)", err, d.target.dlqARN)
}

var errNoBackend = errors.New("no backend configured for this kind of target")

func (s *Service) send(ctx context.Context, t *target, arn string, payload []byte) error {
	switch t.kind {
	case targetQueue:
		if s.queues == nil {
			return fmt.Errorf("queue target: %w", errNoBackend)
		}
		return s.queues.SendToQueue(ctx, arn, string(payload))
	default:
		if s.functions == nil {
			return fmt.Errorf("function target: %w", errNoBackend)
		}
		return s.functions.InvokeAsync(ctx, arn, payload)
	}
}

// beginDelivery counts a delivery in flight; it fails once the service is closed.
func (s *Service) beginDelivery() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if s.pending == 0 {
		s.idle = make(chan struct{})
	}
	s.pending++
	s.wg.Add(1)
	return true
}

func (s *Service) endDelivery() {
	s.mu.Lock()
	s.pending--
	if s.pending == 0 {
		close(s.idle)
	}
	s.mu.Unlock()
	s.wg.Done()
}
