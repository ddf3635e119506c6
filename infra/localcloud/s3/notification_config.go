package s3

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// queueConfig is a stored QueueConfiguration.
type queueConfig struct {
	id     string
	queue  string // queue ARN
	events []string
	prefix string
	suffix string
	rules  []filterRuleXML // as given, for GetBucketNotificationConfiguration
}

type notificationXML struct {
	XMLName        xml.Name         `xml:"NotificationConfiguration"`
	Xmlns          string           `xml:"xmlns,attr,omitempty"`
	Queues         []queueConfigXML `xml:"QueueConfiguration"`
	Topics         []struct{}       `xml:"TopicConfiguration"`
	Lambdas        []struct{}       `xml:"LambdaFunctionConfiguration"`
	CloudFunctions []struct{}       `xml:"CloudFunctionConfiguration"`
	EventBridge    *struct{}        `xml:"EventBridgeConfiguration"`
}

type queueConfigXML struct {
	ID     string          `xml:"Id,omitempty"`
	Queue  string          `xml:"Queue"`
	Events []string        `xml:"Event"`
	Rules  []filterRuleXML `xml:"Filter>S3Key>FilterRule"`
}

type filterRuleXML struct {
	Name  string `xml:"Name"`
	Value string `xml:"Value"`
}

// notificationEvents are the event types S3 accepts in a notification
// configuration: https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html
// Only the ObjectCreated and ObjectRemoved:Delete ones can happen here; the
// others belong to features that answer NotImplemented.
var notificationEvents = []string{
	"s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post", "s3:ObjectCreated:Copy",
	"s3:ObjectCreated:CompleteMultipartUpload",
	"s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated",
	"s3:ObjectRestore:*", "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed", "s3:ObjectRestore:Delete",
	"s3:ReducedRedundancyLostObject",
	"s3:Replication:*", "s3:Replication:OperationFailedReplication", "s3:Replication:OperationNotTracked",
	"s3:Replication:OperationMissedThreshold", "s3:Replication:OperationReplicatedAfterThreshold",
	"s3:LifecycleTransition", "s3:IntelligentTiering", "s3:ObjectAcl:Put",
	"s3:LifecycleExpiration:*", "s3:LifecycleExpiration:Delete", "s3:LifecycleExpiration:DeleteMarkerCreated",
	"s3:ObjectTagging:*", "s3:ObjectTagging:Put", "s3:ObjectTagging:Delete",
}

// putBucketNotification implements PutBucketNotificationConfiguration for
// SQS destinations.
func (s *Service) putBucketNotification(c *call) error {
	if err := s.requireBucket(c.bucket); err != nil {
		return err
	}
	body, err := readXMLBody(c.r)
	if err != nil {
		return err
	}
	var doc notificationXML
	if err := xml.Unmarshal(body, &doc); err != nil {
		return errMalformedXML()
	}
	switch {
	case len(doc.Topics) > 0:
		return errNotImplemented("SNS topic notifications (TopicConfiguration)")
	case len(doc.Lambdas) > 0 || len(doc.CloudFunctions) > 0:
		return errNotImplemented("Lambda function notifications (LambdaFunctionConfiguration)")
	case doc.EventBridge != nil:
		return errNotImplemented("EventBridge notifications (EventBridgeConfiguration)")
	}
	configs := make([]queueConfig, 0, len(doc.Queues))
	for _, q := range doc.Queues {
		qc, err := parseQueueConfig(q)
		if err != nil {
			return err
		}
		configs = append(configs, qc)
	}
	if err := checkOverlap(configs); err != nil {
		return err
	}
	if !strings.EqualFold(c.r.Header.Get("x-amz-skip-destination-validation"), "true") {
		if err := s.validateDestinations(c, configs); err != nil {
			return err
		}
	}
	s.mu.Lock()
	b, ok := s.buckets[c.bucket]
	if ok {
		b.notify = configs
	}
	s.mu.Unlock()
	if !ok {
		return errNoSuchBucket(c.bucket)
	}
	return c.ok()
}

func parseQueueConfig(q queueConfigXML) (queueConfig, error) {
	qc := queueConfig{id: q.ID, queue: q.Queue, events: q.Events, rules: q.Rules}
	if qc.id == "" {
		qc.id = newConfigID()
	}
	svc, _, _, resource, err := awsproto.ParseARN(q.Queue)
	if err != nil || svc != "sqs" || resource == "" {
		return qc, errInvalidArgument("The ARN is not well formed").with("ArgumentName", "Queue").with("ArgumentValue", q.Queue)
	}
	if len(q.Events) == 0 {
		return qc, errInvalidArgument("At least one event must be specified").with("ArgumentName", "Event")
	}
	for _, e := range q.Events {
		if !slices.Contains(notificationEvents, e) {
			return qc, errInvalidArgument("The event is not supported for notifications").with("ArgumentName", "Event").with("ArgumentValue", e)
		}
	}
	var seenPrefix, seenSuffix bool
	for _, r := range q.Rules {
		switch strings.ToLower(r.Name) {
		case "prefix":
			if seenPrefix {
				return qc, errInvalidArgument("Cannot specify more than one prefix rule in a filter.").with("ArgumentName", "FilterRule").with("ArgumentValue", r.Name)
			}
			seenPrefix, qc.prefix = true, r.Value
		case "suffix":
			if seenSuffix {
				return qc, errInvalidArgument("Cannot specify more than one suffix rule in a filter.").with("ArgumentName", "FilterRule").with("ArgumentValue", r.Name)
			}
			seenSuffix, qc.suffix = true, r.Value
		default:
			return qc, errInvalidArgument("filter rule name must be either prefix or suffix").with("ArgumentName", "FilterRule.Name").with("ArgumentValue", r.Name)
		}
	}
	return qc, nil
}

func newConfigID() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawStdEncoding.EncodeToString(b[:])
}

// checkOverlap rejects two configurations that could both match one event,
// which S3 refuses as ambiguous: they share an event type and neither
// their prefixes nor their suffixes tell them apart.
func checkOverlap(configs []queueConfig) error {
	for i := range configs {
		for j := i + 1; j < len(configs); j++ {
			a, b := configs[i], configs[j]
			if sharesEvent(a.events, b.events) &&
				(strings.HasPrefix(a.prefix, b.prefix) || strings.HasPrefix(b.prefix, a.prefix)) &&
				(strings.HasSuffix(a.suffix, b.suffix) || strings.HasSuffix(b.suffix, a.suffix)) {
				return errInvalidArgument("Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type.").
					with("ArgumentName", "Event").with("ArgumentValue", a.id)
			}
		}
	}
	return nil
}

func sharesEvent(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if eventCovers(x, y) || eventCovers(y, x) {
				return true
			}
		}
	}
	return false
}

// eventCovers reports whether configured event type pattern includes event,
// both in the "s3:Family:Name" form.
func eventCovers(pattern, event string) bool {
	if family, ok := strings.CutSuffix(pattern, ":*"); ok {
		return strings.HasPrefix(event, family+":")
	}
	return pattern == event
}

// validateDestinations sends the s3:TestEvent to every queue, which is how
// S3 checks that it can publish there; the PUT fails as a whole if any
// destination fails, naming each failing one.
func (s *Service) validateDestinations(c *call, configs []queueConfig) error {
	var failed []string
	seen := map[string]bool{}
	for _, qc := range configs {
		if seen[qc.queue] {
			continue
		}
		seen[qc.queue] = true
		if s.queues == nil {
			failed = append(failed, qc.queue)
			continue
		}
		if err := s.queues.SendToQueue(context.WithoutCancel(c.r.Context()), qc.queue, s.testEvent(c)); err != nil {
			failed = append(failed, qc.queue)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	e := errInvalidArgument("Unable to validate the following destination configurations")
	for i, q := range failed {
		n := strconv.Itoa(i + 1)
		e.with("ArgumentName"+n, q).with("ArgumentValue"+n, "The destination queue does not exist")
	}
	return e
}

// getBucketNotification implements GetBucketNotificationConfiguration.
func (s *Service) getBucketNotification(c *call) error {
	s.mu.Lock()
	b, ok := s.buckets[c.bucket]
	var configs []queueConfig
	if ok {
		configs = slices.Clone(b.notify)
	}
	s.mu.Unlock()
	if !ok {
		return errNoSuchBucket(c.bucket)
	}
	doc := notificationXML{Xmlns: s3Namespace}
	for _, qc := range configs {
		x := queueConfigXML{ID: qc.id, Queue: qc.queue, Events: qc.events}
		for _, r := range qc.rules {
			// S3 reports rule names capitalized whatever case they were sent in.
			name := "Prefix"
			if strings.EqualFold(r.Name, "suffix") {
				name = "Suffix"
			}
			x.Rules = append(x.Rules, filterRuleXML{Name: name, Value: r.Value})
		}
		doc.Queues = append(doc.Queues, x)
	}
	return c.writeXML(http.StatusOK, doc)
}

// matches reports whether an event on a key triggers the configuration.
// Filters apply to the URL-encoded key, which is why S3 asks for a space in
// a filter value to be written "+":
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html
func (qc queueConfig) matches(eventName, encodedKey string) bool {
	event := "s3:" + eventName
	covered := false
	for _, e := range qc.events {
		if eventCovers(e, event) {
			covered = true
			break
		}
	}
	return covered && strings.HasPrefix(encodedKey, qc.prefix) && strings.HasSuffix(encodedKey, qc.suffix)
}
