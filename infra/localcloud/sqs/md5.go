package sqs

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"sort"
	"strings"
)

// md5Hex is MD5OfMessageBody: the hex MD5 of the body's UTF-8 bytes.
func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Transport types of the attribute MD5 encoding.
const (
	transportString = 1
	transportBinary = 2
)

// md5OfAttributes computes MD5OfMessageAttributes (and, over the system
// attributes, MD5OfMessageSystemAttributes) as the SQS Developer Guide
// specifies: attributes sorted by name, each encoded as
// len(name) name len(type) type transport-byte len(value) value, lengths
// as 4-byte big-endian integers, the MD5 taken over the concatenation.
// It returns "" for no attributes, which callers send as an absent field.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html#sqs-attributes-md5-message-digest-calculation
func md5OfAttributes(attrs map[string]attrValue) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	sort.Strings(names)

	h := md5.New()
	var lenBuf [4]byte
	writeBytes := func(b []byte) {
		binary.BigEndian.PutUint32(lenBuf[:], uint32(len(b)))
		h.Write(lenBuf[:])
		h.Write(b)
	}
	for _, name := range names {
		v := attrs[name]
		writeBytes([]byte(name))
		writeBytes([]byte(v.DataType))
		if v.isBinary() {
			h.Write([]byte{transportBinary})
			writeBytes(v.BinaryValue)
		} else {
			h.Write([]byte{transportString})
			writeBytes([]byte(v.StringValue))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// baseDataType strips a custom label: "Number.float" -> "Number".
func baseDataType(dataType string) string {
	base, _, _ := strings.Cut(dataType, ".")
	return base
}
