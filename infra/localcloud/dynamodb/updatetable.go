package dynamodb

type gsiUpdateJSON struct {
	Create *gsiJSON
	Delete *struct{ IndexName string }
	Update *struct {
		IndexName             string
		ProvisionedThroughput *throughputJSON
		OnDemandThroughput    *onDemandJSON
	}
}

type updateTableInput struct {
	TableName                   string
	AttributeDefinitions        []attributeDefinition
	BillingMode                 string
	ProvisionedThroughput       *throughputJSON
	OnDemandThroughput          *onDemandJSON
	GlobalSecondaryIndexUpdates []gsiUpdateJSON
	StreamSpecification         *streamSpecJSON
	SSESpecification            *sseSpecJSON
	TableClass                  string
	DeletionProtectionEnabled   *bool
}

// updateTable supports billing and throughput changes, stream enabling and
// disabling, GSI creation (backfilled at once) and deletion, deletion
// protection and table class. Unknown members (replicas, ...) are refused
// by decodeStrict.
func (s *Service) updateTable(dst, body []byte) ([]byte, error) {
	var in updateTableInput
	t, err := s.decodeTableNamed(body, &in, &in.TableName)
	if err != nil {
		return nil, err
	}
	if in.BillingMode == "" && in.ProvisionedThroughput == nil && in.OnDemandThroughput == nil && len(in.GlobalSecondaryIndexUpdates) == 0 &&
		in.StreamSpecification == nil && in.SSESpecification == nil && in.TableClass == "" && in.DeletionProtectionEnabled == nil {
		return nil, validationf("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required")
	}
	if in.SSESpecification != nil {
		return nil, validationf("The local cloud does not implement changing SSESpecification with UpdateTable")
	}
	if err := validateStreamSpec(in.StreamSpecification); err != nil {
		return nil, err
	}
	indexOps := 0
	for _, u := range in.GlobalSecondaryIndexUpdates {
		if u.Create != nil || u.Delete != nil {
			indexOps++
		}
	}
	if indexOps > 1 {
		return nil, apiError("LimitExceededException", "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table")
	}
	now := s.now()
	unlock, err := s.lockForTableChange(t, in.TableName)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := s.applyTableUpdate(t, &in); err != nil {
		return nil, err
	}
	if spec := in.StreamSpecification; spec != nil {
		if err := s.updateStreamLocked(t, spec); err != nil {
			return nil, err
		}
		if *spec.StreamEnabled {
			s.enableStreamLocked(t, spec.StreamViewType, now)
		}
	}
	return appendJSONMember(dst, "TableDescription", s.describeLocked(t, "UPDATING"))
}

// applyTableUpdate validates everything first and changes the table only
// when the whole request is valid (t.mu held).
func (s *Service) applyTableUpdate(t *table, in *updateTableInput) error {
	// Validate on a copy of the table's settings so a failed request changes
	// nothing.
	trial := &table{name: t.name, billing: t.billing, provRead: t.provRead, provWrite: t.provWrite, schema: t.schema, defs: t.defs}
	if in.BillingMode != "" || in.ProvisionedThroughput != nil {
		if err := trial.applyBilling(in.BillingMode, in.ProvisionedThroughput, false); err != nil {
			return err
		}
	}
	newDefs, err := mergeDefinitions(t.defs, in.AttributeDefinitions)
	if err != nil {
		return err
	}
	trial.defs = newDefs
	trial.gsis, trial.lsis = t.gsis, t.lsis
	var create *index
	var deleteName string
	for _, u := range in.GlobalSecondaryIndexUpdates {
		switch {
		case u.Create != nil:
			if t.indexByName(u.Create.IndexName) != nil {
				return validationf("One or more parameter values were invalid: Index %s already exists", u.Create.IndexName)
			}
			if len(t.gsis) >= maxGSIs {
				return apiError("LimitExceededException", "Subscriber limit exceeded: GlobalSecondaryIndex count exceeds the per-table limit of %d", maxGSIs)
			}
			names := map[string]bool{}
			ix, err := trial.buildIndex(u.Create, true, map[string]bool{}, names, s.now())
			if err != nil {
				return err
			}
			if err := checkProjectedCount(append(t.allIndexes(), ix)); err != nil {
				return err
			}
			create = ix
		case u.Delete != nil:
			ix := t.indexByName(u.Delete.IndexName)
			if ix == nil || !ix.global {
				return notFoundf("Requested resource not found: Index: %s not found", u.Delete.IndexName)
			}
			deleteName = ix.name
		case u.Update != nil:
			ix := t.indexByName(u.Update.IndexName)
			if ix == nil || !ix.global {
				return notFoundf("Requested resource not found: Index: %s not found", u.Update.IndexName)
			}
			if tp := u.Update.ProvisionedThroughput; tp != nil {
				if trial.billing != "PROVISIONED" {
					return validationf("One or more parameter values were invalid: ProvisionedThroughput cannot be specified for index: %s when BillingMode is PAY_PER_REQUEST", ix.name)
				}
				if tp.ReadCapacityUnits == nil || tp.WriteCapacityUnits == nil {
					return validationf("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified")
				}
			}
		default:
			return validationf("One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Create, Update or Delete must be specified")
		}
	}
	if in.TableClass != "" && in.TableClass != "STANDARD" && in.TableClass != "STANDARD_INFREQUENT_ACCESS" {
		return validationf("1 validation error detected: Value '%s' at 'tableClass' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, STANDARD_INFREQUENT_ACCESS]", in.TableClass)
	}

	// Valid: apply.
	if trial.billing != t.billing {
		t.billingChanged = s.now()
	}
	t.billing, t.provRead, t.provWrite = trial.billing, trial.provRead, trial.provWrite
	if in.OnDemandThroughput != nil {
		t.onDemand = in.OnDemandThroughput
	}
	t.defs = newDefs
	for _, u := range in.GlobalSecondaryIndexUpdates {
		if u.Update == nil {
			continue
		}
		ix := t.indexByName(u.Update.IndexName)
		if tp := u.Update.ProvisionedThroughput; tp != nil {
			ix.provRead, ix.provWrite = *tp.ReadCapacityUnits, *tp.WriteCapacityUnits
		}
		if u.Update.OnDemandThroughput != nil {
			ix.onDemand = u.Update.OnDemandThroughput
		}
	}
	if deleteName != "" {
		kept := t.gsis[:0:0]
		for _, ix := range t.gsis {
			if ix.name != deleteName {
				kept = append(kept, ix)
			}
		}
		t.gsis = kept
	}
	if create != nil {
		t.backfill(create)
		t.gsis = append(append([]*index(nil), t.gsis...), create)
	}
	if in.TableClass != "" {
		t.tableClass = in.TableClass
	}
	if in.DeletionProtectionEnabled != nil {
		t.deletionProtection = *in.DeletionProtectionEnabled
	}
	return nil
}

// mergeDefinitions adds new attribute definitions to the table's, refusing
// a redefinition with another type.
func mergeDefinitions(cur []attrDef, in []attributeDefinition) ([]attrDef, error) {
	if len(in) == 0 {
		return cur, nil
	}
	add, err := parseAttributeDefinitions(in)
	if err != nil {
		return nil, err
	}
	out := append([]attrDef(nil), cur...)
	for _, d := range add {
		found := false
		for _, c := range cur {
			if c.name == d.name {
				found = true
				if c.typ != d.typ {
					return nil, validationf("One or more parameter values were invalid: Cannot change the type of attribute %s", d.name)
				}
			}
		}
		if !found {
			out = append(out, d)
		}
	}
	return out, nil
}

// backfill indexes the table's existing items in a new GSI (t.mu held).
func (t *table) backfill(ix *index) {
	t.items.ascend("", "", func(e *entry) bool {
		if k, ok := ix.indexEntryKey(e.item, e.key); ok {
			proj := ix.project(e.item, t.schema)
			size := entrySize(ix, proj, e.size)
			ix.entries.put(entry{key: k, item: proj, size: size})
			ix.bytes += int64(size)
		}
		return true
	})
}

// updateStreamLocked validates a stream change and disables the current
// stream when asked (enabling happens after, in enableStreamLocked).
func (s *Service) updateStreamLocked(t *table, spec *streamSpecJSON) error {
	if *spec.StreamEnabled {
		if t.current != nil {
			return validationf("Table already has an enabled stream: %s", t.current.arn)
		}
		return nil
	}
	if t.current == nil {
		return validationf("Table already has stream disabled")
	}
	t.current.disable(s.now())
	t.current = nil
	return nil
}
