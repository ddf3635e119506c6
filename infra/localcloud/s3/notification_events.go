package s3

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// The event message S3 sends, version 2.1:
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
type eventMessage struct {
	Records []eventRecord `json:"Records"`
}

type eventRecord struct {
	EventVersion      string            `json:"eventVersion"`
	EventSource       string            `json:"eventSource"`
	AWSRegion         string            `json:"awsRegion"`
	EventTime         string            `json:"eventTime"`
	EventName         string            `json:"eventName"`
	UserIdentity      principal         `json:"userIdentity"`
	RequestParameters requestParams     `json:"requestParameters"`
	ResponseElements  map[string]string `json:"responseElements"`
	S3                eventS3           `json:"s3"`
}

type principal struct {
	PrincipalID string `json:"principalId"`
}

type requestParams struct {
	SourceIPAddress string `json:"sourceIPAddress"`
}

type eventS3 struct {
	SchemaVersion   string      `json:"s3SchemaVersion"`
	ConfigurationID string      `json:"configurationId"`
	Bucket          eventBucket `json:"bucket"`
	Object          eventObject `json:"object"`
}

type eventBucket struct {
	Name          string    `json:"name"`
	OwnerIdentity principal `json:"ownerIdentity"`
	ARN           string    `json:"arn"`
}

type eventObject struct {
	Key       string `json:"key"`
	Size      *int64 `json:"size,omitempty"`
	ETag      string `json:"eTag,omitempty"`
	Sequencer string `json:"sequencer"`
}

// testEventMessage is what S3 sends to a destination when a notification
// configuration is put.
type testEventMessage struct {
	Service   string `json:"Service"`
	Event     string `json:"Event"`
	Time      string `json:"Time"`
	Bucket    string `json:"Bucket"`
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
}

func (s *Service) testEvent(c *call) string {
	b, _ := json.Marshal(testEventMessage{
		Service: "Amazon S3", Event: "s3:TestEvent", Time: eventTime(s), Bucket: c.bucket, RequestID: c.reqID, HostID: c.hostID,
	})
	return string(b)
}

func eventTime(s *Service) string { return s.now().UTC().Format("2006-01-02T15:04:05.000Z") }

// notifyObject sends the event to every queue whose configuration matches.
// Delivery is synchronous so that a test sees the message as soon as the
// request returns; a failure cannot be reported to the client (in AWS the
// request has long succeeded), so it is logged.
func (s *Service) notifyObject(c *call, eventName string, obj *object) {
	encodedKey := urlEncodeKey(obj.key)
	s.mu.Lock()
	b, ok := s.buckets[c.bucket]
	var configs []queueConfig
	if ok {
		configs = slices.Clone(b.notify)
	}
	// The sequencer orders events on a key: a larger value is a later event.
	s.sequence = max(s.sequence+1, uint64(s.now().UnixNano()))
	seq := s.sequence
	s.mu.Unlock()
	for _, qc := range configs {
		if !qc.matches(eventName, encodedKey) {
			continue
		}
		rec := eventRecord{
			EventVersion:      "2.1",
			EventSource:       "aws:s3",
			AWSRegion:         s.region,
			EventTime:         eventTime(s),
			EventName:         eventName,
			UserIdentity:      principal{PrincipalID: "AWS:" + awsproto.AccountID},
			RequestParameters: requestParams{SourceIPAddress: sourceIP(c)},
			ResponseElements:  map[string]string{"x-amz-request-id": c.reqID, "x-amz-id-2": c.hostID},
			S3: eventS3{
				SchemaVersion:   "1.0",
				ConfigurationID: qc.id,
				Bucket:          eventBucket{Name: c.bucket, OwnerIdentity: principal{PrincipalID: awsproto.AccountID}, ARN: "arn:aws:s3:::" + c.bucket},
				Object:          eventObject{Key: encodedKey, Sequencer: fmt.Sprintf("%018X", seq)},
			},
		}
		if strings.HasPrefix(eventName, "ObjectCreated:") {
			size := obj.size
			rec.S3.Object.Size = &size
			rec.S3.Object.ETag = unquoteETag(obj.etag)
		}
		body, err := json.Marshal(eventMessage{Records: []eventRecord{rec}})
		if err != nil {
			s.log.Error("s3: encoding event", "err", err)
			continue
		}
		if s.queues == nil {
			s.log.Warn("s3: no queue sender for notification", "queue", qc.queue, "bucket", c.bucket)
			continue
		}
		if err := s.queues.SendToQueue(context.WithoutCancel(c.r.Context()), qc.queue, string(body)); err != nil {
			s.log.Warn("s3: delivering notification", "queue", qc.queue, "bucket", c.bucket, "event", eventName, "err", err)
		}
	}
}

func sourceIP(c *call) string {
	host, _, err := net.SplitHostPort(c.r.RemoteAddr)
	if err != nil {
		return c.r.RemoteAddr
	}
	return host
}
