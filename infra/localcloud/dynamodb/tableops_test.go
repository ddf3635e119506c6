package dynamodb

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func def(name string, typ ddbtypes.ScalarAttributeType) ddbtypes.AttributeDefinition {
	return ddbtypes.AttributeDefinition{AttributeName: aws.String(name), AttributeType: typ}
}

func hashKey(name string) ddbtypes.KeySchemaElement {
	return ddbtypes.KeySchemaElement{AttributeName: aws.String(name), KeyType: ddbtypes.KeyTypeHash}
}

func rangeKey(name string) ddbtypes.KeySchemaElement {
	return ddbtypes.KeySchemaElement{AttributeName: aws.String(name), KeyType: ddbtypes.KeyTypeRange}
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
func TestCreateTableValidation(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	ppr := ddbtypes.BillingModePayPerRequest
	tests := []struct {
		name    string
		in      ddb.CreateTableInput
		wantMsg string
	}{
		{"short name", ddb.CreateTableInput{TableName: aws.String("ab"), BillingMode: ppr, AttributeDefinitions: []ddbtypes.AttributeDefinition{def("pk", "S")}, KeySchema: []ddbtypes.KeySchemaElement{hashKey("pk")}},
			"Member must have length greater than or equal to 3"},
		{"bad name characters", ddb.CreateTableInput{TableName: aws.String("a b c"), BillingMode: ppr, AttributeDefinitions: []ddbtypes.AttributeDefinition{def("pk", "S")}, KeySchema: []ddbtypes.KeySchemaElement{hashKey("pk")}},
			"regular expression pattern"},
		{"undefined key attribute", ddb.CreateTableInput{TableName: aws.String("tbl1"), BillingMode: ppr, AttributeDefinitions: []ddbtypes.AttributeDefinition{def("x", "S")}, KeySchema: []ddbtypes.KeySchemaElement{hashKey("pk")}},
			"Some index key attributes are not defined in AttributeDefinitions"},
		{"unused attribute definition", ddb.CreateTableInput{TableName: aws.String("tbl2"), BillingMode: ppr, AttributeDefinitions: []ddbtypes.AttributeDefinition{def("pk", "S"), def("x", "S")}, KeySchema: []ddbtypes.KeySchemaElement{hashKey("pk")}},
			"Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"},
		{"range first", ddb.CreateTableInput{TableName: aws.String("tbl3"), BillingMode: ppr, AttributeDefinitions: []ddbtypes.AttributeDefinition{def("pk", "S")}, KeySchema: []ddbtypes.KeySchemaElement{rangeKey("pk")}},
			"The first KeySchemaElement is not a HASH key type"},
		{"provisioned without throughput", ddb.CreateTableInput{TableName: aws.String("tbl4"), AttributeDefinitions: []ddbtypes.AttributeDefinition{def("pk", "S")}, KeySchema: []ddbtypes.KeySchemaElement{hashKey("pk")}},
			"ReadCapacityUnits and WriteCapacityUnits must both be specified"},
		{"on-demand with throughput", ddb.CreateTableInput{TableName: aws.String("tbl5"), BillingMode: ppr, ProvisionedThroughput: &ddbtypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)},
			AttributeDefinitions: []ddbtypes.AttributeDefinition{def("pk", "S")}, KeySchema: []ddbtypes.KeySchemaElement{hashKey("pk")}},
			"Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"},
		{"LSI without table sort key", ddb.CreateTableInput{TableName: aws.String("tbl6"), BillingMode: ppr, AttributeDefinitions: []ddbtypes.AttributeDefinition{def("pk", "S"), def("x", "S")}, KeySchema: []ddbtypes.KeySchemaElement{hashKey("pk")},
			LocalSecondaryIndexes: []ddbtypes.LocalSecondaryIndex{{IndexName: aws.String("lsi"), KeySchema: []ddbtypes.KeySchemaElement{hashKey("pk"), rangeKey("x")}, Projection: &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionTypeAll}}}},
			"Table KeySchema does not have a range key"},
		{"INCLUDE without attributes", ddb.CreateTableInput{TableName: aws.String("tbl7"), BillingMode: ppr, AttributeDefinitions: []ddbtypes.AttributeDefinition{def("pk", "S"), def("g", "S")}, KeySchema: []ddbtypes.KeySchemaElement{hashKey("pk")},
			GlobalSecondaryIndexes: []ddbtypes.GlobalSecondaryIndex{{IndexName: aws.String("gsi"), KeySchema: []ddbtypes.KeySchemaElement{hashKey("g")}, Projection: &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionTypeInclude}}}},
			"ProjectionType is INCLUDE, but NonKeyAttributes is not specified"},
		{"stream without view type", ddb.CreateTableInput{TableName: aws.String("tbl8"), BillingMode: ppr, AttributeDefinitions: []ddbtypes.AttributeDefinition{def("pk", "S")}, KeySchema: []ddbtypes.KeySchemaElement{hashKey("pk")},
			StreamSpecification: &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true)}},
			"StreamViewType"},
		{"unimplemented member", ddb.CreateTableInput{TableName: aws.String("tbl9"), BillingMode: ppr, AttributeDefinitions: []ddbtypes.AttributeDefinition{def("pk", "S")}, KeySchema: []ddbtypes.KeySchemaElement{hashKey("pk")},
			ResourcePolicy: aws.String("{}")},
			"does not implement"},
	}
	for _, tc := range tests {
		_, err := e.db.CreateTable(ctx(t), &tc.in)
		if apiCode(err) != "ValidationException" || !strings.Contains(apiMessage(err), tc.wantMsg) {
			t.Errorf("%s: %v, want ValidationException containing %q", tc.name, err, tc.wantMsg)
		}
	}
	e.createTable(t, "dup", false, "")
	_, err := e.db.CreateTable(ctx(t), &ddb.CreateTableInput{TableName: aws.String("dup"), BillingMode: ppr, AttributeDefinitions: []ddbtypes.AttributeDefinition{def("pk", "S")}, KeySchema: []ddbtypes.KeySchemaElement{hashKey("pk")}})
	if apiCode(err) != "ResourceInUseException" {
		t.Errorf("existing table: %v", err)
	}
}

func TestDescribeListDeleteTables(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	_, err := e.db.CreateTable(ctx(t), &ddb.CreateTableInput{
		TableName: aws.String("described"), AttributeDefinitions: []ddbtypes.AttributeDefinition{def("pk", "S")}, KeySchema: []ddbtypes.KeySchemaElement{hashKey("pk")},
		ProvisionedThroughput:     &ddbtypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(7)},
		StreamSpecification:       &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeNewImage},
		Tags:                      []ddbtypes.Tag{{Key: aws.String("team"), Value: aws.String("payments")}},
		DeletionProtectionEnabled: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	e.put(t, "described", map[string]ddbtypes.AttributeValue{"pk": s("a")})
	d, err := e.db.DescribeTable(ctx(t), &ddb.DescribeTableInput{TableName: aws.String("described")})
	if err != nil {
		t.Fatal(err)
	}
	tb := d.Table
	if tb.TableStatus != ddbtypes.TableStatusActive || aws.ToInt64(tb.ItemCount) != 1 || aws.ToInt64(tb.TableSizeBytes) != 3 ||
		aws.ToString(tb.TableArn) != "arn:aws:dynamodb:us-east-1:000000000000:table/described" ||
		aws.ToInt64(tb.ProvisionedThroughput.WriteCapacityUnits) != 7 || tb.StreamSpecification == nil || tb.StreamSpecification.StreamViewType != ddbtypes.StreamViewTypeNewImage ||
		!strings.HasPrefix(aws.ToString(tb.LatestStreamArn), aws.ToString(tb.TableArn)+"/stream/") || tb.CreationDateTime == nil {
		t.Errorf("description = %+v", tb)
	}
	tags, err := e.db.ListTagsOfResource(ctx(t), &ddb.ListTagsOfResourceInput{ResourceArn: tb.TableArn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "payments" {
		t.Errorf("tags = %+v %v", tags, err)
	}
	if _, err := e.db.DeleteTable(ctx(t), &ddb.DeleteTableInput{TableName: aws.String("described")}); apiCode(err) != "ValidationException" {
		t.Errorf("deleting a protected table: %v", err)
	}
	if _, err := e.db.UpdateTable(ctx(t), &ddb.UpdateTableInput{TableName: aws.String("described"), DeletionProtectionEnabled: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	del, err := e.db.DeleteTable(ctx(t), &ddb.DeleteTableInput{TableName: aws.String("described")})
	if err != nil || del.TableDescription.TableStatus != ddbtypes.TableStatusDeleting {
		t.Fatalf("DeleteTable: %+v %v", del, err)
	}
	if _, err := e.db.DescribeTable(ctx(t), &ddb.DescribeTableInput{TableName: aws.String("described")}); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("describe deleted table: %v", err)
	}

	for i := 0; i < 7; i++ {
		e.createTable(t, fmt.Sprintf("list%02d", i), false, "")
	}
	var names []string
	var start *string
	for {
		out, err := e.db.ListTables(ctx(t), &ddb.ListTablesInput{Limit: aws.Int32(3), ExclusiveStartTableName: start})
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, out.TableNames...)
		if out.LastEvaluatedTableName == nil {
			break
		}
		start = out.LastEvaluatedTableName
	}
	if len(names) != 7 || names[0] != "list00" || names[6] != "list06" {
		t.Errorf("ListTables pages = %v", names)
	}
}

func TestUpdateTableGlobalSecondaryIndexes(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "growing", false, "")
	e.put(t, "growing", map[string]ddbtypes.AttributeValue{"pk": s("a"), "email": s("a@x")})
	e.put(t, "growing", map[string]ddbtypes.AttributeValue{"pk": s("b")})
	_, err := e.db.UpdateTable(ctx(t), &ddb.UpdateTableInput{
		TableName:            aws.String("growing"),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{def("email", "S")},
		GlobalSecondaryIndexUpdates: []ddbtypes.GlobalSecondaryIndexUpdate{{Create: &ddbtypes.CreateGlobalSecondaryIndexAction{
			IndexName: aws.String("byEmail"), KeySchema: []ddbtypes.KeySchemaElement{hashKey("email")}, Projection: &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionTypeAll},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.db.Query(ctx(t), &ddb.QueryInput{TableName: aws.String("growing"), IndexName: aws.String("byEmail"), KeyConditionExpression: aws.String("email = :e"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":e": s("a@x")}})
	if err != nil || out.Count != 1 || str(out.Items[0], "pk") != "a" {
		t.Fatalf("query of the backfilled index: %+v %v", out, err)
	}
	_, err = e.db.UpdateTable(ctx(t), &ddb.UpdateTableInput{TableName: aws.String("growing"),
		GlobalSecondaryIndexUpdates: []ddbtypes.GlobalSecondaryIndexUpdate{{Delete: &ddbtypes.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("byEmail")}}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.db.Query(ctx(t), &ddb.QueryInput{TableName: aws.String("growing"), IndexName: aws.String("byEmail"), KeyConditionExpression: aws.String("email = :e"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":e": s("a@x")}})
	if apiCode(err) != "ValidationException" {
		t.Errorf("query of a deleted index: %v", err)
	}
	_, err = e.db.UpdateTable(ctx(t), &ddb.UpdateTableInput{TableName: aws.String("growing"), ReplicaUpdates: []ddbtypes.ReplicationGroupUpdate{{Create: &ddbtypes.CreateReplicationGroupMemberAction{RegionName: aws.String("eu-west-1")}}}})
	if apiCode(err) != "ValidationException" || !strings.Contains(apiMessage(err), "does not implement") {
		t.Errorf("replicas: %v", err)
	}
}

func TestBatchWriteAndGet(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "batched", false, "")
	var writes []ddbtypes.WriteRequest
	for i := 0; i < 25; i++ {
		writes = append(writes, ddbtypes.WriteRequest{PutRequest: &ddbtypes.PutRequest{Item: map[string]ddbtypes.AttributeValue{"pk": s(fmt.Sprint(i)), "v": n(fmt.Sprint(i))}}})
	}
	out, err := e.db.BatchWriteItem(ctx(t), &ddb.BatchWriteItemInput{RequestItems: map[string][]ddbtypes.WriteRequest{"batched": writes}, ReturnConsumedCapacity: ddbtypes.ReturnConsumedCapacityTotal})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.UnprocessedItems) != 0 || len(out.ConsumedCapacity) != 1 || units(&out.ConsumedCapacity[0]) != 25 {
		t.Errorf("BatchWriteItem: unprocessed %v capacity %+v", out.UnprocessedItems, out.ConsumedCapacity)
	}
	_, err = e.db.BatchWriteItem(ctx(t), &ddb.BatchWriteItemInput{RequestItems: map[string][]ddbtypes.WriteRequest{"batched": append(writes, writes[0])}})
	if apiCode(err) != "ValidationException" {
		t.Errorf("26 writes: %v", err)
	}
	_, err = e.db.BatchWriteItem(ctx(t), &ddb.BatchWriteItemInput{RequestItems: map[string][]ddbtypes.WriteRequest{"batched": {writes[0], writes[0]}}})
	if apiCode(err) != "ValidationException" || !strings.Contains(apiMessage(err), "duplicates") {
		t.Errorf("duplicate writes: %v", err)
	}
	var keys []map[string]ddbtypes.AttributeValue
	for i := 0; i < 100; i++ {
		keys = append(keys, map[string]ddbtypes.AttributeValue{"pk": s(fmt.Sprint(i))})
	}
	got, err := e.db.BatchGetItem(ctx(t), &ddb.BatchGetItemInput{RequestItems: map[string]ddbtypes.KeysAndAttributes{"batched": {Keys: keys}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Responses["batched"]) != 25 || len(got.UnprocessedKeys) != 0 {
		t.Errorf("BatchGetItem: %d items, unprocessed %v", len(got.Responses["batched"]), got.UnprocessedKeys)
	}
	keys = append(keys, map[string]ddbtypes.AttributeValue{"pk": s("100")})
	if _, err := e.db.BatchGetItem(ctx(t), &ddb.BatchGetItemInput{RequestItems: map[string]ddbtypes.KeysAndAttributes{"batched": {Keys: keys}}}); apiCode(err) != "ValidationException" {
		t.Errorf("101 keys: %v", err)
	}
	// Deletes in a batch.
	_, err = e.db.BatchWriteItem(ctx(t), &ddb.BatchWriteItemInput{RequestItems: map[string][]ddbtypes.WriteRequest{"batched": {{DeleteRequest: &ddbtypes.DeleteRequest{Key: map[string]ddbtypes.AttributeValue{"pk": s("0")}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := e.svc.TableMetrics("batched"); m.ItemCount != 24 {
		t.Errorf("%d items after the batch delete", m.ItemCount)
	}
}
