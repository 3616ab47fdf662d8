package shared

import (
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
)

// ParseQuantity must accept what apimachinery accepts and order quantities
// as it does. These tests hold it to k8s.io/apimachinery itself.

// handPickedQuantities are edge cases of apimachinery's grammar, its two
// parsing paths and its rounding.
var handPickedQuantities = []string{
	"", "0", "-0", "+0", "00", "000.000", "1", "-1", "+1", "01", "1.", ".", ".5", "-.5", "+.5", "5.",
	"+", "-", "++1", "+-1", "--1", "1-", "1+", "1.2.3", "1..", "..1", "1. 5", " 1", "1 ", "1\n", "\t1",
	"250m", "1.5", "512Mi", "2Gi", "1e3", "1E3", "1e-3", "1E+3", "1e", "1E", "1e+", "1e-", "1ee3", "1eE3",
	"1Ee3", "1e3m", "1me3", "1m3", "1mi", "1Mi3", "1KiB", "1ki", "1K", "1k", "1kk", "1x", "x", "e", "E", "m",
	"Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "+Ki", "-Pi", ".Ki", "1.Ki", "0.5Ki", "1.5Ki", "0.0000000001Ki",
	"8Ei", "7.99Ei", "-8Ei", "16Ei", "8191Pi", "8192Pi", "99999999999999Ki", "999999999999999Ki", "9223372036854775807",
	"9223372036854775808", "-9223372036854775808", "123456789012345678", "1234567890123456789",
	"0.123456789012345678", "0.1234567890123456789", "1n", "0.1n", "-0.1n", "0.9n", "1.1n", "1.0000000001",
	"0.000000001", "0.0000000001", "-0.0000000001", "0.0000000000", "1u", "1.5u", "100E", "1e18", "1e19",
	"1e-9", "1e-10", "e-10", ".e-10", "+e-10", "0e-10", "1.e-10", "e5", "-e5", "1e2147483647", "1e-2147483647",
	"1e2147483648", "1e4294967296", "1e4294967297", "1e-4294967296", "1e9223372036854775807",
	"1e-9223372036854775808", "1e9223372036854775808", "1.5e2147483648", "1e0000000000000000003",
	"1e-0", "1e+0", "1e00", "1e1_0", "0x10", "1_000", "١", "1\u00a0", "1m\x00", "NaN", "Inf", "-Inf",
}

// generatedQuantities combines signs, numbers and suffixes.
func generatedQuantities() []string {
	var out []string
	for _, sign := range []string{"", "+", "-"} {
		for _, num := range []string{"0", "1", "7", "1.5", ".25", "2.", "007", "999999999999999999",
			"1234567890123456789", "0.0000000001", "123.4567890123456789"} {
			for _, sfx := range []string{"", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti",
				"Pi", "Ei", "e3", "E-3", "e-12", "e+20", "e0", "e-9"} {
				out = append(out, sign+num+sfx)
			}
		}
	}
	return out
}

func TestQuantityMatchesApimachinery(t *testing.T) {
	inputs := append(append([]string{}, handPickedQuantities...), generatedQuantities()...)
	type parsed struct {
		s    string
		ours Quantity
		k8s  resource.Quantity
	}
	var valid []parsed
	for _, s := range inputs {
		if slowForApimachinery(s) {
			if _, err := ParseQuantity(s); err != nil {
				t.Errorf("ParseQuantity(%q): %v", s, err)
			}
			continue
		}
		ours, err := ParseQuantity(s)
		k8s, k8sErr := resource.ParseQuantity(s)
		if (err == nil) != (k8sErr == nil) {
			t.Errorf("ParseQuantity(%q): error %v, apimachinery's %v", s, err, k8sErr)
			continue
		}
		if err != nil {
			continue
		}
		if got, want := ours.Sign(), k8s.Sign(); got != want {
			t.Errorf("ParseQuantity(%q).Sign() = %d, apimachinery's %d", s, got, want)
		}
		valid = append(valid, parsed{s, ours, k8s})
	}
	if len(valid) < 500 {
		t.Fatalf("only %d of %d inputs are valid; the test has lost its range", len(valid), len(inputs))
	}
	for _, a := range valid {
		for _, b := range valid {
			if got, want := a.ours.Cmp(b.ours), a.k8s.Cmp(b.k8s); got != want {
				t.Errorf("%q vs %q: Cmp = %d, apimachinery's %d", a.s, b.s, got, want)
			}
		}
	}
}

// slowForApimachinery reports whether apimachinery might take minutes to
// parse or compare s: an exponent of great magnitude can make it compute
// 10^2147483648. It keeps exponents in 32 bits, so "e4294967296" is fast.
func slowForApimachinery(s string) bool {
	i := strings.LastIndexAny(s, "eE")
	if i < 0 {
		return false
	}
	exp, err := strconv.ParseInt(s[i+1:], 10, 64)
	return err == nil && (int32(exp) > 1000 || int32(exp) < -1000)
}

func FuzzQuantity(f *testing.F) {
	all := append(append([]string{}, handPickedQuantities...), generatedQuantities()...)
	for i, s := range all {
		f.Add(s, all[(i*7+3)%len(all)])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 64 || len(b) > 64 || slowForApimachinery(a) || slowForApimachinery(b) {
			return // apimachinery, the oracle, takes minutes on these
		}
		qa, errA := ParseQuantity(a)
		ka, k8sErrA := resource.ParseQuantity(a)
		if (errA == nil) != (k8sErrA == nil) {
			t.Fatalf("ParseQuantity(%q): error %v, apimachinery's %v", a, errA, k8sErrA)
		}
		qb, errB := ParseQuantity(b)
		kb, k8sErrB := resource.ParseQuantity(b)
		if (errB == nil) != (k8sErrB == nil) {
			t.Fatalf("ParseQuantity(%q): error %v, apimachinery's %v", b, errB, k8sErrB)
		}
		if errA != nil || errB != nil {
			return
		}
		if got, want := qa.Sign(), ka.Sign(); got != want {
			t.Fatalf("ParseQuantity(%q).Sign() = %d, apimachinery's %d", a, got, want)
		}
		if got, want := qa.Cmp(qb), ka.Cmp(kb); got != want {
			t.Fatalf("%q vs %q: Cmp = %d, apimachinery's %d", a, b, got, want)
		}
	})
}
