package eventbridge

import (
	"encoding/json"
	"time"
)

// Shapes of the EventBridge API (https://docs.aws.amazon.com/eventbridge/latest/APIReference/)
// shared by several operations.

type wireTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type wireDeadLetterConfig struct {
	Arn *string `json:"Arn,omitempty"`
}

type wireRetryPolicy struct {
	MaximumEventAgeInSeconds *int32 `json:"MaximumEventAgeInSeconds,omitempty"`
	MaximumRetryAttempts     *int32 `json:"MaximumRetryAttempts,omitempty"`
}

type wireInputTransformer struct {
	InputPathsMap map[string]string `json:"InputPathsMap,omitempty"`
	InputTemplate string            `json:"InputTemplate"`
}

type wireTarget struct {
	Id               string                `json:"Id"`
	Arn              string                `json:"Arn"`
	RoleArn          *string               `json:"RoleArn,omitempty"`
	Input            *string               `json:"Input,omitempty"`
	InputPath        *string               `json:"InputPath,omitempty"`
	InputTransformer *wireInputTransformer `json:"InputTransformer,omitempty"`
	DeadLetterConfig *wireDeadLetterConfig `json:"DeadLetterConfig,omitempty"`
	RetryPolicy      *wireRetryPolicy      `json:"RetryPolicy,omitempty"`
}

type wireRule struct {
	Name               string  `json:"Name"`
	Arn                string  `json:"Arn"`
	EventBusName       string  `json:"EventBusName"`
	EventPattern       *string `json:"EventPattern,omitempty"`
	ScheduleExpression *string `json:"ScheduleExpression,omitempty"`
	State              string  `json:"State"`
	Description        *string `json:"Description,omitempty"`
	RoleArn            *string `json:"RoleArn,omitempty"`
}

func (r *rule) wire() wireRule {
	return wireRule{
		Name:               r.name,
		Arn:                r.arn,
		EventBusName:       r.bus,
		EventPattern:       r.eventPattern,
		ScheduleExpression: r.scheduleExpr,
		State:              r.state,
		Description:        r.description,
		RoleArn:            r.roleARN,
	}
}

type wireEventBus struct {
	Name             string                `json:"Name"`
	Arn              string                `json:"Arn"`
	Description      *string               `json:"Description,omitempty"`
	CreationTime     epochSeconds          `json:"CreationTime"`
	LastModifiedTime epochSeconds          `json:"LastModifiedTime"`
	KmsKeyIdentifier *string               `json:"KmsKeyIdentifier,omitempty"`
	DeadLetterConfig *wireDeadLetterConfig `json:"DeadLetterConfig,omitempty"`
	LogConfig        json.RawMessage       `json:"LogConfig,omitempty"`
}

func (b *bus) wire() wireEventBus {
	return wireEventBus{
		Name:             b.name,
		Arn:              b.arn,
		Description:      b.description,
		CreationTime:     epochSeconds(b.created),
		LastModifiedTime: epochSeconds(b.modified),
		KmsKeyIdentifier: b.kmsKey,
		DeadLetterConfig: b.deadLetter,
		LogConfig:        b.logConfig,
	}
}

// epochSeconds is a timestamp as awsJson sends it: seconds since the epoch.
type epochSeconds time.Time

func (t epochSeconds) MarshalJSON() ([]byte, error) {
	return json.Marshal(float64(time.Time(t).UnixMilli()) / 1000)
}

// failedEntry is the per-entry failure of PutTargets and RemoveTargets.
type failedEntry struct {
	TargetId     string `json:"TargetId"`
	ErrorCode    string `json:"ErrorCode"`
	ErrorMessage string `json:"ErrorMessage"`
}
