package eventbridge

import (
	"encoding/json"
	"time"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
	"github.com/paylane/paylane/infra/localcloud/eventbridge/pattern"
	"github.com/paylane/paylane/infra/localcloud/eventbridge/schedule"
	"github.com/paylane/paylane/infra/localcloud/eventbridge/transform"
)

const defaultBus = "default"

// Rule states accepted by PutRule.
const (
	stateEnabled           = "ENABLED"
	stateDisabled          = "DISABLED"
	stateEnabledCloudTrail = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
)

type bus struct {
	name, arn   string
	description *string
	kmsKey      *string
	deadLetter  *wireDeadLetterConfig
	logConfig   json.RawMessage
	created     time.Time
	modified    time.Time
	rules       map[string]*rule
}

func newBus(region, name string, now time.Time) *bus {
	return &bus{
		name:     name,
		arn:      awsproto.ARN("events", region, "event-bus/"+name),
		created:  now,
		modified: now,
		rules:    make(map[string]*rule),
	}
}

// rule is mutated only under Service.mu. Its targets are immutable once
// stored, so a snapshot of the slice can be used after unlocking.
type rule struct {
	name, arn, bus string
	description    *string
	roleARN        *string
	eventPattern   *string
	pattern        *pattern.Pattern
	scheduleExpr   *string
	sched          schedule.Schedule
	// nextFire is in schedule time (see Service.scheduleTime).
	nextFire time.Time
	state    string
	targets  []*target
}

func (r *rule) enabled() bool { return r.state != stateDisabled }

func ruleARN(region, busName, name string) string {
	if busName == defaultBus {
		return awsproto.ARN("events", region, "rule/"+name)
	}
	return awsproto.ARN("events", region, "rule/"+busName+"/"+name)
}

type targetKind int

const (
	targetQueue targetKind = iota
	targetFunction
)

type target struct {
	wire        wireTarget
	kind        targetKind
	inputPath   *transform.Path
	transformer *transform.Transformer
	// maxAttempts is 0 when the target has no RetryPolicy.
	maxAttempts int
	maxAge      time.Duration
	dlqARN      string
}
