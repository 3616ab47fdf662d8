package apps

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// podCheck says what the verdict on a Pod of the template is.
const podCheck = "A Pod of the app, never created: the check of quotas and admission on its Pods."

// checked is what checking a spec found: the objects it makes, the
// warnings, and either the field errors (nested as the spec's validation
// errors are) or the dry run's verdicts.
type checked struct {
	objs     kube.DeploymentObjects
	warnings map[string]string
	fields   any
	verdicts []kube.AppVerdict
}

// check runs the one chain of checks of a spec, as u: the fields, the
// objects it makes, the objects it refers to and its host, then a dry run
// of every object: of its creation, or with now (the app as it stands) of
// the update to it. It stops at field errors; its error is for failing to
// check at all.
func (s *Service) check(ctx context.Context, u kube.User, spec shared.DeploymentSpec, now *kube.AppNow) (checked, error) {
	cfg := s.Config()
	out := checked{warnings: spec.Warnings()}
	if err := spec.ValidateFor(cfg.DeploymentConfig); err != nil {
		out.fields = err
		return out, nil
	}
	objs, err := kube.BuildDeployment(spec, u.Name, cfg)
	if err != nil {
		return out, err
	}
	out.objs = objs
	if err := s.ready(); err != nil {
		return out, err
	}
	refs, err := s.opts.Client.CheckAppReferences(ctx, u, spec, cfg)
	if err != nil {
		return out, err
	}
	if out.warnings == nil {
		out.warnings = map[string]string{}
	}
	maps.Copy(out.warnings, refs.Warnings)
	if msg := s.hostTaken(objs.Host, spec); msg != "" {
		if refs.Errors == nil {
			refs.Errors = map[string]string{}
		}
		refs.Errors["exposure"] = msg
	}
	if len(refs.Errors) > 0 {
		out.fields = nestFields(refs.Errors)
		return out, nil
	}
	if now != nil {
		_, out.verdicts, err = s.opts.Client.UpdateApp(ctx, u, *now, objs, true, nil)
		return out, err
	}
	out.verdicts, err = s.opts.Client.DryRunApp(ctx, u, objs)
	return out, err
}

// hostTaken says why host cannot be the app of spec's: an Ingress, of
// any app or none, serves it already (the app's own Ingress aside). ""
// when it is free (or the app has no host).
func (s *Service) hostTaken(host string, spec shared.DeploymentSpec) string {
	if host == "" {
		return ""
	}
	for _, use := range s.opts.Objects.HostUsers(host) {
		if use.Namespace == spec.Namespace && use.Name == spec.Name && use.App == spec.Name {
			continue
		}
		return fmt.Sprintf("The host %s is served already, by %s: choose another name, or remove that one first.", host, use)
	}
	return ""
}

// Check checks spec without creating anything, as u: the field errors, or
// the YAML of every object that would be created and the API server's
// verdict on each from a dry run.
func (s *Service) Check(ctx context.Context, u kube.User, spec shared.DeploymentSpec) (shared.DeploymentValidation, error) {
	c, err := s.check(ctx, u, spec, nil)
	if err != nil {
		return shared.DeploymentValidation{}, err
	}
	return c.validation()
}

// validation is the reply of a check: the field errors, or the YAML of
// every object and the verdicts.
func (c checked) validation() (shared.DeploymentValidation, error) {
	var err error
	out := shared.DeploymentValidation{Warnings: c.warnings}
	if c.fields != nil {
		out.Errors, _ = json.Marshal(c.fields)
		return out, nil
	}
	out.Valid, out.URL = true, c.objs.URL
	if out.YAML, err = c.objs.YAML(); err != nil {
		return shared.DeploymentValidation{}, err
	}
	out.Verdicts = verdictsOf(c.verdicts)
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
			d.Check = podCheck
		}
		if v.Err != nil {
			pe := public(v.Err)
			d.Code, d.Reason = pe.Code, pe.Message
		}
		out = append(out, d)
	}
	return out
}

// public is what a person is told of err.
func public(err error) shared.Error {
	if pe, ok := kube.Public(err); ok {
		return pe
	}
	return shared.Error{Code: shared.CodeInternal, Message: "Something went wrong on the server; it has been logged."}
}
