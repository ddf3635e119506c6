package pattern

import (
	"errors"
	"testing"
)

// ec2Event is the sample event of the EventBridge user guide and of Event
// Ruler's README, used by most cases below.
const ec2Event = `{
  "version": "0",
  "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "012345679012",
  "time": "2017-10-02T16:24:49Z",
  "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
  "detail": {
    "c-count": 5,
    "d-count": 3,
    "x-limit": 301.8,
    "source-ip": "10.0.0.33",
    "instance-id": "i-000000aaaaaa00000",
    "state": "running"
  }
}`

// Cases are taken from "Content filtering in Amazon EventBridge event
// patterns" and "Comparison operators for use in event patterns":
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
// and from Event Ruler's README (https://github.com/aws/event-ruler), the
// matcher the docs describe.
func TestMatchDocumentedCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pattern string
		event   string
		want    bool
	}{
		// Simple matching and OR within a value list.
		{"exact values", `{"detail-type":["EC2 Instance State-change Notification"],"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],"detail":{"state":["initializing","running"]}}`, ec2Event, true},
		{"exact value differs", `{"source":["aws.s3"]}`, ec2Event, false},
		{"value list is OR", `{"source":["aws.s3","aws.ec2"]}`, ec2Event, true},
		{"field missing from event", `{"detail":{"nope":["x"]}}`, ec2Event, false},
		{"values are case sensitive", `{"source":["AWS.EC2"]}`, ec2Event, false},
		{"a string is not a number", `{"detail":{"c-count":["5"]}}`, ec2Event, false},
		{"a number is not a string", `{"detail":{"state":[5]}}`, ec2Event, false},

		// Prefix, suffix, equals-ignore-case.
		{"prefix", `{"time":[{"prefix":"2017-10-02"}]}`, ec2Event, true},
		{"prefix no match", `{"time":[{"prefix":"2018"}]}`, ec2Event, false},
		{"empty prefix matches any string", `{"source":[{"prefix":""}]}`, ec2Event, true},
		{"prefix ignore case", `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`, `{"detail":{"service":"eventbridge"}}`, true},
		{"prefix ignore case upper", `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`, `{"detail":{"service":"EVENTBRIDGE"}}`, true},
		{"prefix is case sensitive", `{"detail":{"service":[{"prefix":"EventB"}]}}`, `{"detail":{"service":"eventbridge"}}`, false},
		{"suffix", `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"image.png"}`, true},
		{"suffix no match", `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"image.PNG"}`, false},
		{"suffix ignore case", `{"detail":{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}}`, `{"detail":{"FileName":"image.PNG"}}`, true},
		{"suffix on number", `{"n":[{"suffix":"5"}]}`, `{"n":5}`, false},
		{"equals-ignore-case", `{"source":[{"equals-ignore-case":"AWS.EC2"}]}`, ec2Event, true},
		{"equals-ignore-case differs", `{"source":[{"equals-ignore-case":"aws.ec"}]}`, ec2Event, false},

		// Anything-but.
		{"anything-but string", `{"detail":{"state":[{"anything-but":"initializing"}]}}`, ec2Event, true},
		{"anything-but string excluded", `{"detail":{"state":[{"anything-but":"running"}]}}`, ec2Event, false},
		{"anything-but number", `{"detail":{"x-limit":[{"anything-but":123}]}}`, ec2Event, true},
		{"anything-but number excluded by value", `{"detail":{"x-limit":[{"anything-but":3.018e2}]}}`, ec2Event, false},
		{"anything-but string list", `{"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}}`, ec2Event, true},
		{"anything-but string list excluded", `{"detail":{"state":[{"anything-but":["stopped","running"]}]}}`, ec2Event, false},
		{"anything-but number list", `{"detail":{"x-limit":[{"anything-but":[100,200,300]}]}}`, ec2Event, true},
		{"anything-but prefix", `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`, ec2Event, true},
		{"anything-but prefix excluded", `{"detail":{"state":[{"anything-but":{"prefix":"run"}}]}}`, ec2Event, false},
		{"anything-but suffix", `{"FileName":[{"anything-but":{"suffix":".png"}}]}`, `{"FileName":"a.txt"}`, true},
		{"anything-but suffix excluded", `{"FileName":[{"anything-but":{"suffix":".png"}}]}`, `{"FileName":"a.png"}`, false},
		{"anything-but ignore case excluded", `{"state":[{"anything-but":{"equals-ignore-case":"initializing"}}]}`, `{"state":"INITIALIZING"}`, false},
		{"anything-but ignore case list", `{"state":[{"anything-but":{"equals-ignore-case":["Stopped","OverLoaded"]}}]}`, `{"state":"running"}`, true},
		{"anything-but wildcard excluded", `{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}`, `{"FilePath":"/usr/lib/x.so"}`, false},
		{"anything-but wildcard", `{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}`, `{"FilePath":"/usr/bin/x"}`, true},
		{"anything-but needs the field", `{"detail":{"nope":[{"anything-but":"x"}]}}`, ec2Event, false},
		{"anything-but any array element", `{"tags":[{"anything-but":"a"}]}`, `{"tags":["a","b"]}`, true},
		{"anything-but all array elements excluded", `{"tags":[{"anything-but":["a","b"]}]}`, `{"tags":["a","b"]}`, false},

		// Numeric matching compares numbers as numbers.
		{"numeric doc example", `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"numeric":["=",3.018e2]}]}}`, ec2Event, true},
		{"numeric upper bound inclusive", `{"n":[{"numeric":[">",0,"<=",5]}]}`, `{"n":5}`, true},
		{"numeric lower bound open", `{"n":[{"numeric":[">",0,"<=",5]}]}`, `{"n":0}`, false},
		{"numeric >=", `{"n":[{"numeric":[">=",0]}]}`, `{"n":0}`, true},
		{"numeric <", `{"n":[{"numeric":["<",10]}]}`, `{"n":10}`, false},
		{"numeric exponent form", `{"n":[{"numeric":["=",301.8]}]}`, `{"n":3.018e2}`, true},
		{"numeric negative range", `{"n":[{"numeric":[">=",-10.5,"<",-1]}]}`, `{"n":-10.5}`, true},
		{"numeric on string never matches", `{"n":[{"numeric":[">",0]}]}`, `{"n":"5"}`, false},
		{"exact number by value", `{"n":[300]}`, `{"n":3.0e2}`, true},
		{"exact number by value 2", `{"n":[300]}`, `{"n":300.0}`, true},
		{"exact number differs", `{"n":[300]}`, `{"n":300.5}`, false},
		{"exact large account number", `{"account":[123456789012]}`, `{"account":123456789012}`, true},

		// IP address matching.
		{"cidr", `{"detail":{"source-ip":[{"cidr":"10.0.0.0/24"}]}}`, ec2Event, true},
		{"cidr outside", `{"detail":{"source-ip":[{"cidr":"10.0.1.0/24"}]}}`, ec2Event, false},
		{"cidr ipv6", `{"ip":[{"cidr":"2001:db8::/32"}]}`, `{"ip":"2001:db8::1"}`, true},
		{"cidr on non-ip", `{"ip":[{"cidr":"10.0.0.0/8"}]}`, `{"ip":"hello"}`, false},

		// Exists matching works on leaf nodes only.
		{"exists true", `{"detail":{"state":[{"exists":true}]}}`, ec2Event, true},
		{"exists true missing", `{"detail":{"c-count":[{"exists":true}]}}`, `{"detail":{"c-count":{"c1":100}}}`, false},
		{"exists false missing", `{"detail":{"c-count":[{"exists":false}]}}`, `{"detail":{"state":["initializing","running"]}}`, true},
		{"exists false non-leaf", `{"detail":{"c-count":[{"exists":false}]}}`, `{"detail":{"state":["initializing","running"],"c-count":{"c1":100}}}`, true},
		{"exists false present", `{"detail":{"state":[{"exists":false}]}}`, ec2Event, false},
		{"exists false when parent missing", `{"detail":{"c-count":[{"exists":false}]}}`, `{"source":"x"}`, true},
		{"exists true on null", `{"a":[{"exists":true}]}`, `{"a":null}`, true},
		{"exists true on empty array", `{"a":[{"exists":true}]}`, `{"a":[]}`, false},
		{"exists false or value", `{"a":["x",{"exists":false}]}`, `{"a":"x"}`, true},

		// Empty and null values.
		{"empty string", `{"LastName":[""]}`, `{"LastName":""}`, true},
		{"empty string vs missing", `{"LastName":[""]}`, `{"FirstName":"a"}`, false},
		{"null value", `{"UserID":[null]}`, `{"UserID":null}`, true},
		{"null vs missing", `{"UserID":[null]}`, `{"Other":1}`, false},
		{"null vs empty string", `{"UserID":[null]}`, `{"UserID":""}`, false},
		{"boolean", `{"ok":[true]}`, `{"ok":true}`, true},
		{"boolean differs", `{"ok":[true]}`, `{"ok":"true"}`, false},

		// Wildcards.
		{"wildcard", `{"source":[{"wildcard":"Simple*Service"}]}`, `{"source":"SimpleQueueService"}`, true},
		{"wildcard empty run", `{"source":[{"wildcard":"Simple*Service"}]}`, `{"source":"SimpleService"}`, true},
		{"wildcard no match", `{"source":[{"wildcard":"Simple*Service"}]}`, `{"source":"SimpleQueue"}`, false},
		{"wildcard path", `{"key":[{"wildcard":"dir/*.png"}]}`, `{"key":"dir/a/b.png"}`, true},
		{"wildcard escaped star", `{"key":[{"wildcard":"a\\*b"}]}`, `{"key":"a*b"}`, true},
		{"wildcard escaped star is literal", `{"key":[{"wildcard":"a\\*b"}]}`, `{"key":"axxb"}`, false},
		{"wildcard several", `{"key":[{"wildcard":"*a*b*"}]}`, `{"key":"xxaxxbxx"}`, true},
		{"wildcard order", `{"key":[{"wildcard":"*a*b*"}]}`, `{"key":"xxbxxaxx"}`, false},

		// $or.
		{"or first branch", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}]}`, `{"source":"aws.cloudwatch","metricName":"ReadLatency"}`, true},
		{"or second branch", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}]}`, `{"source":"aws.cloudwatch","namespace":"AWS/ES"}`, true},
		{"or no branch", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}]}`, `{"source":"aws.cloudwatch","namespace":"AWS/S3"}`, false},
		{"or with and inside", `{"$or":[{"metricName":["CPU"]},{"metricType":["MetricType"],"namespace":["AWS/EC2"]}]}`, `{"metricType":"MetricType","namespace":"AWS/S3"}`, false},
		{"nested or", `{"detail":{"$or":[{"c-count":[{"numeric":[">",10]}]},{"d-count":[{"numeric":["<",5]}]}]}}`, ec2Event, true},

		// Arrays in events: any element matches; fields of different elements
		// of an array are not combined.
		{"event array any element", `{"resources":["arn:b"]}`, `{"resources":["arn:a","arn:b"]}`, true},
		{"event array no element", `{"resources":["arn:c"]}`, `{"resources":["arn:a","arn:b"]}`, false},
		{"array of objects", `{"employees":{"firstName":["Anna"]}}`, `{"employees":[{"firstName":"John","lastName":"Doe"},{"firstName":"Anna","lastName":"Smith"}]}`, true},
		{"array consistent", `{"employees":{"firstName":["Anna"],"lastName":["Doe"]}}`, `{"employees":[{"firstName":"John","lastName":"Doe"},{"firstName":"Anna","lastName":"Smith"}]}`, false},
		{"array same element", `{"employees":{"firstName":["Anna"],"lastName":["Smith"]}}`, `{"employees":[{"firstName":"John","lastName":"Doe"},{"firstName":"Anna","lastName":"Smith"}]}`, true},
		{"nested arrays", `{"employees":{"firstName":["Peter"]}}`, `{"employees":[[{"firstName":"John"}],[{"firstName":"Peter"}]]}`, true},
		{"numbers in array", `{"n":[{"numeric":[">",10]}]}`, `{"n":[1,2,30]}`, true},

		// Nested fields must follow the same structure.
		{"nested structure required", `{"detail":{"state":["running"]}}`, `{"state":"running"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse(tt.pattern)
			if err != nil {
				t.Fatalf("Parse(%s): %v", tt.pattern, err)
			}
			got, err := p.Match([]byte(tt.event))
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			if got != tt.want {
				t.Errorf("pattern %s on event %s = %v, want %v", tt.pattern, tt.event, got, tt.want)
			}
		})
	}
}

func TestParseRejectsInvalidPatterns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pattern string
	}{
		{"not JSON", `{"source":`},
		{"trailing data", `{"source":["a"]} {}`},
		{"not an object", `["a"]`},
		{"empty object", `{}`},
		{"empty nested object", `{"detail":{}}`},
		{"scalar value", `{"source":"aws.ec2"}`},
		{"empty array", `{"source":[]}`},
		{"array in value list", `{"source":[["a"]]}`},
		{"unknown operator", `{"source":[{"contains":"a"}]}`},
		{"two keys in expression", `{"source":[{"prefix":"a","suffix":"b"}]}`},
		{"prefix not string", `{"source":[{"prefix":5}]}`},
		{"suffix bad object", `{"source":[{"suffix":{"other":"a"}}]}`},
		{"equals-ignore-case not string", `{"source":[{"equals-ignore-case":["a"]}]}`},
		{"exists not boolean", `{"source":[{"exists":"true"}]}`},
		{"numeric not array", `{"n":[{"numeric":5}]}`},
		{"numeric bad operator", `{"n":[{"numeric":["!=",5]}]}`},
		{"numeric string value", `{"n":[{"numeric":[">","5"]}]}`},
		{"numeric equals in range", `{"n":[{"numeric":["=",5,"<",6]}]}`},
		{"numeric reversed range", `{"n":[{"numeric":["<",5,">",1]}]}`},
		{"numeric empty range", `{"n":[{"numeric":[">",5,"<",1]}]}`},
		{"numeric three terms", `{"n":[{"numeric":[">",5,"<"]}]}`},
		{"numeric infinite", `{"n":[{"numeric":[">",1e999]}]}`},
		{"anything-but mixed list", `{"s":[{"anything-but":["a",1]}]}`},
		{"anything-but boolean", `{"s":[{"anything-but":true}]}`},
		{"anything-but empty list", `{"s":[{"anything-but":[]}]}`},
		{"anything-but empty prefix", `{"s":[{"anything-but":{"prefix":""}}]}`},
		{"anything-but unknown", `{"s":[{"anything-but":{"numeric":[">",1]}}]}`},
		{"wildcard consecutive stars", `{"s":[{"wildcard":"a**b"}]}`},
		{"wildcard bad escape", `{"s":[{"wildcard":"a\\b"}]}`},
		{"cidr malformed", `{"ip":[{"cidr":"10.0.0.0/33"}]}`},
		{"or with one branch", `{"$or":[{"a":["x"]}]}`},
		{"or not array", `{"$or":{"a":["x"]}}`},
		{"or with scalar", `{"$or":[{"a":["x"]},"b"]}`},
		{"reserved name inside or", `{"$or":[{"prefix":["x"]},{"a":["y"]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(tt.pattern)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse(%s) error = %v, want ErrInvalid", tt.pattern, err)
			}
		})
	}
}

func TestMatchRejectsMalformedEvent(t *testing.T) {
	t.Parallel()
	p, err := Parse(`{"source":["a"]}`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Match([]byte(`{"source":`)); err == nil {
		t.Fatal("Match on malformed JSON returned no error")
	}
}
