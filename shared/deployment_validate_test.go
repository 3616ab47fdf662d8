package shared

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// validSpec is a spec every rule accepts; each case changes one thing.
func validSpec() DeploymentSpec {
	return DeploymentSpec{Name: "web", Namespace: "team-a", Image: "nginx:1.27", Port: 8080, Replicas: 2, Exposure: ExposeInternal}
}

// testConfig is a cluster with a domain, sign-in, GPUs and both volumes.
func testConfig() DeploymentConfig {
	c := DefaultDeploymentConfig()
	c.Domain, c.Private, c.MaxGPU = "apps.example.com", true, 2
	c.SharedPVC, c.SSOTokenSecret = "shared-data", "sso-token"
	return c
}

// TestDeploymentSpecValidate runs every rule, valid and invalid, and
// compares the errors as the API sends them (JSON). The same table runs
// natively and under GOOS=js GOARCH=wasm (make test runs both), so the
// browser and the server agree on every message.
func TestDeploymentSpecValidate(t *testing.T) {
	sha := "sha256:" + strings.Repeat("ab", 32)
	tests := []struct {
		name   string
		change func(*DeploymentSpec)
		config func(*DeploymentConfig)
		want   string // the errors' JSON; "" when valid
	}{
		{name: "valid", change: func(*DeploymentSpec) {}},
		{name: "valid everything", change: func(s *DeploymentSpec) {
			s.Exposure, s.PullSecret, s.GPU = ExposePublic, "regcred", 2
			s.CPURequest, s.CPULimit, s.MemoryRequest, s.MemoryLimit = "250m", "1", "256Mi", "1Gi"
			s.Command, s.Args = []string{"python", "-m", "http.server"}, []string{"8080"}
			s.Env = []EnvVar{{Name: "MODE", Value: "prod"}, {Name: "TOKEN", SecretKeyRef: &KeyRef{Name: "api", Key: "token"}},
				{Name: "_CFG", ConfigMapKeyRef: &KeyRef{Name: "cfg", Key: "app.yaml"}}}
			s.Volumes = []Volume{{Type: VolumePVC, Claim: "mine", MountPath: "/data"},
				{Type: VolumeSharedPVC, MountPath: "/shared", ReadOnly: true}, {Type: VolumeSSOToken, MountPath: "/var/run/sso"}}
		}},
		{name: "name empty", change: func(s *DeploymentSpec) { s.Name = "" }, want: `{"name":"Name the app."}`},
		{name: "name upper case", change: func(s *DeploymentSpec) { s.Name = "Web" },
			want: `{"name":"It must be lower case ('W' is not)."}`},
		{name: "name starts with a digit", change: func(s *DeploymentSpec) { s.Name = "1web" },
			want: `{"name":"Start with a letter: the app's Service takes the same name."}`},
		{name: "name ends with a dash", change: func(s *DeploymentSpec) { s.Name = "web-" },
			want: `{"name":"It must start and end with a letter or a digit."}`},
		{name: "name with a dot", change: func(s *DeploymentSpec) { s.Name = "web.app" },
			want: `{"name":"It must not contain '.'; use only lower-case letters, digits and '-'."}`},
		{name: "name 63", change: func(s *DeploymentSpec) { s.Name = "a" + strings.Repeat("b", 62) }},
		{name: "name 64", change: func(s *DeploymentSpec) { s.Name = "a" + strings.Repeat("b", 63) },
			want: `{"name":"It must be at most 63 characters long (it has 64)."}`},
		// A template that adds to the name's label can make it too long.
		{name: "public host too long", change: func(s *DeploymentSpec) {
			s.Name, s.Exposure = "a"+strings.Repeat("b", 59), ExposePublic
		}, config: func(c *DeploymentConfig) { c.HostTemplate = "{name}-web.{namespace}.{domain}" },
			want: `{"exposure":"The app's address would be a` + strings.Repeat("b", 59) + `-web.team-a.apps.example.com, whose first part has 64 characters; DNS allows 63. Shorten the name by 1."}`},
		{name: "public host fits", change: func(s *DeploymentSpec) { s.Name, s.Exposure = "a"+strings.Repeat("b", 58), ExposePublic },
			config: func(c *DeploymentConfig) { c.HostTemplate = "{name}-web.{namespace}.{domain}" }},
		{name: "public host of the longest name", change: func(s *DeploymentSpec) { s.Name, s.Exposure = "a"+strings.Repeat("b", 62), ExposePublic }},
		{name: "namespace empty", change: func(s *DeploymentSpec) { s.Namespace = "" }, want: `{"namespace":"Choose a namespace."}`},
		{name: "namespace invalid", change: func(s *DeploymentSpec) { s.Namespace = "team_a" },
			want: `{"namespace":"It may contain only lower-case letters, digits, '-' (not '_')."}`},
		{name: "image empty", change: func(s *DeploymentSpec) { s.Image = "" },
			want: `{"image":"Name the container image, such as nginx:1.27 or registry.example.com/team/app:1.0."}`},
		{name: "image plain", change: func(s *DeploymentSpec) { s.Image = "nginx" }},
		{name: "image with registry port", change: func(s *DeploymentSpec) { s.Image = "reg:5000/a/b:1.2" }},
		{name: "image by digest", change: func(s *DeploymentSpec) { s.Image = "b@" + sha }},
		{name: "image upper case", change: func(s *DeploymentSpec) { s.Image = "Nginx" },
			want: `{"image":"Image names are lower case (tags may have capitals)."}`},
		{name: "image empty tag", change: func(s *DeploymentSpec) { s.Image = "nginx:" },
			want: `{"image":"Something must follow the final ':': a tag (nginx:1.27) or a digest (nginx@sha256:…)."}`},
		{name: "image leading space", change: func(s *DeploymentSpec) { s.Image = " nginx" },
			want: `{"image":"Remove the spaces around the image."}`},
		{name: "image bad digest", change: func(s *DeploymentSpec) { s.Image = "b@sha256:abc" },
			want: `{"image":"The digest after '@' is not valid: use sha256: and 64 lower-case hex digits."}`},
		{name: "image bad tag", change: func(s *DeploymentSpec) { s.Image = "nginx:a$b" },
			want: `{"image":"The tag after ':' may have only letters, digits, '_', '.' and '-' (at most 128, not starting with '.' or '-')."}`},
		{name: "image tag with capitals", change: func(s *DeploymentSpec) { s.Image = "nginx:UPPER" }},
		{name: "image nonsense", change: func(s *DeploymentSpec) { s.Image = "a//b" },
			want: `{"image":"This is not an image reference: use name[:tag] or name@sha256:digest, such as nginx:1.27."}`},
		{name: "pull secret invalid", change: func(s *DeploymentSpec) { s.PullSecret = "Reg" },
			want: `{"pullSecret":"It must be lower case ('R' is not)."}`},
		{name: "port missing when exposed", change: func(s *DeploymentSpec) { s.Port = 0 },
			want: `{"port":"An exposed app needs the port its container listens on."}`},
		{name: "no port, not exposed", change: func(s *DeploymentSpec) { s.Port, s.Exposure = 0, ExposeNone }},
		{name: "port too big", change: func(s *DeploymentSpec) { s.Port = 65536 }, want: `{"port":"A port is a number from 1 to 65535."}`},
		{name: "port negative", change: func(s *DeploymentSpec) { s.Port = -1 }, want: `{"port":"A port is a number from 1 to 65535."}`},
		{name: "replicas zero", change: func(s *DeploymentSpec) { s.Replicas = 0 }, want: `{"replicas":"Run from 1 to 50 replicas."}`},
		{name: "replicas 51", change: func(s *DeploymentSpec) { s.Replicas = 51 }, want: `{"replicas":"Run from 1 to 50 replicas."}`},
		{name: "replicas configured", change: func(s *DeploymentSpec) { s.Replicas = 5 }, config: func(c *DeploymentConfig) { c.MaxReplicas = 4 },
			want: `{"replicas":"Run from 1 to 4 replicas."}`},
		{name: "exposure empty", change: func(s *DeploymentSpec) { s.Exposure = "" }, want: `{"exposure":"Choose who can reach the app."}`},
		{name: "exposure unknown", change: func(s *DeploymentSpec) { s.Exposure = "world" }, want: `{"exposure":"Choose none, internal, private or public."}`},
		{name: "public without a domain", change: func(s *DeploymentSpec) { s.Exposure = ExposePublic }, config: func(c *DeploymentConfig) { c.Domain = "" },
			want: `{"exposure":"This cluster has no domain for apps, so an app cannot be reached from outside it."}`},
		{name: "private without sign-in", change: func(s *DeploymentSpec) { s.Exposure = ExposePrivate }, config: func(c *DeploymentConfig) { c.Private = false },
			want: `{"exposure":"This cluster has no sign-in for apps, so private exposure is not offered."}`},
		{name: "cpu invalid", change: func(s *DeploymentSpec) { s.CPURequest = "1 core" }, want: `{"cpuRequest":"QUANTITY"}`},
		{name: "cpu negative", change: func(s *DeploymentSpec) { s.CPURequest = "-1" }, want: `{"cpuRequest":"It cannot be negative."}`},
		{name: "cpu limit below request", change: func(s *DeploymentSpec) { s.CPURequest, s.CPULimit = "1", "500m" },
			want: `{"cpuLimit":"The CPU limit (500m) is below the request (1)."}`},
		{name: "cpu limit equal to request", change: func(s *DeploymentSpec) { s.CPURequest, s.CPULimit = "1", "1000m" }},
		{name: "memory limit below request", change: func(s *DeploymentSpec) { s.MemoryRequest, s.MemoryLimit = "1Gi", "1000Mi" },
			want: `{"memoryLimit":"The memory limit (1000Mi) is below the request (1Gi)."}`},
		{name: "memory 1G above 953Mi", change: func(s *DeploymentSpec) { s.MemoryRequest, s.MemoryLimit = "953Mi", "1G" }},
		{name: "gpu over the maximum", change: func(s *DeploymentSpec) { s.GPU = 3 }, want: `{"gpu":"An app may use at most 2 GPUs here."}`},
		{name: "gpu on a cluster without", change: func(s *DeploymentSpec) { s.GPU = 1 }, config: func(c *DeploymentConfig) { c.MaxGPU = 0 },
			want: `{"gpu":"This cluster offers no GPUs."}`},
		{name: "gpu negative", change: func(s *DeploymentSpec) { s.GPU = -1 }, want: `{"gpu":"The number of GPUs cannot be negative."}`},
		{name: "too many args", change: func(s *DeploymentSpec) { s.Args = make([]string, 101) }, want: `{"args":"At most 100 arguments."}`},
		{name: "env bad and duplicate names", change: func(s *DeploymentSpec) {
			s.Env = []EnvVar{{Name: "A", Value: "1"}, {Name: "1A"}, {Name: "A", Value: "2"}, {Name: "B-C"}, {Name: ""}}
		}, want: `{"env":{"1":{"name":"A variable's name cannot start with a digit."},"2":{"name":"A is already set by variable 1."},` +
			`"3":{"name":"A variable's name has only letters, digits and '_' (not '-')."},"4":{"name":"Name the variable."}}}`},
		{name: "env two sources", change: func(s *DeploymentSpec) {
			s.Env = []EnvVar{{Name: "A", Value: "x", SecretKeyRef: &KeyRef{Name: "s", Key: "k"}}}
		}, want: `{"env":{"0":{"value":"Give a value, or a Secret's key, or a ConfigMap's key: only one."}}}`},
		{name: "env bad key ref", change: func(s *DeploymentSpec) {
			s.Env = []EnvVar{{Name: "A", ConfigMapKeyRef: &KeyRef{Name: "", Key: "a/b"}}}
		}, want: `{"env":{"0":{"configMapKeyRef":{"key":"A key has only letters, digits, '-', '_' and '.' (not '/').","name":"Name the ConfigMap."}}}}`},
		{name: "volumes", change: func(s *DeploymentSpec) {
			s.Volumes = []Volume{{Type: VolumePVC, MountPath: "data"}, {Type: "nfs", MountPath: "/"}, {Type: VolumeSSOToken, MountPath: "/a/../b"},
				{Type: VolumeSharedPVC, MountPath: "/x"}, {Type: VolumePVC, Claim: "c", MountPath: "/x"}}
		}, want: `{"volumes":{"0":{"claim":"Choose the claim to mount.","mountPath":"A mount path is absolute: it starts with '/'."},` +
			`"1":{"mountPath":"A volume cannot hide the whole file system: mount it below '/'.","type":"Choose pvc, sharedPvc or ssoToken."},` +
			`"2":{"mountPath":"Write the path plainly: no '..', '.', '//' or trailing '/' (/b)."},"4":{"mountPath":"Volume 4 is already mounted at /x."}}}`},
		{name: "volumes the cluster lacks", change: func(s *DeploymentSpec) {
			s.Volumes = []Volume{{Type: VolumeSharedPVC, MountPath: "/s"}, {Type: VolumeSSOToken, MountPath: "/t"}}
		}, config: func(c *DeploymentConfig) { c.SharedPVC, c.SSOTokenSecret = "", "" },
			want: `{"volumes":{"0":{"type":"This cluster has no shared volume."},"1":{"type":"This cluster has no sign-in token to mount."}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := validSpec(), testConfig()
			tt.change(&s)
			if tt.config != nil {
				tt.config(&c)
			}
			err := s.ValidateFor(c)
			got := ""
			if err != nil {
				b, merr := json.Marshal(err)
				if merr != nil {
					t.Fatalf("marshal %v: %v", err, merr)
				}
				got = string(b)
			}
			want := tt.want
			if strings.Contains(want, `"QUANTITY"`) {
				// The quantity parser words its own errors (quantity_test.go
				// checks them); here only the field matters.
				_, qerr := ParseQuantity(s.CPURequest)
				q, _ := json.Marshal(qerr.Error())
				want = strings.Replace(want, `"QUANTITY"`, string(q), 1)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeploymentSpecWarnings(t *testing.T) {
	tests := []struct {
		image, memory string
		want          []string // the fields warned about
	}{
		{image: "nginx:1.27"},
		{image: "nginx", want: []string{"image"}},
		{image: "nginx:latest", want: []string{"image"}},
		{image: "nginx@sha256:" + strings.Repeat("0", 64)},
		{image: "nginx:1", memory: "512m", want: []string{"memoryRequest"}},
	}
	for _, tt := range tests {
		s := validSpec()
		s.Image, s.MemoryRequest = tt.image, tt.memory
		var got []string
		for _, f := range []string{"image", "memoryRequest"} {
			if _, ok := s.Warnings()[f]; ok {
				got = append(got, f)
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s %s: warnings (-want +got):\n%s", tt.image, tt.memory, diff)
		}
	}
}

func TestFieldError(t *testing.T) {
	s := validSpec()
	s.Name = ""
	s.Env = []EnvVar{{Name: "1"}}
	err := s.ValidateFor(testConfig())
	for _, tt := range []struct {
		path []string
		want string
	}{
		{[]string{"name"}, "Name the app."},
		{[]string{"env", "0", "name"}, "A variable's name cannot start with a digit."},
		{[]string{"env"}, "A variable's name cannot start with a digit."},
		{[]string{"image"}, ""},
		{[]string{"env", "1"}, ""},
	} {
		if got := FieldError(err, tt.path...); got != tt.want {
			t.Errorf("FieldError(%v) = %q, want %q", tt.path, got, tt.want)
		}
	}
	if got := FieldError(nil, "name"); got != "" {
		t.Errorf("FieldError(nil) = %q", got)
	}
}

// FuzzDeploymentSpec: no JSON body makes decoding and validating panic.
func FuzzDeploymentSpec(f *testing.F) {
	f.Add(`{"name":"web","namespace":"a","image":"nginx","port":80,"replicas":1,"exposure":"public"}`)
	f.Add(`{"env":[{"name":"A","secretKeyRef":{"name":"s","key":"k"}}],"volumes":[{"type":"pvc","mountPath":"/x/.."}]}`)
	f.Add(`{"cpuRequest":"1e308","cpuLimit":"-0.000000001m","memoryRequest":"9Ei"}`)
	f.Fuzz(func(t *testing.T, body string) {
		var s DeploymentSpec
		if json.Unmarshal([]byte(body), &s) != nil {
			return
		}
		err := s.ValidateFor(testConfig())
		if err != nil {
			if _, merr := json.Marshal(err); merr != nil {
				t.Fatalf("errors do not encode: %v", merr)
			}
		}
		_ = s.Warnings()
	})
}
