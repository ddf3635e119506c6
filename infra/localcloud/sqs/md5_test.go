package sqs

import (
	"crypto/md5"
	"encoding/hex"
	"testing"
)

// Vectors published with the aws-md5-of-message-attributes package
// (https://npmjs.com/package/aws-md5-of-message-attributes), which follows
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html#sqs-attributes-md5-message-digest-calculation
func TestMD5OfAttributesKnownVectors(t *testing.T) {
	t.Parallel()
	str := attrValue{DataType: "String", StringValue: "attribValue 1"}
	num := attrValue{DataType: "Number.float", StringValue: "4563442423554324324264524243.32543234"}
	bin := attrValue{DataType: "Binary", BinaryValue: []byte("Hello binary world!")}
	tests := []struct {
		name  string
		attrs map[string]attrValue
		want  string
	}{
		{"string", map[string]attrValue{"attribName1": str}, "19e27d4e946b072f3f58da80d94fd778"},
		{"custom number type", map[string]attrValue{"customNumberTypeAttrib": num}, "9fe1b90bbd9965bdf77bac517c7d2495"},
		{"binary", map[string]attrValue{"binaryAttribute": bin}, "31a92b15d92f8db860eda32aceb656c3"},
		{"several, sorted by name", map[string]attrValue{"attribName1": str, "customNumberTypeAttrib": num, "binaryAttribute": bin}, "c932db14a896c663f83c260297d594ff"},
		{"none", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := md5OfAttributes(tt.attrs); got != tt.want {
				t.Errorf("md5OfAttributes = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestMD5Hex(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"", "hello", "héllo ✓ 𝄞"} {
		sum := md5.Sum([]byte(body))
		if got, want := md5Hex(body), hex.EncodeToString(sum[:]); got != want {
			t.Errorf("md5Hex(%q) = %s, want %s", body, got, want)
		}
	}
}

// FuzzMD5OfAttributesOrderIndependent: the digest depends on the set of
// attributes, not on map iteration order, and changes when a value changes.
func FuzzMD5OfAttributesOrderIndependent(f *testing.F) {
	f.Add("a", "b", "v1", "v2")
	f.Add("x.y", "x", "1", "2")
	f.Fuzz(func(t *testing.T, n1, n2, v1, v2 string) {
		if n1 == n2 {
			return
		}
		a := map[string]attrValue{n1: {DataType: "String", StringValue: v1}, n2: {DataType: "Binary", BinaryValue: []byte(v2)}}
		first := md5OfAttributes(a)
		for range 5 {
			if got := md5OfAttributes(a); got != first {
				t.Fatalf("digest not deterministic: %s vs %s", got, first)
			}
		}
		changed := map[string]attrValue{n1: {DataType: "String", StringValue: v1 + "!"}, n2: a[n2]}
		if md5OfAttributes(changed) == first {
			t.Fatalf("digest did not change with the value")
		}
	})
}
