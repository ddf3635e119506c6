#!/usr/bin/env bash
# Runs inside the LocalStack container when it is ready: proves the services Paylane needs answer.
set -euo pipefail
awslocal dynamodb list-tables >/dev/null
awslocal sqs list-queues >/dev/null
awslocal events list-event-buses >/dev/null
awslocal s3api list-buckets >/dev/null
echo "paylane: LocalStack services are up; deploy with samlocal (see localstack/README.md)"
