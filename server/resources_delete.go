package server

import (
	"context"
	"net/http"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// DeletedObject is the data of a successful delete.
type DeletedObject struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// deleteResource deletes one object AS THE USER
// (DELETE /api/v1/resources/{kind}/{namespace}/{name}; "-" is the namespace
// of cluster-scoped objects). The API server applies the user's RBAC; the
// change leaves an audit line. An optional ?uid= makes the delete apply only
// to that object (not to one created since under the same name), which also
// makes a retry safe: a retry that finds the object gone reports success.
func (s *Server) deleteResource(w http.ResponseWriter, r *http.Request) error {
	id, err := s.identify(r)
	if err != nil {
		return err
	}
	k, err := s.resourceKind(r)
	if err != nil {
		return err
	}
	if s.deps.Kube == nil {
		return errNoCluster()
	}
	namespace, name, err := objectInPath(r, k)
	if err != nil {
		return err
	}
	uid := r.URL.Query().Get("uid")
	if len(uid) > 64 || strings.ContainsAny(uid, "/ ") {
		return invalid("The uid "+quote(uid)+" is not a valid object uid.", map[string]any{"parameter": "uid"})
	}
	err = s.deleteAsUser(r.Context(), id.User, k, namespace, name, types.UID(uid))
	s.audit(r, id, "delete", auditObject{Kind: k.Info().Kind, Namespace: namespace, Name: name}, err)
	if err != nil {
		return err
	}
	where := name
	if namespace != "" {
		where = namespace + "/" + name
	}
	s.writeData(w, http.StatusOK, DeletedObject{Kind: k.Name(), Namespace: namespace, Name: name},
		k.Info().Kind+" "+where+" is being deleted.")
	return nil
}

// deleteAsUser sends the delete through the user's impersonating client,
// retrying transient failures: with a uid precondition, or without one, a
// retry that finds the object gone means an earlier attempt deleted it.
func (s *Server) deleteAsUser(ctx context.Context, u kube.User, k *kube.Kind, namespace, name string, uid types.UID) error {
	cs, err := s.deps.Kube.As(u)
	if err != nil {
		return err
	}
	rc, ok := restClientFor(cs, k.Group())
	if !ok {
		return &apiError{code: shared.CodeInternal, message: "Kubedeck cannot delete " + k.Name() + "."}
	}
	policy := metav1.DeletePropagationBackground
	opts := &metav1.DeleteOptions{PropagationPolicy: &policy}
	if uid != "" {
		opts.Preconditions = &metav1.Preconditions{UID: &uid}
	}
	attempt := 0
	err = kube.Retry(ctx, func(ctx context.Context) error {
		attempt++
		req := rc.Delete().Resource(k.Name()).Name(name).Body(opts)
		if namespace != "" {
			req = req.Namespace(namespace)
		}
		err := req.Do(ctx).Error()
		if attempt > 1 && apierrors.IsNotFound(err) {
			return nil
		}
		return err
	})
	return kube.TranslateIn(err, namespace)
}

// restClientFor is the REST client of an API group the object viewer shows.
func restClientFor(cs kubernetes.Interface, group string) (rest.Interface, bool) {
	switch group {
	case "":
		return cs.CoreV1().RESTClient(), true
	case "apps":
		return cs.AppsV1().RESTClient(), true
	}
	return nil, false
}
