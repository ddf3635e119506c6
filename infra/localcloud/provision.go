package localcloud

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
	"github.com/paylane/paylane/infra/localcloud/samtemplate"
)

// physical is what a created resource answers to Ref and Fn::GetAtt.
type physical struct {
	ref   string
	attrs map[string]string
}

// notEnforced lists resource types that only grant permissions or observe: IAM is not
// enforced by the local cloud and there is no CloudWatch, so creating them is a no-op, said
// once in the log. Anything not listed here or handled below fails provisioning loudly.
var notEnforced = map[string]bool{
	"AWS::SQS::QueuePolicy":           true,
	"AWS::Lambda::Permission":         true,
	"AWS::IAM::Role":                  true,
	"AWS::IAM::Policy":                true,
	"AWS::IAM::ManagedPolicy":         true,
	"AWS::Logs::LogGroup":             true,
	"AWS::CloudWatch::Alarm":          true,
	"AWS::CloudWatch::Dashboard":      true,
	"AWS::CloudWatch::CompositeAlarm": true,
}

// provisioner creates the template's resources through the AWS APIs of the local cloud, the
// way CloudFormation would, and collects what the runtime wiring needs (functions, routes,
// event source mappings).
type provisioner struct {
	tpl    *samtemplate.Template
	ctx    samtemplate.Context
	region string
	log    *slog.Logger

	ddb *dynamodb.Client
	sqs *sqs.Client
	eb  *eventbridge.Client
	s3  *s3.Client

	created map[string]physical
	plan    *wiringPlan
}

// Ref implements samtemplate.Resolver.
func (p *provisioner) Ref(id string) (string, error) {
	ph, ok := p.created[id]
	if !ok {
		return "", fmt.Errorf("Ref %s: resource not created (yet)", id)
	}
	return ph.ref, nil
}

// GetAtt implements samtemplate.Resolver.
func (p *provisioner) GetAtt(id, attr string) (string, error) {
	ph, ok := p.created[id]
	if !ok {
		return "", fmt.Errorf("Fn::GetAtt %s.%s: resource not created (yet)", id, attr)
	}
	v, ok := ph.attrs[attr]
	if !ok {
		return "", fmt.Errorf("Fn::GetAtt %s.%s: the local cloud does not know this attribute", id, attr)
	}
	return v, nil
}

func (p *provisioner) provision(ctx context.Context) error {
	order, err := p.tpl.Order()
	if err != nil {
		return err
	}
	p.ctx.Resources = p
	warned := map[string]bool{}
	for _, id := range order {
		r := p.tpl.Resources[id]
		if r.Condition != "" {
			ok, err := p.tpl.ConditionTrue(r.Condition, p.ctx)
			if err != nil {
				return fmt.Errorf("resource %s: condition %s: %w", id, r.Condition, err)
			}
			if !ok {
				continue
			}
		}
		resolved, err := p.tpl.Resolve(r.Properties, p.ctx)
		if err != nil {
			return fmt.Errorf("resource %s: %w", id, err)
		}
		props, _ := resolved.(map[string]any)
		if props == nil {
			props = map[string]any{}
		}
		var ph physical
		switch r.Type {
		case "AWS::DynamoDB::Table":
			ph, err = p.table(ctx, id, props)
		case "AWS::SQS::Queue":
			ph, err = p.queue(ctx, id, props)
		case "AWS::Events::EventBus":
			ph, err = p.bus(ctx, id, props)
		case "AWS::Events::Rule":
			ph, err = p.rule(ctx, id, props)
		case "AWS::S3::Bucket":
			ph, err = p.bucket(ctx, id, props)
		case "AWS::Serverless::Function":
			ph, err = p.function(ctx, r, props)
		case "AWS::Serverless::HttpApi":
			ph, err = p.httpAPI(id, props)
		default:
			if !notEnforced[r.Type] {
				return fmt.Errorf("resource %s: type %s is not implemented by the local cloud", id, r.Type)
			}
			if !warned[r.Type] {
				p.log.Info("resource type accepted but not enforced locally", "type", r.Type)
				warned[r.Type] = true
			}
			ph = physical{ref: p.ctx.StackName + "-" + id, attrs: map[string]string{"Arn": awsproto.ARN("iam", "", "role/"+id)}}
		}
		if err != nil {
			return fmt.Errorf("resource %s (%s): %w", id, r.Type, err)
		}
		p.created[id] = ph
	}
	return nil
}

// name is the physical name of a resource that did not set one: CloudFormation appends a
// random suffix; locally a stable name is more useful, so tools and tests can find it.
func (p *provisioner) name(id string) string {
	return p.ctx.StackName + "-" + id
}

func str(m map[string]any, key string) string {
	switch v := m[key].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

func intProp(m map[string]any, key string, def int) (int, error) {
	switch v := m[key].(type) {
	case nil:
		return def, nil
	case int:
		return v, nil
	case int64:
		return int(v), nil
	case float64:
		return int(v), nil
	case string:
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Errorf("%s: %q is not an integer", key, v)
		}
		return n, nil
	default:
		return 0, fmt.Errorf("%s: %v is not an integer", key, v)
	}
}

func boolProp(m map[string]any, key string, def bool) bool {
	switch v := m[key].(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	default:
		return def
	}
}

// checkKnown refuses properties the local cloud would silently ignore.
func checkKnown(props map[string]any, known ...string) error {
	allowed := map[string]bool{}
	for _, k := range known {
		allowed[k] = true
	}
	var unknown []string
	for k := range props {
		if !allowed[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("properties not implemented by the local cloud: %s", strings.Join(unknown, ", "))
	}
	return nil
}

type tableProps struct {
	TableName               string
	BillingMode             string
	AttributeDefinitions    []struct{ AttributeName, AttributeType string }
	KeySchema               []keyElement
	GlobalSecondaryIndexes  []indexProps
	LocalSecondaryIndexes   []indexProps
	StreamSpecification     *struct{ StreamViewType string }
	TimeToLiveSpecification *struct {
		AttributeName string
		Enabled       bool
	}
	ProvisionedThroughput *struct{ ReadCapacityUnits, WriteCapacityUnits json.Number }
}

type keyElement struct{ AttributeName, KeyType string }

type indexProps struct {
	IndexName  string
	KeySchema  []keyElement
	Projection struct {
		ProjectionType   string
		NonKeyAttributes []string
	}
	ProvisionedThroughput *struct{ ReadCapacityUnits, WriteCapacityUnits json.Number }
}

func keySchema(ks []keyElement) []ddbtypes.KeySchemaElement {
	out := make([]ddbtypes.KeySchemaElement, len(ks))
	for i, k := range ks {
		out[i] = ddbtypes.KeySchemaElement{AttributeName: aws.String(k.AttributeName), KeyType: ddbtypes.KeyType(k.KeyType)}
	}
	return out
}

func projection(ip indexProps) *ddbtypes.Projection {
	pr := &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionType(ip.Projection.ProjectionType)}
	if len(ip.Projection.NonKeyAttributes) > 0 {
		pr.NonKeyAttributes = ip.Projection.NonKeyAttributes
	}
	return pr
}

func (p *provisioner) table(ctx context.Context, id string, props map[string]any) (physical, error) {
	// Encryption, backups, tags and deletion protection change nothing a function can see.
	if err := checkKnown(props, "TableName", "BillingMode", "AttributeDefinitions", "KeySchema",
		"GlobalSecondaryIndexes", "LocalSecondaryIndexes", "StreamSpecification", "TimeToLiveSpecification",
		"ProvisionedThroughput", "PointInTimeRecoverySpecification", "SSESpecification", "Tags",
		"DeletionProtectionEnabled", "TableClass"); err != nil {
		return physical{}, err
	}
	var tp tableProps
	if err := samtemplate.Decode(props, &tp); err != nil {
		return physical{}, err
	}
	if tp.TableName == "" {
		tp.TableName = p.name(id)
	}
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(tp.TableName),
		KeySchema:   keySchema(tp.KeySchema),
		BillingMode: ddbtypes.BillingModePayPerRequest,
	}
	if tp.BillingMode == "PROVISIONED" || (tp.BillingMode == "" && tp.ProvisionedThroughput != nil) {
		// Throughput is not throttled locally, but the table reports what it was given.
		in.BillingMode = ddbtypes.BillingModeProvisioned
		r, _ := tp.ProvisionedThroughput.ReadCapacityUnits.Int64()
		w, _ := tp.ProvisionedThroughput.WriteCapacityUnits.Int64()
		in.ProvisionedThroughput = &ddbtypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(r), WriteCapacityUnits: aws.Int64(w)}
	}
	for _, a := range tp.AttributeDefinitions {
		in.AttributeDefinitions = append(in.AttributeDefinitions, ddbtypes.AttributeDefinition{
			AttributeName: aws.String(a.AttributeName), AttributeType: ddbtypes.ScalarAttributeType(a.AttributeType)})
	}
	for _, g := range tp.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, ddbtypes.GlobalSecondaryIndex{
			IndexName: aws.String(g.IndexName), KeySchema: keySchema(g.KeySchema), Projection: projection(g)})
	}
	for _, l := range tp.LocalSecondaryIndexes {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, ddbtypes.LocalSecondaryIndex{
			IndexName: aws.String(l.IndexName), KeySchema: keySchema(l.KeySchema), Projection: projection(l)})
	}
	if tp.StreamSpecification != nil && tp.StreamSpecification.StreamViewType != "" {
		in.StreamSpecification = &ddbtypes.StreamSpecification{
			StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewType(tp.StreamSpecification.StreamViewType)}
	}
	out, err := p.ddb.CreateTable(ctx, in)
	if err != nil {
		return physical{}, err
	}
	if ttl := tp.TimeToLiveSpecification; ttl != nil && ttl.Enabled {
		if _, err := p.ddb.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
			TableName: aws.String(tp.TableName),
			TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{
				AttributeName: aws.String(ttl.AttributeName), Enabled: aws.Bool(true)},
		}); err != nil {
			return physical{}, fmt.Errorf("time to live: %w", err)
		}
	}
	ph := physical{ref: tp.TableName, attrs: map[string]string{"Arn": aws.ToString(out.TableDescription.TableArn)}}
	if s := aws.ToString(out.TableDescription.LatestStreamArn); s != "" {
		ph.attrs["StreamArn"] = s
	}
	return ph, nil
}

func (p *provisioner) queue(ctx context.Context, id string, props map[string]any) (physical, error) {
	if err := checkKnown(props, "QueueName", "VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds",
		"MaximumMessageSize", "ReceiveMessageWaitTimeSeconds", "RedrivePolicy", "RedriveAllowPolicy",
		"SqsManagedSseEnabled", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "Tags"); err != nil {
		return physical{}, err
	}
	name := str(props, "QueueName")
	if name == "" {
		name = p.name(id)
	}
	attrs := map[string]string{}
	for _, k := range []string{"VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "MaximumMessageSize", "ReceiveMessageWaitTimeSeconds"} {
		if v, ok := props[k]; ok {
			attrs[k] = fmt.Sprint(v)
		}
	}
	for _, k := range []string{"RedrivePolicy", "RedriveAllowPolicy"} {
		switch v := props[k].(type) {
		case nil:
		case string:
			attrs[k] = v
		default:
			b, err := json.Marshal(v)
			if err != nil {
				return physical{}, fmt.Errorf("%s: %w", k, err)
			}
			attrs[k] = string(b)
		}
	}
	out, err := p.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		return physical{}, err
	}
	arn := awsproto.ARN("sqs", p.region, name)
	return physical{ref: aws.ToString(out.QueueUrl), attrs: map[string]string{
		"Arn": arn, "QueueName": name, "QueueUrl": aws.ToString(out.QueueUrl)}}, nil
}

func (p *provisioner) bus(ctx context.Context, id string, props map[string]any) (physical, error) {
	if err := checkKnown(props, "Name", "Description", "Tags"); err != nil {
		return physical{}, err
	}
	name := str(props, "Name")
	if name == "" {
		return physical{}, fmt.Errorf("property Name is required")
	}
	out, err := p.eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(name)})
	if err != nil {
		return physical{}, err
	}
	return physical{ref: name, attrs: map[string]string{"Arn": aws.ToString(out.EventBusArn), "Name": name}}, nil
}

type targetProps struct {
	Id, Arn, Input, InputPath string
	InputTransformer          *struct {
		InputPathsMap map[string]string
		InputTemplate string
	}
	DeadLetterConfig *struct{ Arn string }
	RetryPolicy      *struct{ MaximumRetryAttempts, MaximumEventAgeInSeconds *int32 }
}

func (p *provisioner) rule(ctx context.Context, id string, props map[string]any) (physical, error) {
	if err := checkKnown(props, "Name", "Description", "EventBusName", "EventPattern", "ScheduleExpression", "State", "Targets", "RoleArn"); err != nil {
		return physical{}, err
	}
	var targets []targetProps
	if t, ok := props["Targets"]; ok {
		if err := samtemplate.Decode(t, &targets); err != nil {
			return physical{}, fmt.Errorf("property Targets: %w", err)
		}
	}
	name := str(props, "Name")
	if name == "" {
		name = p.name(id)
	}
	bus := str(props, "EventBusName")
	arn, err := p.putRule(ctx, name, bus, props["EventPattern"], str(props, "ScheduleExpression"), str(props, "State"))
	if err != nil {
		return physical{}, err
	}
	var ts []ebtypes.Target
	for _, t := range targets {
		et := ebtypes.Target{Id: aws.String(t.Id), Arn: aws.String(t.Arn)}
		if t.Input != "" {
			et.Input = aws.String(t.Input)
		}
		if t.InputPath != "" {
			et.InputPath = aws.String(t.InputPath)
		}
		if t.InputTransformer != nil {
			et.InputTransformer = &ebtypes.InputTransformer{InputPathsMap: t.InputTransformer.InputPathsMap, InputTemplate: aws.String(t.InputTransformer.InputTemplate)}
		}
		if t.DeadLetterConfig != nil {
			et.DeadLetterConfig = &ebtypes.DeadLetterConfig{Arn: aws.String(t.DeadLetterConfig.Arn)}
		}
		if t.RetryPolicy != nil {
			et.RetryPolicy = &ebtypes.RetryPolicy{MaximumRetryAttempts: t.RetryPolicy.MaximumRetryAttempts, MaximumEventAgeInSeconds: t.RetryPolicy.MaximumEventAgeInSeconds}
		}
		ts = append(ts, et)
	}
	if err := p.putTargets(ctx, name, bus, ts); err != nil {
		return physical{}, err
	}
	return physical{ref: name, attrs: map[string]string{"Arn": arn}}, nil
}

func (p *provisioner) putRule(ctx context.Context, name, bus string, pattern any, schedule, state string) (string, error) {
	in := &eventbridge.PutRuleInput{Name: aws.String(name)}
	if bus != "" {
		in.EventBusName = aws.String(bus)
	}
	switch pt := pattern.(type) {
	case nil:
	case string:
		in.EventPattern = aws.String(pt)
	default:
		b, err := json.Marshal(pt)
		if err != nil {
			return "", fmt.Errorf("EventPattern: %w", err)
		}
		in.EventPattern = aws.String(string(b))
	}
	if schedule != "" {
		in.ScheduleExpression = aws.String(schedule)
	}
	if state != "" {
		in.State = ebtypes.RuleState(state)
	}
	out, err := p.eb.PutRule(ctx, in)
	if err != nil {
		return "", err
	}
	return aws.ToString(out.RuleArn), nil
}

func (p *provisioner) putTargets(ctx context.Context, rule, bus string, ts []ebtypes.Target) error {
	if len(ts) == 0 {
		return nil
	}
	in := &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: ts}
	if bus != "" {
		in.EventBusName = aws.String(bus)
	}
	out, err := p.eb.PutTargets(ctx, in)
	if err != nil {
		return err
	}
	if out.FailedEntryCount > 0 {
		f := out.FailedEntries[0]
		return fmt.Errorf("target %s: %s: %s", aws.ToString(f.TargetId), aws.ToString(f.ErrorCode), aws.ToString(f.ErrorMessage))
	}
	return nil
}

type bucketProps struct {
	BucketName                string
	NotificationConfiguration *struct {
		QueueConfigurations []struct {
			Event, Queue string
			Filter       *struct {
				S3Key struct {
					Rules []struct{ Name, Value string }
				}
			}
		}
		LambdaConfigurations []any
		TopicConfigurations  []any
	}
}

func (p *provisioner) bucket(ctx context.Context, id string, props map[string]any) (physical, error) {
	// Access blocks, encryption, tags and ownership do not change what a function can see.
	if err := checkKnown(props, "BucketName", "NotificationConfiguration", "PublicAccessBlockConfiguration",
		"BucketEncryption", "Tags", "OwnershipControls"); err != nil {
		return physical{}, err
	}
	var bp bucketProps
	if err := samtemplate.Decode(props, &bp); err != nil {
		return physical{}, err
	}
	if bp.BucketName == "" {
		bp.BucketName = strings.ToLower(p.name(id))
	}
	if _, err := p.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bp.BucketName)}); err != nil {
		return physical{}, err
	}
	if nc := bp.NotificationConfiguration; nc != nil {
		if len(nc.LambdaConfigurations) > 0 || len(nc.TopicConfigurations) > 0 {
			return physical{}, fmt.Errorf("NotificationConfiguration: only QueueConfigurations are implemented by the local cloud")
		}
		var qcs []s3types.QueueConfiguration
		for _, q := range nc.QueueConfigurations {
			qc := s3types.QueueConfiguration{QueueArn: aws.String(q.Queue), Events: []s3types.Event{s3types.Event(q.Event)}}
			if q.Filter != nil {
				var rules []s3types.FilterRule
				for _, r := range q.Filter.S3Key.Rules {
					rules = append(rules, s3types.FilterRule{Name: s3types.FilterRuleName(strings.ToLower(r.Name)), Value: aws.String(r.Value)})
				}
				qc.Filter = &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{FilterRules: rules}}
			}
			qcs = append(qcs, qc)
		}
		if _, err := p.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
			Bucket:                    aws.String(bp.BucketName),
			NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: qcs},
		}); err != nil {
			return physical{}, fmt.Errorf("notifications: %w", err)
		}
	}
	return physical{ref: bp.BucketName, attrs: map[string]string{
		"Arn":        "arn:aws:s3:::" + bp.BucketName,
		"DomainName": bp.BucketName + ".s3.amazonaws.com",
	}}, nil
}

func (p *provisioner) httpAPI(id string, props map[string]any) (physical, error) {
	// Stage, CORS and access logs are API Gateway concerns the local gateway does not model.
	if err := checkKnown(props, "StageName", "Description", "CorsConfiguration", "AccessLogSettings",
		"DefaultRouteSettings", "Tags", "FailOnWarnings"); err != nil {
		return physical{}, err
	}
	if p.plan.apiID != "" {
		return physical{}, fmt.Errorf("the local cloud serves one HTTP API; %s is a second one", id)
	}
	p.plan.apiID = strings.ToLower(id)
	return physical{ref: p.plan.apiID, attrs: map[string]string{"ApiEndpoint": p.plan.apiURL}}, nil
}
