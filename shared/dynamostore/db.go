package dynamostore

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DB is the part of *dynamodb.Client the stores use; the real client satisfies it, and
// tests wrap it to inject failures.
type DB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	Scan(ctx context.Context, in *dynamodb.ScanInput, optFns ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

var _ DB = (*dynamodb.Client)(nil)

// Options tune a store. Zero values select the defaults.
type Options struct {
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Meter, when set, makes every request ask for its consumed capacity (TOTAL) and
	// reports it after each request, with the DynamoDB operation's name: benchmarks use
	// it to count round trips and write units. A failed request (a condition that did not
	// hold, too) is reported with zero units: DynamoDB does not return its consumption.
	Meter func(op string, wcu, rcu float64)
}

// client is what every store shares: the database, the clock and the meter.
type client struct {
	db    DB
	now   func() time.Time
	meter func(op string, wcu, rcu float64)
}

func newClient(db DB, opts Options) client {
	c := client{db: db, now: opts.Now, meter: opts.Meter}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// capacityMode is the ReturnConsumedCapacity to ask for: TOTAL only when someone reads it.
func (c client) capacityMode() types.ReturnConsumedCapacity {
	if c.meter == nil {
		return types.ReturnConsumedCapacityNone
	}
	return types.ReturnConsumedCapacityTotal
}

// report passes the capacity of one request to the meter. With TOTAL, DynamoDB may return
// only CapacityUnits; those count as writes for a write operation and reads otherwise.
func (c client) report(op string, write bool, caps ...*types.ConsumedCapacity) {
	if c.meter == nil {
		return
	}
	var wcu, rcu float64
	for _, cc := range caps {
		if cc == nil {
			continue
		}
		switch {
		case cc.WriteCapacityUnits != nil || cc.ReadCapacityUnits != nil:
			wcu += deref(cc.WriteCapacityUnits)
			rcu += deref(cc.ReadCapacityUnits)
		case write:
			wcu += deref(cc.CapacityUnits)
		default:
			rcu += deref(cc.CapacityUnits)
		}
	}
	c.meter(op, wcu, rcu)
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

// The calls below are the only places the stores talk to DynamoDB: each asks for the
// capacity when metered and reports it.

func (c client) getItem(ctx context.Context, in *dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
	in.ReturnConsumedCapacity = c.capacityMode()
	out, err := c.db.GetItem(ctx, in)
	if err != nil {
		c.report("GetItem", false)
		return out, err
	}
	c.report("GetItem", false, out.ConsumedCapacity)
	return out, err
}

func (c client) putItem(ctx context.Context, in *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
	in.ReturnConsumedCapacity = c.capacityMode()
	out, err := c.db.PutItem(ctx, in)
	if err != nil {
		c.report("PutItem", true)
		return out, err
	}
	c.report("PutItem", true, out.ConsumedCapacity)
	return out, err
}

func (c client) updateItem(ctx context.Context, in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
	in.ReturnConsumedCapacity = c.capacityMode()
	out, err := c.db.UpdateItem(ctx, in)
	if err != nil {
		c.report("UpdateItem", true)
		return out, err
	}
	c.report("UpdateItem", true, out.ConsumedCapacity)
	return out, err
}

func (c client) deleteItem(ctx context.Context, in *dynamodb.DeleteItemInput) (*dynamodb.DeleteItemOutput, error) {
	in.ReturnConsumedCapacity = c.capacityMode()
	out, err := c.db.DeleteItem(ctx, in)
	if err != nil {
		c.report("DeleteItem", true)
		return out, err
	}
	c.report("DeleteItem", true, out.ConsumedCapacity)
	return out, err
}

func (c client) query(ctx context.Context, in *dynamodb.QueryInput) (*dynamodb.QueryOutput, error) {
	in.ReturnConsumedCapacity = c.capacityMode()
	out, err := c.db.Query(ctx, in)
	if err != nil {
		c.report("Query", false)
		return out, err
	}
	c.report("Query", false, out.ConsumedCapacity)
	return out, err
}

func (c client) scan(ctx context.Context, in *dynamodb.ScanInput) (*dynamodb.ScanOutput, error) {
	in.ReturnConsumedCapacity = c.capacityMode()
	out, err := c.db.Scan(ctx, in)
	if err != nil {
		c.report("Scan", false)
		return out, err
	}
	c.report("Scan", false, out.ConsumedCapacity)
	return out, err
}

func (c client) transactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput) (*dynamodb.TransactWriteItemsOutput, error) {
	in.ReturnConsumedCapacity = c.capacityMode()
	out, err := c.db.TransactWriteItems(ctx, in)
	if err != nil {
		c.report("TransactWriteItems", true)
		return out, err
	}
	caps := make([]*types.ConsumedCapacity, len(out.ConsumedCapacity))
	for i := range out.ConsumedCapacity {
		caps[i] = &out.ConsumedCapacity[i]
	}
	c.report("TransactWriteItems", true, caps...)
	return out, err
}
