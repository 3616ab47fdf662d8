package server

import (
	"strings"
	"testing"
)

// FuzzAcceptsEncoding: any Accept-Encoding header is parsed without a
// panic; an entry refusing the encoding first always refuses it, one
// naming it first always allows it, and an unrelated entry in front
// changes nothing.
func FuzzAcceptsEncoding(f *testing.F) {
	for _, seed := range []string{"", "br", "gzip, deflate, br;q=1.0", "*;q=0", "br;q=0, *", "gzip;q=0.000",
		"GZIP ; q = 0", "*, br;q=0", ",,;;q=", "br;q=NaN", "gzip;q=-0", strings.Repeat("x,", 1000)} {
		f.Add(seed, "br")
		f.Add(seed, "gzip")
	}
	f.Fuzz(func(t *testing.T, header, enc string) {
		if enc == "" || strings.ContainsAny(enc, ",; \t*") {
			return // not an encoding's name
		}
		got := acceptsEncoding(header, enc)
		if acceptsEncoding(enc+";q=0, "+header, enc) {
			t.Errorf("%q;q=0 in front of %q did not refuse it", enc, header)
		}
		if !acceptsEncoding(enc+", "+header, enc) {
			t.Errorf("%q in front of %q did not allow it", enc, header)
		}
		other := "identity"
		if strings.EqualFold(enc, other) {
			other = "compress"
		}
		if acceptsEncoding(other+", "+header, enc) != got {
			t.Errorf("%q in front of %q changed whether %q is accepted", other, header, enc)
		}
	})
}
