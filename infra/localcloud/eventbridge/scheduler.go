package eventbridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// Schedule time runs ScheduleSpeedup times faster than the clock, from the
// service's creation: scheduleTime maps clock time to schedule time and
// clockTime maps back, rounding up so that a timer set for clockTime(t)
// never wakes before t.

func (s *Service) scheduleTime(t time.Time) time.Time {
	if s.speedup == 1 {
		return t
	}
	return s.epoch.Add(time.Duration(float64(t.Sub(s.epoch)) * s.speedup))
}

func (s *Service) clockTime(t time.Time) time.Time {
	if s.speedup == 1 {
		return t
	}
	return s.epoch.Add(time.Duration(math.Ceil(float64(t.Sub(s.epoch)) / s.speedup)))
}

// poke wakes the schedule loop to look at the rules again.
func (s *Service) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Start runs the schedule loop until ctx is done or the service is closed.
// Scheduled rules do not fire before Start; FireRule works regardless.
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return errors.New("eventbridge: Start after Close")
	case s.started:
		return errors.New("eventbridge: already started")
	}
	s.started = true
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.scheduleLoop(ctx)
	}()
	return nil
}

func (s *Service) scheduleLoop(ctx context.Context) {
	for {
		var timer <-chan time.Time
		if next, ok := s.nextClockFire(); ok {
			timer = s.clock.After(max(next.Sub(s.clock.Now()), 0))
		}
		select {
		case <-ctx.Done():
			return
		case <-s.lifetime.Done():
			return
		case <-s.wake:
		case <-timer:
			s.fireDue(ctx)
		}
	}
}

// nextClockFire returns the clock time of the earliest pending fire.
func (s *Service) nextClockFire() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var next time.Time
	for _, r := range s.buses[defaultBus].rules {
		if r.sched == nil || !r.enabled() || r.nextFire.IsZero() {
			continue
		}
		if t := s.clockTime(r.nextFire); next.IsZero() || t.Before(next) {
			next = t
		}
	}
	return next, !next.IsZero()
}

// fireDue fires every enabled scheduled rule whose time has come, once even
// if several fire times were missed, and moves it to its next fire time.
func (s *Service) fireDue(ctx context.Context) {
	now := s.clock.Now()
	s.mu.Lock()
	var due []matchedRule
	for _, r := range s.buses[defaultBus].rules {
		if r.sched == nil || !r.enabled() || r.nextFire.IsZero() || s.clockTime(r.nextFire).After(now) {
			continue
		}
		after := s.scheduleTime(now)
		if after.Before(r.nextFire) {
			after = r.nextFire
		}
		r.nextFire = r.sched.NextFire(after)
		if len(r.targets) > 0 {
			due = append(due, matchedRule{name: r.name, arn: r.arn, targets: r.targets})
		}
	}
	s.mu.Unlock()
	for _, mr := range due {
		ev, err := s.scheduledEvent(mr.arn, now)
		if err != nil {
			s.log.ErrorContext(ctx, "eventbridge: building scheduled event", "rule", mr.arn, "error", err)
			continue
		}
		s.dispatch(ctx, mr, ev)
	}
}

// scheduledEvent is the event a scheduled rule sends. Its time is the
// clock's: with a speedup, schedule time runs ahead of the data the
// functions see, and their notion of "now" should match that data.
func (s *Service) scheduledEvent(ruleARN string, now time.Time) (*event, error) {
	now = now.UTC().Truncate(time.Second)
	return s.newEvent(defaultBus, "aws.events", "Scheduled Event", json.RawMessage(`{}`), []string{ruleARN}, now, now)
}

// FireRule sends a scheduled rule's event to its targets now, whether or
// not the schedule loop runs or the rule is enabled, and waits for the
// deliveries (with their retries). busName is a name or ARN; empty means
// the default bus. The error joins what became of the targets that did not
// get the event; errors.Is(err, ErrNotFound) or ErrNotScheduled tell why
// nothing was sent.
func (s *Service) FireRule(ctx context.Context, busName, ruleName string) error {
	s.mu.Lock()
	r, err := s.lookupRule(ruleName, &busName)
	if err != nil {
		s.mu.Unlock()
		var ae *awsproto.Error
		if errors.As(err, &ae) && ae.Type == "ResourceNotFoundException" {
			return fmt.Errorf("rule %s on bus %q: %w: %w", ruleName, busName, ErrNotFound, err)
		}
		return fmt.Errorf("rule %s on bus %q: %w", ruleName, busName, err)
	}
	if r.sched == nil {
		s.mu.Unlock()
		return fmt.Errorf("rule %s: %w", ruleName, ErrNotScheduled)
	}
	mr := matchedRule{name: r.name, arn: r.arn, targets: r.targets}
	s.mu.Unlock()

	ev, err := s.scheduledEvent(mr.arn, s.clock.Now())
	if err != nil {
		return fmt.Errorf("building scheduled event: %w", err)
	}
	var errs []error
	for _, t := range mr.targets {
		d := delivery{ruleARN: mr.arn, target: t, payload: payloadFor(t, ev, mr), ingestion: ev.ingestion}
		if err := s.deliver(ctx, d); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
