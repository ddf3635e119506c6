package dynamostore

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// settlementsTable is the settlements table's name in the tests.
const settlementsTable = "paylane-settlements"

// newSettlementEnv is a local DynamoDB with the payments, merchants and ledger tables and
// the settlements table declared as template.yaml does (with the TTL the movement records
// need).
func newSettlementEnv(t testing.TB) *env {
	t.Helper()
	e := newLedgerEnv(t)
	str := func(name string) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: types.ScalarAttributeTypeS}
	}
	ctx := context.Background()
	_, err := e.db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(settlementsTable),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{str(attrPK), str(attrSK)},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(attrPK), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(attrSK), KeyType: types.KeyTypeRange},
		},
	})
	if err != nil {
		t.Fatalf("creating the settlements table: %v", err)
	}
	_, err = e.db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(settlementsTable),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(attrExpiresAt), Enabled: aws.Bool(true)},
	})
	if err != nil {
		t.Fatalf("enabling TTL on the settlements table: %v", err)
	}
	return e
}

func (e *env) settlementsStore(db DB, opts Options) *Settlements {
	if db == nil {
		db = e.db
	}
	if opts.Now == nil {
		opts.Now = e.clock.Now
	}
	return NewSettlements(db, settlementsTable, opts)
}
