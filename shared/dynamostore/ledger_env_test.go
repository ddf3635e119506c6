package dynamostore

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ledgerTable is the ledger table's name in the tests.
const ledgerTable = "paylane-ledger"

// newLedgerEnv is a local DynamoDB with the ledger table declared as template.yaml does.
func newLedgerEnv(t testing.TB) *env {
	t.Helper()
	e := newEnv(t)
	str := func(name string) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: types.ScalarAttributeTypeS}
	}
	_, err := e.db.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String(ledgerTable),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{str(attrPK), str(attrSK)},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(attrPK), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(attrSK), KeyType: types.KeyTypeRange},
		},
	})
	if err != nil {
		t.Fatalf("creating the ledger table: %v", err)
	}
	return e
}

func (e *env) ledgerStore(db DB, opts Options) *Ledger {
	if db == nil {
		db = e.db
	}
	if opts.Now == nil {
		opts.Now = e.clock.Now
	}
	return NewLedger(db, ledgerTable, opts)
}

// at0 is when the ledger tests' journals happen: the env clock's start.
var at0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
