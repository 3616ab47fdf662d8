package shared

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kubedeck/kubedeck/shared/validation"
)

func TestNameRules(t *testing.T) {
	tests := []struct {
		name      string
		value     string
		label     string // the error of DNSLabel, "" when valid
		subdomain string // the error of DNSSubdomain, "" when valid
	}{
		{name: "empty is left to Required", value: ""},
		{name: "simple", value: "web"},
		{name: "digits and dashes", value: "web-2-a"},
		{name: "starts with a digit", value: "0web"},
		{name: "one character", value: "a"},
		{name: "longest label", value: strings.Repeat("a", 63)},
		{
			name: "label too long", value: strings.Repeat("a", 64),
			label: "must be at most 63 characters long (it has 64)",
		},
		{
			name: "longest subdomain", value: strings.Repeat(strings.Repeat("a", 63)+".", 3) + strings.Repeat("a", 61),
			label: "must be at most 63 characters long (it has 253)",
		},
		{
			name: "subdomain too long", value: strings.Repeat(strings.Repeat("a", 63)+".", 3) + strings.Repeat("a", 62),
			label:     "must be at most 63 characters long (it has 254)",
			subdomain: "must be at most 253 characters long (it has 254)",
		},
		{
			name: "dotted", value: "web.team-a",
			label: "must not contain '.'; use only lower-case letters, digits and '-'",
		},
		{
			name: "upper case", value: "Web",
			label:     "must be lower case ('W' is not)",
			subdomain: "must be lower case ('W' is not)",
		},
		{
			name: "underscore", value: "my_app",
			label:     "may contain only lower-case letters, digits, '-' (not '_')",
			subdomain: "may contain only lower-case letters, digits, '-' and '.' (not '_')",
		},
		{
			name: "space", value: "my app",
			label:     "may contain only lower-case letters, digits, '-' (not a space)",
			subdomain: "may contain only lower-case letters, digits, '-' and '.' (not a space)",
		},
		{
			name: "slash", value: "a/b",
			label:     "may contain only lower-case letters, digits, '-' (not '/')",
			subdomain: "may contain only lower-case letters, digits, '-' and '.' (not '/')",
		},
		{
			name: "leading dash", value: "-web",
			label:     "must start and end with a letter or a digit",
			subdomain: "must start and end with a letter or a digit",
		},
		{
			name: "trailing dash", value: "web-",
			label:     "must start and end with a letter or a digit",
			subdomain: "must start and end with a letter or a digit",
		},
		{
			name: "dash before a dot", value: "web-.a",
			label:     "must not contain '.'; use only lower-case letters, digits and '-'",
			subdomain: "must start and end with a letter or a digit",
		},
		{
			name: "dot", value: ".",
			label:     "must not contain '.'; use only lower-case letters, digits and '-'",
			subdomain: `cannot be "."`,
		},
		{
			name: "dot dot", value: "..",
			label:     "must not contain '.'; use only lower-case letters, digits and '-'",
			subdomain: `cannot be ".."`,
		},
		{
			name: "two dots in a row", value: "a..b",
			label:     "must not contain '.'; use only lower-case letters, digits and '-'",
			subdomain: "must not start or end with '.', nor have two '.' in a row",
		},
		{
			name: "trailing dot", value: "a.",
			label:     "must not contain '.'; use only lower-case letters, digits and '-'",
			subdomain: "must not start or end with '.', nor have two '.' in a row",
		},
		{
			name: "non-ASCII", value: "café",
			label:     "may contain only lower-case letters, digits, '-' (not 'é')",
			subdomain: "may contain only lower-case letters, digits, '-' and '.' (not 'é')",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, rule := range []struct {
				name string
				rule validation.Rule
				want string
			}{{"DNSLabel", DNSLabel, tt.label}, {"DNSSubdomain", DNSSubdomain, tt.subdomain}} {
				if diff := cmp.Diff(rule.want, errText(validation.Validate(tt.value, rule.rule))); diff != "" {
					t.Errorf("%s(%q) (-want +got):\n%s", rule.name, tt.value, diff)
				}
			}
		})
	}
}

func TestNameRulesInStructs(t *testing.T) {
	type target struct {
		Namespace string `json:"namespace"`
		Name      string `json:"name"`
	}
	v := target{Namespace: "Team-A", Name: "web.v1"}
	err := validation.ValidateStruct(&v,
		validation.Field(&v.Namespace, validation.Required, NamespaceName),
		validation.Field(&v.Name, validation.Required, ObjectName),
	)
	var errs validation.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("ValidateStruct: %v, want validation.Errors", err)
	}
	got := map[string]string{}
	for field, e := range errs {
		got[field] = e.Error()
	}
	want := map[string]string{"namespace": "must be lower case ('T' is not)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("field errors (-want +got):\n%s", diff)
	}
	var ve validation.Error
	if !errors.As(errs["namespace"], &ve) || ve.Code() != ErrCodeNameFormat {
		t.Errorf("namespace error %#v, want a validation.Error with code %s", errs["namespace"], ErrCodeNameFormat)
	}
}

func TestValidateNames(t *testing.T) {
	tests := []struct {
		name           string
		value          string
		namespace, obj string
	}{
		{name: "empty", value: "", namespace: "a namespace is required", obj: "a name is required"},
		{name: "valid", value: "team-a"},
		{name: "dotted", value: "a.b", namespace: "must not contain '.'; use only lower-case letters, digits and '-'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.namespace, errText(ValidateNamespace(tt.value))); diff != "" {
				t.Errorf("ValidateNamespace(%q) (-want +got):\n%s", tt.value, diff)
			}
			if diff := cmp.Diff(tt.obj, errText(ValidateObjectName(tt.value))); diff != "" {
				t.Errorf("ValidateObjectName(%q) (-want +got):\n%s", tt.value, diff)
			}
		})
	}
}

// errText is err's message, "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
