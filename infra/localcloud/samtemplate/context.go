package samtemplate

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// Resolver answers Ref and Fn::GetAtt on resources: the provisioner, which
// knows the physical names and ARNs of what it created. It is asked about
// declared resources and about the ids SAM generates (see ImplicitIDs).
type Resolver interface {
	Ref(logicalID string) (string, error)
	GetAtt(logicalID, attr string) (string, error)
}

// Context is what resolution needs besides the template.
type Context struct {
	// StackName is what AWS::StackName yields; Ref to it fails when empty.
	StackName string
	// Region defaults to awsproto.DefaultRegion, AccountID to awsproto.AccountID.
	Region    string
	AccountID string
	// Parameters override the parameters' defaults, as parameter values
	// passed to CloudFormation do (always strings).
	Parameters map[string]string
	// Resources answers Ref and Fn::GetAtt on resources; nil makes every
	// such reference an error.
	Resources Resolver
}

func (c Context) withDefaults() Context {
	if c.Region == "" {
		c.Region = awsproto.DefaultRegion
	}
	if c.AccountID == "" {
		c.AccountID = awsproto.AccountID
	}
	return c
}

// partition and urlSuffix follow the region, as the pseudo parameters do.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html
func (c Context) partition() string {
	switch {
	case strings.HasPrefix(c.Region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(c.Region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

func (c Context) urlSuffix() string {
	if strings.HasPrefix(c.Region, "cn-") {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

// stackID is a stable stack ARN: CloudFormation's ends in a random UUID, ours
// is derived from the stack name so that runs are reproducible.
func (c Context) stackID() string {
	sum := sha256.Sum256([]byte(c.StackName))
	h := hex.EncodeToString(sum[:16])
	id := fmt.Sprintf("%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
	return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/%s", c.partition(), c.Region, c.AccountID, c.StackName, id)
}

// availabilityZones is what Fn::GetAZs yields locally: three zones named the
// way AWS names them.
func availabilityZones(region string) []any {
	return []any{region + "a", region + "b", region + "c"}
}
