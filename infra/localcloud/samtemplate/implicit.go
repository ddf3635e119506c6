package samtemplate

import "maps"

// ImplicitIDs returns the logical ids the SAM transform generates and a
// template may therefore reference (FnRole, ServerlessHttpApi, FnQueueEvent,
// …), each mapped to the declared resource that generates it, or to "" for
// the implicit APIs that several functions share (ServerlessHttpApi,
// ServerlessRestApi). The provisioner's Resolver must answer Ref and GetAtt
// on the ones the template uses.
// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-generated-resources.html
func (t *Template) ImplicitIDs() map[string]string {
	return maps.Clone(t.implicit)
}

func implicitIDs(resources map[string]*Resource) map[string]string {
	out := map[string]string{}
	for _, id := range sortedKeys(resources) {
		r := resources[id]
		p := r.Properties
		switch r.Type {
		case "AWS::Serverless::Function":
			functionImplicitIDs(id, p, out)
		case "AWS::Serverless::StateMachine":
			if _, ok := p["Role"]; !ok {
				out[id+"Role"] = id
			}
		case "AWS::Serverless::HttpApi":
			if _, ok := p["StageName"]; !ok {
				out[id+"ApiGatewayDefaultStage"] = id
			}
		case "AWS::Serverless::Api":
			if stage, ok := p["StageName"].(string); ok {
				out[id+stage+"Stage"] = id
			}
		}
	}
	return out
}

func functionImplicitIDs(id string, p map[string]any, out map[string]string) {
	if _, ok := p["Role"]; !ok {
		out[id+"Role"] = id
	}
	if alias, ok := p["AutoPublishAlias"].(string); ok && alias != "" {
		out[id+"Alias"+alias] = id
		out[id+".Alias"] = id
		out[id+".Version"] = id
	}
	if _, ok := p["FunctionUrlConfig"]; ok {
		out[id+"Url"] = id
		out[id+"UrlPublicPermissions"] = id
	}
	events, _ := p["Events"].(map[string]any)
	for _, name := range sortedKeys(events) {
		ev, _ := events[name].(map[string]any)
		typ, _ := ev["Type"].(string)
		props, _ := ev["Properties"].(map[string]any)
		switch typ {
		case "SQS", "Kinesis", "DynamoDB", "MQ", "MSK", "SelfManagedKafka", "DocumentDB", "ScheduleV2":
			out[id+name] = id
		case "Schedule", "CloudWatchEvent", "EventBridgeRule", "SNS":
			out[id+name] = id
			out[id+name+"Permission"] = id
		case "S3", "CloudWatchLogs", "IoTRule":
			out[id+name+"Permission"] = id
		case "HttpApi":
			out[id+name+"Permission"] = id
			if _, ok := props["ApiId"]; !ok {
				out["ServerlessHttpApi"] = ""
				out["ServerlessHttpApiApiGatewayDefaultStage"] = ""
			}
		case "Api":
			if _, ok := props["RestApiId"]; !ok {
				out["ServerlessRestApi"] = ""
				out["ServerlessRestApiProdStage"] = ""
			}
		}
	}
}
