package kube

import (
	"errors"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubedeck/kubedeck/shared"
)

// Names of objects and namespaces follow the API server's rules, so a path
// that names no possible object is refused as bad input before it reaches
// the cache or the API server. Kubernetes checks most names as DNS-1123
// subdomains and Service names as DNS-1035 labels; namespaces are DNS-1123
// labels; shared holds the label and subdomain rules. None of these
// allows "." or "..", or anything a URL path would treat specially.

// Rules for people, one per name shape.
var (
	errSubdomainName = errors.New("lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters")
	errLabelName     = errors.New("lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters")
	errServiceName   = errors.New("lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, at most 63 characters")
)

// CheckName says whether name can name an object of kind k; the error is the
// rule, in words for people.
func CheckName(k *Kind, name string) error { return CheckResourceName(k.Name(), name) }

// CheckResourceName says whether name can name an object of the kind whose
// resource is resource ("services"); the error is the rule, in words for
// people.
func CheckResourceName(resource, name string) error {
	if resource == "services" {
		if len(validation.IsDNS1035Label(name)) > 0 {
			return errServiceName
		}
		return nil
	}
	if name == "" || shared.DNSSubdomain.Validate(name) != nil {
		return errSubdomainName
	}
	return nil
}

// CheckNamespace says whether ns can name a namespace; the error is the
// rule, in words for people.
func CheckNamespace(ns string) error {
	if shared.ValidateNamespace(ns) != nil {
		return errLabelName
	}
	return nil
}
