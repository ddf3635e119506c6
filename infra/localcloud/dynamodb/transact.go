package dynamodb

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// Transaction limits, https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
const (
	maxTransactItems = 100
	maxTransactBytes = 4 << 20
)

// txAction is one action of a TransactWriteItems request.
type txAction struct {
	kind      string // Put, Update, Delete, ConditionCheck
	r         *request
	m         *mutation
	returnOld bool
}

type cancelReason struct {
	Code    string
	Message string          `json:",omitempty"`
	Item    json.RawMessage `json:",omitempty"`
}

func (s *Service) transactWriteItems(dst, body []byte) ([]byte, error) {
	var actions []*txAction
	var token string
	mode := capNone
	wantICM := false
	err := eachField(body, func(k, v []byte) error {
		var err error
		switch string(k) {
		case "TransactItems":
			err = eachElem(v, func(_ int, av []byte) error {
				a, err := decodeTxAction(av)
				if err == nil {
					actions = append(actions, a)
				}
				return err
			})
		case "ClientRequestToken":
			token, err = jsonString(v)
		case "ReturnConsumedCapacity":
			mode, err = jsonCapacityMode(v)
		case "ReturnItemCollectionMetrics":
			wantICM, err = jsonItemCollectionMetrics(v)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(actions) == 0 {
		return nil, validationf("1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null")
	}
	if len(actions) > maxTransactItems {
		return nil, validationf("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to %d", maxTransactItems)
	}
	if len(token) > 36 {
		return nil, validationf("1 validation error detected: Value '%s' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36", token)
	}
	if err := s.prepareTxActions(actions); err != nil {
		return nil, err
	}
	if token != "" {
		state, e := s.tokens.begin(token, s.txDigest(actions), s.now())
		switch state {
		case tokenMismatch:
			return nil, apiError("IdempotentParameterMismatchException", "Request parameters do not match the parameters of an earlier request with the same client token")
		case tokenInProgress:
			return nil, apiError("TransactionInProgressException", "The transaction with the given request token is already in progress.")
		case tokenReplay:
			dst = append(dst, '{')
			dst = appendCapacityList(dst, e.replay, mode)
			return append(dst, '}'), nil
		}
	}
	icms, err := s.runTransaction(actions, wantICM)
	if token != "" {
		var replay []consumed
		if err == nil {
			replay = replayCapacity(actions)
		}
		s.tokens.finish(token, err == nil, replay, s.now())
	}
	if err != nil {
		return nil, err
	}
	caps := make([]consumed, len(actions))
	for i, a := range actions {
		caps[i] = a.m.cap
	}
	dst = append(dst, '{')
	dst = appendCapacityList(dst, caps, mode)
	if len(icms) > 0 {
		names := make([]string, len(icms))
		list := make([]*itemCollection, len(icms))
		for i, c := range icms {
			names[i], list[i] = c.table, c.icm
		}
		dst = appendComma(dst)
		dst = append(dst, `"ItemCollectionMetrics":{`...)
		dst = appendICMByTable(dst, names, list)
		dst = append(dst, '}')
	}
	return append(dst, '}'), nil
}

// decodeTxAction reads {"Put"|"Update"|"Delete"|"ConditionCheck": {...}}.
func decodeTxAction(raw []byte) (*txAction, error) {
	var a *txAction
	n := 0
	err := eachField(raw, func(k, v []byte) error {
		switch kind := string(k); kind {
		case "Put", "Update", "Delete", "ConditionCheck":
			if isNull(v) {
				return nil
			}
			n++
			r, err := decodeRequest(v)
			if err != nil {
				return err
			}
			a = &txAction{kind: kind, r: r}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if n != 1 {
		return nil, validationf("TransactItems can only contain one of Check, Put, Update or Delete")
	}
	return a, nil
}

// prepareTxActions validates every action (expressions, keys) before any
// lock is taken, and refuses two actions on one item.
func (s *Service) prepareTxActions(actions []*txAction) error {
	seen := make(map[string]bool, len(actions))
	size := 0
	for _, a := range actions {
		r := a.r
		t, err := s.table(r.TableName)
		if err != nil {
			return err
		}
		if a.returnOld, err = r.returnOldOnCCF(); err != nil {
			return err
		}
		var e exprs
		switch a.kind {
		case "Put":
			if r.Item == nil {
				return validationf("1 validation error detected: Value null at 'transactItems.member.put.item' failed to satisfy constraint: Member must not be null")
			}
			if e, err = r.parseExprs(exprKinds{cond: true}); err != nil {
				return err
			}
			key, err := t.schema.keyOfItem(r.Item)
			if err != nil {
				return err
			}
			isz := attr.ItemSize(r.Item)
			if isz > maxItemBytes {
				return validationf("Item size has exceeded the maximum allowed size")
			}
			size += isz
			a.m = &mutation{t: t, op: opPut, key: key, put: r.Item, cond: e.cond}
		case "Update":
			if r.Key == nil {
				return validationf("1 validation error detected: Value null at 'transactItems.member.update.key' failed to satisfy constraint: Member must not be null")
			}
			if !r.hasUpdate {
				return validationf("1 validation error detected: Value null at 'transactItems.member.update.updateExpression' failed to satisfy constraint: Member must not be null")
			}
			if e, err = r.parseExprs(exprKinds{cond: true, upd: true}); err != nil {
				return err
			}
			if a.m, err = s.updateMutation(t, r, e); err != nil {
				return err
			}
		case "Delete", "ConditionCheck":
			if r.Key == nil {
				return validationf("1 validation error detected: Value null at 'transactItems.member.%s.key' failed to satisfy constraint: Member must not be null", strings.ToLower(a.kind[:1])+a.kind[1:])
			}
			if a.kind == "ConditionCheck" && !r.hasCondition {
				return validationf("1 validation error detected: Value null at 'transactItems.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null")
			}
			if e, err = r.parseExprs(exprKinds{cond: true}); err != nil {
				return err
			}
			key, err := t.schema.keyOfKeyParam(r.Key)
			if err != nil {
				return err
			}
			op := opDelete
			if a.kind == "ConditionCheck" {
				op = opCheck
			}
			a.m = &mutation{t: t, op: op, key: key, keyItem: r.Key, cond: e.cond}
		}
		id := t.name + "\x00" + a.m.key
		if seen[id] {
			return validationf("Transaction request cannot include multiple operations on one item")
		}
		seen[id] = true
	}
	if size > maxTransactBytes {
		return validationf("Transaction request size exceeded the maximum of 4 MB")
	}
	return nil
}

type txICM struct {
	table string
	icm   *itemCollection
}

// runTransaction locks every table involved (in name order, so concurrent
// transactions cannot deadlock), prepares every action, and commits all of
// them or none.
func (s *Service) runTransaction(actions []*txAction, wantICM bool) ([]txICM, error) {
	tables := make([]*table, 0, 2)
	for _, a := range actions {
		found := false
		for _, t := range tables {
			if t == a.m.t {
				found = true
				break
			}
		}
		if !found {
			tables = append(tables, a.m.t)
		}
	}
	sort.Slice(tables, func(i, j int) bool { return tables[i].name < tables[j].name })
	now := s.now()
	for _, t := range tables {
		t.mu.Lock()
	}
	defer func() {
		for i := len(tables) - 1; i >= 0; i-- {
			tables[i].mu.Unlock()
		}
	}()
	for _, t := range tables {
		if t.deleted {
			return nil, tableNotFound()
		}
	}
	reasons := make([]cancelReason, len(actions))
	failed := false
	var codes []string
	for i, a := range actions {
		reasons[i].Code = "None"
		m := a.m
		var err error
		if m.op == opPut {
			err = m.t.checkIndexKeys(m.put)
		}
		if err == nil {
			err = m.prepare()
		}
		switch {
		case err != nil:
			failed = true
			reasons[i] = cancelReason{Code: "ValidationError", Message: asAPIError(err).Message}
		case m.condFailed:
			failed = true
			reasons[i] = cancelReason{Code: "ConditionalCheckFailed", Message: "The conditional request failed"}
			if a.returnOld && m.old != nil {
				reasons[i].Item = attr.AppendItemJSON(nil, m.old)
			}
		}
	}
	if failed {
		// The prepare phase of a cancelled transaction is still charged: one
		// write unit per KB of each item, without the commit phase.
		for _, a := range actions {
			a.m.t.account(&consumed{table: a.m.t.name, write: a.m.cap.write})
			if a.m.condFailed {
				a.m.t.ccfCount.Add(1)
			}
		}
		codes = make([]string, len(reasons))
		for i, r := range reasons {
			codes[i] = r.Code
		}
		e := apiError("TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]", strings.Join(codes, ", "))
		e.Extra = map[string]any{"CancellationReasons": reasons}
		return nil, e
	}
	var icms []txICM
	for _, a := range actions {
		m := a.m
		m.cap.scaleTable(2)
		m.t.account(&m.cap)
		m.commit(now)
		if wantICM && len(m.t.lsis) > 0 && m.op != opCheck {
			if c := m.t.itemCollection(m.keyItem, m.new, m.old); c != nil {
				icms = append(icms, txICM{table: m.t.name, icm: c})
			}
		}
	}
	return icms, nil
}

// replayCapacity is what a repeated request reports: DynamoDB reads the
// items instead of writing them (transactional reads, 2 units per 4 KB).
func replayCapacity(actions []*txAction) []consumed {
	out := make([]consumed, len(actions))
	for i, a := range actions {
		size := a.m.newSize
		if a.m.new == nil {
			size = a.m.oldSize
		}
		out[i] = consumed{table: a.m.t.name, read: 2 * readUnits(size, true)}
	}
	return out
}

// txDigest is the canonical digest of a transaction's parameters.
func (s *Service) txDigest(actions []*txAction) digest {
	bp := s.getBuf()
	d := digester{buf: (*bp)[:0]}
	defer func() {
		*bp = d.buf
		s.putBuf(bp)
	}()
	for _, a := range actions {
		r := a.r
		d.str(a.kind)
		d.str(r.TableName)
		d.item(r.Item)
		d.item(r.Key)
		d.str(r.Condition)
		d.str(r.Update)
		d.names(r.Names)
		d.item(attr.Item(r.Values))
		d.str(r.ReturnValuesOnConditionCheckFailure)
	}
	return d.sum(s.tokens.seeds)
}
