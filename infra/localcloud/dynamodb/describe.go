package dynamodb

import (
	"encoding/json"
	"time"
)

type throughputDesc struct {
	NumberOfDecreasesToday int64
	ReadCapacityUnits      int64
	WriteCapacityUnits     int64
}

type indexDesc struct {
	IndexName             string
	KeySchema             []keySchemaElement
	Projection            projectionJSON
	IndexStatus           string          `json:",omitempty"`
	ProvisionedThroughput *throughputDesc `json:",omitempty"`
	OnDemandThroughput    *onDemandJSON   `json:",omitempty"`
	IndexSizeBytes        int64
	ItemCount             int
	IndexArn              string
}

type billingSummary struct {
	BillingMode                       string
	LastUpdateToPayPerRequestDateTime *float64 `json:",omitempty"`
}

type sseDesc struct {
	Status          string
	SSEType         string
	KMSMasterKeyArn string `json:",omitempty"`
}

type tableClassSummary struct {
	TableClass string
}

type tableDesc struct {
	AttributeDefinitions      []attributeDefinition
	TableName                 string
	KeySchema                 []keySchemaElement
	TableStatus               string
	CreationDateTime          float64
	ProvisionedThroughput     throughputDesc
	TableSizeBytes            int64
	ItemCount                 int
	TableArn                  string
	TableId                   string
	BillingModeSummary        *billingSummary    `json:",omitempty"`
	LocalSecondaryIndexes     []indexDesc        `json:",omitempty"`
	GlobalSecondaryIndexes    []indexDesc        `json:",omitempty"`
	StreamSpecification       *streamSpecJSON    `json:",omitempty"`
	LatestStreamLabel         string             `json:",omitempty"`
	LatestStreamArn           string             `json:",omitempty"`
	SSEDescription            *sseDesc           `json:",omitempty"`
	TableClassSummary         *tableClassSummary `json:",omitempty"`
	DeletionProtectionEnabled bool
	OnDemandThroughput        *onDemandJSON `json:",omitempty"`
}

func epochSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func schemaJSON(ks keySchema) []keySchemaElement {
	out := []keySchemaElement{{AttributeName: ks.hash.name, KeyType: "HASH"}}
	if ks.hasRange() {
		out = append(out, keySchemaElement{AttributeName: ks.rng.name, KeyType: "RANGE"})
	}
	return out
}

// describeLocked builds the TableDescription (t.mu held for reading).
func (s *Service) describeLocked(t *table, status string) tableDesc {
	d := tableDesc{
		TableName:        t.name,
		KeySchema:        schemaJSON(t.schema),
		TableStatus:      status,
		CreationDateTime: epochSeconds(t.created),
		ProvisionedThroughput: throughputDesc{
			ReadCapacityUnits: t.provRead, WriteCapacityUnits: t.provWrite,
		},
		TableSizeBytes:            t.bytes,
		ItemCount:                 t.items.len(),
		TableArn:                  t.arn,
		TableId:                   t.id,
		DeletionProtectionEnabled: t.deletionProtection,
		OnDemandThroughput:        t.onDemand,
	}
	for _, def := range t.sortedDefs() {
		d.AttributeDefinitions = append(d.AttributeDefinitions, attributeDefinition{AttributeName: def.name, AttributeType: def.typ.String()})
	}
	if t.billing == "PAY_PER_REQUEST" {
		bs := &billingSummary{BillingMode: t.billing}
		if !t.billingChanged.IsZero() {
			ts := epochSeconds(t.billingChanged)
			bs.LastUpdateToPayPerRequestDateTime = &ts
		} else {
			ts := epochSeconds(t.created)
			bs.LastUpdateToPayPerRequestDateTime = &ts
		}
		d.BillingModeSummary = bs
	} else {
		d.BillingModeSummary = &billingSummary{BillingMode: "PROVISIONED"}
	}
	for _, ix := range t.lsis {
		d.LocalSecondaryIndexes = append(d.LocalSecondaryIndexes, s.indexDescription(t, ix))
	}
	for _, ix := range t.gsis {
		id := s.indexDescription(t, ix)
		id.IndexStatus = "ACTIVE"
		id.ProvisionedThroughput = &throughputDesc{ReadCapacityUnits: ix.provRead, WriteCapacityUnits: ix.provWrite}
		d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, id)
	}
	if st := t.current; st != nil {
		on := true
		d.StreamSpecification = &streamSpecJSON{StreamEnabled: &on, StreamViewType: st.viewType}
	}
	if n := len(t.streams); n > 0 {
		d.LatestStreamLabel = t.streams[n-1].label
		d.LatestStreamArn = t.streams[n-1].arn
	}
	if t.sse != nil {
		d.SSEDescription = &sseDesc{Status: "ENABLED", SSEType: t.sse.sseType, KMSMasterKeyArn: t.sse.kmsKey}
	}
	if t.tableClass != "" {
		d.TableClassSummary = &tableClassSummary{TableClass: t.tableClass}
	}
	return d
}

func (s *Service) indexDescription(t *table, ix *index) indexDesc {
	return indexDesc{
		IndexName:          ix.name,
		KeySchema:          schemaJSON(ix.schema),
		Projection:         projectionJSON{ProjectionType: ix.proj.typ, NonKeyAttributes: ix.proj.nonKeys},
		IndexSizeBytes:     ix.bytes,
		ItemCount:          ix.entries.len(),
		IndexArn:           t.arn + "/index/" + ix.name,
		OnDemandThroughput: ix.onDemand,
	}
}

// appendTableDescription appends {"<member>": TableDescription}. Tables are
// created ACTIVE at once: there is nothing to provision locally.
func (s *Service) appendTableDescription(dst []byte, member string, t *table) ([]byte, error) {
	t.mu.RLock()
	d := s.describeLocked(t, "ACTIVE")
	t.mu.RUnlock()
	return appendJSONMember(dst, member, d)
}

// appendJSONMember appends {"member": v} with v encoded by encoding/json.
func appendJSONMember(dst []byte, member string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dst = append(dst, '{')
	dst = appendKey(dst, member)
	dst = append(dst, b...)
	return append(dst, '}'), nil
}
