package awsproto

import (
	"hash/crc32"
	"net/http/httptest"
	"strconv"
	"testing"
)

func TestWriteErrorShape(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	WriteError(rec, "application/x-amz-json-1.0", &Error{
		Namespace: "com.amazonaws.dynamodb.v20120810", Type: "ConditionalCheckFailedException",
		Message: "The conditional request failed",
	})
	if rec.Code != 400 {
		t.Errorf("status %d, want 400", rec.Code)
	}
	want := `{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}`
	if rec.Body.String() != want {
		t.Errorf("body %s, want %s", rec.Body.String(), want)
	}
	// DynamoDB clients verify the body's CRC32 against this header.
	if got := rec.Header().Get("X-Amz-Crc32"); got != strconv.FormatUint(uint64(crc32.ChecksumIEEE(rec.Body.Bytes())), 10) {
		t.Errorf("X-Amz-Crc32 = %s, not the body's CRC32", got)
	}
	if rec.Header().Get("X-Amzn-Requestid") == "" {
		t.Error("no request id")
	}
}

func TestParseARN(t *testing.T) {
	t.Parallel()
	svc, region, account, res, err := ParseARN(ARN("sqs", "us-east-1", "q1"))
	if err != nil || svc != "sqs" || region != "us-east-1" || account != AccountID || res != "q1" {
		t.Errorf("ParseARN = %s %s %s %s %v", svc, region, account, res, err)
	}
	if _, _, _, _, err := ParseARN("not:an:arn"); err == nil {
		t.Error("ParseARN accepted a non-ARN")
	}
}
