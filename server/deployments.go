package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/shared"
)

// The deployment wizard's API: the cluster's settings for it, a validation
// with a dry run, creation as an operation, and the user's apps. Every call
// to the cluster runs as the user.

// maxSpecBytes caps a spec's JSON body.
const maxSpecBytes = 64 << 10

// deployTimeout bounds an app's creation and rollout; a Deployment's own
// progress deadline (10 minutes by default) ends a stuck rollout first.
const deployTimeout = 15 * time.Minute

// deployConfig is the configuration in force: the watched ConfigMap over
// the flags, or the defaults when the server was given none.
func (s *Server) deployConfig() kube.DeployConfig {
	if s.deps.Deploy == nil {
		return kube.DeployConfig{DeploymentConfig: shared.DefaultDeploymentConfig()}
	}
	return s.deps.Deploy.Current()
}

// deploymentOptions answers what the wizard needs to know of the cluster
// (GET /api/v1/deployments/config): the limits and presets, and the
// namespaces the user may create Deployments in.
func (s *Server) deploymentOptions(r *http.Request, id Identity) (any, error) {
	out := shared.DeploymentOptions{Config: s.deployConfig().DeploymentConfig, Namespaces: []string{}}
	if s.deps.Objects == nil || s.deps.Access == nil {
		return out, nil
	}
	all := s.deps.Objects.Namespaces()
	scope, err := s.deps.Access.ListScope(r.Context(), id.User, "create", deploymentsResource, all)
	if err != nil {
		return nil, err
	}
	out.Namespaces = scope.Namespaces
	if scope.All {
		out.Namespaces = all
	}
	return out, nil
}

var deploymentsResource = kube.Resource{Group: "apps", Resource: "deployments"}

// readSpec reads the spec of a POST: at most 64 KiB of JSON with no unknown
// field, its namespace given in the body, as ?namespace= or both alike.
func readSpec(r *http.Request) (shared.DeploymentSpec, error) {
	var spec shared.DeploymentSpec
	if r.ContentLength > maxSpecBytes {
		return spec, &http.MaxBytesError{Limit: maxSpecBytes}
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxSpecBytes)
	if err := decodeJSON(r, &spec); err != nil {
		return spec, err
	}
	ns, err := namespaceQuery(r.URL.Query(), false)
	if err != nil {
		return spec, err
	}
	switch {
	case ns == "":
	case spec.Namespace == "":
		spec.Namespace = ns
	case spec.Namespace != ns:
		return spec, invalid("The body's namespace "+quote(spec.Namespace)+" differs from ?namespace="+quote(ns)+".",
			map[string]any{"parameter": "namespace"})
	}
	return spec, nil
}

// validateDeployment checks a spec without creating anything
// (POST /api/v1/deployments/validate): the field errors, or the YAML of
// every object that would be created and the API server's verdict on each
// from a dry run as the user.
func (s *Server) validateDeployment(r *http.Request, id Identity) (any, error) {
	spec, err := readSpec(r)
	if err != nil {
		return nil, err
	}
	cfg := s.deployConfig()
	out := shared.DeploymentValidation{Warnings: spec.Warnings()}
	if err := spec.ValidateFor(cfg.DeploymentConfig); err != nil {
		out.Errors, _ = json.Marshal(err)
		return out, nil
	}
	objs, err := kube.BuildDeployment(spec, id.User.Name, cfg)
	if err != nil {
		return nil, err
	}
	if s.deps.Kube == nil {
		return nil, errNoCluster()
	}
	refs, err := s.deps.Kube.CheckAppReferences(r.Context(), id.User, spec, cfg)
	if err != nil {
		return nil, err
	}
	maps.Copy(out.Warnings, refs.Warnings)
	if len(refs.Errors) > 0 {
		out.Errors, _ = json.Marshal(nestFields(refs.Errors))
		return out, nil
	}
	out.Valid, out.URL = true, objs.URL
	if out.YAML, err = objs.YAML(); err != nil {
		return nil, err
	}
	verdicts, err := s.deps.Kube.DryRunApp(r.Context(), id.User, objs)
	if err != nil {
		return nil, err
	}
	out.Verdicts = verdictsOf(verdicts)
	return out, nil
}

// nestFields turns errors keyed by dotted path ("env.2.key") into the
// nested shape of the spec's validation errors ({"env":{"2":{"key":…}}}).
func nestFields(flat map[string]string) map[string]any {
	out := map[string]any{}
	for path, msg := range flat {
		parts := strings.Split(path, ".")
		m := out
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = msg
	}
	return out
}

// verdictsOf turns kube's verdicts into the wire's.
func verdictsOf(vs []kube.AppVerdict) []shared.DryRunVerdict {
	out := make([]shared.DryRunVerdict, 0, len(vs))
	for _, v := range vs {
		d := shared.DryRunVerdict{Kind: v.Object.Kind(), Name: v.Object.Name(), Allowed: v.Allowed, Warnings: v.Warnings}
		if d.Name == "" {
			d.Name = v.Object.GenerateName()
		}
		if v.Err != nil {
			ae, _ := toAPIError(v.Err)
			d.Code, d.Reason = ae.code, ae.message
		}
		out = append(out, d)
	}
	return out
}

// createDeployment creates an app (POST /api/v1/deployments): the spec is
// checked, every object is judged by a dry run as the user first (so a
// refusal, such as no right to create Ingresses or a name in use, is
// answered at once and nothing is made), then an operation creates them
// and follows the rollout; the answer is its 202.
func (s *Server) createDeployment(r *http.Request, id Identity, audit *auditRecord) (any, error) {
	spec, err := readSpec(r)
	if err != nil {
		return nil, err
	}
	audit.as("create", auditObject{Kind: "Deployment", Namespace: spec.Namespace, Name: spec.Name})
	cfg := s.deployConfig()
	if err := spec.ValidateFor(cfg.DeploymentConfig); err != nil {
		return nil, invalid("The app's settings are not valid; see the fields.", map[string]any{"fields": err})
	}
	if s.deps.Kube == nil || s.deps.Objects == nil {
		return nil, errNoCluster()
	}
	if s.deps.Operations == nil {
		return nil, &apiError{code: shared.CodeUnavailable, message: "This server runs no operations."}
	}
	objs, err := kube.BuildDeployment(spec, id.User.Name, cfg)
	if err != nil {
		return nil, err
	}
	refs, err := s.deps.Kube.CheckAppReferences(r.Context(), id.User, spec, cfg)
	if err != nil {
		return nil, err
	}
	if len(refs.Errors) > 0 {
		return nil, invalid("The app refers to objects that are missing or wrong; see the fields.",
			map[string]any{"fields": nestFields(refs.Errors)})
	}
	verdicts, err := s.deps.Kube.DryRunApp(r.Context(), id.User, objs)
	if err != nil {
		return nil, err
	}
	for _, v := range verdicts {
		if !v.Allowed {
			return nil, refusedObject(v, verdictsOf(verdicts))
		}
	}
	target := shared.OperationTarget{Kind: "Deployment", Namespace: spec.Namespace, Name: spec.Name}
	op, h, err := s.deps.Operations.Start(r.Context(), id.User.Name, shared.OperationDeploy, target)
	if err != nil {
		return nil, err
	}
	go s.runDeploy(h, id.User, objs)
	return accepted(op, "Creating "+spec.Namespace+"/"+spec.Name+"."), nil
}

// refusedObject is the error of a create whose dry run refused object v:
// the API server's reason, naming the object, with every verdict.
func refusedObject(v kube.AppVerdict, all []shared.DryRunVerdict) error {
	ae, _ := toAPIError(v.Err)
	name := v.Object.Name()
	if name == "" {
		name = "(a Pod of the app)"
	}
	return &apiError{code: ae.code, cause: v.Err,
		message: fmt.Sprintf("Nothing was created: the %s %s would be refused. %s", v.Object.Kind(), name, ae.message),
		details: map[string]any{"kind": v.Object.Kind(), "name": name, "verdicts": all}}
}

// The steps of a deploy operation.
const (
	stepDeployment = "deployment"
	stepService    = "service"
	stepIngress    = "ingress"
)

// runDeploy is a deploy operation: it creates the objects as u (removing
// them again if one fails), then follows the rollout until the app is
// Available or stuck. It always finishes the operation.
func (s *Server) runDeploy(h *operations.Handle, u kube.User, objs kube.DeploymentObjects) {
	ctx, cancel := context.WithTimeout(context.Background(), deployTimeout)
	defer cancel()
	stop := context.AfterFunc(s.stopping, cancel)
	defer stop()
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("deploy operation panicked", "operation", h.ID(), "panic", fmt.Sprint(p))
			_ = h.Fail(shared.Error{Code: shared.CodeInternal, Message: "Something went wrong on the server; it has been logged."})
		}
	}()
	d := objs.Deployment
	outcome := shared.DeploymentOutcome{Created: []shared.OperationTarget{}, URL: objs.URL}
	steps := map[string]string{"Deployment": stepDeployment, "Service": stepService, "Ingress": stepIngress}
	for _, obj := range objs.Created() {
		_ = h.Step(steps[obj.Kind()], shared.OperationPending, "")
	}
	_ = h.Step(stepRollout, shared.OperationPending, "")
	_, err := s.deps.Kube.CreateApp(ctx, u, objs, func(made *kube.Object) {
		outcome.Created = append(outcome.Created, kube.ObjectRef(made))
		_ = h.Step(steps[made.Kind()], shared.OperationSucceeded, "Created "+made.Kind()+" "+made.Name()+".")
	})
	if err != nil {
		_ = h.Fail(s.deployFailure(err, outcome))
		return
	}
	err = followDeployment(ctx, s.deps.Objects, h, d.Namespace(), d.Name(), func(p shared.DeploymentProgress) any {
		outcome.Progress = p
		return outcome
	})
	if err != nil && !errors.Is(err, operations.ErrFinished) {
		msg := "The rollout of " + d.Name() + " did not finish in time."
		if s.stopping.Err() != nil {
			msg = "The server stopped while following the rollout of " + d.Name() + "; its objects were created, see the objects view."
		}
		_ = h.Fail(shared.Error{Code: shared.CodeUnavailable, Message: msg, Details: map[string]any{"outcome": outcome}})
	}
}

// deployFailure is the error a deploy operation ends with when an object
// could not be created: the cause for people, and what was created, what
// failed and what was removed again.
func (s *Server) deployFailure(err error, outcome shared.DeploymentOutcome) shared.Error {
	ae, fault := toAPIError(err)
	if fault {
		s.log.Error("deploy failed", "err", err)
	}
	msg := ae.message
	var ce *kube.AppCreateError
	if errors.As(err, &ce) {
		failed := kube.ObjectRef(ce.Failed)
		outcome.Failed = &failed
		outcome.RolledBack = []shared.OperationTarget{}
		for _, o := range ce.RolledBack {
			outcome.RolledBack = append(outcome.RolledBack, kube.ObjectRef(o))
		}
		msg = fmt.Sprintf("Creating %s %s failed: %s", failed.Kind, failed.Name, ae.message)
		switch {
		case ce.RollbackErr != nil:
			s.log.Error("deploy rollback failed", "err", ce.RollbackErr)
			msg += fmt.Sprintf(" %d of the %d objects made before it could not be removed; delete them from the objects view.",
				len(ce.Created)-len(ce.RolledBack), len(ce.Created))
		case len(ce.RolledBack) > 0:
			msg += fmt.Sprintf(" The %d objects made before it were removed again.", len(ce.RolledBack))
		}
	}
	return shared.Error{Code: ae.code, Message: msg, Details: map[string]any{"outcome": outcome}}
}

// listDeployments answers the user's apps made by the wizard
// (GET /api/v1/deployments, ?namespace= for one namespace): from the
// cache, in the namespaces where the user may list Deployments.
func (s *Server) listDeployments(r *http.Request, id Identity) (any, error) {
	ns, err := namespaceQuery(r.URL.Query(), true)
	if err != nil {
		return nil, err
	}
	if s.deps.Objects == nil || s.deps.Access == nil {
		return nil, errNoCluster()
	}
	var namespaces []string
	if ns != "" {
		ok, err := s.deps.Access.Allowed(r.Context(), id.User, "list", deploymentsResource, ns)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &apiError{code: shared.CodeForbidden, message: "You may not list Deployments in namespace " + ns + "."}
		}
		namespaces = []string{ns}
	} else {
		scope, err := s.deps.Access.ListScope(r.Context(), id.User, "list", deploymentsResource, s.deps.Objects.Namespaces())
		if err != nil {
			return nil, err
		}
		if !scope.All {
			namespaces = append([]string{}, scope.Namespaces...)
		}
	}
	apps := s.deps.Objects.Apps(namespaces, id.User.Name, s.deployConfig())
	if apps == nil {
		apps = []shared.DeployedApp{}
	}
	return apps, nil
}

// appInPath reads the {name} of an app's path and its ?namespace=, which
// is required.
func appInPath(r *http.Request) (namespace, name string, err error) {
	namespace, err = namespaceQuery(r.URL.Query(), false)
	if err != nil {
		return "", "", err
	}
	if namespace == "" {
		return "", "", invalid("Name the app's namespace with ?namespace=.", map[string]any{"parameter": "namespace"})
	}
	name = r.PathValue("name")
	if err := kube.CheckResourceName("services", name); err != nil {
		return "", "", invalid("The name "+quote(name)+" is not a valid app name: "+err.Error()+".", map[string]any{"parameter": "name"})
	}
	return namespace, name, nil
}

// deploymentDetail answers one app (GET /api/v1/deployments/{name}): the
// spec as submitted, its objects, Pods and events, as the user's rights to
// get Deployments and list Pods and Events allow.
func (s *Server) deploymentDetail(r *http.Request, id Identity) (any, error) {
	namespace, name, err := appInPath(r)
	if err != nil {
		return nil, err
	}
	if s.deps.Objects == nil || s.deps.Access == nil {
		return nil, errNoCluster()
	}
	ok, err := s.deps.Access.AllowedObject(r.Context(), id.User, "get", deploymentsResource, namespace, name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &apiError{code: shared.CodeForbidden, message: "You may not read Deployment " + namespace + "/" + name + "."}
	}
	pods, err := s.deps.Access.Allowed(r.Context(), id.User, "list", kube.Resource{Resource: "pods"}, namespace)
	if err != nil {
		return nil, err
	}
	events, err := s.deps.Access.Allowed(r.Context(), id.User, "list", kube.Resource{Resource: "events"}, namespace)
	if err != nil {
		return nil, err
	}
	return s.deps.Objects.App(namespace, name, s.deployConfig(), kube.DetailOptions{Pods: pods, Events: events})
}

// deleteDeployment removes an app the wizard made
// (DELETE /api/v1/deployments/{name}?namespace=): its Ingress, Service and
// Deployment, as the user; objects Kubedeck did not make are left alone.
func (s *Server) deleteDeployment(r *http.Request, id Identity, audit *auditRecord) (any, error) {
	namespace, name, err := appInPath(r)
	if err != nil {
		return nil, err
	}
	audit.as("delete", auditObject{Kind: "Deployment", Namespace: namespace, Name: name})
	if s.deps.Kube == nil {
		return nil, errNoCluster()
	}
	deleted, err := s.deps.Kube.DeleteApp(r.Context(), id.User, namespace, name)
	out := shared.DeletedApp{Deleted: []shared.OperationTarget{}}
	for _, o := range deleted {
		out.Deleted = append(out.Deleted, kube.ObjectRef(o))
	}
	if err != nil {
		if len(deleted) == 0 {
			return nil, err
		}
		ae, _ := toAPIError(err)
		return nil, &apiError{code: ae.code, cause: err,
			message: fmt.Sprintf("%d objects of %s were deleted, then: %s", len(deleted), name, ae.message),
			details: map[string]any{"deleted": out.Deleted}}
	}
	return withMessage(out, "App "+namespace+"/"+name+" is being deleted."), nil
}
