package payment

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestEventFromBusMessage(t *testing.T) {
	t.Parallel()
	p := authorized(1000)
	ev, _ := p.RequestCapture(0, "ev-1", t0)
	detail, _ := json.Marshal(ev)
	wrap := func(source, detailType, detail string) string {
		return `{"version":"0","id":"x","detail-type":"` + detailType + `","source":"` + source + `","account":"0","time":"2026-11-20T00:00:00Z","region":"us-east-1","resources":[],"detail":` + detail + `}`
	}
	got, err := EventFromBusMessage(wrap(EventSource, string(EventCaptureRequested), string(detail)))
	if err != nil || got.ID != "ev-1" || got.Type != EventCaptureRequested || got.Data.Amount != 1000 {
		t.Fatalf("valid message: %+v %v", got, err)
	}
	for name, body := range map[string]string{
		"not JSON":            "nope",
		"other source":        wrap("someone.else", string(EventCaptureRequested), string(detail)),
		"no detail":           wrap(EventSource, string(EventCaptureRequested), "null"),
		"detail not an event": wrap(EventSource, string(EventCaptureRequested), `"text"`),
		"type disagrees":      wrap(EventSource, string(EventCaptured), string(detail)),
		"no id":               wrap(EventSource, string(EventCaptureRequested), strings.Replace(string(detail), `"id":"ev-1"`, `"id":""`, 1)),
	} {
		if _, err := EventFromBusMessage(body); !errors.Is(err, ErrMalformedMessage) {
			t.Errorf("%s: err = %v, want ErrMalformedMessage", name, err)
		}
	}
}
