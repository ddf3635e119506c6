package attr

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// wireServer is the smallest DynamoDB that stores one item with the codec
// under test: PutItem decodes Item with DecodeItem, GetItem encodes it with
// AppendItemJSON. Driving it with the real SDK checks that the codec speaks
// the SDK's wire format for every type, both ways.
type wireServer struct {
	mu   sync.Mutex
	item Item
}

func (s *wireServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req struct {
		Item json.RawMessage
	}
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	switch r.Header.Get("X-Amz-Target") {
	case "DynamoDB_20120810.PutItem":
		it, err := DecodeItem(req.Item)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			msg, _ := json.Marshal(err.Error())
			_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#ValidationException","message":` + string(msg) + `}`))
			return
		}
		s.mu.Lock()
		s.item = it
		s.mu.Unlock()
		_, _ = w.Write([]byte(`{}`))
	case "DynamoDB_20120810.GetItem":
		s.mu.Lock()
		out := AppendItemJSON([]byte(`{"Item":`), s.item)
		s.mu.Unlock()
		_, _ = w.Write(append(out, '}'))
	default:
		http.Error(w, "unexpected target", http.StatusBadRequest)
	}
}

func newWireClient(t *testing.T) *dynamodb.Client {
	t.Helper()
	srv := httptest.NewServer(&wireServer{})
	t.Cleanup(srv.Close)
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
}

func TestSDKWireRoundTrip(t *testing.T) {
	t.Parallel()
	client := newWireClient(t)
	ctx := context.Background()
	item := map[string]types.AttributeValue{
		"pk":    &types.AttributeValueMemberS{Value: "p\"1\u2028\\"},
		"n":     &types.AttributeValueMemberN{Value: "12.50"},
		"b":     &types.AttributeValueMemberB{Value: []byte{0, 255, 10}},
		"t":     &types.AttributeValueMemberBOOL{Value: true},
		"null":  &types.AttributeValueMemberNULL{Value: true},
		"ss":    &types.AttributeValueMemberSS{Value: []string{"x", "y"}},
		"ns":    &types.AttributeValueMemberNS{Value: []string{"1", "2.0"}},
		"bs":    &types.AttributeValueMemberBS{Value: [][]byte{{1}, {2}}},
		"empty": &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
		"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{
				&types.AttributeValueMemberS{Value: "e"},
				&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}},
			}},
		}},
	}
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: item}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	got, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t"), Key: map[string]types.AttributeValue{"pk": item["pk"]}})
	if err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	// DynamoDB returns numbers normalised, so 12.50 comes back as 12.5.
	item["n"] = &types.AttributeValueMemberN{Value: "12.5"}
	item["ns"] = &types.AttributeValueMemberNS{Value: []string{"1", "2"}}
	if !reflect.DeepEqual(normalise(got.Item), normalise(item)) {
		t.Errorf("GetItem returned\n%#v\nwant\n%#v", normalise(got.Item), normalise(item))
	}
}

func TestSDKWireValidationError(t *testing.T) {
	t.Parallel()
	client := newWireClient(t)
	_, err := client.PutItem(context.Background(), &dynamodb.PutItemInput{
		TableName: aws.String("t"),
		Item:      map[string]types.AttributeValue{"ss": &types.AttributeValueMemberSS{Value: []string{"a", "a"}}},
	})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("Input collection [a, a] contains duplicates.")) {
		t.Errorf("PutItem with duplicate set members: %v", err)
	}
}

// normalise turns SDK values into comparable plain data, sorting sets.
func normalise(m map[string]types.AttributeValue) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = normaliseValue(v)
	}
	return out
}

func normaliseValue(v types.AttributeValue) any {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return "S:" + x.Value
	case *types.AttributeValueMemberN:
		return "N:" + x.Value
	case *types.AttributeValueMemberB:
		return "B:" + string(x.Value)
	case *types.AttributeValueMemberBOOL:
		return x.Value
	case *types.AttributeValueMemberNULL:
		return nil
	case *types.AttributeValueMemberSS:
		s := append([]string(nil), x.Value...)
		sort.Strings(s)
		return append([]string{"SS"}, s...)
	case *types.AttributeValueMemberNS:
		s := append([]string(nil), x.Value...)
		sort.Strings(s)
		return append([]string{"NS"}, s...)
	case *types.AttributeValueMemberBS:
		s := []string{"BS"}
		for _, b := range x.Value {
			s = append(s, string(b))
		}
		sort.Strings(s[1:])
		return s
	case *types.AttributeValueMemberL:
		l := []any{"L"}
		for _, e := range x.Value {
			l = append(l, normaliseValue(e))
		}
		return l
	case *types.AttributeValueMemberM:
		return normalise(x.Value)
	}
	return v
}
