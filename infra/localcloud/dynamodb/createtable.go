package dynamodb

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// Quotas, https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
const (
	maxGSIs             = 20
	maxLSIs             = 5
	maxProjectedNonKeys = 100
)

type createTableInput struct {
	TableName                 string
	AttributeDefinitions      []attributeDefinition
	KeySchema                 []keySchemaElement
	LocalSecondaryIndexes     []gsiJSON
	GlobalSecondaryIndexes    []gsiJSON
	BillingMode               string
	ProvisionedThroughput     *throughputJSON
	OnDemandThroughput        *onDemandJSON
	StreamSpecification       *streamSpecJSON
	SSESpecification          *sseSpecJSON
	Tags                      []tagJSON
	TableClass                string
	DeletionProtectionEnabled *bool
}

func (s *Service) createTable(dst, body []byte) ([]byte, error) {
	var in createTableInput
	if err := decodeStrict(body, &in); err != nil {
		return nil, err
	}
	now := s.now()
	t, err := s.buildTable(&in, now)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if _, exists := s.tables[t.name]; exists {
		s.mu.Unlock()
		return nil, apiError("ResourceInUseException", "Table already exists: %s", t.name)
	}
	s.tables[t.name] = t
	if in.StreamSpecification != nil && in.StreamSpecification.StreamEnabled != nil && *in.StreamSpecification.StreamEnabled {
		s.enableStreamLocked(t, in.StreamSpecification.StreamViewType, now)
	}
	s.mu.Unlock()
	return s.appendTableDescription(dst, "TableDescription", t)
}

func validateTableName(name, member string) error {
	if name == "" {
		return validationf("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
	}
	if len(name) < 3 {
		return validationf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 3", name, member)
	}
	if len(name) > 255 {
		return validationf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 255", name, member)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return validationf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", name, member)
		}
	}
	return nil
}

// buildTable validates a CreateTable request as DynamoDB does and returns
// the new, empty table.
func (s *Service) buildTable(in *createTableInput, now time.Time) (*table, error) {
	if err := validateTableName(in.TableName, "tableName"); err != nil {
		return nil, err
	}
	defs, err := parseAttributeDefinitions(in.AttributeDefinitions)
	if err != nil {
		return nil, err
	}
	t := &table{
		name:    in.TableName,
		arn:     awsproto.ARN("dynamodb", s.region, "table/"+in.TableName),
		id:      awsproto.NewRequestID(),
		created: now,
		defs:    defs,
	}
	used := map[string]bool{}
	if t.schema, err = parseKeySchema(in.KeySchema, t, used, "keySchema"); err != nil {
		return nil, err
	}
	if err := t.applyBilling(in.BillingMode, in.ProvisionedThroughput, true); err != nil {
		return nil, err
	}
	t.onDemand = in.OnDemandThroughput
	if len(in.LocalSecondaryIndexes) > maxLSIs {
		return nil, validationf("One or more parameter values were invalid: LocalSecondaryIndex count exceeds the per-table limit of %d", maxLSIs)
	}
	if len(in.GlobalSecondaryIndexes) > maxGSIs {
		return nil, validationf("One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of %d", maxGSIs)
	}
	names := map[string]bool{}
	for i := range in.LocalSecondaryIndexes {
		ix, err := t.buildIndex(&in.LocalSecondaryIndexes[i], false, used, names, now)
		if err != nil {
			return nil, err
		}
		t.lsis = append(t.lsis, ix)
	}
	for i := range in.GlobalSecondaryIndexes {
		ix, err := t.buildIndex(&in.GlobalSecondaryIndexes[i], true, used, names, now)
		if err != nil {
			return nil, err
		}
		t.gsis = append(t.gsis, ix)
	}
	if err := checkProjectedCount(t.allIndexes()); err != nil {
		return nil, err
	}
	if len(used) != len(defs) {
		return nil, validationf("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
	}
	if err := validateStreamSpec(in.StreamSpecification); err != nil {
		return nil, err
	}
	if sse := in.SSESpecification; sse != nil && sse.Enabled != nil && *sse.Enabled {
		typ := sse.SSEType
		if typ == "" {
			typ = "KMS"
		}
		if typ != "KMS" && typ != "AES256" {
			return nil, validationf("1 validation error detected: Value '%s' at 'sSESpecification.sSEType' failed to satisfy constraint: Member must satisfy enum value set: [AES256, KMS]", typ)
		}
		t.sse = &sseSpec{enabled: true, sseType: typ, kmsKey: sse.KMSMasterKeyId}
	}
	switch in.TableClass {
	case "", "STANDARD", "STANDARD_INFREQUENT_ACCESS":
		t.tableClass = in.TableClass
	default:
		return nil, validationf("1 validation error detected: Value '%s' at 'tableClass' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, STANDARD_INFREQUENT_ACCESS]", in.TableClass)
	}
	if in.DeletionProtectionEnabled != nil {
		t.deletionProtection = *in.DeletionProtectionEnabled
	}
	if len(in.Tags) > 0 {
		t.tags = make(map[string]string, len(in.Tags))
		for _, tg := range in.Tags {
			t.tags[tg.Key] = tg.Value
		}
	}
	return t, nil
}

func parseAttributeDefinitions(in []attributeDefinition) ([]attrDef, error) {
	defs := make([]attrDef, 0, len(in))
	seen := map[string]bool{}
	for i, d := range in {
		var k attr.Kind
		switch d.AttributeType {
		case "S":
			k = attr.KindS
		case "N":
			k = attr.KindN
		case "B":
			k = attr.KindB
		default:
			return nil, validationf("1 validation error detected: Value '%s' at 'attributeDefinitions.%d.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]", d.AttributeType, i+1)
		}
		if d.AttributeName == "" {
			return nil, validationf("1 validation error detected: Value null at 'attributeDefinitions.%d.member.attributeName' failed to satisfy constraint: Member must not be null", i+1)
		}
		if seen[d.AttributeName] {
			return nil, validationf("Cannot have two attributes with the same name")
		}
		seen[d.AttributeName] = true
		defs = append(defs, attrDef{name: d.AttributeName, typ: k})
	}
	return defs, nil
}

// parseKeySchema validates a key schema against the attribute definitions,
// marking the attributes it uses.
func parseKeySchema(in []keySchemaElement, t *table, used map[string]bool, member string) (keySchema, error) {
	var ks keySchema
	if len(in) == 0 {
		return ks, validationf("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
	}
	if len(in) > 2 {
		return ks, validationf("1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: Member must have length less than or equal to 2", in, member)
	}
	if in[0].KeyType != "HASH" {
		return ks, validationf("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	if len(in) == 2 {
		if in[1].KeyType != "RANGE" {
			return ks, validationf("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
		}
		if in[0].AttributeName == in[1].AttributeName {
			return ks, validationf("Both the Hash Key and the Range Key element in the KeySchema have the same name")
		}
	}
	var missing []string
	for i, e := range in {
		typ, ok := t.defType(e.AttributeName)
		if !ok {
			missing = append(missing, e.AttributeName)
			continue
		}
		used[e.AttributeName] = true
		ka := keyAttr{name: e.AttributeName, typ: typ}
		if i == 0 {
			ks.hash = ka
		} else {
			ks.rng = ka
		}
	}
	if len(missing) > 0 {
		defNames := make([]string, len(t.defs))
		for i, d := range t.defs {
			defNames[i] = d.name
		}
		return ks, validationf("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", strings.Join(missing, ", "), strings.Join(defNames, ", "))
	}
	return ks, nil
}

// applyBilling validates and sets the billing mode and throughput.
func (t *table) applyBilling(mode string, tp *throughputJSON, creating bool) error {
	switch mode {
	case "":
		if creating {
			mode = "PROVISIONED"
		} else {
			mode = t.billing
		}
	case "PROVISIONED", "PAY_PER_REQUEST":
	default:
		return validationf("1 validation error detected: Value '%s' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]", mode)
	}
	if mode == "PAY_PER_REQUEST" {
		if tp != nil && (tp.ReadCapacityUnits != nil || tp.WriteCapacityUnits != nil) {
			return validationf("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
		t.provRead, t.provWrite = 0, 0
	} else {
		if tp == nil || tp.ReadCapacityUnits == nil || tp.WriteCapacityUnits == nil {
			if creating || t.billing != "PROVISIONED" {
				return validationf("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
			}
		} else {
			if *tp.ReadCapacityUnits < 1 || *tp.WriteCapacityUnits < 1 {
				return validationf("One or more parameter values were invalid: Provisioned throughput units must be at least 1")
			}
			t.provRead, t.provWrite = *tp.ReadCapacityUnits, *tp.WriteCapacityUnits
		}
	}
	if t.billing != mode {
		t.billing = mode
		t.billingChanged = time.Time{}
	}
	return nil
}

// buildIndex validates one secondary index definition.
func (t *table) buildIndex(in *gsiJSON, global bool, used, names map[string]bool, now time.Time) (*index, error) {
	kind := "LocalSecondaryIndex"
	if global {
		kind = "GlobalSecondaryIndex"
	}
	if err := validateTableName(in.IndexName, "indexName"); err != nil {
		return nil, err
	}
	if names[in.IndexName] {
		return nil, validationf("One or more parameter values were invalid: Duplicate index name: %s", in.IndexName)
	}
	names[in.IndexName] = true
	ks, err := parseKeySchema(in.KeySchema, t, used, kind+".keySchema")
	if err != nil {
		return nil, err
	}
	ix := &index{name: in.IndexName, global: global, schema: ks, created: now, onDemand: in.OnDemandThroughput}
	if !global {
		if !t.schema.hasRange() {
			return nil, validationf("One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
		}
		if ks.hash.name != t.schema.hash.name {
			return nil, validationf("One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s", in.IndexName, ks.hash.name, t.schema.hash.name)
		}
		if !ks.hasRange() {
			return nil, validationf("One or more parameter values were invalid: Index KeySchema does not have a range key for index: %s", in.IndexName)
		}
		if in.ProvisionedThroughput != nil {
			return nil, validationf("One or more parameter values were invalid: ProvisionedThroughput is not supported for LocalSecondaryIndex: %s", in.IndexName)
		}
	}
	if in.Projection == nil {
		return nil, validationf("1 validation error detected: Value null at '%s.projection' failed to satisfy constraint: Member must not be null", kind)
	}
	switch p := in.Projection; p.ProjectionType {
	case "ALL", "KEYS_ONLY":
		if len(p.NonKeyAttributes) > 0 {
			return nil, validationf("One or more parameter values were invalid: ProjectionType is %s, but NonKeyAttributes is specified", p.ProjectionType)
		}
		ix.proj = projection{typ: p.ProjectionType}
	case "INCLUDE":
		if len(p.NonKeyAttributes) == 0 {
			return nil, validationf("One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
		}
		seen := map[string]bool{}
		for _, n := range p.NonKeyAttributes {
			if seen[n] {
				return nil, validationf("One or more parameter values were invalid: Duplicate NonKeyAttributes %s", n)
			}
			seen[n] = true
		}
		ix.proj = projection{typ: "INCLUDE", nonKeys: append([]string(nil), p.NonKeyAttributes...)}
	case "":
		return nil, validationf("One or more parameter values were invalid: Unknown ProjectionType: null")
	default:
		return nil, validationf("1 validation error detected: Value '%s' at '%s.projection.projectionType' failed to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]", p.ProjectionType, kind)
	}
	if global {
		tp := in.ProvisionedThroughput
		if t.billing == "PROVISIONED" {
			if tp == nil || tp.ReadCapacityUnits == nil || tp.WriteCapacityUnits == nil {
				return nil, validationf("One or more parameter values were invalid: ProvisionedThroughput must be specified for index: %s", in.IndexName)
			}
			ix.provRead, ix.provWrite = *tp.ReadCapacityUnits, *tp.WriteCapacityUnits
		} else if tp != nil && (tp.ReadCapacityUnits != nil || tp.WriteCapacityUnits != nil) {
			return nil, validationf("One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST", in.IndexName)
		}
	}
	return ix, nil
}

func checkProjectedCount(ixs []*index) error {
	n := 0
	for _, ix := range ixs {
		n += len(ix.proj.nonKeys)
	}
	if n > maxProjectedNonKeys {
		return validationf("One or more parameter values were invalid: Number of projected attributes in all indexes exceeds limit of %d", maxProjectedNonKeys)
	}
	return nil
}

func validateStreamSpec(spec *streamSpecJSON) error {
	if spec == nil {
		return nil
	}
	if spec.StreamEnabled == nil {
		return validationf("1 validation error detected: Value null at 'streamSpecification.streamEnabled' failed to satisfy constraint: Member must not be null")
	}
	if !*spec.StreamEnabled {
		if spec.StreamViewType != "" {
			return validationf("One or more parameter values were invalid: StreamViewType cannot be specified when StreamEnabled is false")
		}
		return nil
	}
	switch spec.StreamViewType {
	case "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY":
		return nil
	case "":
		return validationf("One or more parameter values were invalid: StreamViewType is required when StreamEnabled is true")
	}
	return validationf("1 validation error detected: Value '%s' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]", spec.StreamViewType)
}

// enableStreamLocked gives the table a new stream (s.mu held; the table is
// either not yet visible or locked by the caller).
func (s *Service) enableStreamLocked(t *table, viewType string, now time.Time) {
	label := now.UTC().Format("2006-01-02T15:04:05.000")
	for _, old := range t.streams {
		if old.label >= label {
			// Labels must differ between the table's streams.
			ts, err := time.Parse("2006-01-02T15:04:05.000", old.label)
			if err == nil {
				label = ts.Add(time.Millisecond).Format("2006-01-02T15:04:05.000")
			}
		}
	}
	s.seq++
	st := &stream{
		arn:        t.arn + "/stream/" + label,
		label:      label,
		viewType:   viewType,
		tableName:  t.name,
		schema:     t.schema,
		created:    now,
		shardID:    fmt.Sprintf("shardId-%020d-%08x", now.UnixMilli(), uint32(s.seq*2654435761)),
		salt:       uint64(now.UnixNano()) ^ s.seq<<48,
		maxRecords: s.maxRecs,
		retention:  s.retention,
	}
	t.streams = append(t.streams, st)
	t.current = st
	s.streams[st.arn] = st
}

// sortedDefs returns the attribute definitions in name order.
func (t *table) sortedDefs() []attrDef {
	out := append([]attrDef(nil), t.defs...)
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}
