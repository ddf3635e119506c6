package sqs

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// receiptVersion tags the handle format so garbage is told apart from a
// handle of a message that is gone.
const receiptVersion = "lcsqs1"

var errMalformedReceipt = errors.New("malformed receipt handle")

// receipt identifies one receive of one message.
type receipt struct {
	queue     string
	messageID string
	gen       uint64
}

func (r receipt) encode() string {
	raw := receiptVersion + "\n" + r.queue + "\n" + r.messageID + "\n" + strconv.FormatUint(r.gen, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeReceipt(handle string) (receipt, error) {
	raw, err := base64.RawURLEncoding.DecodeString(handle)
	if err != nil {
		return receipt{}, errMalformedReceipt
	}
	parts := strings.Split(string(raw), "\n")
	if len(parts) != 4 || parts[0] != receiptVersion || !validQueueName(parts[1]) || parts[2] == "" {
		return receipt{}, errMalformedReceipt
	}
	gen, err := strconv.ParseUint(parts[3], 10, 64)
	if err != nil || gen == 0 {
		return receipt{}, errMalformedReceipt
	}
	return receipt{queue: parts[1], messageID: parts[2], gen: gen}, nil
}
