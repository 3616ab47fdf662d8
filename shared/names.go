package shared

import (
	"fmt"
	"strings"

	"github.com/kubedeck/kubedeck/shared/validation"
)

// Kubernetes names. Namespaces (and most names a person types for a new
// app) are DNS-1123 labels; most other objects are named by DNS-1123
// subdomains. The rules below check them the way the API server does and
// say what is wrong in words a person can act on. Like the rules of
// invopop/validation, they accept the empty string: combine them with
// validation.Required.
const (
	// MaxLabelLength is the longest DNS-1123 label: a namespace name.
	MaxLabelLength = 63
	// MaxSubdomainLength is the longest DNS-1123 subdomain: most object names.
	MaxSubdomainLength = 253
)

// The rules, for validation.Field and validation.Validate.
var (
	// DNSLabel accepts a DNS-1123 label: at most 63 lower-case letters,
	// digits and '-', starting and ending with a letter or digit.
	DNSLabel validation.Rule = nameRule{subdomain: false}
	// DNSSubdomain accepts a DNS-1123 subdomain: at most 253 characters,
	// labels of lower-case letters, digits and '-' joined by '.'.
	DNSSubdomain validation.Rule = nameRule{subdomain: true}
	// NamespaceName is the rule for a namespace: a DNS-1123 label.
	NamespaceName = DNSLabel
	// ObjectName is the rule for the name of most objects (Deployments,
	// Services, Ingresses, ConfigMaps, Secrets, …): a DNS-1123 subdomain.
	ObjectName = DNSSubdomain
)

// ValidateNamespace checks a namespace name, which must not be empty.
func ValidateNamespace(name string) error {
	return validation.Validate(name, validation.Required.Error("a namespace is required"), NamespaceName)
}

// ValidateObjectName checks an object's name, which must not be empty.
func ValidateObjectName(name string) error {
	return validation.Validate(name, validation.Required.Error("a name is required"), ObjectName)
}

// The error codes of the name rules (validation.Error.Code).
const (
	ErrCodeNameTooLong = "validation_name_too_long"
	ErrCodeNameFormat  = "validation_name_format"
)

// nameRule is a DNS-1123 label or subdomain rule.
type nameRule struct{ subdomain bool }

// Validate implements validation.Rule.
func (r nameRule) Validate(value any) error {
	value, isNil := validation.Indirect(value)
	if isNil || validation.IsEmpty(value) {
		return nil
	}
	s, err := validation.EnsureString(value)
	if err != nil {
		return err
	}
	if r.subdomain {
		return checkSubdomain(s)
	}
	return checkLabel(s)
}

func tooLong(n, limit int) error {
	return validation.NewError(ErrCodeNameTooLong,
		fmt.Sprintf("must be at most %d characters long (it has %d)", limit, n))
}

func badFormat(msg string) error { return validation.NewError(ErrCodeNameFormat, msg) }

// checkLabel checks a DNS-1123 label.
func checkLabel(s string) error {
	if len(s) > MaxLabelLength {
		return tooLong(len(s), MaxLabelLength)
	}
	if strings.Contains(s, ".") {
		return badFormat("must not contain '.'; use only lower-case letters, digits and '-'")
	}
	return checkLabelChars(s, "")
}

// checkSubdomain checks a DNS-1123 subdomain: labels joined by dots.
func checkSubdomain(s string) error {
	if len(s) > MaxSubdomainLength {
		return tooLong(len(s), MaxSubdomainLength)
	}
	if s == "." || s == ".." {
		return badFormat(fmt.Sprintf("cannot be %q", s))
	}
	for part := range strings.SplitSeq(s, ".") {
		if part == "" {
			return badFormat("must not start or end with '.', nor have two '.' in a row")
		}
		if err := checkLabelChars(part, " and '.'"); err != nil {
			return err
		}
	}
	return nil
}

// checkLabelChars checks the characters of one label; also names what else
// the whole name may contain, for the message.
func checkLabelChars(s, also string) error {
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-':
		case c >= 'A' && c <= 'Z':
			return badFormat("must be lower case (" + quoteRune(c) + " is not)")
		default:
			return badFormat("may contain only lower-case letters, digits, '-'" + also + " (not " + quoteRune(c) + ")")
		}
	}
	if s[0] == '-' || s[len(s)-1] == '-' {
		return badFormat("must start and end with a letter or a digit")
	}
	return nil
}

// quoteRune quotes a character for a message: 'x', or a description of a
// space or an invisible character.
func quoteRune(c rune) string {
	if c == ' ' {
		return "a space"
	}
	return fmt.Sprintf("%q", c)
}
