package dynamodb

import (
	"encoding/json"
	"sort"
)

type tableNameInput struct {
	TableName string
}

func (s *Service) describeTable(dst, body []byte) ([]byte, error) {
	var in tableNameInput
	if err := decodeStrict(body, &in); err != nil {
		return nil, err
	}
	t, err := s.table(in.TableName)
	if err != nil {
		return nil, notFoundf("Requested resource not found: Table: %s not found", in.TableName)
	}
	return s.appendTableDescription(dst, "Table", t)
}

func (s *Service) deleteTable(dst, body []byte) ([]byte, error) {
	var in tableNameInput
	if err := decodeStrict(body, &in); err != nil {
		return nil, err
	}
	t, err := s.table(in.TableName)
	if err != nil {
		return nil, notFoundf("Requested resource not found: Table: %s not found", in.TableName)
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.deleted {
		return nil, notFoundf("Requested resource not found: Table: %s not found", in.TableName)
	}
	if t.deletionProtection {
		return nil, validationf("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
	}
	d := s.describeLocked(t, "DELETING")
	delete(s.tables, t.name)
	t.deleted = true
	// The streams stay readable until their records expire, as in AWS.
	for _, st := range t.streams {
		st.disable(now)
	}
	t.current = nil
	return appendJSONMember(dst, "TableDescription", d)
}

type listTablesInput struct {
	ExclusiveStartTableName string
	Limit                   *int
}

func (s *Service) listTables(dst, body []byte) ([]byte, error) {
	var in listTablesInput
	if err := decodeStrict(body, &in); err != nil {
		return nil, err
	}
	limit := 100
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > 100 {
			return nil, validationf("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100", *in.Limit)
		}
		limit = *in.Limit
	}
	s.mu.RLock()
	names := make([]string, 0, len(s.tables))
	for n := range s.tables {
		names = append(names, n)
	}
	s.mu.RUnlock()
	sort.Strings(names)
	start := 0
	if in.ExclusiveStartTableName != "" {
		start = sort.SearchStrings(names, in.ExclusiveStartTableName)
		if start < len(names) && names[start] == in.ExclusiveStartTableName {
			start++
		}
	}
	out := struct {
		TableNames             []string
		LastEvaluatedTableName string `json:",omitempty"`
	}{TableNames: []string{}}
	end := min(start+limit, len(names))
	out.TableNames = append(out.TableNames, names[start:end]...)
	if end < len(names) {
		out.LastEvaluatedTableName = names[end-1]
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	return append(dst, b...), nil
}
