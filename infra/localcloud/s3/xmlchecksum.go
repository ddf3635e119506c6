package s3

// checksumXML holds the Checksum* elements S3 documents carry; embedded in
// result types so the elements sit directly inside them.
type checksumXML struct {
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
	ChecksumSHA512    string `xml:"ChecksumSHA512,omitempty"`
	ChecksumMD5       string `xml:"ChecksumMD5,omitempty"`
}

func checksumElems(v checksumValue) checksumXML {
	var x checksumXML
	switch v.alg {
	case algCRC32:
		x.ChecksumCRC32 = v.value
	case algCRC32C:
		x.ChecksumCRC32C = v.value
	case algCRC64NVME:
		x.ChecksumCRC64NVME = v.value
	case algSHA1:
		x.ChecksumSHA1 = v.value
	case algSHA256:
		x.ChecksumSHA256 = v.value
	case algSHA512:
		x.ChecksumSHA512 = v.value
	case algMD5:
		x.ChecksumMD5 = v.value
	}
	return x
}

// get returns the value given for the algorithm, "" if none.
func (x checksumXML) get(a algorithm) string {
	switch a {
	case algCRC32:
		return x.ChecksumCRC32
	case algCRC32C:
		return x.ChecksumCRC32C
	case algCRC64NVME:
		return x.ChecksumCRC64NVME
	case algSHA1:
		return x.ChecksumSHA1
	case algSHA256:
		return x.ChecksumSHA256
	case algSHA512:
		return x.ChecksumSHA512
	case algMD5:
		return x.ChecksumMD5
	}
	return ""
}

// given lists the algorithms with a value.
func (x checksumXML) given() []algorithm {
	var out []algorithm
	for _, a := range algorithms {
		if x.get(a) != "" {
			out = append(out, a)
		}
	}
	return out
}
