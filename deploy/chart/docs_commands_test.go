package chart_test

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/cli/values"
	"helm.sh/helm/v3/pkg/getter"
	"helm.sh/helm/v3/pkg/release"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kubedeck/kubedeck/kube/helm"
	"github.com/kubedeck/kubedeck/server"
)

// shape is a command the test runs: its leading words, the flags it takes
// ("-n" also stands for --namespace, "-f" for --values), and what runs it.
// A flag the shape does not take fails the command: the test does not
// guess what it does.
type shape struct {
	words string
	flags []string
	run   func(*docRun, invocation) error
}

var shapes = []shape{
	{"helm lint", []string{"-f", "--set"}, (*docRun).helmLint},
	{"helm template", []string{"-n", "-f", "--set"}, (*docRun).helmTemplate},
	{"helm install", []string{"-n", "--create-namespace", "-f", "--set"}, (*docRun).helmInstall},
	{"helm upgrade", []string{"-n", "-f", "--set"}, (*docRun).helmUpgrade},
	{"kubectl create namespace", nil, (*docRun).createNamespace},
	{"kubectl create secret generic", []string{"-n", "--from-literal", "--from-file"}, (*docRun).createSecret},
	{"kubectl delete secret", []string{"-n"}, (*docRun).deleteSecret},
	{"kubectl create rolebinding", []string{"-n", "--clusterrole", "--user", "--group"}, (*docRun).createRoleBinding},
	{"kubectl rollout restart", []string{"-n"}, (*docRun).rolloutRestart},
	{"kubectl port-forward", []string{"-n"}, (*docRun).portForward},
	{"printf", nil, (*docRun).printf},
	{"rm", nil, (*docRun).rm},
}

// helmConfig is Helm's configuration for ns as the CLI builds it from a
// kubeconfig: the admin's.
func (r *docRun) helmConfig(ns string) *action.Configuration {
	flags := genericclioptions.NewConfigFlags(false)
	cache := filepath.Join(r.work, ".kube-cache")
	flags.KubeConfig, flags.Namespace, flags.CacheDir = &r.kubeconfig, &ns, &cache
	cfg := new(action.Configuration)
	if err := cfg.Init(flags, ns, "secret", func(string, ...any) {}); err != nil {
		r.t.Fatal(err)
	}
	return cfg
}

// chartAndValues loads the chart a helm command names (its words before
// the flags: the chart is the last) and merges its -f files and --set
// values as the CLI does.
func (r *docRun) chartAndValues(inv invocation, words int) (*chart.Chart, map[string]any, error) {
	if len(inv.args) != words {
		return nil, nil, fmt.Errorf("want %d words besides the flags, got %q", words, inv.args)
	}
	ch, err := loader.Load(filepath.Join(repoRoot, inv.args[words-1]))
	if err != nil {
		return nil, nil, err
	}
	opts := values.Options{Values: inv.flags["--set"]}
	for _, f := range inv.flags["-f"] {
		opts.ValueFiles = append(opts.ValueFiles, filepath.Join(r.work, f))
	}
	vals, err := opts.MergeValues(getter.Providers{})
	return ch, vals, err
}

func (r *docRun) helmLint(inv invocation) error {
	_, vals, err := r.chartAndValues(inv, 3)
	if err != nil {
		return err
	}
	if msgs := helm.LintChart(filepath.Join(repoRoot, inv.args[2]), vals); len(msgs) > 0 {
		return errors.New(strings.Join(msgs, "\n"))
	}
	return nil
}

func (r *docRun) helmTemplate(inv invocation) error {
	ch, vals, err := r.chartAndValues(inv, 4)
	if err != nil {
		return err
	}
	install := action.NewInstall(&action.Configuration{Log: func(string, ...any) {}})
	install.ClientOnly, install.DryRun, install.Replace = true, true, true
	install.ReleaseName, install.Namespace = inv.args[2], r.namespace(inv.flag("-n"))
	rel, err := install.Run(ch, vals)
	if err != nil {
		return err
	}
	if !strings.Contains(rel.Manifest, "\nkind: Deployment\n") {
		return fmt.Errorf("the rendering has no Deployment:\n%s", rel.Manifest)
	}
	return nil
}

func (r *docRun) helmInstall(inv invocation) error {
	ch, vals, err := r.chartAndValues(inv, 4)
	if err != nil {
		return err
	}
	ns := r.namespace(inv.flag("-n"))
	cfg := r.helmConfig(ns)
	install := action.NewInstall(cfg)
	install.ReleaseName, install.Namespace = inv.args[2], ns
	install.CreateNamespace = inv.flags["--create-namespace"] != nil
	install.Wait, install.Timeout = true, time.Minute
	rel, err := install.Run(ch, vals)
	if err != nil {
		return err
	}
	r.top.Cleanup(func() { _, _ = action.NewUninstall(r.helmConfig(ns)).Run(rel.Name) })
	return r.checkRelease(cfg, rel)
}

func (r *docRun) helmUpgrade(inv invocation) error {
	ch, vals, err := r.chartAndValues(inv, 4)
	if err != nil {
		return err
	}
	ns := r.namespace(inv.flag("-n"))
	cfg := r.helmConfig(ns)
	before, err := action.NewGet(cfg).Run(inv.args[2])
	if err != nil {
		return err
	}
	kept, err := r.secretsOf(cfg, before)
	if err != nil {
		return err
	}
	upgrade := action.NewUpgrade(cfg)
	upgrade.Namespace, upgrade.Wait, upgrade.Timeout = ns, true, time.Minute
	rel, err := upgrade.Run(inv.args[2], ch, vals)
	if err != nil {
		return err
	}
	if rel.Version != before.Version+1 {
		return fmt.Errorf("revision %d after revision %d", rel.Version, before.Version)
	}
	// Generated secrets are kept across upgrades, the doc says.
	after, err := r.secretsOf(cfg, rel)
	if err != nil {
		return err
	}
	for name, data := range kept {
		if after[name] != data {
			r.t.Errorf("Secret %s changed on upgrade", name)
		}
	}
	return r.checkRelease(cfg, rel)
}

// checkRelease checks what an install or upgrade promises: the release is
// deployed, each object it renders exists, and so does each Secret and
// ConfigMap key its pods read (a kubelet waits for them; kwok does not). It
// queues the commands the release's NOTES.txt prints.
func (r *docRun) checkRelease(cfg *action.Configuration, rel *release.Release) error {
	if rel.Info.Status != release.StatusDeployed {
		return fmt.Errorf("release %s is %s", rel.Name, rel.Info.Status)
	}
	objects, err := cfg.KubeClient.Build(strings.NewReader(rel.Manifest), false)
	if err != nil {
		return err
	}
	var errs []error
	for _, o := range objects {
		kind := o.Mapping.GroupVersionKind.Kind
		if err := o.Get(); err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", kind, o.Name, err))
		} else if kind == "Deployment" {
			errs = append(errs, r.podInputs(rel.Namespace, o.Name))
		}
	}
	where := fmt.Sprintf("NOTES.txt of %s %s", rel.Namespace, rel.Name)
	for i, line := range strings.Split(rel.Info.Notes, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "kubectl ") || strings.HasPrefix(line, "helm ") {
			r.notes = append(r.notes, commandsOf(r.t, line, where, i+1)...)
		}
	}
	return errors.Join(errs...)
}

// podInputs says which Secrets and ConfigMaps (and keys of them) the pods
// of Deployment name mount or read and the namespace lacks.
func (r *docRun) podInputs(ns, name string) error {
	ctx := r.t.Context()
	d, err := r.admin.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	var errs []error
	need := func(kind, obj string, optional *bool, keys ...string) {
		if optional != nil && *optional {
			return
		}
		var have []string
		if kind == "Secret" {
			s, err := r.admin.CoreV1().Secrets(ns).Get(ctx, obj, metav1.GetOptions{})
			if err != nil {
				errs = append(errs, fmt.Errorf("the pods of %s need Secret %s: %w", name, obj, err))
				return
			}
			have = slices.Collect(maps.Keys(s.Data))
		} else {
			cm, err := r.admin.CoreV1().ConfigMaps(ns).Get(ctx, obj, metav1.GetOptions{})
			if err != nil {
				errs = append(errs, fmt.Errorf("the pods of %s need ConfigMap %s: %w", name, obj, err))
				return
			}
			have = slices.Collect(maps.Keys(cm.Data))
		}
		for _, k := range keys {
			if !slices.Contains(have, k) {
				errs = append(errs, fmt.Errorf("the pods of %s need key %s of %s %s, which has %v", name, k, kind, obj, have))
			}
		}
	}
	keys := func(items []corev1.KeyToPath) (out []string) {
		for _, it := range items {
			out = append(out, it.Key)
		}
		return out
	}
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.Secret != nil {
			need("Secret", v.Secret.SecretName, v.Secret.Optional, keys(v.Secret.Items)...)
		}
		if v.ConfigMap != nil {
			need("ConfigMap", v.ConfigMap.Name, v.ConfigMap.Optional, keys(v.ConfigMap.Items)...)
		}
	}
	for _, c := range d.Spec.Template.Spec.Containers {
		for _, e := range c.Env {
			if ref := e.ValueFrom; ref != nil && ref.SecretKeyRef != nil {
				need("Secret", ref.SecretKeyRef.Name, ref.SecretKeyRef.Optional, ref.SecretKeyRef.Key)
			}
		}
	}
	return errors.Join(errs...)
}

// secretsOf is the data of each Secret the release makes, as text.
func (r *docRun) secretsOf(cfg *action.Configuration, rel *release.Release) (map[string]string, error) {
	objects, err := cfg.KubeClient.Build(strings.NewReader(rel.Manifest), false)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, o := range objects {
		if o.Mapping.GroupVersionKind.Kind != "Secret" {
			continue
		}
		s, err := r.admin.CoreV1().Secrets(rel.Namespace).Get(r.t.Context(), o.Name, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		out[o.Name] = fmt.Sprint(s.Data)
	}
	return out, nil
}

func (r *docRun) createNamespace(inv invocation) error {
	if len(inv.args) != 4 {
		return fmt.Errorf("want one namespace, got %q", inv.args[3:])
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: r.namespace(inv.args[3])}}
	_, err := r.admin.CoreV1().Namespaces().Create(r.t.Context(), ns, metav1.CreateOptions{})
	return err
}

// proxySecretKey is the chart's proxySecret.key: a Secret key of this name
// is a proxy secret, which Kubedeck checks at start.
const proxySecretKey = "proxy-secret"

func (r *docRun) createSecret(inv invocation) error {
	if len(inv.args) != 5 {
		return fmt.Errorf("want one name, got %q", inv.args[4:])
	}
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: inv.args[4]}, Data: map[string][]byte{}}
	add := func(k string, v []byte) error {
		if _, dup := s.Data[k]; dup {
			return fmt.Errorf("key %s given twice", k)
		}
		s.Data[k] = v
		return nil
	}
	for _, lit := range inv.flags["--from-literal"] {
		k, v, ok := strings.Cut(lit, "=")
		if !ok {
			return fmt.Errorf("--from-literal=%s: no =", lit)
		}
		if err := add(k, []byte(v)); err != nil {
			return err
		}
	}
	for _, f := range inv.flags["--from-file"] {
		k, path, ok := strings.Cut(f, "=")
		if !ok {
			k, path = filepath.Base(f), f
		}
		v, err := os.ReadFile(filepath.Join(r.work, path))
		if err != nil {
			return err
		}
		if err := add(k, v); err != nil {
			return err
		}
	}
	if v, ok := s.Data[proxySecretKey]; ok {
		if err := server.CheckProxySecret(v); err != nil {
			return fmt.Errorf("Kubedeck would refuse this proxy secret at start: it %v", err)
		}
	}
	_, err := r.admin.CoreV1().Secrets(r.namespace(inv.flag("-n"))).Create(r.t.Context(), s, metav1.CreateOptions{})
	return err
}

func (r *docRun) deleteSecret(inv invocation) error {
	if len(inv.args) != 4 {
		return fmt.Errorf("want one name, got %q", inv.args[3:])
	}
	return r.admin.CoreV1().Secrets(r.namespace(inv.flag("-n"))).Delete(r.t.Context(), inv.args[3], metav1.DeleteOptions{})
}

// createRoleBinding binds the ClusterRole, and waits until each subject
// may do what the role's first rule allows.
func (r *docRun) createRoleBinding(inv invocation) error {
	if len(inv.args) != 4 || inv.flag("--clusterrole") == "" {
		return fmt.Errorf("want a name and --clusterrole, got %q", inv.args[3:])
	}
	ctx, ns := r.t.Context(), r.namespace(inv.flag("-n"))
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: inv.args[3]},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: inv.flag("--clusterrole")},
	}
	for _, u := range inv.flags["--user"] {
		rb.Subjects = append(rb.Subjects, rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: u})
	}
	for _, g := range inv.flags["--group"] {
		rb.Subjects = append(rb.Subjects, rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: g})
	}
	if len(rb.Subjects) == 0 {
		return errors.New("binds no --user or --group")
	}
	if _, err := r.admin.RbacV1().RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		return err
	}
	// kubectl binds a role that does not exist without a word.
	var rule rbacv1.PolicyRule
	if err := eventually(10*time.Second, func() error {
		role, err := r.admin.RbacV1().ClusterRoles().Get(ctx, rb.RoleRef.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, rl := range role.Rules {
			if len(rl.Verbs) > 0 && len(rl.Resources) > 0 && len(rl.APIGroups) > 0 && rl.Verbs[0] != "*" && rl.Resources[0] != "*" {
				rule = rl
				return nil
			}
		}
		return fmt.Errorf("ClusterRole %s grants nothing on a named resource", rb.RoleRef.Name)
	}); err != nil {
		return err
	}
	for _, s := range rb.Subjects {
		spec := authorizationv1.SubjectAccessReviewSpec{User: s.Name, ResourceAttributes: &authorizationv1.ResourceAttributes{
			Namespace: ns, Verb: rule.Verbs[0], Group: rule.APIGroups[0], Resource: rule.Resources[0]}}
		if s.Kind == rbacv1.GroupKind {
			spec.User, spec.Groups = "someone-in-"+s.Name, []string{s.Name}
		}
		if err := eventually(10*time.Second, func() error {
			sar := &authorizationv1.SubjectAccessReview{Spec: spec}
			got, err := r.admin.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
			if err == nil && !got.Status.Allowed {
				err = fmt.Errorf("%s %s may not %s %s in %s", s.Kind, s.Name, rule.Verbs[0], rule.Resources[0], ns)
			}
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// rolloutRestart restarts a Deployment's pods as kubectl does: a new
// restartedAt annotation on the pod template.
func (r *docRun) rolloutRestart(inv invocation) error {
	kind, name, _ := strings.Cut(inv.args[len(inv.args)-1], "/")
	if len(inv.args) != 4 || !slices.Contains([]string{"deploy", "deployment", "deployments"}, kind) {
		return fmt.Errorf("want deploy/NAME, got %q", inv.args[3:])
	}
	deployments := r.admin.AppsV1().Deployments(r.namespace(inv.flag("-n")))
	before, err := deployments.Get(r.t.Context(), name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	patch := fmt.Sprintf(`{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":%q}}}}}`, time.Now().Format(time.RFC3339))
	after, err := deployments.Patch(r.t.Context(), name, types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{})
	if err != nil {
		return err
	}
	if after.Generation <= before.Generation {
		return fmt.Errorf("deployment %s: generation %d after %d: no new rollout", name, after.Generation, before.Generation)
	}
	return nil
}

func (r *docRun) printf(inv invocation) error {
	if len(inv.args) != 3 || inv.args[1] != "%s" || inv.out == "" {
		return fmt.Errorf("want printf '%%s' VALUE > FILE, got %q > %q", inv.args, inv.out)
	}
	return os.WriteFile(filepath.Join(r.work, inv.out), []byte(inv.args[2]), 0o600)
}

func (r *docRun) rm(inv invocation) error {
	if len(inv.args) != 2 {
		return fmt.Errorf("want rm FILE, got %q", inv.args)
	}
	return os.Remove(filepath.Join(r.work, inv.args[1]))
}

// eventually calls f until it returns nil or within has passed, and
// returns its last error.
func eventually(within time.Duration, f func() error) error {
	deadline := time.Now().Add(within)
	for {
		err := f()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}
