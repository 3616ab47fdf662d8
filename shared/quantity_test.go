package shared

import (
	"math/big"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// quantityRat returns the exact value of q, for tests with small exponents.
func quantityRat(q Quantity) *big.Rat {
	if q.coef == nil {
		return new(big.Rat)
	}
	r := new(big.Rat).SetInt(q.coef)
	p := new(big.Rat).SetInt(pow10(max(q.exp, -q.exp)))
	if q.exp < 0 {
		return r.Quo(r, p)
	}
	return r.Mul(r, p)
}

func TestParseQuantity(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   string
		want string // the exact value, as big.Rat writes it
		sign int
	}{
		{"zero", "0", "0", 0},
		{"integer", "42", "42", 1},
		{"negative", "-42", "-42", -1},
		{"plus", "+42", "42", 1},
		{"milli", "250m", "1/4", 1},
		{"fraction", "1.5", "3/2", 1},
		{"leading point", ".5", "1/2", 1},
		{"leading zeros", "007.50", "15/2", 1},
		{"nano", "3n", "3/1000000000", 1},
		{"micro", "5u", "1/200000", 1},
		{"kilo", "2k", "2000", 1},
		{"mega", "2M", "2000000", 1},
		{"giga", "1G", "1000000000", 1},
		{"tera", "1T", "1000000000000", 1},
		{"peta", "1P", "1000000000000000", 1},
		{"exa", "1E", "1000000000000000000", 1},
		{"kibi", "1Ki", "1024", 1},
		{"mebi", "512Mi", "536870912", 1},
		{"gibi fraction", "1.5Gi", "1610612736", 1},
		{"tebi", "1Ti", "1099511627776", 1},
		{"pebi", "1Pi", "1125899906842624", 1},
		{"exbi", "1Ei", "1152921504606846976", 1},
		{"exponent", "1e3", "1000", 1},
		{"capital exponent", "1E3", "1000", 1},
		{"signed exponent", "5e+3", "5000", 1},
		{"negative exponent", "15e-1", "3/2", 1},
		{"exponent leading zeros", "1e0003", "1000", 1},
		{"more than 18 digits", "1234567890123456789", "1234567890123456789", 1},
		{"huge decimal is not capped", "100E", "100000000000000000000", 1},
		// apimachinery's quirks, which the API server shares.
		{"finer than 1n rounds up", "0.1n", "1/1000000000", 1},
		{"negative rounds away from zero", "-0.1n", "-1/1000000000", -1},
		{"tiny exponent rounds up", "1e-500", "1/1000000000", 1},
		{"rounds up to the next nano", "1.0000000001", "1000000001/1000000000", 1},
		{"binary is capped at 2^63-1", "8Ei", "9223372036854775807", 1},
		{"negative binary is capped", "-100Ei", "-9223372036854775807", -1},
		{"trailing point", "1.", "1", 1},
		{"trailing point with suffix", "1.G", "1000000000", 1},
		{"point alone", ".", "0", 0},
		{"sign alone", "+", "0", 0},
		{"minus alone", "-", "0", 0},
		{"suffix alone", "m", "0", 0},
		{"binary suffix alone", "Ki", "0", 0},
		{"exponent wraps at 32 bits", "1e4294967296", "1", 1},
		{"exponent wraps to -1", "1e9223372036854775807", "1/10", 1},
		{"negative zero", "-0.000", "0", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q, err := ParseQuantity(tt.in)
			if err != nil {
				t.Fatalf("ParseQuantity(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, quantityRat(q).RatString()); diff != "" {
				t.Errorf("ParseQuantity(%q) value (-want +got):\n%s", tt.in, diff)
			}
			if got := q.Sign(); got != tt.sign {
				t.Errorf("Sign() = %d, want %d", got, tt.sign)
			}
			if got := q.String(); got != tt.in {
				t.Errorf("String() = %q, want %q", got, tt.in)
			}
		})
	}
}

func TestParseQuantityErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", "a quantity cannot be empty: use a number with an optional suffix such as 250m, 1.5, 512Mi or 2Gi"},
		{"junk", "12x", `"12x" is not a quantity: use a number with an optional suffix such as 250m, 1.5, 512Mi or 2Gi`},
		{"leading space", " 1", `" 1" is not a quantity: it must not contain spaces`},
		{"space before suffix", "1 Gi", `"1 Gi" is not a quantity: it must not contain spaces`},
		{"two points", "1..", `"1.." is not a quantity: use a number with an optional suffix such as 250m, 1.5, 512Mi or 2Gi`},
		{"two signs", "--1", `"--1" is not a quantity: use a number with an optional suffix such as 250m, 1.5, 512Mi or 2Gi`},
		{"fractional exponent", "1e2.5", `"1e2.5" is not a quantity: use a number with an optional suffix such as 250m, 1.5, 512Mi or 2Gi`},
		{"lower-case kibi", "1ki", `"1ki" is not a quantity: "ki" is not a suffix; ` +
			"use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3"},
		{"two suffixes", "1mm", `"1mm" is not a quantity: "mm" is not a suffix; ` +
			"use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3"},
		{"bare e", "1e", `"1e" is not a quantity: "e" is not a suffix; ` +
			"use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3"},
		{"exponent out of int64", "1e9223372036854775808", `"1e9223372036854775808" is not a quantity: "e9223372036854775808" is not a suffix; ` +
			"use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3"},
		{"no digits below 1n", "e-10", `"e-10" is not a quantity: it has no digits; use a number with an optional suffix such as 250m, 1.5, 512Mi or 2Gi`},
		{"no digits with Pi", "Pi", `"Pi" is not a quantity: it has no digits; use a number with an optional suffix such as 250m, 1.5, 512Mi or 2Gi`},
		{"long input is shortened", "123456789012345678901234567890123456789012345678x",
			`"1234567890123456789012345678901234567890"… is not a quantity: use a number with an optional suffix such as 250m, 1.5, 512Mi or 2Gi`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q, err := ParseQuantity(tt.in)
			if err == nil {
				t.Fatalf("ParseQuantity(%q) = %v, want an error", tt.in, quantityRat(q))
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("ParseQuantity(%q) error (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestQuantityCmp(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"1", "1", 0},
		{"1", "1000m", 0},
		{"1Ki", "1024", 0},
		{"1k", "1Ki", -1},
		{"1.5Gi", "1536Mi", 0},
		{"-1", "1", -1},
		{"-2", "-1", -1},
		{"0", "-0", 0},
		{"0", "1n", -1},
		{"0.1n", "1n", 0},
		{"100m", "0.1", 0},
		{"1e3", "1k", 0},
		{"1e1000", "1e999", 1},
		{"2e1000", "19e999", 1},
		{"-2e1000", "-19e999", -1},
		{"1e1000", "10000000000000000000000e978", 0},
		{"8Ei", "9Ei", 0},
		{"8Ei", "8E", 1},
		{"1e4294967296", "1", 0},
		// Exponents apimachinery would take minutes over cost nothing here.
		{"1e2147483647", "9e2147483646", 1},
		{"1e-2147483647", "1n", 0},
		{"-1e2147483647", "-1.5e2147483647", 1},
	} {
		t.Run(tt.a+" vs "+tt.b, func(t *testing.T) {
			a, err := ParseQuantity(tt.a)
			if err != nil {
				t.Fatal(err)
			}
			b, err := ParseQuantity(tt.b)
			if err != nil {
				t.Fatal(err)
			}
			if got := a.Cmp(b); got != tt.want {
				t.Errorf("Cmp = %d, want %d", got, tt.want)
			}
			if got := b.Cmp(a); got != -tt.want {
				t.Errorf("reversed Cmp = %d, want %d", got, -tt.want)
			}
		})
	}
}

func TestQuantityZeroValue(t *testing.T) {
	var zero Quantity
	one, err := ParseQuantity("1")
	if err != nil {
		t.Fatal(err)
	}
	if zero.Sign() != 0 || zero.Cmp(one) != -1 || one.Cmp(zero) != 1 || zero.String() != "" {
		t.Errorf("the zero Quantity is not an unnamed 0: Sign %d, Cmp(1) %d, String %q", zero.Sign(), zero.Cmp(one), zero)
	}
}
