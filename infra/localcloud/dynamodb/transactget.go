package dynamodb

import (
	"sort"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

type txGet struct {
	t   *table
	r   *request
	e   exprs
	key string
}

// transactGetItems reads up to 100 items atomically: every table involved
// is read-locked (in name order) for the whole read, so no transaction can
// commit halfway through it.
func (s *Service) transactGetItems(dst, body []byte) ([]byte, error) {
	var gets []*txGet
	mode := capNone
	err := eachField(body, func(k, v []byte) error {
		var err error
		switch string(k) {
		case "TransactItems":
			err = eachElem(v, func(_ int, av []byte) error {
				var g *txGet
				err := eachField(av, func(k, v []byte) error {
					if string(k) != "Get" || isNull(v) {
						return nil
					}
					r, err := decodeRequest(v)
					if err == nil {
						g = &txGet{r: r}
					}
					return err
				})
				if err != nil {
					return err
				}
				if g == nil {
					return validationf("1 validation error detected: Value null at 'transactItems.member.get' failed to satisfy constraint: Member must not be null")
				}
				gets = append(gets, g)
				return nil
			})
		case "ReturnConsumedCapacity":
			mode, err = jsonCapacityMode(v)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(gets) == 0 {
		return nil, validationf("1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null")
	}
	if len(gets) > maxTransactItems {
		return nil, validationf("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to %d", maxTransactItems)
	}
	seen := make(map[string]bool, len(gets))
	var tables []*table
	for _, g := range gets {
		if g.t, err = s.table(g.r.TableName); err != nil {
			return nil, err
		}
		if g.r.Key == nil {
			return nil, validationf("1 validation error detected: Value null at 'transactItems.member.get.key' failed to satisfy constraint: Member must not be null")
		}
		if g.e, err = g.r.parseExprs(exprKinds{proj: true}); err != nil {
			return nil, err
		}
		if g.key, err = g.t.schema.keyOfKeyParam(g.r.Key); err != nil {
			return nil, err
		}
		id := g.t.name + "\x00" + g.key
		if seen[id] {
			return nil, validationf("Transaction request cannot include multiple operations on one item")
		}
		seen[id] = true
		known := false
		for _, t := range tables {
			known = known || t == g.t
		}
		if !known {
			tables = append(tables, g.t)
		}
	}
	sort.Slice(tables, func(i, j int) bool { return tables[i].name < tables[j].name })
	items := make([]attr.Item, len(gets))
	caps := make([]consumed, len(gets))
	for _, t := range tables {
		t.mu.RLock()
	}
	deleted := false
	for i, g := range gets {
		deleted = deleted || g.t.deleted
		size := 0
		if en, ok := g.t.items.get(g.key); ok {
			items[i], size = en.item, en.size
		}
		caps[i] = consumed{table: g.t.name, read: 2 * readUnits(size, true)}
	}
	for i := len(tables) - 1; i >= 0; i-- {
		tables[i].mu.RUnlock()
	}
	if deleted {
		return nil, tableNotFound()
	}
	for i, g := range gets {
		g.t.account(&caps[i])
	}
	dst = append(dst, `{"Responses":[`...)
	for i, g := range gets {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '{')
		if it := items[i]; it != nil {
			if g.e.proj != nil {
				it = g.e.proj.Apply(it)
			}
			dst = appendKey(dst, "Item")
			dst = attr.AppendItemJSON(dst, it)
		}
		dst = append(dst, '}')
	}
	dst = append(dst, ']')
	dst = appendCapacityList(dst, caps, mode)
	return append(dst, '}'), nil
}
