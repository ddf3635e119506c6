package samtemplate

import (
	"fmt"
	"slices"
	"strings"
)

// globalsProperties lists, per Globals section, the properties SAM accepts
// there; anything else is rejected as SAM rejects it.
// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-template-anatomy-globals.html
func globalsProperties(section string) ([]string, bool) {
	switch section {
	case "Function":
		return []string{
			"Handler", "Runtime", "CodeUri", "DeadLetterQueue", "Description", "MemorySize", "Timeout",
			"VpcConfig", "Environment", "Tags", "PropagateTags", "Tracing", "KmsKeyArn", "AutoPublishAlias",
			"AutoPublishAliasAllProperties", "Layers", "DeploymentPreference", "RolePath", "PermissionsBoundary",
			"ReservedConcurrentExecutions", "ProvisionedConcurrencyConfig", "AssumeRolePolicyDocument",
			"EventInvokeConfig", "FileSystemConfigs", "CodeSigningConfigArn", "Architectures", "SnapStart",
			"EphemeralStorage", "FunctionUrlConfig", "RuntimeManagementConfig", "LoggingConfig", "RecursiveLoop",
			"SourceKMSKeyArn",
		}, true
	case "Api":
		return []string{
			"Auth", "Name", "DefinitionUri", "CacheClusterEnabled", "CacheClusterSize", "MergeDefinitions",
			"Variables", "EndpointConfiguration", "MethodSettings", "BinaryMediaTypes", "MinimumCompressionSize",
			"Cors", "GatewayResponses", "AccessLogSetting", "CanarySetting", "TracingEnabled", "OpenApiVersion",
			"Domain", "AlwaysDeploy", "PropagateTags",
		}, true
	case "HttpApi":
		return []string{
			"Auth", "AccessLogSettings", "StageVariables", "Tags", "CorsConfiguration", "DefaultRouteSettings",
			"Domain", "RouteSettings", "FailOnWarnings", "PropagateTags",
		}, true
	case "SimpleTable":
		return []string{"SSESpecification"}, true
	case "StateMachine":
		return []string{"PropagateTags"}, true
	case "LayerVersion":
		return []string{"PublishLambdaVersion"}, true
	}
	return nil, false
}

// applyGlobals merges each Globals section into the properties of the
// resources of the matching AWS::Serverless:: type, as SAM does: the
// resource's value wins for scalars (and intrinsic functions, which SAM
// treats as scalars), maps are merged key by key recursively, lists are
// concatenated globals first, and a type mismatch keeps the resource's value.
func (t *Template) applyGlobals() error {
	for _, section := range sortedKeys(t.Globals) {
		allowed, ok := globalsProperties(section)
		if !ok {
			return &PathError{Resource: "Globals", Err: fmt.Errorf("%w: %q is not supported in Globals", ErrInvalid, section)}
		}
		props, ok := t.Globals[section].(map[string]any)
		if !ok {
			return &PathError{Resource: "Globals." + section, Err: fmt.Errorf("%w: must be a mapping", ErrInvalid)}
		}
		for _, k := range sortedKeys(props) {
			if !slices.Contains(allowed, k) {
				return &PathError{Resource: "Globals." + section, Err: fmt.Errorf("%w: %q is not a supported property of %s", ErrInvalid, k, section)}
			}
		}
		for _, id := range sortedKeys(t.Resources) {
			r := t.Resources[id]
			if r.Type != "AWS::Serverless::"+section {
				continue
			}
			g, err := withoutIgnored(props, r)
			if err != nil {
				return err
			}
			r.Properties = mergeGlobal(g, r.Properties).(map[string]any)
		}
	}
	return nil
}

// withoutIgnored drops the properties named by the resource's IgnoreGlobals.
func withoutIgnored(props map[string]any, r *Resource) (map[string]any, error) {
	switch ig := r.ignoreGlobals.(type) {
	case nil:
		return props, nil
	case string:
		if ig == "*" {
			return map[string]any{}, nil
		}
	case []any:
		out := make(map[string]any, len(props))
		for k, v := range props {
			out[k] = v
		}
		for _, e := range ig {
			name, ok := e.(string)
			if _, present := props[name]; !ok || !present {
				return nil, &PathError{Resource: r.LogicalID, Path: "IgnoreGlobals", Err: fmt.Errorf("%w: %v is not a property set in Globals", ErrInvalid, e)}
			}
			delete(out, name)
		}
		return out, nil
	}
	return nil, &PathError{Resource: r.LogicalID, Path: "IgnoreGlobals", Err: fmt.Errorf(`%w: must be "*" or a list of property names`, ErrInvalid)}
}

type mergeKind int

const (
	mergeScalar mergeKind = iota
	mergeMap
	mergeList
)

func kindOf(v any) mergeKind {
	switch x := v.(type) {
	case map[string]any:
		if isIntrinsic(x) {
			return mergeScalar
		}
		return mergeMap
	case []any:
		return mergeList
	}
	return mergeScalar
}

// isIntrinsic reports whether m is an intrinsic function call: a single key
// that is Ref, Condition or Fn::*.
func isIntrinsic(m map[string]any) bool {
	if len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

func mergeGlobal(global, local any) any {
	kg, kl := kindOf(global), kindOf(local)
	if kg != kl || kg == mergeScalar {
		return deepCopy(local)
	}
	if kg == mergeList {
		out := append(deepCopy(global).([]any), deepCopy(local).([]any)...)
		return out
	}
	g, l := global.(map[string]any), local.(map[string]any)
	out := deepCopy(g).(map[string]any)
	for k, lv := range l {
		if gv, ok := g[k]; ok {
			out[k] = mergeGlobal(gv, lv)
		} else {
			out[k] = deepCopy(lv)
		}
	}
	return out
}

// deepCopy copies maps and lists so that resources never share Globals'
// values: the provisioner may change one without touching the others.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
