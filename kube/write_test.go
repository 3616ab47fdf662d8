package kube

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestWritableKind(t *testing.T) {
	tests := []struct {
		name, resource, namespace string
		want                      schema.GroupVersionResource
		err                       string
	}{
		{name: "ingress", resource: "ingresses", namespace: "a", want: schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"}},
		{name: "service", resource: "services", namespace: "a", want: schema.GroupVersionResource{Version: "v1", Resource: "services"}},
		{name: "statefulset", resource: "statefulsets", namespace: "a", want: schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}},
		{name: "job", resource: "jobs", namespace: "a", want: schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}},
		{name: "persistent volume", resource: "persistentvolumes", want: schema.GroupVersionResource{Version: "v1", Resource: "persistentvolumes"}},
		{name: "unknown kind", resource: "widgets", namespace: "a", err: `Kubedeck cannot change objects of kind "widgets".`},
		{name: "namespaced without a namespace", resource: "ingresses", err: "Ingress objects live in a namespace; name it."},
		{name: "cluster-scoped with a namespace", resource: "persistentvolumes", namespace: "a", err: "PersistentVolume objects are cluster-scoped; they have no namespace."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := writableKind(tt.resource, tt.namespace)
			if tt.err != "" {
				if !errors.Is(err, ErrInvalid) || publicMessage(err) != tt.err {
					t.Fatalf("error %v, want ErrInvalid saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, k.gvr); diff != "" {
				t.Errorf("resource (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWritableKindsCoverViewer checks that the write API can address every
// kind the object viewer shows, with the same group and resource.
func TestWritableKindsCoverViewer(t *testing.T) {
	for _, k := range newRegistry().kinds {
		t.Run(k.Name(), func(t *testing.T) {
			w, ok := writableKinds.byResource[k.Name()]
			if !ok {
				t.Fatalf("the write API cannot address %s", k.Name())
			}
			if diff := cmp.Diff(k.gvr(), w.gvr); diff != "" {
				t.Errorf("resource (-viewer +write):\n%s", diff)
			}
			if got := writableKinds.byGVK[k.gvk]; got != w {
				t.Errorf("by kind %v: %+v, want %+v", k.gvk, got, w)
			}
		})
	}
}

func TestNotApplied(t *testing.T) {
	gr := schema.GroupResource{Resource: "configmaps"}
	refused := &url.Error{Op: "Post", URL: "https://api", Err: &net.OpError{Op: "dial", Net: "tcp",
		Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{name: "429", err: apierrors.NewTooManyRequests("slow down", 1), want: true},
		{name: "connection refused", err: refused, want: true},
		{name: "500 may have been applied", err: apierrors.NewInternalError(errors.New("boom"))},
		{name: "503 may have been applied", err: apierrors.NewServiceUnavailable("later")},
		{name: "server timeout may have been applied", err: apierrors.NewServerTimeout(gr, "create", 1)},
		{name: "client timeout may have been applied", err: context.DeadlineExceeded},
		{name: "already exists", err: apierrors.NewAlreadyExists(gr, "web")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := notApplied(tt.err); got != tt.want {
				t.Errorf("notApplied(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestObjectFromYAML(t *testing.T) {
	obj, err := ObjectFromYAML([]byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: team-a\nspec:\n  replicas: 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := []string{obj.APIVersion(), obj.Kind(), obj.Namespace(), obj.Name(), obj.UID()}
	if diff := cmp.Diff([]string{"apps/v1", "Deployment", "team-a", "web", ""}, got); diff != "" {
		t.Errorf("accessors (-want +got):\n%s", diff)
	}
	// Whole numbers are int64, as the API machinery's deep copy requires.
	if r := obj.Fields()["spec"].(map[string]any)["replicas"]; r != int64(2) {
		t.Errorf("replicas %#v, want int64(2)", r)
	}
	for _, bad := range []string{"", "- a list", "a: [", "null"} {
		if _, err := ObjectFromYAML([]byte(bad)); !errors.Is(err, ErrInvalid) {
			t.Errorf("ObjectFromYAML(%q): %v, want ErrInvalid", bad, err)
		}
	}
}

func TestNewObjectCopies(t *testing.T) {
	fields := map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "a"}, "data": map[string]string{"k": "v"}, "count": 3}
	obj, err := NewObject(fields)
	if err != nil {
		t.Fatal(err)
	}
	fields["metadata"].(map[string]any)["name"] = "changed"
	if obj.Name() != "a" {
		t.Errorf("name %q after changing the map it was made of, want %q", obj.Name(), "a")
	}
	y, err := obj.YAML()
	if err != nil {
		t.Fatal(err)
	}
	const want = "apiVersion: v1\ncount: 3\ndata:\n  k: v\nkind: ConfigMap\nmetadata:\n  name: a\n"
	if diff := cmp.Diff(want, y); diff != "" {
		t.Errorf("YAML (-want +got):\n%s", diff)
	}
}

func TestWarningsCollector(t *testing.T) {
	w := &warnings{}
	ctx := context.Background()
	for i, text := range []string{"a", "b", "a", ""} {
		w.HandleWarningHeaderWithContext(ctx, 299, "", text)
		w.HandleWarningHeaderWithContext(ctx, 199, "", fmt.Sprint("misc ", i))
	}
	if diff := cmp.Diff([]string{"a", "b"}, w.all()); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}
