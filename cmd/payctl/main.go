// Command payctl is the operators' tool (API.md "Operators"): merchant onboarding, and a
// signed `curl` for talking to the merchant API by hand. It speaks to AWS, or to the local
// cloud or LocalStack when AWS_ENDPOINT_URL says so, with the operator's own credentials.
//
//	payctl merchant create ID [-rate-limit N] [-fee-bps N]   prints the new secret
//	payctl merchant rotate-secret ID                          prints the new secret
//	payctl merchant set-limit ID N                            requests per second
//	payctl merchant set-fee ID BPS                            basis points: 250 = 2.5%
//	payctl merchant enable|disable ID
//	payctl merchant list
//	payctl curl [-X METHOD] [-d BODY] [-key IDEMPOTENCY_KEY] PATH
//	payctl dlq list                 dead-letter and relay failure queues: depth, oldest message
//	payctl dlq show QUEUE           their messages, with the failure reason, left in place
//	payctl dlq redrive QUEUE        back to the source queue, or through the relay again
//	payctl pg status                the mock PG's settings and the PG circuit breakers
//	payctl outbox republish PAYMENT_ID
//
// Environment: PAYLANE_STACK (default paylane) names the stack's resources (<stack>-merchants,
// <stack>-payments, <stack>-ops, queues <stack>-*, the bus <stack>); MERCHANTS_TABLE,
// PAYMENTS_TABLE, OPS_TABLE, EVENT_BUS_NAME and OUTBOX_POISON_QUEUE_URL name them directly.
// curl signs as PAYLANE_MERCHANT_ID with PAYLANE_MERCHANT_SECRET against PAYLANE_API_URL
// (default http://127.0.0.1:8080); pg status reads PAYLANE_PG_URL (default
// http://127.0.0.1:8090).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "merchant":
		err = merchantCommand(ctx, args[1:], env, stdout)
	case "curl":
		err = curlCommand(ctx, args[1:], env, stdout)
	case "dlq":
		err = dlqCommand(ctx, args[1:], env, stdout, stderr)
	case "pg":
		if len(args) > 1 && args[1] == "statement" {
			err = pgStatementCommand(ctx, args[2:], env, stdout)
		} else {
			err = pgCommand(ctx, args[1:], env, stdout)
		}
	case "recon":
		err = reconCommand(ctx, args[1:], env, stdout)
	case "outbox":
		err = outboxCommand(ctx, args[1:], env, stdout)
	case "settle":
		err = settleCommand(ctx, args[1:], env, stdout)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return 0
	default:
		err = fmt.Errorf("unknown command %q", args[0])
	}
	if err != nil {
		fmt.Fprintln(stderr, "payctl:", err)
		if _, ok := err.(usageError); ok {
			fmt.Fprintln(stderr, usage)
			return 2
		}
		return 1
	}
	return 0
}

type usageError string

func (u usageError) Error() string { return string(u) }

const usage = `usage:
  payctl merchant create ID [-rate-limit N] [-fee-bps N]
  payctl merchant rotate-secret ID
  payctl merchant set-limit ID REQUESTS_PER_SECOND
  payctl merchant set-fee ID BASIS_POINTS
  payctl merchant enable|disable ID
  payctl merchant list
  payctl curl [-X METHOD] [-d BODY] [-key IDEMPOTENCY_KEY] PATH
  payctl dlq list
      every dead-letter queue of the stack (and the outbox relay's failure and poison
      queues) with its depth and the age of its oldest message
  payctl dlq show QUEUE
      the messages of a queue (name or URL), left in place, with their failure reason
  payctl dlq redrive QUEUE
      a dead-letter queue: move its messages back to their source queue;
      the relay's queues: publish their stream batches or records again, then delete them
  payctl pg status
      the mock PG's failure settings and the state of the PG circuit breakers
  payctl outbox republish PAYMENT_ID
      publish a payment's outbox events again (consumers ignore repeats)
  dlq list and dlq show peek at messages: each look counts as a receive and raises the
  message's receive count.` + "\n  " + settleUsage + "\n" + pgStatementUsage + "\n" + reconUsage
