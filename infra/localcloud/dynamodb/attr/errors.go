package attr

// ValidationError is an input DynamoDB refuses, reported to clients as a
// ValidationException whose message is Message (DynamoDB's own text where
// it is known).
type ValidationError struct{ Message string }

func (e *ValidationError) Error() string { return e.Message }

// SerializationError is a request body that is not the JSON DynamoDB
// expects (malformed JSON, a number where a string belongs, bad base64).
// DynamoDB reports these as SerializationException, before any validation.
type SerializationError struct{ Message string }

func (e *SerializationError) Error() string { return e.Message }

func validation(msg string) error { return &ValidationError{Message: msg} }

func serialization(msg string) error { return &SerializationError{Message: msg} }

// DynamoDB's messages for invalid attribute values.
const (
	msgEmptyValue    = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
	msgManyTypes     = "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
	msgInvalidParams = "One or more parameter values were invalid: "
	msgNullFalse     = msgInvalidParams + "Null attribute value types must have the value of true"
	msgEmptySS       = msgInvalidParams + "An string set  may not be empty"
	msgEmptyNS       = msgInvalidParams + "An number set  may not be empty"
	msgEmptyBS       = msgInvalidParams + "Binary sets should not be empty"
	msgNSDuplicates  = "Input collection contains duplicates"
	msgTooDeep       = "Nesting Levels have exceeded supported limits"
)

// MaxDepth is how deeply DynamoDB lets maps and lists nest.
const MaxDepth = 32
