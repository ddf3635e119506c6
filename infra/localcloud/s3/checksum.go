package s3

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"net/http"
	"strings"
)

// algorithm is a checksum algorithm S3 accepts in x-amz-checksum-*.
type algorithm string

const (
	algCRC32     algorithm = "CRC32"
	algCRC32C    algorithm = "CRC32C"
	algCRC64NVME algorithm = "CRC64NVME"
	algSHA1      algorithm = "SHA1"
	algSHA256    algorithm = "SHA256"
	algSHA512    algorithm = "SHA512"
	algMD5       algorithm = "MD5"
)

// algorithms lists the supported algorithms in the order S3 reports them.
var algorithms = []algorithm{algCRC32, algCRC32C, algCRC64NVME, algSHA1, algSHA256, algSHA512, algMD5}

// unsupportedAlgorithms are valid in the S3 API but not implemented here:
// they need non-standard-library hashes.
var unsupportedAlgorithms = []string{"XXHASH64", "XXHASH3", "XXHASH128"}

// crc64NVMEPoly is the reversed CRC-64/NVME polynomial, as crc64.MakeTable wants it.
const crc64NVMEPoly = 0x9a6c9329ac4bc9b5

var (
	crc32cTable    = crc32.MakeTable(crc32.Castagnoli)
	crc64NVMETable = crc64.MakeTable(crc64NVMEPoly)
)

// parseAlgorithm reads an algorithm name, ignoring case. Names S3 knows but
// this service does not implement give a NotImplemented error.
func parseAlgorithm(name string) (algorithm, error) {
	for _, a := range algorithms {
		if strings.EqualFold(name, string(a)) {
			return a, nil
		}
	}
	for _, u := range unsupportedAlgorithms {
		if strings.EqualFold(name, u) {
			return "", errNotImplemented("checksum algorithm " + u)
		}
	}
	return "", errInvalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
}

func (a algorithm) newHash() hash.Hash {
	switch a {
	case algCRC32:
		return crc32.NewIEEE()
	case algCRC32C:
		return crc32.New(crc32cTable)
	case algCRC64NVME:
		return crc64.New(crc64NVMETable)
	case algSHA1:
		return sha1.New()
	case algSHA256:
		return sha256.New()
	case algSHA512:
		return sha512.New()
	default:
		return md5.New()
	}
}

// header is the name of the header (or trailer) carrying the checksum.
func (a algorithm) header() string { return "x-amz-checksum-" + strings.ToLower(string(a)) }

// orCRC64NVME is a, or CRC64NVME where a is "": the checksum S3 computes
// when none was named.
func (a algorithm) orCRC64NVME() algorithm {
	if a == "" {
		return algCRC64NVME
	}
	return a
}

// supportsComposite and supportsFullObject follow the table in
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
func (a algorithm) supportsComposite() bool { return a != algCRC64NVME }

func (a algorithm) supportsFullObject() bool {
	return a == algCRC32 || a == algCRC32C || a == algCRC64NVME
}

// checksumType says how a multipart object's checksum was combined.
type checksumType string

const (
	typeFullObject checksumType = "FULL_OBJECT"
	typeComposite  checksumType = "COMPOSITE"
)

// checksumValue is a stored checksum: the algorithm, its base64 value
// (with a "-N" suffix for composite multipart checksums) and its type.
type checksumValue struct {
	alg   algorithm
	value string
	typ   checksumType
}

func (v checksumValue) isSet() bool { return v.alg != "" }

// setHeaders writes the checksum response headers.
func (v checksumValue) setHeaders(h http.Header) {
	if !v.isSet() {
		return
	}
	h.Set(v.alg.header(), v.value)
	h.Set("x-amz-checksum-type", string(v.typ))
}

// sum returns the base64 checksum of a finished hash.
func sum(h hash.Hash) string { return base64.StdEncoding.EncodeToString(h.Sum(nil)) }

// decodeChecksum validates a base64 checksum value for the algorithm and
// returns its raw bytes.
func decodeChecksum(a algorithm, value string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(value)
	if err != nil || len(raw) != a.newHash().Size() {
		return nil, errInvalidRequest("Value for %s header is invalid.", a.header())
	}
	return raw, nil
}

// compositeChecksum is the checksum of the concatenated raw part checksums
// followed by "-N", how S3 combines COMPOSITE multipart checksums.
func compositeChecksum(a algorithm, parts []checksumValue) (string, error) {
	h := a.newHash()
	for _, p := range parts {
		raw, err := decodeChecksum(a, p.value)
		if err != nil {
			return "", err
		}
		h.Write(raw)
	}
	return sum(h) + "-" + itoa(int64(len(parts))), nil
}
