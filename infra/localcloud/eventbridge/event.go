package eventbridge

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
	"github.com/paylane/paylane/infra/localcloud/eventbridge/pattern"
)

// envelope is the event as rules see it and targets receive it by default,
// with the members in the order AWS sends them.
type envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail,omitempty"`
}

// event is an accepted event, encoded once for all the rules that see it.
type event struct {
	bus       string
	id        string
	full      []byte // the envelope
	noDetail  []byte // the envelope without detail, for <aws.events.event>
	decoded   any    // full, decoded for matching and paths
	ingestion time.Time
}

const eventTimeLayout = "2006-01-02T15:04:05Z"

func (s *Service) newEvent(busName, source, detailType string, detail json.RawMessage, resources []string, at, ingestion time.Time) (*event, error) {
	if resources == nil {
		resources = []string{}
	}
	env := envelope{
		Version:    "0",
		ID:         awsproto.NewRequestID(),
		DetailType: detailType,
		Source:     source,
		Account:    awsproto.AccountID,
		Time:       at.UTC().Format(eventTimeLayout),
		Region:     s.region,
		Resources:  resources,
		Detail:     detail,
	}
	full, err := marshalJSON(env)
	if err != nil {
		return nil, err
	}
	env.Detail = nil
	noDetail, err := marshalJSON(env)
	if err != nil {
		return nil, err
	}
	decoded, err := pattern.Decode(full)
	if err != nil {
		return nil, err
	}
	return &event{bus: busName, id: env.ID, full: full, noDetail: noDetail, decoded: decoded, ingestion: ingestion}, nil
}

// marshalJSON encodes without escaping <, > and &, as AWS sends events.
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
