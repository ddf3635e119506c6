package eventsource

import (
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// LambdaRecord converts a record as GetRecords returns it into the record of
// the Lambda event, which adds eventSourceARN (region fills in a record that
// carries none). Operators' tools that replay stream records use it too.
func LambdaRecord(r types.Record, streamARN, region string) events.DynamoDBEventRecord {
	out := events.DynamoDBEventRecord{
		AWSRegion:      aws.ToString(r.AwsRegion),
		EventID:        aws.ToString(r.EventID),
		EventName:      string(r.EventName),
		EventSource:    aws.ToString(r.EventSource),
		EventVersion:   aws.ToString(r.EventVersion),
		EventSourceArn: streamARN,
	}
	if out.AWSRegion == "" {
		out.AWSRegion = region
	}
	if out.EventSource == "" {
		out.EventSource = "aws:dynamodb"
	}
	if r.UserIdentity != nil {
		out.UserIdentity = &events.DynamoDBUserIdentity{
			Type: aws.ToString(r.UserIdentity.Type), PrincipalID: aws.ToString(r.UserIdentity.PrincipalId),
		}
	}
	if d := r.Dynamodb; d != nil {
		out.Change = events.DynamoDBStreamRecord{
			Keys:           attributeMap(d.Keys),
			NewImage:       attributeMap(d.NewImage),
			OldImage:       attributeMap(d.OldImage),
			SequenceNumber: aws.ToString(d.SequenceNumber),
			SizeBytes:      aws.ToInt64(d.SizeBytes),
			StreamViewType: string(d.StreamViewType),
		}
		if d.ApproximateCreationDateTime != nil {
			// Lambda sends whole epoch seconds.
			out.Change.ApproximateCreationDateTime = events.SecondsEpochTime{Time: d.ApproximateCreationDateTime.Truncate(time.Second)}
		}
	}
	return out
}

func attributeMap(m map[string]types.AttributeValue) map[string]events.DynamoDBAttributeValue {
	if m == nil {
		return nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(m))
	for k, v := range m {
		if av, ok := attributeValue(v); ok {
			out[k] = av
		}
	}
	return out
}

// attributeValue converts one attribute value. A member this SDK version does
// not know (types.UnknownUnionMember) cannot be rendered and is left out.
func attributeValue(v types.AttributeValue) (events.DynamoDBAttributeValue, bool) {
	switch t := v.(type) {
	case *types.AttributeValueMemberS:
		return events.NewStringAttribute(t.Value), true
	case *types.AttributeValueMemberN:
		return events.NewNumberAttribute(t.Value), true
	case *types.AttributeValueMemberB:
		return events.NewBinaryAttribute(t.Value), true
	case *types.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(t.Value), true
	case *types.AttributeValueMemberNULL:
		return events.NewNullAttribute(), true
	case *types.AttributeValueMemberSS:
		return events.NewStringSetAttribute(t.Value), true
	case *types.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(t.Value), true
	case *types.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(t.Value), true
	case *types.AttributeValueMemberM:
		return events.NewMapAttribute(attributeMap(t.Value)), true
	case *types.AttributeValueMemberL:
		list := make([]events.DynamoDBAttributeValue, 0, len(t.Value))
		for _, e := range t.Value {
			if av, ok := attributeValue(e); ok {
				list = append(list, av)
			}
		}
		return events.NewListAttribute(list), true
	}
	return events.DynamoDBAttributeValue{}, false
}
