// Package validation is the small rule engine under shared's validation: the
// part of github.com/invopop/validation (MIT, after ozzo-validation) that
// Kubedeck's rules use, with the same names, results and messages.
//
// It exists because it ships in the WASM: invopop's errors format their
// messages with text/template, whose reflection (reflect.Value.MethodByName)
// makes the linker keep every exported method of every reachable type, about
// 7 MB of the UI. Here a message is formatted once, when the rule is built,
// so the browser and the server run the same code with no template.
package validation

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Rule checks one value.
type Rule interface {
	// Validate returns an error (an Error, or Errors for a value with parts)
	// when value breaks the rule, nil otherwise.
	Validate(value any) error
}

// Validatable is a value that checks itself (a struct with its field rules).
type Validatable interface {
	Validate() error
}

// Error is one broken rule: a code for programs and a message for people.
type Error interface {
	error
	Code() string
	Message() string
	// SetMessage returns the error with another message.
	SetMessage(string) Error
}

// ErrorObject is the Error the rules return.
type ErrorObject struct {
	code, message string
}

var _ Error = ErrorObject{}

// NewError returns the validation error with code and message.
func NewError(code, message string) Error { return ErrorObject{code: code, message: message} }

// Code is the error's code, such as "validation_required".
func (e ErrorObject) Code() string { return e.code }

// Message is the error's message.
func (e ErrorObject) Message() string { return e.message }

// Error is the error's message.
func (e ErrorObject) Error() string { return e.message }

// SetMessage returns the error with message instead of its own.
func (e ErrorObject) SetMessage(message string) Error {
	e.message = message
	return e
}

// Errors are the errors of a value's parts, keyed by the JSON name of a
// struct field (or a map key, or an index); a value is an Error or, for a
// part with parts of its own, Errors.
type Errors map[string]error

// Error lists the errors by key: "key: message; other: (nested: message)."
func (es Errors) Error() string {
	if len(es) == 0 {
		return ""
	}
	keys := make([]string, 0, len(es))
	for k := range es {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var s strings.Builder
	for i, k := range keys {
		if i > 0 {
			s.WriteString("; ")
		}
		if nested, ok := es[k].(Errors); ok {
			fmt.Fprintf(&s, "%v: (%v)", k, nested)
		} else {
			fmt.Fprintf(&s, "%v: %v", k, es[k].Error())
		}
	}
	s.WriteString(".")
	return s.String()
}

// MarshalJSON writes the errors as an object of messages, nested like the
// errors.
func (es Errors) MarshalJSON() ([]byte, error) {
	out := make(map[string]any, len(es))
	for k, err := range es {
		if m, ok := err.(json.Marshaler); ok {
			out[k] = m
		} else {
			out[k] = err.Error()
		}
	}
	return json.Marshal(out)
}

// Filter drops the nil errors and returns es, or nil when none is left.
func (es Errors) Filter() error {
	for k, err := range es {
		if err == nil {
			delete(es, k)
		}
	}
	if len(es) == 0 {
		return nil
	}
	return es
}

// Validate checks value against the rules in order and returns the first
// error. When all pass and value is Validatable (and not a nil pointer),
// its own Validate decides. Unlike invopop's, it does not descend into the
// elements of slices and maps: shared's rules check those with By.
func Validate(value any, rules ...Rule) error {
	for _, r := range rules {
		if err := r.Validate(value); err != nil {
			return err
		}
	}
	if v, ok := value.(Validatable); ok {
		if rv := reflect.ValueOf(value); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return nil
		}
		return v.Validate()
	}
	return nil
}

// By turns a function into a rule.
func By(f func(value any) error) Rule { return byRule(f) }

type byRule func(value any) error

func (f byRule) Validate(value any) error { return f(value) }

// FieldRules are the rules of one field of a struct, for ValidateStruct.
type FieldRules struct {
	ptr   any
	rules []Rule
}

// Field names a field by a pointer into the struct (&s.Name) and its rules.
func Field(fieldPtr any, rules ...Rule) *FieldRules {
	return &FieldRules{ptr: fieldPtr, rules: rules}
}

// ValidateStruct checks the fields of the struct structPtr points to and
// returns their errors as Errors keyed by the fields' JSON names, or nil. A
// field that is not a pointer into the struct is a mistake in the rules
// themselves, and panics.
func ValidateStruct(structPtr any, fields ...*FieldRules) error {
	sv := reflect.ValueOf(structPtr)
	if sv.Kind() != reflect.Pointer || sv.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("validation: ValidateStruct needs a pointer to a struct, not %T", structPtr))
	}
	sv = sv.Elem()
	errs := Errors{}
	for i, f := range fields {
		fv := reflect.ValueOf(f.ptr)
		name, ok := "", fv.Kind() == reflect.Pointer
		if ok {
			name, ok = fieldName(sv, fv)
		}
		if !ok {
			panic(fmt.Sprintf("validation: field #%d of ValidateStruct is not a pointer to a field of %s", i, sv.Type()))
		}
		if err := Validate(fv.Elem().Interface(), f.rules...); err != nil {
			errs[name] = err
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// fieldName finds the field of sv that ptr points to, and gives its JSON
// name (the Go name when it has no json tag).
func fieldName(sv, ptr reflect.Value) (string, bool) {
	for i := range sv.NumField() {
		sf := sv.Type().Field(i)
		if sv.Field(i).UnsafeAddr() != ptr.Pointer() || sf.Type != ptr.Elem().Type() {
			continue
		}
		if tag, _, _ := strings.Cut(sf.Tag.Get("json"), ","); tag != "" && tag != "-" {
			return tag, true
		}
		return sf.Name, true
	}
	return "", false
}

// Indirect returns the value a pointer or an interface holds, and whether
// that is nil (a nil slice, map, func or channel counts as nil).
func Indirect(value any) (any, bool) {
	rv := reflect.ValueOf(value)
	switch rv.Kind() {
	case reflect.Invalid:
		return nil, true
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil, true
		}
		return Indirect(rv.Elem().Interface())
	case reflect.Slice, reflect.Map, reflect.Func, reflect.Chan:
		if rv.IsNil() {
			return nil, true
		}
	}
	return value, false
}

// IsEmpty reports whether value is empty: "", a zero number, false, an
// empty collection, or nil.
func IsEmpty(value any) bool {
	rv := reflect.ValueOf(value)
	switch rv.Kind() {
	case reflect.String, reflect.Array, reflect.Map, reflect.Slice:
		return rv.Len() == 0
	case reflect.Invalid:
		return true
	case reflect.Pointer, reflect.Interface:
		return rv.IsNil() || IsEmpty(rv.Elem().Interface())
	case reflect.Struct:
		return false
	}
	return rv.IsZero()
}

// EnsureString returns value as a string; it must be a string or []byte.
func EnsureString(value any) (string, error) {
	rv := reflect.ValueOf(value)
	if rv.Kind() == reflect.String {
		return rv.String(), nil
	}
	if b, ok := value.([]byte); ok {
		return string(b), nil
	}
	return "", errors.New("must be either a string or byte slice")
}

// Required rejects an empty value (see IsEmpty) with "cannot be blank".
var Required = RequiredRule{err: NewError("validation_required", "cannot be blank")}

// RequiredRule is the rule of Required.
type RequiredRule struct{ err Error }

// Validate implements Rule.
func (r RequiredRule) Validate(value any) error {
	if v, isNil := Indirect(value); isNil || IsEmpty(v) {
		return r.err
	}
	return nil
}

// Error returns the rule with message instead of "cannot be blank".
func (r RequiredRule) Error(message string) RequiredRule {
	r.err = r.err.SetMessage(message)
	return r
}

// Length accepts a string or collection of min to max elements (bytes
// for a string); 0 leaves that end open. Like every rule but Required, it
// accepts an empty value.
func Length(min, max int) LengthRule {
	r := LengthRule{min: min, max: max}
	switch {
	case min == 0 && max > 0:
		r.err = NewError("validation_length_too_long", fmt.Sprintf("the length must be no more than %d", max))
	case min > 0 && max == 0:
		r.err = NewError("validation_length_too_short", fmt.Sprintf("the length must be no less than %d", min))
	case min > 0 && min == max:
		r.err = NewError("validation_length_invalid", fmt.Sprintf("the length must be exactly %d", min))
	case min > 0:
		r.err = NewError("validation_length_out_of_range", fmt.Sprintf("the length must be between %d and %d", min, max))
	default:
		r.err = NewError("validation_length_empty_required", "the value must be empty")
	}
	return r
}

// LengthRule is the rule of Length.
type LengthRule struct {
	min, max int
	err      Error
}

// Validate implements Rule.
func (r LengthRule) Validate(value any) error {
	v, isNil := Indirect(value)
	if isNil || IsEmpty(v) {
		return nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String, reflect.Slice, reflect.Map, reflect.Array:
	default:
		return fmt.Errorf("cannot get the length of %v", rv.Kind())
	}
	if n := rv.Len(); r.min > 0 && n < r.min || r.max > 0 && n > r.max || r.min == 0 && r.max == 0 && n > 0 {
		return r.err
	}
	return nil
}
