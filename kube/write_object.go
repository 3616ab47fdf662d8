package kube

import (
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"
)

// Object is one Kubernetes object of any kind as plain data (apiVersion,
// kind, metadata, spec, …), for the write API: callers build and read
// objects without importing Kubernetes packages.
type Object struct {
	u *unstructured.Unstructured
}

// NewObject is an object made of a copy of fields, which hold what the
// object's JSON would (maps, slices, strings, numbers, booleans).
func NewObject(fields map[string]any) (*Object, error) {
	b, err := json.Marshal(fields)
	if err != nil {
		return nil, newError(ErrInvalid, "The object cannot be encoded as JSON: "+clip(err.Error())+".", err)
	}
	return objectFromJSON(b)
}

// ObjectFromYAML reads an object from YAML or JSON.
func ObjectFromYAML(b []byte) (*Object, error) {
	j, err := yaml.YAMLToJSON(b)
	if err != nil {
		return nil, newError(ErrInvalid, "The object is not valid YAML: "+clip(err.Error())+".", err)
	}
	return objectFromJSON(j)
}

// objectFromJSON decodes an object, with whole numbers as int64 as the
// API machinery expects.
func objectFromJSON(b []byte) (*Object, error) {
	var fields map[string]any
	if err := utiljson.Unmarshal(b, &fields); err != nil {
		return nil, newError(ErrInvalid, "The object is not a JSON object: "+clip(err.Error())+".", err)
	}
	if len(fields) == 0 {
		return nil, newError(ErrInvalid, "The object is empty.", nil)
	}
	return &Object{u: &unstructured.Unstructured{Object: fields}}, nil
}

// objectOf converts a typed object of client-go's API types, such as the
// ones the deployment builder makes, into an Object.
func objectOf(obj runtime.Object) (*Object, error) {
	fields, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, fmt.Errorf("convert %T: %w", obj, err)
	}
	return &Object{u: &unstructured.Unstructured{Object: fields}}, nil
}

// APIVersion is the object's apiVersion ("apps/v1").
func (o *Object) APIVersion() string { return o.u.GetAPIVersion() }

// Kind is the object's kind ("Deployment").
func (o *Object) Kind() string { return o.u.GetKind() }

// Namespace is the object's namespace, "" for cluster-scoped objects.
func (o *Object) Namespace() string { return o.u.GetNamespace() }

// Name is the object's name.
func (o *Object) Name() string { return o.u.GetName() }

// UID is the uid the API server gave the object, "" before it exists.
func (o *Object) UID() string { return string(o.u.GetUID()) }

// ResourceVersion is the object's version, "" before it exists.
func (o *Object) ResourceVersion() string { return o.u.GetResourceVersion() }

// Fields is a deep copy of the object's data.
func (o *Object) Fields() map[string]any { return runtime.DeepCopyJSON(o.u.Object) }

// YAML is the object as YAML, without its managedFields.
func (o *Object) YAML() (string, error) {
	c := o.u.DeepCopy()
	c.SetManagedFields(nil)
	b, err := yaml.Marshal(c.Object)
	if err != nil {
		return "", fmt.Errorf("YAML of %s %q: %w", o.Kind(), o.Name(), err)
	}
	return string(b), nil
}

// GenerateName is the prefix the API server makes the object's name from
// when it has none.
func (o *Object) GenerateName() string { return o.u.GetGenerateName() }
