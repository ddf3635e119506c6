package s3

import (
	"net/http"
	"strings"
)

// storageClasses are the S3 storage classes. The ones mapped to true are
// readable at once and behave like STANDARD here; the archive classes need
// RestoreObject, which is not implemented.
var storageClasses = map[string]bool{
	"STANDARD": true, "REDUCED_REDUNDANCY": true, "STANDARD_IA": true, "ONEZONE_IA": true,
	"INTELLIGENT_TIERING": true, "GLACIER_IR": true, "EXPRESS_ONEZONE": false, "SNOW": false, "OUTPOSTS": false,
	"GLACIER": false, "DEEP_ARCHIVE": false, "FSX_OPENZFS": false, "FSX_ONTAP": false,
}

// checkObjectOptions rejects the request headers (or POST form fields) of
// object writes that ask for features this service does not implement, so
// they fail loudly instead of being silently ignored.
func checkObjectOptions(h http.Header) error {
	if sc := h.Get("x-amz-storage-class"); sc != "" {
		readable, known := storageClasses[sc]
		if !known {
			return newError(http.StatusBadRequest, "InvalidStorageClass", "The storage class you specified is not valid").with("StorageClassRequested", sc)
		}
		if !readable {
			return errNotImplemented("storage class " + sc)
		}
	}
	if v := h.Get("x-amz-server-side-encryption"); v != "" && v != "AES256" {
		return errNotImplemented("server-side encryption " + v)
	}
	if v := h.Get("x-amz-acl"); v != "" && v != "private" && v != "bucket-owner-full-control" {
		return errNotImplemented("object ACL " + v)
	}
	for name := range h {
		n := strings.ToLower(name)
		switch {
		case n == "x-amz-tagging":
			return errNotImplemented("object tagging (x-amz-tagging)")
		case strings.HasPrefix(n, "x-amz-server-side-encryption-customer-"):
			return errNotImplemented("server-side encryption with customer keys (SSE-C)")
		case strings.HasPrefix(n, "x-amz-object-lock-"):
			return errNotImplemented("Object Lock")
		case strings.HasPrefix(n, "x-amz-grant-"):
			return errNotImplemented("object ACL grants")
		}
	}
	return nil
}
