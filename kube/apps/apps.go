// Package apps owns the life of an app the deployment wizard makes: it
// checks a spec (field errors, the objects it makes, their references,
// their host and the API server's dry-run verdicts), deploys it as the
// user as an operation on the one runner (create, roll back what a failed
// create made, follow the rollout), and lists, reads and deletes apps.
// Every call to the cluster runs as the user; the server only decodes,
// calls and encodes.
package apps

import (
	"context"
	"log/slog"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/shared"
)

// Options are the parts a Service is built on.
type Options struct {
	// Client writes as the user; Objects is the informer cache the lists,
	// the rollout follower and the host check read; Access authorizes the
	// reads of it.
	Client  *kube.Client
	Objects *kube.Objects
	Access  *kube.Access
	// Settings is the cluster's configuration for apps; nil: the defaults.
	Settings *kube.DeploySettings
	// Runner runs the deploys.
	Runner *operations.Runner
	Log    *slog.Logger
}

// Service is the owner of every app's life.
type Service struct {
	opts Options
}

// New is a Service over opts.
func New(opts Options) *Service {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{opts: opts}
}

var deploymentsResource = kube.Resource{Group: "apps", Resource: "deployments"}

// Config is the configuration in force: the watched ConfigMap over the
// flags, or the defaults when the server was given none.
func (s *Service) Config() kube.DeployConfig {
	if s.opts.Settings == nil {
		return kube.DeployConfig{DeploymentConfig: shared.DefaultDeploymentConfig()}
	}
	return s.opts.Settings.Current()
}

// errNoCluster answers what needs the cluster on a server without one
// (503, as the server's other routes answer it).
func errNoCluster() error {
	return &shared.Error{Code: shared.CodeUnavailable, Message: "Kubedeck is not connected to a cluster."}
}

// ready says whether the service has the cluster's parts.
func (s *Service) ready() error {
	if s.opts.Client == nil || s.opts.Objects == nil || s.opts.Access == nil {
		return errNoCluster()
	}
	return nil
}

// Options answers what the wizard needs to know of the cluster: the limits
// and presets, and the namespaces u may create Deployments in.
func (s *Service) Options(ctx context.Context, u kube.User) (shared.DeploymentOptions, error) {
	out := shared.DeploymentOptions{Config: s.Config().DeploymentConfig, Namespaces: []string{}}
	if s.ready() != nil {
		return out, nil
	}
	scope, err := s.opts.Access.Scope(ctx, u, "create", deploymentsResource, s.opts.Objects.Namespaces())
	if err != nil {
		return out, err
	}
	out.Namespaces = scope.Allowed
	return out, nil
}
