package s3

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxObjectSize is the largest body of a single PUT (and of a part): 5 GiB.
const maxObjectSize = 5 << 30

// payload describes how a request body is framed and which digests the
// client claims for it, read from the request headers.
type payload struct {
	body          io.Reader
	chunked       *chunkedReader // nil unless aws-chunked
	length        int64          // decoded length, -1 if unknown
	contentMD5    []byte
	sha256Hex     string    // x-amz-content-sha256 when it is a digest
	claimed       algorithm // algorithm of the x-amz-checksum-* value sent, if any
	claimedValue  string    // "" when it comes in a trailer
	claimedInTail bool
}

// streamingPayloads are the x-amz-content-sha256 values announcing an
// aws-chunked body, and whether its chunks are signed.
var streamingPayloads = map[string]bool{
	"STREAMING-UNSIGNED-PAYLOAD-TRAILER":               false,
	"STREAMING-AWS4-HMAC-SHA256-PAYLOAD":               true,
	"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER":       true,
	"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD":         true,
	"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER": true,
}

// openPayload reads the framing and digest headers of r.
func openPayload(r *http.Request) (*payload, error) {
	h := r.Header
	p := &payload{body: r.Body, length: r.ContentLength}
	if r.Body == nil {
		p.body = http.NoBody
		p.length = 0
	}
	contentSHA := h.Get("x-amz-content-sha256")
	signed, streaming := streamingPayloads[contentSHA]
	if strings.HasPrefix(contentSHA, "STREAMING-") && !streaming {
		return nil, errInvalidArgument("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.").
			with("ArgumentName", "x-amz-content-sha256").with("ArgumentValue", contentSHA)
	}
	if streaming || hasCoding(h.Get("Content-Encoding"), "aws-chunked") {
		decoded := h.Get("x-amz-decoded-content-length")
		if decoded == "" {
			return nil, newError(http.StatusLengthRequired, "MissingContentLength", "You must provide the Content-Length HTTP header.").
				with("Header", "x-amz-decoded-content-length")
		}
		n, err := strconv.ParseInt(decoded, 10, 64)
		if err != nil || n < 0 {
			return nil, errInvalidArgument("Invalid x-amz-decoded-content-length: %q", decoded)
		}
		p.length = n
		p.chunked = newChunkedReader(p.body, signed)
		p.body = p.chunked
	} else if contentSHA != "" && contentSHA != "UNSIGNED-PAYLOAD" {
		if _, err := hex.DecodeString(contentSHA); err != nil || len(contentSHA) != 64 {
			return nil, errInvalidArgument("x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.").
				with("ArgumentName", "x-amz-content-sha256").with("ArgumentValue", contentSHA)
		}
		p.sha256Hex = strings.ToLower(contentSHA)
	}
	if v := h.Get("Content-MD5"); v != "" {
		raw, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(raw) != md5.Size {
			return nil, newError(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified was invalid.").with("Content-MD5", v)
		}
		p.contentMD5 = raw
	}
	if err := p.readClaimedChecksum(h); err != nil {
		return nil, err
	}
	return p, nil
}

func hasCoding(v, coding string) bool {
	for _, part := range strings.Split(v, ",") {
		if strings.EqualFold(strings.TrimSpace(part), coding) {
			return true
		}
	}
	return false
}

// readClaimedChecksum finds the one x-amz-checksum-* value sent with the
// request, as a header or announced in x-amz-trailer.
func (p *payload) readClaimedChecksum(h http.Header) error {
	found := 0
	for name, vs := range h {
		alg, ok := cutPrefixFold(name, "x-amz-checksum-")
		if !ok || isChecksumControl(alg) {
			continue
		}
		a, err := parseAlgorithm(alg)
		if err != nil {
			return err
		}
		found++
		p.claimed, p.claimedValue = a, vs[0]
	}
	if t := h.Get("x-amz-trailer"); t != "" {
		if p.chunked == nil {
			return errInvalidRequest("x-amz-trailer requires an aws-chunked body.")
		}
		alg, ok := cutPrefixFold(strings.TrimSpace(t), "x-amz-checksum-")
		if !ok || strings.Contains(t, ",") {
			return errInvalidRequest("The value specified in the x-amz-trailer header is not supported")
		}
		a, err := parseAlgorithm(alg)
		if err != nil {
			return err
		}
		found++
		p.claimed, p.claimedValue, p.claimedInTail = a, "", true
	}
	if found > 1 {
		return errInvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
	}
	if found == 0 {
		if sdkAlg := h.Get("x-amz-sdk-checksum-algorithm"); sdkAlg != "" {
			return errInvalidRequest("x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.")
		}
	}
	if p.claimedValue != "" {
		if _, err := decodeChecksum(p.claimed, p.claimedValue); err != nil {
			return err
		}
	}
	return nil
}

// isChecksumControl reports the x-amz-checksum-* headers that are not values.
func isChecksumControl(suffix string) bool {
	switch strings.ToLower(suffix) {
	case "algorithm", "type", "mode":
		return true
	}
	return false
}

// received is what the service computed over a body it read.
type received struct {
	size     int64
	md5      []byte
	checksum checksumValue // FULL_OBJECT checksum of the body
}

// etag is the ETag of a body stored in one piece: its quoted MD5.
func (r received) etag() string { return `"` + hex.EncodeToString(r.md5) + `"` }

// copyHashed copies r to w, computing MD5 and a FULL_OBJECT checksum with
// alg, for bodies that come with no digest to verify (copies, POST
// uploads).
func copyHashed(w io.Writer, r io.Reader, alg algorithm) (received, error) {
	md5h, ck := md5.New(), alg.newHash()
	n, err := io.Copy(io.MultiWriter(w, md5h, ck), r)
	if err != nil {
		return received{}, err
	}
	return received{size: n, md5: md5h.Sum(nil), checksum: checksumValue{alg: alg, value: sum(ck), typ: typeFullObject}}, nil
}

// copyTo streams the decoded body to dst, computing MD5 and the checksum
// with the algorithm claimed by the client, or with fallback when it claims
// none (fallback "" computes no checksum). It verifies every digest the
// client sent once the body is read.
func (p *payload) copyTo(dst io.Writer, fallback algorithm, limit int64) (received, error) {
	alg := p.claimed
	if alg == "" {
		alg = fallback
	}
	md5h := md5.New()
	writers := []io.Writer{dst, md5h}
	var ck, sha hash.Hash
	if alg != "" {
		ck = alg.newHash()
		writers = append(writers, ck)
	}
	if p.sha256Hex != "" {
		sha = sha256.New()
		writers = append(writers, sha)
	}
	if p.length > limit {
		return received{}, errEntityTooLarge(p.length, limit)
	}
	n, err := io.Copy(io.MultiWriter(writers...), io.LimitReader(p.body, limit+1))
	if err != nil {
		return received{}, bodyError(err)
	}
	if n > limit {
		return received{}, errEntityTooLarge(n, limit)
	}
	if p.length >= 0 && n != p.length {
		return received{}, errIncompleteBody()
	}
	out := received{size: n, md5: md5h.Sum(nil)}
	if ck != nil {
		out.checksum = checksumValue{alg: alg, value: sum(ck), typ: typeFullObject}
	}
	if p.contentMD5 != nil && !bytes.Equal(p.contentMD5, out.md5) {
		return received{}, errBadDigest("Content-MD5")
	}
	if sha != nil && hex.EncodeToString(sha.Sum(nil)) != p.sha256Hex {
		return received{}, newError(http.StatusBadRequest, "XAmzContentSHA256Mismatch",
			"The provided 'x-amz-content-sha256' header does not match what was computed.").
			with("ClientComputedContentSHA256", p.sha256Hex).
			with("S3ComputedContentSHA256", hex.EncodeToString(sha.Sum(nil)))
	}
	if p.claimed != "" {
		want := p.claimedValue
		if p.claimedInTail {
			v, ok := p.chunked.trailers[p.claimed.header()]
			if !ok {
				return received{}, newError(http.StatusBadRequest, "MalformedTrailerError",
					"The request contained trailing data that was not well-formed or did not conform to our published schema.")
			}
			if _, err := decodeChecksum(p.claimed, v); err != nil {
				return received{}, err
			}
			want = v
		}
		if want != out.checksum.value {
			return received{}, errBadDigest(string(p.claimed))
		}
	}
	return out, nil
}

// readAll reads a small body (an XML document) into memory, verifying the
// digests sent with it.
func (p *payload) readAll(limit int64) ([]byte, received, error) {
	var b bytes.Buffer
	rec, err := p.copyTo(&b, "", limit)
	if err != nil {
		return nil, received{}, err
	}
	return b.Bytes(), rec, nil
}

// maxXMLBody bounds the XML documents the service reads (DeleteObjects
// with 1000 keys of 1 KiB fits).
const maxXMLBody = 4 << 20

// readXMLBody reads the XML document of a request, verifying the digests
// sent with it.
func readXMLBody(r *http.Request) ([]byte, error) {
	p, err := openPayload(r)
	if err != nil {
		return nil, err
	}
	body, _, err := p.readAll(maxXMLBody)
	return body, err
}

// openSizedPayload is openPayload for PutObject and UploadPart, which
// refuse a body of unknown length.
func openSizedPayload(r *http.Request) (*payload, error) {
	p, err := openPayload(r)
	if err != nil {
		return nil, err
	}
	if p.length < 0 {
		return nil, newError(http.StatusLengthRequired, "MissingContentLength", "You must provide the Content-Length HTTP header.")
	}
	return p, nil
}

func bodyError(err error) error {
	switch {
	case errors.Is(err, errChunkTooSmall):
		return newError(http.StatusBadRequest, "InvalidChunkSizeError", "Only the last chunk is allowed to have a size less than 8192 bytes")
	case errors.Is(err, errChunkFormat):
		return newError(http.StatusBadRequest, "IncompleteBody", "The request body is not a valid aws-chunked encoding: %v", err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errIncompleteBody()
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return errInternal(err)
}

func errIncompleteBody() *Error {
	return newError(http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
}

func errEntityTooLarge(size, limit int64) *Error {
	return newError(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size").
		with("ProposedSize", itoa(size)).with("MaxSizeAllowed", itoa(limit))
}
