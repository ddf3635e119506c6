// Package localcloud wires the embedded local cloud: the AWS endpoint with its services, the
// resources of a SAM template, the functions running through the local Lambda runtime, their
// event sources, the HTTP API and the mock PG. See README.md in this folder.
package localcloud

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	awseb "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"golang.org/x/sync/errgroup"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
	"github.com/paylane/paylane/infra/localcloud/dynamodb"
	"github.com/paylane/paylane/infra/localcloud/eventbridge"
	"github.com/paylane/paylane/infra/localcloud/eventsource"
	"github.com/paylane/paylane/infra/localcloud/httpapi"
	"github.com/paylane/paylane/infra/localcloud/lambdart"
	"github.com/paylane/paylane/infra/localcloud/s3"
	"github.com/paylane/paylane/infra/localcloud/samtemplate"
	"github.com/paylane/paylane/infra/localcloud/sqs"
	"github.com/paylane/paylane/shared/mockpg"
)

// Config says what to run and where. Zero values take the defaults of API.md's local run
// conventions.
type Config struct {
	ModuleDir    string // repository root: CodeUri paths are relative to it
	TemplateFile string // default ModuleDir/template.yaml
	StackName    string // default "paylane"
	Region       string // default us-east-1
	AWSAddr      string // default 127.0.0.1:4566 ("127.0.0.1:0" picks a free port)
	APIAddr      string // default 127.0.0.1:8080
	PGAddr       string // default 127.0.0.1:8090
	Parameters   map[string]string
	BuildDir     string // function binaries; default ModuleDir/.aws-sam/local
	DataDir      string // S3 object bodies; default a temporary folder removed by Close
	// ScheduleSpeedup compresses schedule time: 60 fires a rate(1 minute) rule every second.
	ScheduleSpeedup float64
	// MaxConcurrency bounds each function's instances unless the template reserves fewer.
	MaxConcurrency int
	// StreamPollInterval is how often an idle stream mapping polls (AWS: about 4 times a second).
	StreamPollInterval time.Duration
	// AsyncRetryDelay is the pause before an asynchronous invocation is retried (AWS: 1 then 2 minutes).
	AsyncRetryDelay time.Duration
	Console         io.Writer // function output and the local cloud's own log; default stdout
	// AfterProvision runs once every resource exists, before functions receive traffic
	// (used to seed merchants).
	AfterProvision func(ctx context.Context, cfg aws.Config, c *Cloud) error
}

func (c *Config) defaults() error {
	if c.ModuleDir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		c.ModuleDir = wd
	}
	if c.TemplateFile == "" {
		c.TemplateFile = filepath.Join(c.ModuleDir, "template.yaml")
	}
	if c.StackName == "" {
		c.StackName = "paylane"
	}
	if c.Region == "" {
		c.Region = awsproto.DefaultRegion
	}
	if c.AWSAddr == "" {
		c.AWSAddr = "127.0.0.1:4566"
	}
	if c.APIAddr == "" {
		c.APIAddr = "127.0.0.1:8080"
	}
	if c.PGAddr == "" {
		c.PGAddr = "127.0.0.1:8090"
	}
	if c.BuildDir == "" {
		c.BuildDir = filepath.Join(c.ModuleDir, ".aws-sam", "local")
	}
	if c.ScheduleSpeedup <= 0 {
		c.ScheduleSpeedup = 1
	}
	if c.MaxConcurrency <= 0 {
		c.MaxConcurrency = 4
	}
	if c.StreamPollInterval <= 0 {
		c.StreamPollInterval = 250 * time.Millisecond
	}
	if c.AsyncRetryDelay <= 0 {
		c.AsyncRetryDelay = time.Minute
	}
	if c.Console == nil {
		c.Console = os.Stdout
	}
	return nil
}

// ErrNoSchedule means no scheduled function or rule has the name given to FireSchedule.
var ErrNoSchedule = errors.New("no schedule with this name")

// Cloud is a running local cloud.
type Cloud struct {
	cfg     Config
	log     *slog.Logger
	awsURL  string
	apiURL  string
	pgURL   string
	tempDir string

	ddb     *dynamodb.Service
	sqs     *sqs.Service
	s3      *s3.Service
	events  *eventbridge.Service
	runtime *lambdart.Runtime
	pg      *mockpg.PG

	router    *router
	servers   []*http.Server
	created   map[string]physical
	schedules map[string]string

	stopSources context.CancelFunc
	sources     sync.WaitGroup
	closeOnce   sync.Once
	closeErr    error
}

// AWSEndpoint is the base URL of the local AWS APIs (what AWS_ENDPOINT_URL holds).
func (c *Cloud) AWSEndpoint() string { return c.awsURL }

// APIURL is the base URL of the HTTP API.
func (c *Cloud) APIURL() string { return c.apiURL }

// PGURL is the base URL of the mock PG.
func (c *Cloud) PGURL() string { return c.pgURL }

// Runtime is the local Lambda runtime (tests use it to kill function processes).
func (c *Cloud) Runtime() *lambdart.Runtime { return c.runtime }

// Resource returns what a template resource answers to Ref ("" if it was not created).
func (c *Cloud) Resource(logicalID string) string { return c.created[logicalID].ref }

// ResourceAttr returns a template resource's Fn::GetAtt attribute.
func (c *Cloud) ResourceAttr(logicalID, attr string) string {
	return c.created[logicalID].attrs[attr]
}

// FireSchedule runs a scheduled function now. name is the schedule rule's name, or
// "FunctionLogicalId.EventName", or the function's logical id or name when it has one schedule.
func (c *Cloud) FireSchedule(ctx context.Context, name string) error {
	rule, ok := c.schedules[name]
	if !ok {
		return fmt.Errorf("%w: %q", ErrNoSchedule, name)
	}
	if rule == "" {
		return fmt.Errorf("%w: %q has several schedules; name one as Function.Event", ErrNoSchedule, name)
	}
	return c.events.FireRule(ctx, "default", rule)
}

// Requests returns how many AWS requests the local cloud served since the last reset, by
// operation ("DynamoDB_20120810.PutItem", "AmazonSQS.SendMessage", "AWSEvents.PutEvents",
// "S3.PUT", ...). reset starts counting afresh.
func (c *Cloud) Requests(reset bool) map[string]int64 { return c.router.requests.snapshot(reset) }

// TableWriteUnits returns the write units a table consumed so far, including what AWS bills
// but never reports in a response (failed conditional writes, cancelled transactions).
func (c *Cloud) TableWriteUnits(logicalID string) (float64, error) {
	m, err := c.ddb.TableMetrics(c.created[logicalID].ref)
	if err != nil {
		return 0, err
	}
	return m.WriteCapacityUnits, nil
}

// AWSConfig returns an SDK configuration that talks to the local endpoint.
func (c *Cloud) AWSConfig() aws.Config {
	return aws.Config{
		Region:       c.cfg.Region,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(c.awsURL),
		HTTPClient: &http.Client{Transport: &http.Transport{
			MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second,
		}},
	}
}

// Start brings the local cloud up: it returns once every resource exists, every function
// is built and registered and every event source runs. Close stops it.
func Start(ctx context.Context, cfg Config) (*Cloud, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	tplData, err := os.ReadFile(cfg.TemplateFile)
	if err != nil {
		return nil, fmt.Errorf("reading the template: %w", err)
	}
	tpl, err := samtemplate.Parse(tplData)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", cfg.TemplateFile, err)
	}
	c := &Cloud{cfg: cfg, log: slog.New(slog.NewTextHandler(cfg.Console, nil)).With("component", "localcloud")}
	ok := false
	defer func() {
		if !ok {
			_ = c.Close(context.Background())
		}
	}()

	awsLn, err := net.Listen("tcp", cfg.AWSAddr)
	if err != nil {
		return nil, fmt.Errorf("AWS endpoint: %w", err)
	}
	apiLn, err := net.Listen("tcp", cfg.APIAddr)
	if err != nil {
		awsLn.Close()
		return nil, fmt.Errorf("API: %w", err)
	}
	pgLn, err := net.Listen("tcp", cfg.PGAddr)
	if err != nil {
		awsLn.Close()
		apiLn.Close()
		return nil, fmt.Errorf("mock PG: %w", err)
	}
	c.awsURL = "http://" + awsLn.Addr().String()
	c.apiURL = "http://" + apiLn.Addr().String()
	c.pgURL = "http://" + pgLn.Addr().String()

	dataDir := cfg.DataDir
	if dataDir == "" {
		if dataDir, err = os.MkdirTemp("", "paylane-localcloud-"); err != nil {
			return nil, err
		}
		c.tempDir = dataDir
	}
	c.ddb = dynamodb.New(dynamodb.Options{Region: cfg.Region})
	c.sqs = sqs.New(sqs.Options{Region: cfg.Region, BaseURL: c.awsURL})
	c.s3 = s3.New(s3.Options{Region: cfg.Region, DataDir: dataDir, Queues: c.sqs})
	c.runtime = lambdart.New(lambdart.Options{
		Region: cfg.Region, Endpoint: c.awsURL, Log: cfg.Console,
		DefaultMaxConcurrency: cfg.MaxConcurrency, AsyncRetryDelay: cfg.AsyncRetryDelay,
	})
	c.events = eventbridge.New(eventbridge.Options{
		Region: cfg.Region, Queues: c.sqs, Functions: c.runtime, ScheduleSpeedup: cfg.ScheduleSpeedup,
	})
	c.pg = mockpg.New(mockpg.Options{Log: c.log.With("component", "mock-pg")})
	rt := &router{dynamodb: c.ddb, sqs: c.sqs, eventbridge: c.events, s3: c.s3}
	rt.control = c.controlHandler()
	c.router = rt
	c.serve(awsLn, rt)
	c.serve(pgLn, c.pg)

	awsCfg := c.AWSConfig()
	params := map[string]string{}
	if _, ok := tpl.Parameters["PgBaseUrl"]; ok {
		params["PgBaseUrl"] = c.pgURL // the functions talk to this run's mock PG
	}
	for k, v := range cfg.Parameters {
		params[k] = v
	}
	plan := &wiringPlan{apiURL: c.apiURL, schedules: map[string]string{}}
	p := &provisioner{
		tpl: tpl, region: cfg.Region, log: c.log,
		ctx: samtemplate.Context{StackName: cfg.StackName, Region: cfg.Region, AccountID: awsproto.AccountID, Parameters: params},
		ddb: awsddb.NewFromConfig(awsCfg), sqs: awssqs.NewFromConfig(awsCfg),
		eb: awseb.NewFromConfig(awsCfg), s3: awss3.NewFromConfig(awsCfg, func(o *awss3.Options) { o.UsePathStyle = true }),
		created: map[string]physical{}, plan: plan,
	}
	if err := p.provision(ctx); err != nil {
		return nil, fmt.Errorf("provisioning %s: %w", cfg.TemplateFile, err)
	}
	c.created, c.schedules = p.created, plan.schedules

	if err := c.buildFunctions(ctx, plan.functions); err != nil {
		return nil, err
	}
	gw, err := httpapi.New(plan.routes, c.runtime, httpapi.Options{Region: cfg.Region, APIID: plan.apiID})
	if err != nil {
		return nil, fmt.Errorf("HTTP API: %w", err)
	}
	c.serve(apiLn, gw)
	if cfg.AfterProvision != nil {
		if err := cfg.AfterProvision(ctx, awsCfg, c); err != nil {
			return nil, err
		}
	}
	c.startSources(plan, awsCfg)
	if err := c.events.Start(context.Background()); err != nil {
		return nil, fmt.Errorf("schedules: %w", err)
	}
	ok = true
	return c, nil
}

func (c *Cloud) serve(ln net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	c.servers = append(c.servers, srv)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			c.log.Error("server stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
}

// buildFunctions compiles every function (two builds at a time: the machine has two cores
// and the Go build cache makes rebuilds cheap) and registers it with the runtime. Functions
// sharing a CodeUri share one binary, as `sam build` would produce the same one for each.
func (c *Cloud) buildFunctions(ctx context.Context, fns []plannedFunction) error {
	b := lambdart.Builder{ModuleDir: c.cfg.ModuleDir, OutDir: c.cfg.BuildDir}
	var unique []plannedFunction // the first function of each CodeUri names the build
	seen := map[string]bool{}
	for _, f := range fns {
		if !seen[f.codeURI] {
			seen[f.codeURI] = true
			unique = append(unique, f)
		}
	}
	built := make([]string, len(unique))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(2)
	for i, f := range unique {
		g.Go(func() error {
			bin, err := b.Build(gctx, f.name, f.codeURI)
			if err != nil {
				return fmt.Errorf("building function %s (%s): %w", f.logicalID, f.codeURI, err)
			}
			built[i] = bin
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	binaries := map[string]string{} // CodeUri -> binary
	for i, f := range unique {
		binaries[f.codeURI] = built[i]
	}
	for _, f := range fns {
		if err := c.runtime.Register(lambdart.Function{
			Name: f.name, Binary: binaries[f.codeURI], Env: f.env, Timeout: f.timeout,
			MemoryMB: f.memoryMB, MaxConcurrency: f.maxConcurrency,
		}); err != nil {
			return fmt.Errorf("registering function %s: %w", f.name, err)
		}
	}
	return nil
}

func (c *Cloud) startSources(plan *wiringPlan, awsCfg aws.Config) {
	ctx, cancel := context.WithCancel(context.Background())
	c.stopSources = cancel
	queues := awssqs.NewFromConfig(awsCfg)
	streams := dynamodbstreams.NewFromConfig(awsCfg)
	for _, m := range plan.sqs {
		if m.MaxConcurrency == 0 {
			m.MaxConcurrency = c.cfg.MaxConcurrency
		}
		c.runSource("sqs", m.Function, func(log *slog.Logger) error {
			return eventsource.RunSQS(ctx, queues, c.runtime, m, log)
		})
	}
	for _, m := range plan.streams {
		m.PollInterval = c.cfg.StreamPollInterval
		c.runSource("dynamodb-stream", m.Function, func(log *slog.Logger) error {
			return eventsource.RunStream(ctx, streams, queues, c.runtime, m, log)
		})
	}
}

func (c *Cloud) runSource(kind, function string, run func(*slog.Logger) error) {
	log := c.log.With("source", kind, "function", function)
	c.sources.Add(1)
	go func() {
		defer c.sources.Done()
		if err := run(log); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("event source mapping stopped", "err", err)
		}
	}()
}

// Close stops the event sources, the servers and every function process.
func (c *Cloud) Close(ctx context.Context) error {
	c.closeOnce.Do(func() {
		if c.stopSources != nil {
			c.stopSources()
		}
		c.sources.Wait()
		var errs []error
		for _, s := range c.servers {
			sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			if err := s.Shutdown(sctx); err != nil {
				_ = s.Close()
			}
			cancel()
		}
		if c.runtime != nil {
			errs = append(errs, c.runtime.Close(ctx))
		}
		if c.events != nil {
			errs = append(errs, c.events.Close())
		}
		if c.s3 != nil {
			errs = append(errs, c.s3.Close())
		}
		if c.sqs != nil {
			c.sqs.Close()
		}
		if c.ddb != nil {
			c.ddb.Close()
		}
		if c.tempDir != "" {
			errs = append(errs, os.RemoveAll(c.tempDir))
		}
		c.closeErr = errors.Join(errs...)
	})
	return c.closeErr
}
