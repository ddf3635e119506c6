package merchantapi

import (
	"context"
	"time"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/settlement"
)

// maxSettlementRange bounds one listing: a year of days.
const maxSettlementRange = 366 * 24 * time.Hour

// ListSettlements handles GET /v1/settlements?from=YYYY-MM-DD&to=YYYY-MM-DD: the merchant's
// batches of those days (both included). Without from, the last 31 days; without to, today.
func (a *API) ListSettlements(ctx context.Context, req Request) (Response, error) {
	return a.serve(ctx, req, func(ctx context.Context, c *call) Response {
		from, to, err := parseDayRange(c.req.QueryStringParameters, time.Now().UTC())
		if err != nil {
			return a.fail(ctx, c.req, err)
		}
		batches, err := a.Settlements.Batches(ctx, c.merchant.ID, from, to)
		if err != nil {
			return a.fail(ctx, c.req, err)
		}
		if batches == nil {
			batches = []settlement.Batch{}
		}
		return a.ok(ctx, c, struct {
			Data []settlement.Batch `json:"data"`
		}{batches})
	})
}

// GetSettlement handles GET /v1/settlements/{id}.
func (a *API) GetSettlement(ctx context.Context, req Request) (Response, error) {
	return a.serve(ctx, req, func(ctx context.Context, c *call) Response {
		id := c.req.PathParameters["id"]
		if _, _, err := settlement.ParseBatchID(id); err != nil {
			return a.fail(ctx, c.req, fault.New(fault.NotFound, "no settlement %q", truncate(id, 64)))
		}
		b, err := a.Settlements.Batch(ctx, c.merchant.ID, id)
		if err != nil {
			return a.fail(ctx, c.req, err)
		}
		return a.ok(ctx, c, b)
	})
}

func parseDayRange(q map[string]string, now time.Time) (from, to string, err error) {
	for k := range q {
		if k != "from" && k != "to" {
			return "", "", fault.Field(k, "unknown query parameter %q", k)
		}
	}
	toDay := now
	if s, ok := q["to"]; ok {
		if toDay, err = settlement.ParseDay(s); err != nil {
			return "", "", fault.Field("to", "to must be a date, YYYY-MM-DD")
		}
	}
	fromDay := toDay.AddDate(0, 0, -30)
	if s, ok := q["from"]; ok {
		if fromDay, err = settlement.ParseDay(s); err != nil {
			return "", "", fault.Field("from", "from must be a date, YYYY-MM-DD")
		}
	}
	if toDay.Before(fromDay) {
		return "", "", fault.Field("to", "to must not be before from")
	}
	if toDay.Sub(fromDay) > maxSettlementRange {
		return "", "", fault.Field("from", "at most a year of days per request")
	}
	return fromDay.Format(time.DateOnly), toDay.Format(time.DateOnly), nil
}
