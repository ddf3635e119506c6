// Package samtemplate reads an AWS SAM template (AWS::Serverless-2016-10-31)
// the way CloudFormation and the SAM transform would, for the embedded local
// cloud: it parses YAML (with the CloudFormation short tags) or JSON into the
// long JSON form, applies the SAM Globals section, validates references,
// orders resources by their dependencies and resolves intrinsic functions.
//
// It does not create anything: the provisioner walks Order, resolves each
// resource's Properties with Resolve (answering Ref and Fn::GetAtt on
// resources through a Resolver) and creates what they describe.
//
// Values are the JSON data model: map[string]any, []any, string, bool, nil,
// int64 and float64.
//
// Not implemented, answered with an error wrapping ErrUnsupported: transforms
// other than AWS::Serverless-2016-10-31 (macros, AWS::LanguageExtensions and
// with it Fn::ForEach, Fn::Length, Fn::ToJsonString), Fn::ImportValue (there
// are no other stacks), Fn::Cidr, Fn::Transform, the Rules section, and
// parameter types that need a lookup in an AWS account (AWS::EC2::*,
// AWS::SSM::Parameter::*).
package samtemplate
