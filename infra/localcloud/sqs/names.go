package sqs

import (
	"net/url"
	"strings"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

const maxQueueNameLength = 80

// validQueueName: 1-80 characters, alphanumerics, hyphens and underscores.
func validQueueName(name string) bool {
	if name == "" || len(name) > maxQueueNameLength {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(isAlnum(c) || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// queueNameFromURL extracts the queue name from a queue URL. Any scheme and
// host are accepted (the SDK may reach us through a different address than
// the one in the URL); the path must be /<account>/<name>.
func queueNameFromURL(raw string) (string, *awsproto.Error) {
	if raw == "" {
		return "", errMissingParameter("QueueUrl")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", errQueueDoesNotExist()
	}
	account, name, ok := strings.Cut(strings.Trim(u.Path, "/"), "/")
	if !ok || account != awsproto.AccountID || !validQueueName(name) {
		return "", errQueueDoesNotExist()
	}
	return name, nil
}

// queueNameFromARN extracts the queue name from an SQS ARN in the local
// account and region.
func (s *Service) queueNameFromARN(arn string) (string, bool) {
	service, region, account, resource, err := awsproto.ParseARN(arn)
	if err != nil || service != "sqs" || region != s.opts.Region || account != awsproto.AccountID || !validQueueName(resource) {
		return "", false
	}
	return resource, true
}

func (s *Service) queueARN(name string) string {
	return awsproto.ARN("sqs", s.opts.Region, name)
}
