package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/paylane/paylane/infra/localcloud/eventsource"
)

func TestOutboxRepublish(t *testing.T) {
	s := newStack(t)
	want := s.authorizeAndCapture(t, "pay_r")
	s.authorizeAndCapture(t, "pay_other")
	code, out, stderr := payctl(t, nil, "outbox", "republish", "pay_r")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "published 2 events of pay_r on bus paylane") ||
		strings.Index(out, want[0].ID) > strings.Index(out, want[1].ID) {
		t.Errorf("output\n%s", out)
	}
	got := s.seenEvents(t, 2)
	var ids []string
	for _, ev := range got {
		ids = append(ids, ev.ID)
		if ev.PaymentID != "pay_r" {
			t.Errorf("published an event of %s", ev.PaymentID)
		}
	}
	slices.Sort(ids)
	if wantIDs := []string{want[0].ID, want[1].ID}; !slices.Equal(ids, wantIDs) {
		t.Errorf("published %v, want the same event ids %v", ids, wantIDs)
	}

	if code, _, stderr := payctl(t, nil, "outbox", "republish", "pay_nobody"); code != 1 || !strings.Contains(stderr, "no outbox events") {
		t.Errorf("unknown payment: exit %d %q", code, stderr)
	}
	if code, _, stderr := payctl(t, map[string]string{"EVENT_BUS_NAME": "gone"}, "outbox", "republish", "pay_r"); code != 1 || !strings.Contains(stderr, "published 0 of the 2 events") {
		t.Errorf("missing bus: exit %d %q", code, stderr)
	}
}

func TestOutboxUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"outbox"}, {"outbox", "republish"}, {"outbox", "republish", " "}, {"outbox", "resend", "pay_x"}, {"outbox", "republish", "a", "b"}} {
		if code, _, stderr := payctl(t, nil, args...); code != 2 || !strings.Contains(stderr, "usage") {
			t.Errorf("%v: exit %d %q", args, code, stderr)
		}
	}
}

func TestCompareSeqOrdersAsNumbers(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	digits := func() string {
		n := 1 + rng.IntN(40)
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
		}
		return string(b)
	}
	for range 5000 {
		a, b := digits(), digits()
		if rng.IntN(10) == 0 {
			b = a
		}
		x, _ := new(big.Int).SetString(a, 10)
		y, _ := new(big.Int).SetString(b, 10)
		if got, want := sign(compareSeq(a, b)), x.Cmp(y); got != want {
			t.Fatalf("compareSeq(%s, %s) = %d, want %d", a, b, got, want)
		}
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

func TestStreamRecordIsWhatLambdaPasses(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 3, 1, 9, 30, 0, 700_000_000, time.UTC)
	rec := streamtypes.Record{
		AwsRegion: aws.String("us-east-1"), EventID: aws.String("e1"), EventName: streamtypes.OperationTypeRemove,
		EventSource: aws.String("aws:dynamodb"), EventVersion: aws.String("1.1"),
		UserIdentity: &streamtypes.Identity{Type: aws.String("Service"), PrincipalId: aws.String("dynamodb.amazonaws.com")},
		Dynamodb: &streamtypes.StreamRecord{
			ApproximateCreationDateTime: &at, SequenceNumber: aws.String("100000000000000000042"), SizeBytes: aws.Int64(321),
			StreamViewType: streamtypes.StreamViewTypeNewAndOldImages,
			Keys:           map[string]streamtypes.AttributeValue{"pk": &streamtypes.AttributeValueMemberS{Value: "PAY#p"}},
			OldImage: map[string]streamtypes.AttributeValue{
				"s": &streamtypes.AttributeValueMemberS{Value: "x"}, "n": &streamtypes.AttributeValueMemberN{Value: "1.5"},
				"b": &streamtypes.AttributeValueMemberB{Value: []byte{1, 2}}, "t": &streamtypes.AttributeValueMemberBOOL{Value: true},
				"z": &streamtypes.AttributeValueMemberNULL{Value: true}, "ss": &streamtypes.AttributeValueMemberSS{Value: []string{"a", "b"}},
				"ns": &streamtypes.AttributeValueMemberNS{Value: []string{"1", "2"}}, "bs": &streamtypes.AttributeValueMemberBS{Value: [][]byte{{3}}},
				"l": &streamtypes.AttributeValueMemberL{Value: []streamtypes.AttributeValue{&streamtypes.AttributeValueMemberS{Value: "in"}}},
				"m": &streamtypes.AttributeValueMemberM{Value: map[string]streamtypes.AttributeValue{"k": &streamtypes.AttributeValueMemberN{Value: "7"}}},
			},
		},
	}
	got, err := json.Marshal(eventsource.LambdaRecord(rec, "arn:stream", ""))
	if err != nil {
		t.Fatal(err)
	}
	var back events.DynamoDBEventRecord
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	old := back.Change.OldImage
	checks := []struct {
		name      string
		got, want any
	}{
		{"eventSourceARN", back.EventSourceArn, "arn:stream"},
		{"eventName", back.EventName, "REMOVE"},
		{"user identity", fmt.Sprint(back.UserIdentity), "&{Service dynamodb.amazonaws.com}"},
		{"creation time, whole seconds", back.Change.ApproximateCreationDateTime.Unix(), at.Unix()},
		{"sequence number", back.Change.SequenceNumber, "100000000000000000042"},
		{"size", back.Change.SizeBytes, int64(321)},
		{"key", back.Change.Keys["pk"].String(), "PAY#p"},
		{"S", old["s"].String(), "x"},
		{"N", old["n"].Number(), "1.5"},
		{"B", fmt.Sprint(old["b"].Binary()), "[1 2]"},
		{"BOOL", old["t"].Boolean(), true},
		{"NULL", old["z"].IsNull(), true},
		{"SS", fmt.Sprint(old["ss"].StringSet()), "[a b]"},
		{"NS", fmt.Sprint(old["ns"].NumberSet()), "[1 2]"},
		{"BS", fmt.Sprint(old["bs"].BinarySet()), "[[3]]"},
		{"L", old["l"].List()[0].String(), "in"},
		{"M", old["m"].Map()["k"].Number(), "7"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
	if back.Change.NewImage != nil {
		t.Errorf("a REMOVE got a new image %v", back.Change.NewImage)
	}
}
