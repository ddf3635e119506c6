package localcloud

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
	"github.com/paylane/paylane/infra/localcloud/eventsource"
	"github.com/paylane/paylane/infra/localcloud/httpapi"
	"github.com/paylane/paylane/infra/localcloud/samtemplate"
)

// wiringPlan is what provisioning learned about the functions: what to build and run, and
// which event sources feed them. Start acts on it once every resource exists.
type wiringPlan struct {
	apiID, apiURL string
	functions     []plannedFunction
	routes        []httpapi.Route
	sqs           []eventsource.SQSMapping
	streams       []eventsource.StreamMapping
	// schedules maps the names a person may use for a schedule to its rule (see addSchedule);
	// "" marks a function name shared by several schedules.
	schedules map[string]string
}

// addSchedule makes a schedule rule reachable by its own name, by "Function.Event", and by
// the function's logical id or name when the function has only this one schedule.
func (w *wiringPlan) addSchedule(rule, qualified string, functionNames ...string) {
	w.schedules[rule] = rule
	w.schedules[qualified] = rule
	for _, n := range functionNames {
		if _, taken := w.schedules[n]; taken {
			w.schedules[n] = "" // ambiguous: the function has several schedules
			continue
		}
		w.schedules[n] = rule
	}
}

type plannedFunction struct {
	logicalID, name, codeURI string
	env                      map[string]string
	timeout                  time.Duration
	memoryMB                 int
	maxConcurrency           int
}

// Lambda's documented defaults when the template does not say.
const (
	defaultTimeoutSeconds = 3
	defaultMemoryMB       = 128
)

func (p *provisioner) function(ctx context.Context, r *samtemplate.Resource, props map[string]any) (physical, error) {
	fn, err := samtemplate.FunctionFrom(r, props)
	if err != nil {
		return physical{}, err
	}
	name := fn.FunctionName
	if name == "" {
		name = p.name(r.LogicalID)
	}
	if fn.CodeURI == "" {
		return physical{}, fmt.Errorf("CodeUri is required (the local cloud builds the function from it)")
	}
	if fn.Runtime != "" && !strings.HasPrefix(fn.Runtime, "provided") {
		return physical{}, fmt.Errorf("runtime %s: the local cloud runs Go binaries on the provided runtimes only", fn.Runtime)
	}
	pf := plannedFunction{
		logicalID: r.LogicalID, name: name, codeURI: fn.CodeURI, env: fn.Environment,
		timeout:        time.Duration(orDefault(fn.Timeout, defaultTimeoutSeconds)) * time.Second,
		memoryMB:       orDefault(fn.MemorySize, defaultMemoryMB),
		maxConcurrency: fn.ReservedConcurrency,
	}
	arn := awsproto.ARN("lambda", p.region, "function:"+name)
	for _, evName := range sortedKeys(fn.Events) {
		if err := p.functionEvent(ctx, pf, arn, evName, fn.Events[evName]); err != nil {
			return physical{}, fmt.Errorf("event %s: %w", evName, err)
		}
	}
	p.plan.functions = append(p.plan.functions, pf)
	return physical{ref: name, attrs: map[string]string{"Arn": arn}}, nil
}

func (p *provisioner) functionEvent(ctx context.Context, pf plannedFunction, arn, evName string, ev samtemplate.Event) error {
	props := ev.Properties
	if props == nil {
		props = map[string]any{}
	}
	switch ev.Type {
	case "HttpApi":
		if err := checkKnown(props, "ApiId", "Method", "Path", "PayloadFormatVersion", "TimeoutInMillis", "Auth", "RouteSettings"); err != nil {
			return err
		}
		if _, ok := props["Auth"]; ok {
			return fmt.Errorf("HttpApi Auth is not implemented by the local cloud (Paylane signs requests itself)")
		}
		method := strings.ToUpper(str(props, "Method"))
		if method == "" {
			method = "ANY"
		}
		path := str(props, "Path")
		if path == "" {
			path = "$default"
		}
		version := str(props, "PayloadFormatVersion")
		if version == "" {
			version = "2.0"
		}
		p.plan.routes = append(p.plan.routes, httpapi.Route{Method: method, Path: path, Function: pf.name, PayloadFormatVersion: version})
	case "SQS":
		if err := checkKnown(props, "Queue", "BatchSize", "MaximumBatchingWindowInSeconds", "FunctionResponseTypes", "Enabled", "ScalingConfig"); err != nil {
			return err
		}
		if !boolProp(props, "Enabled", true) {
			return nil
		}
		queueARN := str(props, "Queue")
		url, err := p.queueURL(ctx, queueARN)
		if err != nil {
			return err
		}
		batch, err := intProp(props, "BatchSize", 10)
		if err != nil {
			return err
		}
		window, err := intProp(props, "MaximumBatchingWindowInSeconds", 0)
		if err != nil {
			return err
		}
		maxConc := 0
		if sc, ok := props["ScalingConfig"].(map[string]any); ok {
			if maxConc, err = intProp(sc, "MaximumConcurrency", 0); err != nil {
				return err
			}
		}
		p.plan.sqs = append(p.plan.sqs, eventsource.SQSMapping{
			Function: pf.name, QueueARN: queueARN, QueueURL: url, BatchSize: batch,
			MaximumBatchingWindow:   time.Duration(window) * time.Second,
			ReportBatchItemFailures: hasResponseType(props), MaxConcurrency: maxConc,
		})
	case "DynamoDB":
		if err := checkKnown(props, "Stream", "StartingPosition", "BatchSize", "MaximumBatchingWindowInSeconds",
			"MaximumRetryAttempts", "BisectBatchOnFunctionError", "FunctionResponseTypes", "DestinationConfig",
			"Enabled", "ParallelizationFactor"); err != nil {
			return err
		}
		if !boolProp(props, "Enabled", true) {
			return nil
		}
		if pfac, err := intProp(props, "ParallelizationFactor", 1); err != nil || pfac != 1 {
			return fmt.Errorf("ParallelizationFactor other than 1 is not implemented by the local cloud")
		}
		batch, err := intProp(props, "BatchSize", 100)
		if err != nil {
			return err
		}
		window, err := intProp(props, "MaximumBatchingWindowInSeconds", 0)
		if err != nil {
			return err
		}
		retries, err := intProp(props, "MaximumRetryAttempts", -1)
		if err != nil {
			return err
		}
		m := eventsource.StreamMapping{
			Function: pf.name, StreamARN: str(props, "Stream"), StartingPosition: str(props, "StartingPosition"),
			BatchSize: batch, MaximumBatchingWindow: time.Duration(window) * time.Second,
			MaximumRetryAttempts:       retries,
			BisectBatchOnFunctionError: boolProp(props, "BisectBatchOnFunctionError", false),
			ReportBatchItemFailures:    hasResponseType(props),
		}
		if m.StartingPosition == "" {
			return fmt.Errorf("StartingPosition is required")
		}
		if dc, ok := props["DestinationConfig"].(map[string]any); ok {
			if of, ok := dc["OnFailure"].(map[string]any); ok {
				dest := str(of, "Destination")
				if !strings.HasPrefix(dest, "arn:aws:sqs:") {
					return fmt.Errorf("OnFailure destination %q: only SQS destinations are implemented by the local cloud", dest)
				}
				if m.OnFailureQueueURL, err = p.queueURL(ctx, dest); err != nil {
					return err
				}
			}
		}
		p.plan.streams = append(p.plan.streams, m)
	case "Schedule":
		if err := checkKnown(props, "Schedule", "Enabled", "State", "Input", "Name", "Description"); err != nil {
			return err
		}
		rule := str(props, "Name")
		if rule == "" {
			rule = pf.name + "-" + evName
		}
		state := str(props, "State")
		if state == "" && !boolProp(props, "Enabled", true) {
			state = "DISABLED"
		}
		if _, err := p.putRule(ctx, rule, "", nil, str(props, "Schedule"), state); err != nil {
			return err
		}
		t := ebtypes.Target{Id: aws.String(evName), Arn: aws.String(arn)}
		if in := str(props, "Input"); in != "" {
			t.Input = aws.String(in)
		}
		if err := p.putTargets(ctx, rule, "", []ebtypes.Target{t}); err != nil {
			return err
		}
		p.plan.addSchedule(rule, pf.logicalID+"."+evName, pf.logicalID, pf.name)
	case "EventBridgeRule", "CloudWatchEvent":
		if err := checkKnown(props, "Pattern", "EventBusName", "Input", "InputPath", "Target", "State", "RuleName"); err != nil {
			return err
		}
		rule := str(props, "RuleName")
		if rule == "" {
			rule = pf.name + "-" + evName
		}
		bus := str(props, "EventBusName")
		if _, err := p.putRule(ctx, rule, bus, props["Pattern"], "", str(props, "State")); err != nil {
			return err
		}
		id := evName
		if tg, ok := props["Target"].(map[string]any); ok && str(tg, "Id") != "" {
			id = str(tg, "Id")
		}
		t := ebtypes.Target{Id: aws.String(id), Arn: aws.String(arn)}
		if in := str(props, "Input"); in != "" {
			t.Input = aws.String(in)
		}
		if ip := str(props, "InputPath"); ip != "" {
			t.InputPath = aws.String(ip)
		}
		if err := p.putTargets(ctx, rule, bus, []ebtypes.Target{t}); err != nil {
			return err
		}
	default:
		return fmt.Errorf("event type %s is not implemented by the local cloud (HttpApi, SQS, DynamoDB, Schedule, EventBridgeRule are)", ev.Type)
	}
	return nil
}

func (p *provisioner) queueURL(ctx context.Context, queueARN string) (string, error) {
	_, _, _, name, err := awsproto.ParseARN(queueARN)
	if err != nil {
		return "", err
	}
	out, err := p.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if err != nil {
		return "", fmt.Errorf("queue %s: %w", queueARN, err)
	}
	return aws.ToString(out.QueueUrl), nil
}

func hasResponseType(props map[string]any) bool {
	list, _ := props["FunctionResponseTypes"].([]any)
	for _, v := range list {
		if v == "ReportBatchItemFailures" {
			return true
		}
	}
	return false
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func sortedKeys[V any](m map[string]V) []string {
	// A stable order keeps rule creation and logs reproducible between runs.
	return slices.Sorted(maps.Keys(m))
}
