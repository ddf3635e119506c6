package sqs

import "testing"

func TestDecodeReceiptRejectsGarbage(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"", "garbage", "!!!", receipt{queue: "q", messageID: "m", gen: 1}.encode() + "x", "bGNzcXMxCnEKbQow"} {
		if _, err := decodeReceipt(h); err == nil {
			t.Errorf("decodeReceipt(%q) accepted a malformed handle", h)
		}
	}
}

func FuzzReceiptRoundTrip(f *testing.F) {
	f.Add("orders", "0b3c", uint64(1))
	f.Add("q_1-2", "id", uint64(1<<63))
	f.Fuzz(func(t *testing.T, queue, id string, gen uint64) {
		r := receipt{queue: queue, messageID: id, gen: gen}
		got, err := decodeReceipt(r.encode())
		valid := validQueueName(queue) && id != "" && gen != 0 && !containsNewline(id)
		if !valid {
			return
		}
		if err != nil || got != r {
			t.Fatalf("round trip of %+v = %+v, %v", r, got, err)
		}
	})
}

func FuzzDecodeReceiptNeverPanics(f *testing.F) {
	f.Add("bGNzcXMxCnEKbQox")
	f.Fuzz(func(t *testing.T, h string) {
		r, err := decodeReceipt(h)
		if err == nil && (r.gen == 0 || r.messageID == "" || !validQueueName(r.queue)) {
			t.Fatalf("accepted %q as %+v", h, r)
		}
	})
}

func containsNewline(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return true
		}
	}
	return false
}
