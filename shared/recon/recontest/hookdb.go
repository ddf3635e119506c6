package recontest

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/paylane/paylane/shared/dynamostore"
)

// HookDB runs Hook before every call of the wrapped database; a non-nil error from it is
// the call's answer, and the call is not made. Tests inject failures with it.
type HookDB struct {
	dynamostore.ReconDB
	Hook func(op string, in any) error
}

func (h HookDB) hook(op string, in any) error {
	if h.Hook == nil {
		return nil
	}
	return h.Hook(op, in)
}

func (h HookDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	if err := h.hook("GetItem", in); err != nil {
		return nil, err
	}
	return h.ReconDB.GetItem(ctx, in, o...)
}

func (h HookDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if err := h.hook("PutItem", in); err != nil {
		return nil, err
	}
	return h.ReconDB.PutItem(ctx, in, o...)
}

func (h HookDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if err := h.hook("UpdateItem", in); err != nil {
		return nil, err
	}
	return h.ReconDB.UpdateItem(ctx, in, o...)
}

func (h HookDB) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	if err := h.hook("DeleteItem", in); err != nil {
		return nil, err
	}
	return h.ReconDB.DeleteItem(ctx, in, o...)
}

func (h HookDB) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	if err := h.hook("Query", in); err != nil {
		return nil, err
	}
	return h.ReconDB.Query(ctx, in, o...)
}

func (h HookDB) Scan(ctx context.Context, in *dynamodb.ScanInput, o ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	if err := h.hook("Scan", in); err != nil {
		return nil, err
	}
	return h.ReconDB.Scan(ctx, in, o...)
}

func (h HookDB) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if err := h.hook("TransactWriteItems", in); err != nil {
		return nil, err
	}
	return h.ReconDB.TransactWriteItems(ctx, in, o...)
}

func (h HookDB) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	if err := h.hook("BatchGetItem", in); err != nil {
		return nil, err
	}
	return h.ReconDB.BatchGetItem(ctx, in, o...)
}

func (h HookDB) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	if err := h.hook("BatchWriteItem", in); err != nil {
		return nil, err
	}
	return h.ReconDB.BatchWriteItem(ctx, in, o...)
}
