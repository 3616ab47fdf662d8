package shared

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Kubernetes resource quantities ("250m", "1.5", "512Mi", "1e3"), parsed
// the way k8s.io/apimachinery/pkg/api/resource.ParseQuantity parses them,
// without importing it (it does not belong in the WASM). "The same way"
// includes its quirks, because the API server is what finally reads the
// string: it accepts "1.", "." and "+" (zero), and a bare suffix such as
// "m" or "Ki" (zero); it rounds values finer than 1n up, away from zero; it
// caps binary-suffixed values at 2^63-1; and it keeps a decimal exponent in
// 32 bits, so "1e4294967296" is 1. The differential test and FuzzQuantity
// hold this file to apimachinery.

// Quantity is a parsed Kubernetes resource quantity ("250m", "1.5",
// "512Mi", "1e3"). The zero Quantity is 0.
type Quantity struct {
	// The value is coef × 10^exp, as apimachinery holds it after
	// rounding and capping; coef is nil for 0.
	coef *big.Int
	exp  int64
	s    string
}

// quantityHint ends most quantity errors.
const quantityHint = "use a number with an optional suffix such as 250m, 1.5, 512Mi or 2Gi"

// ParseQuantity parses a Kubernetes resource quantity: an optionally
// signed decimal number, then an optional suffix (n u m k M G T P E, Ki Mi
// Gi Ti Pi Ei, or an exponent such as e3 or E-2). It accepts exactly the
// strings the API server accepts, and its errors are written for people.
func ParseQuantity(s string) (Quantity, error) {
	if s == "" {
		return Quantity{}, fmt.Errorf("a quantity cannot be empty: %s", quantityHint)
	}
	n, ok := scanQuantity(s)
	if !ok {
		if strings.ContainsAny(s, " \t\r\n") {
			return Quantity{}, fmt.Errorf("%s is not a quantity: it must not contain spaces", quoteQuantity(s))
		}
		return Quantity{}, fmt.Errorf("%s is not a quantity: %s", quoteQuantity(s), quantityHint)
	}
	sfx, ok := parseQuantitySuffix(n.suffix)
	if !ok && (n.suffix[0] == '-' || n.suffix[0] == '+') {
		return Quantity{}, fmt.Errorf("%s is not a quantity: %s", quoteQuantity(s), quantityHint) // "--1"
	}
	if !ok {
		return Quantity{}, fmt.Errorf("%s is not a quantity: %q is not a suffix; use n, u, m, k, M, G, T, P, E, "+
			"Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3", quoteQuantity(s), n.suffix)
	}
	coef, exp, ok := quantityValue(n, sfx)
	if !ok {
		return Quantity{}, fmt.Errorf("%s is not a quantity: it has no digits; %s", quoteQuantity(s), quantityHint)
	}
	if n.negative {
		coef.Neg(coef)
	}
	if coef.Sign() == 0 {
		coef = nil
	}
	return Quantity{coef: coef, exp: exp, s: s}, nil
}

// String returns the quantity as it was parsed.
func (q Quantity) String() string { return q.s }

// Sign returns -1, 0 or 1 as the quantity is negative, zero or positive.
func (q Quantity) Sign() int {
	if q.coef == nil {
		return 0
	}
	return q.coef.Sign()
}

// Cmp compares the values of two quantities, returning -1, 0 or 1 as q is
// less than, equal to or greater than o. It agrees with apimachinery's
// Quantity.Cmp.
func (q Quantity) Cmp(o Quantity) int {
	qs, os := q.Sign(), o.Sign()
	switch {
	case qs != os:
		return cmpInt(qs, os)
	case qs == 0:
		return 0
	}
	return qs * cmpMagnitude(q.coef, q.exp, o.coef, o.exp)
}

// quantityNumber is a quantity string cut into its parts by scanQuantity.
type quantityNumber struct {
	negative bool
	// value is the signed number as written ("+1.50", "-.5", "1."), but
	// "0" when it is nothing but zeros.
	value string
	// whole and frac are the digits before and after the point; whole
	// has no leading zeros and is "0" rather than empty.
	whole, frac string
	suffix      string
}

// scanQuantity cuts s into a sign, a number and a suffix, as
// apimachinery's parseQuantityString does. Like it, it lets through things
// checked later (an unknown suffix; a number with no digits).
func scanQuantity(s string) (n quantityNumber, ok bool) {
	pos := 0
	if s[0] == '-' || s[0] == '+' {
		n.negative = s[0] == '-'
		pos++
	}
	for pos < len(s) && s[pos] == '0' {
		pos++
	}
	if pos == len(s) {
		n.value, n.whole = "0", "0"
		return n, true
	}
	start := pos
	pos = skipDigits(s, pos)
	n.whole = s[start:pos]
	if n.whole == "" {
		n.whole = "0"
	}
	if pos < len(s) && s[pos] == '.' {
		start = pos + 1
		pos = skipDigits(s, start)
		n.frac = s[start:pos]
	}
	n.value = s[:pos]
	// The suffix: letters that may start one, then an optional sign and
	// digits (the exponent of "e-3"), then nothing else.
	n.suffix = s[pos:]
	for pos < len(s) && strings.IndexByte("eEinumkKMGTP", s[pos]) >= 0 {
		pos++
	}
	if pos < len(s) && (s[pos] == '-' || s[pos] == '+') {
		pos++
	}
	return n, skipDigits(s, pos) == len(s)
}

func skipDigits(s string, pos int) int {
	for pos < len(s) && s[pos] >= '0' && s[pos] <= '9' {
		pos++
	}
	return pos
}

// quantitySuffix is what a suffix means: × 2^exp for the binary ones,
// × 10^exp for the others.
type quantitySuffix struct {
	binary bool
	exp    int32
}

var quantitySuffixes = map[string]quantitySuffix{
	"n": {exp: -9}, "u": {exp: -6}, "m": {exp: -3}, "": {},
	"k": {exp: 3}, "M": {exp: 6}, "G": {exp: 9}, "T": {exp: 12}, "P": {exp: 15}, "E": {exp: 18},
	"Ki": {binary: true, exp: 10}, "Mi": {binary: true, exp: 20}, "Gi": {binary: true, exp: 30},
	"Ti": {binary: true, exp: 40}, "Pi": {binary: true, exp: 50}, "Ei": {binary: true, exp: 60},
}

func parseQuantitySuffix(s string) (quantitySuffix, bool) {
	if sfx, ok := quantitySuffixes[s]; ok {
		return sfx, true
	}
	if len(s) > 1 && (s[0] == 'e' || s[0] == 'E') {
		exp, err := strconv.ParseInt(s[1:], 10, 64)
		if err != nil {
			return quantitySuffix{}, false
		}
		// apimachinery keeps the exponent in 32 bits: "e4294967296" is e0.
		return quantitySuffix{exp: int32(exp)}, true
	}
	return quantitySuffix{}, false
}

// quantityValue returns the magnitude of n with suffix sfx as coef ×
// 10^exp, or false when apimachinery finds no number in it.
//
// apimachinery takes one of two paths. A short number with a scale of at
// least 1n goes the int64 path, which never looks for a digit (so "." and
// "Ki" are zero). Any other goes the arbitrary-precision path, which
// rejects a number with no digits ("e-10", "Pi"), rounds to 1n and caps
// binary values; on the int64 path neither changes the value.
func quantityValue(n quantityNumber, sfx quantitySuffix) (coef *big.Int, exp int64, ok bool) {
	digits, _ := new(big.Int).SetString(n.whole+n.frac, 10) // digits only, never empty
	if sfx.binary {
		digits.Lsh(digits, uint(sfx.exp))
		if n.frac == "" && int64Path(n, sfx) && digits.IsInt64() {
			return digits, 0, true
		}
		if !hasDigit(n.value) {
			return nil, 0, false
		}
		coef, exp = roundUpToNano(digits, -int64(len(n.frac)))
		if cmpMagnitude(coef, exp, big.NewInt(math.MaxInt64), 0) > 0 {
			coef, exp = big.NewInt(math.MaxInt64), 0
		}
		return coef, exp, true
	}
	// Both paths compute the scale in 32 bits, and may wrap around:
	// exponent − digits after the point on the int64 path, −(digits after
	// the point − exponent) on the other.
	scale := sfx.exp - int32(len(n.frac))
	if int64Path(n, sfx) && scale >= -9 {
		return digits, int64(scale), true
	}
	if !hasDigit(n.value) {
		return nil, 0, false
	}
	coef, exp = roundUpToNano(digits, -int64(int32(len(n.frac))-sfx.exp))
	return coef, exp, true
}

// int64Path reports whether apimachinery thinks n has few enough digits
// for its int64 path; for binary suffixes it also needs the value to fit.
func int64Path(n quantityNumber, sfx quantitySuffix) bool {
	if sfx.binary {
		precision := 15 - len(n.whole) - int(float32(sfx.exp)*3/10) - 1
		return precision >= 0
	}
	return len(n.whole)+len(n.frac) <= 18
}

func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

// roundUpToNano rounds the non-negative coef × 10^exp up to a multiple of
// 10^-9, without ever computing a power of ten wider than coef.
func roundUpToNano(coef *big.Int, exp int64) (*big.Int, int64) {
	if exp >= -9 || coef.Sign() == 0 {
		return coef, exp
	}
	shift := -9 - exp
	if shift >= int64(decimalDigits(coef)) {
		return big.NewInt(1), -9 // 0 < coef × 10^exp < 1n
	}
	q, r := new(big.Int).QuoRem(coef, pow10(shift), new(big.Int))
	if r.Sign() != 0 {
		q.Add(q, big.NewInt(1))
	}
	return q, -9
}

// cmpMagnitude compares a × 10^aExp with b × 10^bExp, both positive (a
// nil coef is 0). It compares the positions of the leading digits first,
// so a huge exponent costs nothing.
func cmpMagnitude(a *big.Int, aExp int64, b *big.Int, bExp int64) int {
	aDigits, bDigits := decimalDigits(a), decimalDigits(b)
	if aDigits == 0 || bDigits == 0 {
		return cmpInt(aDigits, bDigits)
	}
	if c := cmpInt64(int64(aDigits)+aExp, int64(bDigits)+bExp); c != 0 {
		return c
	}
	// The leading digits line up, so the exponents differ by less than
	// the number of digits: align them.
	switch {
	case aExp > bExp:
		a = new(big.Int).Mul(a, pow10(aExp-bExp))
	case bExp > aExp:
		b = new(big.Int).Mul(b, pow10(bExp-aExp))
	}
	return a.CmpAbs(b)
}

// decimalDigits returns the number of decimal digits of |x|, 0 for 0.
func decimalDigits(x *big.Int) int {
	if x == nil || x.Sign() == 0 {
		return 0
	}
	return len(new(big.Int).Abs(x).Text(10))
}

func pow10(n int64) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(n), nil) }

func cmpInt(a, b int) int { return cmpInt64(int64(a), int64(b)) }

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// quoteQuantity quotes s for an error, shortened if it is long.
func quoteQuantity(s string) string {
	const limit = 40
	if len(s) > limit {
		cut := limit
		for cut > limit-utf8.UTFMax && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut]) + "…"
	}
	return strconv.Quote(s)
}
