package samtemplate

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestFunctionFrom_Paylane(t *testing.T) {
	t.Parallel()
	tpl := mustParseFile(t, "paylane.yaml")
	c := testContext()
	get := func(id string) Function {
		t.Helper()
		f, err := FunctionFrom(tpl.Resources[id], mustResolveMap(t, tpl, id, c))
		if err != nil {
			t.Fatalf("FunctionFrom(%s): %v", id, err)
		}
		return f
	}
	api := get("ApiFunction")
	wantAPI := Function{
		LogicalID:     "ApiFunction",
		CodeURI:       "functions/api",
		Handler:       "bootstrap",
		Runtime:       "provided.al2023",
		Architectures: []string{"arm64"},
		Timeout:       10,
		MemorySize:    256,
		Environment: map[string]string{
			"PAYMENTS_TABLE": "ref:PaymentsTable",
			"EVENT_BUS":      "ref:EventBus",
			"PG_BASE_URL":    "http://127.0.0.1:8090",
		},
		Events:   map[string]Event{"Authorize": {Type: "HttpApi", Properties: map[string]any{"Path": "/v1/payments", "Method": "POST"}}},
		Metadata: map[string]any{"BuildMethod": "go1.x"},
	}
	if !reflect.DeepEqual(api, wantAPI) {
		t.Errorf("ApiFunction:\n got %#v\nwant %#v", api, wantAPI)
	}
	worker := get("SettlementWorker")
	if worker.Timeout != 30 || worker.ReservedConcurrency != 5 || worker.Throttled {
		t.Errorf("SettlementWorker: Timeout %d, ReservedConcurrency %d, Throttled %v", worker.Timeout, worker.ReservedConcurrency, worker.Throttled)
	}
	ev := worker.Events["Captures"]
	if ev.Type != "SQS" || ev.Properties["Queue"] != "att:CaptureQueue.Arn" || ev.Properties["BatchSize"] != int64(10) {
		t.Errorf("SettlementWorker event = %#v", ev)
	}
	if got := get("OutboxRelay").Events["Stream"].Properties["Stream"]; got != "att:PaymentsTable.StreamArn" {
		t.Errorf("OutboxRelay stream = %v", got)
	}
}

// Defaults and limits: https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
func TestFunctionFrom_DefaultsAndCoercion(t *testing.T) {
	t.Parallel()
	r := &Resource{LogicalID: "Fn", Type: "AWS::Serverless::Function"}
	f, err := FunctionFrom(r, map[string]any{
		"CodeUri": "fn", "Handler": "bootstrap", "Runtime": "provided.al2023",
		// Ref on a Number parameter yields a string; numbers in the environment are strings to Lambda.
		"MemorySize":  "512",
		"Environment": map[string]any{"Variables": map[string]any{"RETRIES": int64(3), "DEBUG": true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if f.Timeout != 3 || f.MemorySize != 512 || !reflect.DeepEqual(f.Architectures, []string{"x86_64"}) || f.FunctionName != "" {
		t.Errorf("defaults: Timeout %d MemorySize %d Architectures %v FunctionName %q", f.Timeout, f.MemorySize, f.Architectures, f.FunctionName)
	}
	if want := map[string]string{"RETRIES": "3", "DEBUG": "true"}; !reflect.DeepEqual(f.Environment, want) {
		t.Errorf("Environment = %v, want %v", f.Environment, want)
	}
	throttled, err := FunctionFrom(r, map[string]any{"CodeUri": "fn", "Handler": "h", "Runtime": "r", "ReservedConcurrentExecutions": int64(0)})
	if err != nil || !throttled.Throttled {
		t.Errorf("ReservedConcurrentExecutions 0: Throttled = %v, %v; want true", throttled.Throttled, err)
	}
}

func TestFunctionFrom_Errors(t *testing.T) {
	t.Parallel()
	base := func(extra map[string]any) map[string]any {
		m := map[string]any{"CodeUri": "fn", "Handler": "bootstrap", "Runtime": "provided.al2023"}
		for k, v := range extra {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	tests := []struct {
		name  string
		props map[string]any
		want  error
		path  string
	}{
		{"no code", base(map[string]any{"CodeUri": nil}), ErrInvalid, "Properties.CodeUri"},
		{"s3 code", base(map[string]any{"CodeUri": map[string]any{"Bucket": "b", "Key": "k"}}), ErrUnsupported, "Properties.CodeUri"},
		{"inline code", base(map[string]any{"InlineCode": "print(1)"}), ErrUnsupported, "Properties.InlineCode"},
		{"image", base(map[string]any{"PackageType": "Image", "ImageUri": "x"}), ErrUnsupported, "Properties.ImageUri"},
		{"no handler", base(map[string]any{"Handler": nil}), ErrInvalid, "Properties.Handler"},
		{"no runtime", base(map[string]any{"Runtime": nil}), ErrInvalid, "Properties.Runtime"},
		{"timeout too long", base(map[string]any{"Timeout": int64(901)}), ErrInvalid, "Properties.Timeout"},
		{"timeout zero", base(map[string]any{"Timeout": int64(0)}), ErrInvalid, "Properties.Timeout"},
		{"timeout not a number", base(map[string]any{"Timeout": "soon"}), ErrInvalid, "Timeout"},
		{"memory too small", base(map[string]any{"MemorySize": int64(64)}), ErrInvalid, "Properties.MemorySize"},
		{"two architectures", base(map[string]any{"Architectures": []any{"x86_64", "arm64"}}), ErrInvalid, "Properties.Architectures"},
		{"unknown architecture", base(map[string]any{"Architectures": []any{"riscv"}}), ErrInvalid, "Properties.Architectures"},
		{"negative reserved", base(map[string]any{"ReservedConcurrentExecutions": int64(-1)}), ErrInvalid, "Properties.ReservedConcurrentExecutions"},
		{"reserved env", base(map[string]any{"Environment": map[string]any{"Variables": map[string]any{"AWS_REGION": "x"}}}), ErrInvalid, "Properties.Environment.Variables.AWS_REGION"},
		{"bad env name", base(map[string]any{"Environment": map[string]any{"Variables": map[string]any{"1ABC": "x"}}}), ErrInvalid, "Properties.Environment.Variables.1ABC"},
		{"event without type", base(map[string]any{"Events": map[string]any{"E": map[string]any{"Properties": map[string]any{}}}}), ErrInvalid, "Properties.Events.E.Type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := FunctionFrom(&Resource{LogicalID: "Fn", Type: "AWS::Serverless::Function"}, tt.props)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			var pe *PathError
			if !errors.As(err, &pe) || pe.Resource != "Fn" || !strings.Contains(pe.Path+pe.Err.Error(), tt.path) {
				t.Errorf("error %v does not locate Fn %s", err, tt.path)
			}
		})
	}
	_, err := FunctionFrom(&Resource{LogicalID: "Q", Type: "AWS::SQS::Queue"}, map[string]any{})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("not a function: %v", err)
	}
}

func TestDecode_CoercesLikeCloudFormation(t *testing.T) {
	t.Parallel()
	type redrive struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
		MaxReceiveCount     int    `json:"maxReceiveCount"`
	}
	type queue struct {
		QueueName         string
		VisibilityTimeout int
		FifoQueue         bool
		Ratio             float64
		Tags              []struct{ Key, Value string }
		RedrivePolicy     *redrive
		Extra             any
	}
	var q queue
	err := Decode(map[string]any{
		"QueueName":         int64(42),
		"VisibilityTimeout": "60",
		"FifoQueue":         "true",
		"Ratio":             "0.5",
		"Tags":              []any{map[string]any{"Key": "n", "Value": int64(1)}},
		"RedrivePolicy":     map[string]any{"deadLetterTargetArn": "arn", "maxReceiveCount": "5"},
		"Extra":             "kept",
		"Unknown":           "ignored",
	}, &q)
	if err != nil {
		t.Fatal(err)
	}
	if q.QueueName != "42" || q.VisibilityTimeout != 60 || !q.FifoQueue || q.Ratio != 0.5 ||
		q.Tags[0].Value != "1" || q.RedrivePolicy.MaxReceiveCount != 5 || q.Extra != "kept" {
		t.Errorf("decoded %#v", q)
	}
	if err := Decode(map[string]any{"VisibilityTimeout": "soon"}, &q); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad integer: %v", err)
	}
	if err := Decode(map[string]any{}, q); !errors.Is(err, ErrInvalid) {
		t.Errorf("non-pointer: %v", err)
	}
}
