package shared

import (
	// Digests in image references ("b@sha256:…") parse only when the hash
	// is linked in.
	_ "crypto/sha256"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/distribution/reference"
	"github.com/kubedeck/kubedeck/shared/validation"
)

// Bounds on the parts of a spec, so one form cannot make a huge object.
const (
	maxCommandWords = 100
	maxWordLength   = 4096
	maxEnvVars      = 200
	maxEnvValue     = 32 << 10
	maxVolumes      = 20
	maxImageLength  = 512
)

// ErrCodeDeployment is the code of every rule of the deployment spec
// (validation.Error.Code); the message says what is wrong.
const ErrCodeDeployment = "validation_deployment"

// Validate checks the spec against a cluster that configured nothing
// (DefaultDeploymentConfig).
func (s DeploymentSpec) Validate() error { return s.ValidateFor(DefaultDeploymentConfig()) }

// ValidateFor checks the spec against the cluster's configuration c. The
// error is a validation.Errors keyed by the JSON names of the fields (nested
// by index for env and volumes: {"env":{"1":{"name":"…"}}}), each message
// written for the person filling the form.
func (s DeploymentSpec) ValidateFor(c DeploymentConfig) error {
	maxReplicas := c.MaxReplicas
	if maxReplicas <= 0 {
		maxReplicas = DefaultDeploymentConfig().MaxReplicas
	}
	return validation.ValidateStruct(&s,
		validation.Field(&s.Name, rule(func(v string) string { return appNameProblem(v) })),
		validation.Field(&s.Namespace, rule(func(v string) string {
			if v == "" {
				return "Choose a namespace."
			}
			return labelProblem(v)
		})),
		validation.Field(&s.Image, rule(imageProblem)),
		validation.Field(&s.PullSecret, rule(func(v string) string {
			if v == "" {
				return ""
			}
			return subdomainProblem(v)
		})),
		validation.Field(&s.Port, intRule(func(p int) string {
			switch {
			case p == 0 && s.Exposure.Exposed():
				return "An exposed app needs the port its container listens on."
			case p < 0 || p > 65535:
				return "A port is a number from 1 to 65535."
			}
			return ""
		})),
		validation.Field(&s.Replicas, intRule(func(n int) string {
			if n < 1 || n > maxReplicas {
				return fmt.Sprintf("Run from 1 to %d replicas.", maxReplicas)
			}
			return ""
		})),
		validation.Field(&s.Exposure, rule(func(e string) string { return s.exposureProblem(Exposure(e), c) })),
		validation.Field(&s.CPURequest, rule(quantityProblem)),
		validation.Field(&s.CPULimit, rule(func(v string) string { return limitProblem(v, s.CPURequest, "CPU") })),
		validation.Field(&s.MemoryRequest, rule(quantityProblem)),
		validation.Field(&s.MemoryLimit, rule(func(v string) string { return limitProblem(v, s.MemoryRequest, "memory") })),
		validation.Field(&s.GPU, intRule(func(n int) string {
			switch {
			case n == 0:
				return ""
			case n < 0:
				return "The number of GPUs cannot be negative."
			case c.MaxGPU <= 0:
				return "This cluster offers no GPUs."
			case n > c.MaxGPU:
				return fmt.Sprintf("An app may use at most %d GPUs here.", c.MaxGPU)
			}
			return ""
		})),
		validation.Field(&s.Command, wordsRule("command")),
		validation.Field(&s.Args, wordsRule("argument")),
		validation.Field(&s.Env, validation.By(func(any) error { return envErrors(s.Env) })),
		validation.Field(&s.Volumes, validation.By(func(any) error { return volumeErrors(s.Volumes, c) })),
	)
}

// Warnings are the spec's doubtful but valid choices, keyed like
// ValidateFor's errors: an image without a tag or with "latest", memory
// asked for in milli-bytes.
func (s DeploymentSpec) Warnings() map[string]string {
	w := map[string]string{}
	if ref, err := reference.ParseNormalizedNamed(s.Image); err == nil {
		tagged, hasTag := ref.(reference.Tagged)
		_, hasDigest := ref.(reference.Digested)
		switch {
		case hasDigest:
		case !hasTag:
			w["image"] = "No tag: Kubernetes will pull \"latest\", which can change under the app. Name a version, such as " + reference.FamiliarName(ref) + ":1.2."
		case tagged.Tag() == "latest":
			w["image"] = "\"latest\" can change under the app. Name a version instead."
		}
	}
	for field, v := range map[string]string{"memoryRequest": s.MemoryRequest, "memoryLimit": s.MemoryLimit} {
		if strings.HasSuffix(v, "m") {
			w[field] = v + " is in thousandths of a byte; did you mean " + strings.TrimSuffix(v, "m") + "Mi?"
		}
	}
	return w
}

// rule is a validation rule over a string field that reports the problem
// fn finds ("" when none).
func rule(fn func(string) string) validation.Rule {
	return validation.By(func(v any) error {
		s, _ := v.(string)
		if e, ok := v.(Exposure); ok {
			s = string(e)
		}
		return problem(fn(s))
	})
}

// intRule is rule over an int field.
func intRule(fn func(int) string) validation.Rule {
	return validation.By(func(v any) error {
		n, _ := v.(int)
		return problem(fn(n))
	})
}

// problem is the validation error with message msg, nil when msg is empty.
func problem(msg string) error {
	if msg == "" {
		return nil
	}
	return validation.NewError(ErrCodeDeployment, msg)
}

// appNameProblem checks an app's name: a DNS-1123 label that starts with a
// letter, because its Service takes the same name.
func appNameProblem(v string) string {
	if v == "" {
		return "Name the app."
	}
	if p := labelProblem(v); p != "" {
		return p
	}
	if v[0] < 'a' || v[0] > 'z' {
		return "Start with a letter: the app's Service takes the same name."
	}
	return ""
}

// labelProblem and subdomainProblem say, as a sentence, what is wrong with
// a name by the shared name rules.
func labelProblem(v string) string     { return sentence(checkLabel(v)) }
func subdomainProblem(v string) string { return sentence(checkSubdomain(v)) }

func sentence(err error) string {
	if err == nil {
		return ""
	}
	var ve validation.Error
	msg := err.Error()
	if errors.As(err, &ve) {
		msg = ve.Message()
	}
	return "It " + msg + "."
}

// imageProblem checks a container image reference.
func imageProblem(v string) string {
	switch {
	case v == "":
		return "Name the container image, such as nginx:1.27 or registry.example.com/team/app:1.0."
	case len(v) > maxImageLength:
		return fmt.Sprintf("An image reference has at most %d characters.", maxImageLength)
	case strings.TrimSpace(v) != v:
		return "Remove the spaces around the image."
	}
	_, err := reference.ParseNormalizedNamed(v)
	if err == nil {
		return ""
	}
	// The parser's errors are terse; say which part is wrong.
	name, digest, hasDigest := strings.Cut(v, "@")
	last := name[strings.LastIndex(name, "/")+1:]
	_, tag, hasTag := strings.Cut(last, ":")
	switch {
	case strings.Contains(err.Error(), "must be lowercase"):
		return "Image names are lower case (tags may have capitals)."
	case errors.Is(err, reference.ErrNameTooLong):
		return "The image name is too long."
	case hasDigest && digest == "", hasTag && tag == "":
		return "Something must follow the final '" + v[len(v)-1:] + "': a tag (nginx:1.27) or a digest (nginx@sha256:…)."
	case hasDigest && !validDigest(digest):
		return "The digest after '@' is not valid: use sha256: and 64 lower-case hex digits."
	case hasTag && !validTag(tag):
		return "The tag after ':' may have only letters, digits, '_', '.' and '-' (at most 128, not starting with '.' or '-')."
	}
	return "This is not an image reference: use name[:tag] or name@sha256:digest, such as nginx:1.27."
}

// validDigest says whether d is sha256: and 64 lower-case hex digits, the
// digest Kubernetes pulls by.
func validDigest(d string) bool {
	hex, ok := strings.CutPrefix(d, "sha256:")
	if !ok || len(hex) != 64 {
		return false
	}
	for _, c := range hex {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// validTag says whether t is an image tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
func validTag(t string) bool {
	if t == "" || len(t) > 128 || t[0] == '.' || t[0] == '-' {
		return false
	}
	for _, c := range t {
		if !(c == '_' || c == '.' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// exposureProblem checks the exposure: a known one, that the cluster can
// give, with a host that fits in DNS.
func (s DeploymentSpec) exposureProblem(e Exposure, c DeploymentConfig) string {
	switch e {
	case ExposeNone, ExposeInternal:
		return ""
	case ExposePrivate, ExposePublic:
	case "":
		return "Choose who can reach the app."
	default:
		return "Choose none, internal, private or public."
	}
	if c.Domain == "" {
		return "This cluster has no domain for apps, so an app cannot be reached from outside it."
	}
	if e == ExposePrivate && !c.Private {
		return "This cluster has no sign-in for apps, so private exposure is not offered."
	}
	if s.Name == "" || s.Namespace == "" {
		return ""
	}
	host := c.Host(s.Name, s.Namespace)
	first, _, _ := strings.Cut(host, ".")
	if len(first) > MaxLabelLength {
		return fmt.Sprintf("The app's address would be %s, whose first part has %d characters; DNS allows %d. Shorten the name by %d.",
			host, len(first), MaxLabelLength, len(first)-MaxLabelLength)
	}
	if len(host) > MaxSubdomainLength {
		return fmt.Sprintf("The app's address would have %d characters; DNS allows %d. Shorten the name.", len(host), MaxSubdomainLength)
	}
	return ""
}

// quantityProblem checks a request: empty, or a quantity that is not
// negative.
func quantityProblem(v string) string {
	if v == "" {
		return ""
	}
	q, err := ParseQuantity(v)
	if err != nil {
		return err.Error()
	}
	if q.Sign() < 0 {
		return "It cannot be negative."
	}
	return ""
}

// limitProblem checks a limit: a quantity, not below the request.
func limitProblem(limit, request, what string) string {
	if p := quantityProblem(limit); p != "" || limit == "" || request == "" {
		return p
	}
	l, _ := ParseQuantity(limit)
	r, err := ParseQuantity(request)
	if err == nil && l.Cmp(r) < 0 {
		return fmt.Sprintf("The %s limit (%s) is below the request (%s).", what, limit, request)
	}
	return ""
}

// wordsRule bounds a command or its arguments.
func wordsRule(what string) validation.Rule {
	return validation.By(func(v any) error {
		words, _ := v.([]string)
		if len(words) > maxCommandWords {
			return problem(fmt.Sprintf("At most %d %ss.", maxCommandWords, what))
		}
		for i, w := range words {
			if len(w) > maxWordLength {
				return problem(fmt.Sprintf("The %s %d is longer than %d characters.", what, i+1, maxWordLength))
			}
		}
		return nil
	})
}

// envErrors checks the environment variables, keyed by index.
func envErrors(env []EnvVar) error {
	if len(env) > maxEnvVars {
		return problem(fmt.Sprintf("At most %d environment variables.", maxEnvVars))
	}
	errs := validation.Errors{}
	seen := map[string]int{}
	for i, e := range env {
		fe := validation.Errors{}
		if p := envNameProblem(e.Name); p != "" {
			fe["name"] = problem(p)
		} else if j, dup := seen[e.Name]; dup {
			fe["name"] = problem(fmt.Sprintf("%s is already set by variable %d.", e.Name, j+1))
		} else {
			seen[e.Name] = i
		}
		sources := 0
		if e.SecretKeyRef != nil {
			sources++
			if err := keyRefErrors(*e.SecretKeyRef, "Secret"); err != nil {
				fe["secretKeyRef"] = err
			}
		}
		if e.ConfigMapKeyRef != nil {
			sources++
			if err := keyRefErrors(*e.ConfigMapKeyRef, "ConfigMap"); err != nil {
				fe["configMapKeyRef"] = err
			}
		}
		switch {
		case sources > 1 || sources == 1 && e.Value != "":
			fe["value"] = problem("Give a value, or a Secret's key, or a ConfigMap's key: only one.")
		case len(e.Value) > maxEnvValue:
			fe["value"] = problem(fmt.Sprintf("A value has at most %d bytes.", maxEnvValue))
		}
		if len(fe) > 0 {
			errs[fmt.Sprint(i)] = fe
		}
	}
	return errs.Filter()
}

// envNameProblem checks an environment variable's name, which must match
// [A-Za-z_][A-Za-z0-9_]*.
func envNameProblem(name string) string {
	if name == "" {
		return "Name the variable."
	}
	if len(name) > 256 {
		return "A variable's name has at most 256 characters."
	}
	for i, c := range name {
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		case c >= '0' && c <= '9':
			return "A variable's name cannot start with a digit."
		default:
			return fmt.Sprintf("A variable's name has only letters, digits and '_' (not %s).", quoteRune(c))
		}
	}
	return ""
}

// keyRefErrors checks a reference to a key of a Secret or a ConfigMap.
func keyRefErrors(r KeyRef, kind string) error {
	errs := validation.Errors{}
	if r.Name == "" {
		errs["name"] = problem("Name the " + kind + ".")
	} else if p := subdomainProblem(r.Name); p != "" {
		errs["name"] = problem(p)
	}
	if p := configKeyProblem(r.Key); p != "" {
		errs["key"] = problem(p)
	}
	return errs.Filter()
}

// configKeyProblem checks a key of a Secret or ConfigMap: at most 253 of
// letters, digits, '-', '_' and '.', and not "." or "..".
func configKeyProblem(k string) string {
	switch {
	case k == "":
		return "Name the key."
	case len(k) > MaxSubdomainLength:
		return fmt.Sprintf("A key has at most %d characters.", MaxSubdomainLength)
	case k == "." || k == "..":
		return "A key cannot be " + k + "."
	}
	for _, c := range k {
		if !(c == '-' || c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return fmt.Sprintf("A key has only letters, digits, '-', '_' and '.' (not %s).", quoteRune(c))
		}
	}
	return ""
}

// volumeErrors checks the volumes, keyed by index: types the cluster has,
// a claim for a PVC, mount paths absolute, clean and distinct.
func volumeErrors(vols []Volume, c DeploymentConfig) error {
	if len(vols) > maxVolumes {
		return problem(fmt.Sprintf("At most %d volumes.", maxVolumes))
	}
	errs := validation.Errors{}
	paths := map[string]int{}
	for i, v := range vols {
		fe := validation.Errors{}
		switch v.Type {
		case VolumePVC:
			if v.Claim == "" {
				fe["claim"] = problem("Choose the claim to mount.")
			} else if p := subdomainProblem(v.Claim); p != "" {
				fe["claim"] = problem(p)
			}
		case VolumeSharedPVC:
			if c.SharedPVC == "" {
				fe["type"] = problem("This cluster has no shared volume.")
			}
		case VolumeSSOToken:
			if c.SSOTokenSecret == "" {
				fe["type"] = problem("This cluster has no sign-in token to mount.")
			}
		case "":
			fe["type"] = problem("Choose what to mount.")
		default:
			fe["type"] = problem("Choose pvc, sharedPvc or ssoToken.")
		}
		switch p := v.MountPath; {
		case p == "":
			fe["mountPath"] = problem("Say where to mount it, such as /data.")
		case !strings.HasPrefix(p, "/"):
			fe["mountPath"] = problem("A mount path is absolute: it starts with '/'.")
		case p == "/":
			fe["mountPath"] = problem("A volume cannot hide the whole file system: mount it below '/'.")
		case len(p) > 1024:
			fe["mountPath"] = problem("A mount path has at most 1024 characters.")
		case path.Clean(p) != p:
			fe["mountPath"] = problem("Write the path plainly: no '..', '.', '//' or trailing '/' (" + path.Clean(p) + ").")
		default:
			if j, dup := paths[p]; dup {
				fe["mountPath"] = problem(fmt.Sprintf("Volume %d is already mounted at %s.", j+1, p))
			} else {
				paths[p] = i
			}
		}
		if len(fe) > 0 {
			errs[fmt.Sprint(i)] = fe
		}
	}
	return errs.Filter()
}

// FieldError is the message of the error at a field of err, a
// validation.Errors from ValidateFor: FieldError(err, "env", "0", "name").
// It is "" when that field has no error; a field whose parts have errors
// reports the first of them, by key.
func FieldError(err error, field ...string) string {
	for _, f := range field {
		es, ok := err.(validation.Errors)
		if !ok {
			return ""
		}
		if err = es[f]; err == nil {
			return ""
		}
	}
	if es, ok := err.(validation.Errors); ok {
		keys := make([]string, 0, len(es))
		for k := range es {
			keys = append(keys, k)
		}
		if len(keys) == 0 {
			return ""
		}
		first := keys[0]
		for _, k := range keys[1:] {
			first = min(first, k)
		}
		return FieldError(es[first])
	}
	var ve validation.Error
	if errors.As(err, &ve) {
		return ve.Message()
	}
	if err == nil {
		return ""
	}
	return err.Error()
}
