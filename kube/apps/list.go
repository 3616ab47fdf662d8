package apps

import (
	"context"
	"fmt"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// List is u's apps made by the wizard, from the cache: in namespace, or
// ("") in every namespace where u may list Deployments.
func (s *Service) List(ctx context.Context, u kube.User, namespace string) ([]shared.DeployedApp, error) {
	if err := s.ready(); err != nil {
		return nil, err
	}
	var namespaces []string
	if namespace != "" {
		ok, err := s.opts.Access.Allowed(ctx, u, "list", deploymentsResource, namespace)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, kube.NewError(kube.ErrForbidden, "You may not list Deployments in namespace "+namespace+".", nil)
		}
		namespaces = []string{namespace}
	} else {
		scope, err := s.opts.Access.Scope(ctx, u, "list", deploymentsResource, s.opts.Objects.Namespaces())
		if err != nil {
			return nil, err
		}
		if !scope.All {
			namespaces = scope.Allowed
		}
	}
	apps := s.opts.Objects.Apps(namespaces, u.Name, s.Config())
	if apps == nil {
		apps = []shared.DeployedApp{}
	}
	return apps, nil
}

// Get is app namespace/name: the spec as submitted, its objects, Pods and
// events, as u's rights to get Deployments and list Pods and Events allow.
func (s *Service) Get(ctx context.Context, u kube.User, namespace, name string) (shared.DeploymentDetails, error) {
	if err := s.ready(); err != nil {
		return shared.DeploymentDetails{}, err
	}
	a := s.opts.Access
	ok, err := a.AllowedObject(ctx, u, "get", deploymentsResource, namespace, name)
	if err != nil {
		return shared.DeploymentDetails{}, err
	}
	if !ok {
		return shared.DeploymentDetails{}, kube.NewError(kube.ErrForbidden, "You may not read Deployment "+namespace+"/"+name+".", nil)
	}
	pods, err := a.Allowed(ctx, u, "list", kube.Resource{Resource: "pods"}, namespace)
	if err != nil {
		return shared.DeploymentDetails{}, err
	}
	events, err := a.Allowed(ctx, u, "list", kube.Resource{Resource: "events"}, namespace)
	if err != nil {
		return shared.DeploymentDetails{}, err
	}
	return s.opts.Objects.App(namespace, name, s.Config(), kube.DetailOptions{Pods: pods, Events: events})
}

// Delete removes app namespace/name as u: its Ingress, Service and
// Deployment; objects Kubedeck did not make are left alone. When some were
// deleted before one failed, the error says how many, and details name
// them.
func (s *Service) Delete(ctx context.Context, u kube.User, namespace, name string) (shared.DeletedApp, error) {
	if s.opts.Client == nil {
		return shared.DeletedApp{}, errNoCluster()
	}
	deleted, err := s.opts.Client.DeleteApp(ctx, u, namespace, name)
	out := shared.DeletedApp{Deleted: []shared.OperationTarget{}}
	for _, o := range deleted {
		out.Deleted = append(out.Deleted, kube.ObjectRef(o))
	}
	if err != nil && len(deleted) > 0 {
		pe := public(err)
		err = kube.Reword(err, fmt.Sprintf("%d objects of %s were deleted, then: %s", len(deleted), name, pe.Message),
			map[string]any{"deleted": out.Deleted})
	}
	return out, err
}
