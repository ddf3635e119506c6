package sqs

// Request and response bodies of the awsJson 1.0 protocol. Member names are
// the service model's (note "tags" and "queueUrls" in lower camel case).
// Numbers the caller may omit are pointers, so "absent" differs from 0.

type wireAttributeValue struct {
	DataType         string   `json:"DataType"`
	StringValue      *string  `json:"StringValue,omitempty"`
	BinaryValue      []byte   `json:"BinaryValue,omitempty"`
	StringListValues []string `json:"StringListValues,omitempty"`
	BinaryListValues [][]byte `json:"BinaryListValues,omitempty"`
}

type createQueueInput struct {
	QueueName  *string
	Attributes map[string]string
	Tags       map[string]string `json:"tags"`
}

type queueURLOutput struct {
	QueueUrl string `json:"QueueUrl"`
}

type getQueueURLInput struct {
	QueueName              *string
	QueueOwnerAWSAccountId *string
}

type queueURLInput struct {
	QueueUrl *string
}

type listQueuesInput struct {
	QueueNamePrefix *string
	NextToken       *string
	MaxResults      *int64
}

type listQueuesOutput struct {
	QueueUrls []string `json:"QueueUrls,omitempty"`
	NextToken string   `json:"NextToken,omitempty"`
}

type listDeadLetterSourceQueuesInput struct {
	QueueUrl   *string
	NextToken  *string
	MaxResults *int64
}

type listDeadLetterSourceQueuesOutput struct {
	QueueUrls []string `json:"queueUrls"`
	NextToken string   `json:"NextToken,omitempty"`
}

type getQueueAttributesInput struct {
	QueueUrl       *string
	AttributeNames []string
}

type attributesOutput struct {
	Attributes map[string]string `json:"Attributes,omitempty"`
}

type setQueueAttributesInput struct {
	QueueUrl   *string
	Attributes map[string]string
}

type tagQueueInput struct {
	QueueUrl *string
	Tags     map[string]string
}

type untagQueueInput struct {
	QueueUrl *string
	TagKeys  []string
}

type listQueueTagsOutput struct {
	Tags map[string]string `json:"Tags,omitempty"`
}

type sendMessageInput struct {
	QueueUrl                *string
	MessageBody             *string
	DelaySeconds            *int64
	MessageAttributes       map[string]wireAttributeValue
	MessageSystemAttributes map[string]wireAttributeValue
	MessageDeduplicationId  *string
	MessageGroupId          *string
}

type sendMessageOutput struct {
	MessageId                    string `json:"MessageId"`
	MD5OfMessageBody             string `json:"MD5OfMessageBody"`
	MD5OfMessageAttributes       string `json:"MD5OfMessageAttributes,omitempty"`
	MD5OfMessageSystemAttributes string `json:"MD5OfMessageSystemAttributes,omitempty"`
}

type sendMessageBatchEntry struct {
	Id *string
	sendMessageInput
}

type sendMessageBatchInput struct {
	QueueUrl *string
	Entries  []sendMessageBatchEntry
}

type sendMessageBatchResultEntry struct {
	Id string `json:"Id"`
	sendMessageOutput
}

type batchResultErrorEntry struct {
	Id          string `json:"Id"`
	SenderFault bool   `json:"SenderFault"`
	Code        string `json:"Code"`
	Message     string `json:"Message,omitempty"`
}

type sendMessageBatchOutput struct {
	Successful []sendMessageBatchResultEntry `json:"Successful"`
	Failed     []batchResultErrorEntry       `json:"Failed"`
}

type receiveMessageInput struct {
	QueueUrl                    *string
	AttributeNames              []string
	MessageSystemAttributeNames []string
	MessageAttributeNames       []string
	MaxNumberOfMessages         *int64
	VisibilityTimeout           *int64
	WaitTimeSeconds             *int64
	ReceiveRequestAttemptId     *string
}

type wireMessage struct {
	MessageId              string                        `json:"MessageId"`
	ReceiptHandle          string                        `json:"ReceiptHandle"`
	MD5OfBody              string                        `json:"MD5OfBody"`
	Body                   string                        `json:"Body"`
	Attributes             map[string]string             `json:"Attributes,omitempty"`
	MD5OfMessageAttributes string                        `json:"MD5OfMessageAttributes,omitempty"`
	MessageAttributes      map[string]wireAttributeValue `json:"MessageAttributes,omitempty"`
}

type receiveMessageOutput struct {
	Messages []wireMessage `json:"Messages,omitempty"`
}

type deleteMessageInput struct {
	QueueUrl      *string
	ReceiptHandle *string
}

type deleteMessageBatchEntry struct {
	Id            *string
	ReceiptHandle *string
}

type deleteMessageBatchInput struct {
	QueueUrl *string
	Entries  []deleteMessageBatchEntry
}

type batchIDEntry struct {
	Id string `json:"Id"`
}

type batchIDOutput struct {
	Successful []batchIDEntry          `json:"Successful"`
	Failed     []batchResultErrorEntry `json:"Failed"`
}

type changeVisibilityInput struct {
	QueueUrl          *string
	ReceiptHandle     *string
	VisibilityTimeout *int64
}

type changeVisibilityBatchEntry struct {
	Id                *string
	ReceiptHandle     *string
	VisibilityTimeout *int64
}

type changeVisibilityBatchInput struct {
	QueueUrl *string
	Entries  []changeVisibilityBatchEntry
}

type startMessageMoveTaskInput struct {
	SourceArn                    *string
	DestinationArn               *string
	MaxNumberOfMessagesPerSecond *int64
}

type startMessageMoveTaskOutput struct {
	TaskHandle string `json:"TaskHandle"`
}

type listMessageMoveTasksInput struct {
	SourceArn  *string
	MaxResults *int64
}

type moveTaskEntry struct {
	TaskHandle                        string `json:"TaskHandle,omitempty"`
	Status                            string `json:"Status"`
	SourceArn                         string `json:"SourceArn"`
	DestinationArn                    string `json:"DestinationArn,omitempty"`
	MaxNumberOfMessagesPerSecond      *int64 `json:"MaxNumberOfMessagesPerSecond,omitempty"`
	ApproximateNumberOfMessagesMoved  int64  `json:"ApproximateNumberOfMessagesMoved"`
	ApproximateNumberOfMessagesToMove int64  `json:"ApproximateNumberOfMessagesToMove"`
	FailureReason                     string `json:"FailureReason,omitempty"`
	StartedTimestamp                  int64  `json:"StartedTimestamp"`
}

type listMessageMoveTasksOutput struct {
	Results []moveTaskEntry `json:"Results"`
}

type cancelMessageMoveTaskInput struct {
	TaskHandle *string
}

type cancelMessageMoveTaskOutput struct {
	ApproximateNumberOfMessagesMoved int64 `json:"ApproximateNumberOfMessagesMoved"`
}

type emptyOutput struct{}
