package dynamodb

import (
	"encoding/json"
	"sort"
)

type tableNameInput struct {
	TableName string
}

func tableNamedNotFound(name string) error {
	return notFoundf("Requested resource not found: Table: %s not found", name)
}

// decodeTableNamed decodes a control-plane request into in and looks up
// the table named by its TableName, which name points to. Unlike the item
// operations, these report any failure, an empty name included, as the
// named table not being found.
func (s *Service) decodeTableNamed(body []byte, in any, name *string) (*table, error) {
	if err := decodeStrict(body, in); err != nil {
		return nil, err
	}
	t, err := s.table(*name)
	if err != nil {
		return nil, tableNamedNotFound(*name)
	}
	return t, nil
}

// lockForTableChange takes the service's lock, then the table's, as the
// operations that change a table and the service's maps must, and fails if
// the table was deleted since it was looked up. The caller runs unlock when
// done.
func (s *Service) lockForTableChange(t *table, name string) (unlock func(), err error) {
	s.mu.Lock()
	t.mu.Lock()
	if t.deleted {
		t.mu.Unlock()
		s.mu.Unlock()
		return nil, tableNamedNotFound(name)
	}
	return func() {
		t.mu.Unlock()
		s.mu.Unlock()
	}, nil
}

func (s *Service) describeTable(dst, body []byte) ([]byte, error) {
	var in tableNameInput
	t, err := s.decodeTableNamed(body, &in, &in.TableName)
	if err != nil {
		return nil, err
	}
	return s.appendTableDescription(dst, "Table", t)
}

func (s *Service) deleteTable(dst, body []byte) ([]byte, error) {
	var in tableNameInput
	t, err := s.decodeTableNamed(body, &in, &in.TableName)
	if err != nil {
		return nil, err
	}
	now := s.now()
	unlock, err := s.lockForTableChange(t, in.TableName)
	if err != nil {
		return nil, err
	}
	defer unlock()
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

// listLimit validates the Limit of ListTables and ListStreams, which both
// default to and allow at most 100.
func listLimit(limit *int) (int, error) {
	if limit == nil {
		return 100, nil
	}
	if *limit < 1 || *limit > 100 {
		return 0, validationf("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100", *limit)
	}
	return *limit, nil
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
	limit, err := listLimit(in.Limit)
	if err != nil {
		return nil, err
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
