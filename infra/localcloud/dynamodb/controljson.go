package dynamodb

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// The control-plane operations (tables, TTL, tags, streams) are rare, so
// they use encoding/json; unknown members are refused so that a feature the
// local cloud does not implement is an explicit error, not silently ignored.

type keySchemaElement struct {
	AttributeName string
	KeyType       string
}

type attributeDefinition struct {
	AttributeName string
	AttributeType string
}

type projectionJSON struct {
	ProjectionType   string   `json:",omitempty"`
	NonKeyAttributes []string `json:",omitempty"`
}

type throughputJSON struct {
	ReadCapacityUnits  *int64 `json:",omitempty"`
	WriteCapacityUnits *int64 `json:",omitempty"`
}

type onDemandJSON struct {
	MaxReadRequestUnits  *int64 `json:",omitempty"`
	MaxWriteRequestUnits *int64 `json:",omitempty"`
}

type gsiJSON struct {
	IndexName             string
	KeySchema             []keySchemaElement
	Projection            *projectionJSON
	ProvisionedThroughput *throughputJSON
	OnDemandThroughput    *onDemandJSON
}

type streamSpecJSON struct {
	StreamEnabled  *bool
	StreamViewType string `json:",omitempty"`
}

type sseSpecJSON struct {
	Enabled        *bool
	SSEType        string
	KMSMasterKeyId string
}

type tagJSON struct {
	Key   string
	Value string
}

// decodeStrict decodes a control-plane request, refusing unknown members.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return serializationErr(err)
		}
		if msg := err.Error(); strings.Contains(msg, "unknown field") {
			return validationf("The local cloud does not implement this request member: %s", strings.TrimPrefix(msg, "json: "))
		}
		return serializationErr(err)
	}
	return nil
}
