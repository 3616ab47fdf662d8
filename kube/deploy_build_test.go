package kube

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubedeck/kubedeck/shared"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata with what the tests got")

// deployCase is one spec the builder tests build.
type deployCase struct {
	name  string
	spec  shared.DeploymentSpec
	owner string
	cfg   DeployConfig
	// host and url are what BuildDeployment should report.
	host, url string
}

// deployCases are the specs of the golden files testdata/deploy_<name>.golden.yaml.
func deployCases() []deployCase {
	cluster := DeployConfig{
		DeploymentConfig: shared.DefaultDeploymentConfig(),
		IngressClass:     "nginx",
		TLSSecret:        "wildcard-tls",
	}
	cluster.Domain = "apps.example.com"
	cluster.MaxGPU = 4
	cluster.SharedPVC = "shared-data"
	cluster.SSOTokenSecret = "sso-token"

	private := DeployConfig{DeploymentConfig: shared.DefaultDeploymentConfig()}
	private.Domain = "apps.example.com"
	private.Private = true
	private.PrivateAnnotations = map[string]string{
		"nginx.ingress.kubernetes.io/auth-url":    "https://auth.example.com/oauth2/auth",
		"nginx.ingress.kubernetes.io/auth-signin": "https://auth.example.com/oauth2/start?rd=$escaped_request_uri",
		// Kubedeck's own annotation wins over the configuration's.
		AnnotationOwner: "someone-else",
	}

	return []deployCase{
		{
			name:  "minimal",
			spec:  shared.DeploymentSpec{Name: "web", Namespace: "team-a", Image: "nginx", Replicas: 1, Exposure: shared.ExposeNone},
			owner: "alice",
			cfg:   DeployConfig{DeploymentConfig: shared.DefaultDeploymentConfig()},
		},
		{
			name: "public",
			spec: shared.DeploymentSpec{
				Name: "trainer", Namespace: "team-a",
				Image: "reg.example.com:5000/ml/trainer:1.2", PullSecret: "regcred",
				Port: 8080, Replicas: 2, Exposure: shared.ExposePublic,
				CPURequest: "500m", CPULimit: "2", MemoryRequest: "1Gi", MemoryLimit: "4Gi",
				GPU: 2,
				Volumes: []shared.Volume{
					{Type: shared.VolumePVC, Claim: "datasets", MountPath: "/data"},
					{Type: shared.VolumeSharedPVC, MountPath: "/shared", ReadOnly: true},
					{Type: shared.VolumeSSOToken, MountPath: "/var/run/sso"},
				},
			},
			owner: "alice@example.com",
			cfg:   cluster,
			host:  "trainer.team-a.apps.example.com",
			url:   "https://trainer.team-a.apps.example.com/",
		},
		{
			name: "private",
			spec: shared.DeploymentSpec{
				Name: "notes", Namespace: "team-b", Image: "ghcr.io/example/notes@sha256:" + strings.Repeat("ab", 32),
				Port: 3000, Replicas: 1, Exposure: shared.ExposePrivate,
				Command: []string{"/bin/notes"}, Args: []string{"--listen", ":3000"},
				Env: []shared.EnvVar{
					{Name: "DB_PASSWORD", SecretKeyRef: &shared.KeyRef{Name: "notes-db", Key: "password"}},
					{Name: "LOG_LEVEL", Value: "debug"},
				},
			},
			owner: "bob",
			cfg:   private,
			host:  "notes.team-b.apps.example.com",
			url:   "http://notes.team-b.apps.example.com/",
		},
	}
}

func TestBuildDeploymentGolden(t *testing.T) {
	for _, tc := range deployCases() {
		t.Run(tc.name, func(t *testing.T) {
			objs, err := BuildDeployment(tc.spec, tc.owner, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if objs.Host != tc.host || objs.URL != tc.url {
				t.Errorf("host %q, URL %q; want %q, %q", objs.Host, objs.URL, tc.host, tc.url)
			}
			created, err := objs.YAML()
			if err != nil {
				t.Fatal(err)
			}
			pod, err := objs.Pod.YAML()
			if err != nil {
				t.Fatal(err)
			}
			got := created + "---\n# The Pod of the dry run, never created.\n" + pod

			path := filepath.Join("testdata", "deploy_"+tc.name+".golden.yaml")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./kube/ -run %s -update to write it)", err, t.Name())
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("objects differ from %s (-want +got):\n%s", path, diff)
			}
		})
	}
}

func TestBuildDeploymentObjects(t *testing.T) {
	want := map[string][]string{
		"minimal": {"Deployment"},
		"public":  {"Deployment", "Service", "Ingress"},
		"private": {"Deployment", "Service", "Ingress"},
	}
	for _, tc := range deployCases() {
		t.Run(tc.name, func(t *testing.T) {
			objs, err := BuildDeployment(tc.spec, tc.owner, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, o := range objs.Created() {
				kinds = append(kinds, o.Kind())
			}
			if diff := cmp.Diff(want[tc.name], kinds); diff != "" {
				t.Errorf("created kinds (-want +got):\n%s", diff)
			}
			if objs.Pod == nil || objs.Pod.Name() != "" || objs.Pod.u.GetGenerateName() != tc.spec.Name+"-dryrun-" {
				t.Errorf("dry-run Pod %v, want one with generateName %q and no name", objs.Pod, tc.spec.Name+"-dryrun-")
			}
		})
	}
}

// TestBuildDeploymentOwner checks that a user name that is no label value
// still makes valid objects, with the name as it is in the annotation.
func TestBuildDeploymentOwner(t *testing.T) {
	const owner = "alice@example.com"
	for _, tc := range deployCases() {
		if tc.owner != owner {
			continue
		}
		objs, err := BuildDeployment(tc.spec, tc.owner, tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range append(objs.Created(), objs.Pod) {
			label := o.u.GetLabels()[LabelOwner]
			if errs := validation.IsValidLabelValue(label); len(errs) > 0 || label == "" {
				t.Errorf("%s: owner label %q is not a valid label value: %v", o.Kind(), label, errs)
			}
			if got := o.u.GetAnnotations()[AnnotationOwner]; got != owner {
				t.Errorf("%s: owner annotation %q, want %q", o.Kind(), got, owner)
			}
		}
		return
	}
	t.Fatalf("no case is deployed by %q", owner)
}

// TestBuildDeploymentRoundTrip checks that every object decodes strictly
// into its client-go type (no unknown or duplicate field) and converts back
// to the same object.
func TestBuildDeploymentRoundTrip(t *testing.T) {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{appsv1.AddToScheme, corev1.AddToScheme, networkingv1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	decoder := serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()
	for _, tc := range deployCases() {
		objs, err := BuildDeployment(tc.spec, tc.owner, tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range append(objs.Created(), objs.Pod) {
			t.Run(tc.name+"/"+o.Kind(), func(t *testing.T) {
				y, err := o.YAML()
				if err != nil {
					t.Fatal(err)
				}
				typed, _, err := decoder.Decode([]byte(y), nil, nil)
				if err != nil {
					t.Fatalf("strict decoding: %v", err)
				}
				back, err := builtObject(typed)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(o.Fields(), back.Fields()); diff != "" {
					t.Errorf("round trip (-built +decoded):\n%s", diff)
				}
			})
		}
	}
}

func TestBuildDeploymentErrors(t *testing.T) {
	valid := func(f func(*shared.DeploymentSpec)) shared.DeploymentSpec {
		s := shared.DeploymentSpec{Name: "web", Namespace: "team-a", Image: "nginx", Port: 8080, Replicas: 1, Exposure: shared.ExposeInternal}
		f(&s)
		return s
	}
	withDomain := DeployConfig{DeploymentConfig: shared.DefaultDeploymentConfig()}
	withDomain.Domain = "apps.example.com"
	tests := []struct {
		name string
		spec shared.DeploymentSpec
		cfg  DeployConfig
	}{
		{name: "bad CPU request", spec: valid(func(s *shared.DeploymentSpec) { s.CPURequest = "lots" }), cfg: withDomain},
		{name: "bad memory limit", spec: valid(func(s *shared.DeploymentSpec) { s.MemoryLimit = "1 GiB" }), cfg: withDomain},
		{name: "public without a domain", spec: valid(func(s *shared.DeploymentSpec) { s.Exposure = shared.ExposePublic }), cfg: DeployConfig{DeploymentConfig: shared.DefaultDeploymentConfig()}},
		{name: "private without a domain", spec: valid(func(s *shared.DeploymentSpec) { s.Exposure = shared.ExposePrivate }), cfg: DeployConfig{DeploymentConfig: shared.DefaultDeploymentConfig()}},
		{name: "exposed without a port", spec: valid(func(s *shared.DeploymentSpec) { s.Port = 0 }), cfg: withDomain},
		{name: "shared claim not configured", spec: valid(func(s *shared.DeploymentSpec) {
			s.Volumes = []shared.Volume{{Type: shared.VolumeSharedPVC, MountPath: "/shared"}}
		}), cfg: withDomain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := BuildDeployment(tt.spec, "alice", tt.cfg)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v, want one wrapping ErrInvalid", err)
			}
			if publicMessage(err) == "" {
				t.Errorf("error %v has no message for people", err)
			}
		})
	}
}

func TestOwnerLabelValue(t *testing.T) {
	hashed := OwnerLabelValue("a@b")
	tests := []struct {
		name, user string
		// want is the exact value; when empty, the value must start with
		// prefix and carry a hash.
		want, prefix string
	}{
		{name: "plain", user: "alice", want: "alice"},
		{name: "valid with symbols", user: "alice.smith_2-x", want: "alice.smith_2-x"},
		{name: "empty", user: "", want: ""},
		{name: "e-mail", user: "alice@example.com", prefix: "alice-example.com-"},
		{name: "at sign", user: "a@b", prefix: "a-b-"},
		{name: "dot", user: "a.b", want: "a.b"},
		{name: "dash", user: "a-b", want: "a-b"},
		{name: "looks hashed", user: hashed, prefix: hashed + "-"},
		{name: "63 characters", user: strings.Repeat("x", 63), want: strings.Repeat("x", 63)},
		{name: "64 characters", user: strings.Repeat("x", 64), prefix: strings.Repeat("x", 46) + "-"},
		{name: "300 characters", user: strings.Repeat("ab", 150), prefix: strings.Repeat("ab", 23) + "-"},
		{name: "cut before a symbol", user: strings.Repeat("a", 45) + "@@" + strings.Repeat("b", 20), prefix: strings.Repeat("a", 45) + "-"},
		{name: "unicode", user: "José Müller", prefix: "Jos--M-ller-"},
		{name: "only unicode", user: "日本語", prefix: "user-"},
		{name: "all symbols", user: "@#$%^&*()!", prefix: "user-"},
		{name: "label symbols only", user: ".-_", prefix: "user-"},
		{name: "leading dot", user: ".alice", prefix: "alice-"},
		{name: "service account", user: "system:serviceaccount:ns:sa", prefix: "system-serviceaccount-ns-sa-"},
		{name: "space", user: "alice smith", prefix: "alice-smith-"},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := OwnerLabelValue(tt.user)
			if errs := validation.IsValidLabelValue(got); len(errs) > 0 {
				t.Errorf("OwnerLabelValue(%q) = %q, not a valid label value: %v", tt.user, got, errs)
			}
			if tt.want != "" || tt.prefix == "" {
				if got != tt.want {
					t.Errorf("OwnerLabelValue(%q) = %q, want %q", tt.user, got, tt.want)
				}
			} else if !strings.HasPrefix(got, tt.prefix) || len(got) != len(tt.prefix)+ownerHashLen || !hasOwnerHash(got) {
				t.Errorf("OwnerLabelValue(%q) = %q, want %q and a hash", tt.user, got, tt.prefix)
			}
			if again := OwnerLabelValue(tt.user); again != got {
				t.Errorf("OwnerLabelValue(%q) is %q, then %q", tt.user, got, again)
			}
			if other, ok := seen[got]; ok && other != tt.user {
				t.Errorf("%q and %q share the value %q", other, tt.user, got)
			}
			seen[got] = tt.user
		})
	}
}
