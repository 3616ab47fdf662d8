package kube

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedeck/kubedeck/shared"
)

// The objects an app refers to and does not create: its pull secret, the
// Secrets and ConfigMaps its variables read, the claims it mounts. A dry run
// of the Deployment passes whether they exist or not, and the Pods then fail
// one by one (ErrImagePull, CreateContainerConfigError, Pending); so they are
// looked up, as the user, before anything is made.

// refLookups bounds the lookups of one check running at once.
const refLookups = 4

// AppReferences is what CheckAppReferences found, keyed by the spec's field
// paths ("pullSecret", "env.2.key", "volumes.0.claim"): errors that make the
// app fail, and warnings for what could not be checked or may not work.
type AppReferences struct {
	Errors   map[string]string
	Warnings map[string]string
}

// refKey names one object an app refers to.
type refKey struct {
	kind string // "Secret", "ConfigMap" or "PersistentVolumeClaim"
	name string
}

// refFound is one lookup's result: the object's type, keys and access
// modes, or why it could not be read.
type refFound struct {
	secretType corev1.SecretType
	keys       map[string]bool
	modes      []corev1.PersistentVolumeAccessMode
	err        error
}

// CheckAppReferences looks up, as u, every object spec refers to in its
// namespace and reports what is missing or wrong: a pull secret that does
// not exist or is not of type kubernetes.io/dockerconfigjson, a variable's
// Secret or ConfigMap or key that does not exist, a claim that does not
// exist, and (a warning) a ReadWriteOnce claim mounted by more than one
// replica. What u may not read is a warning, not an error: the app may still
// work. Values never leave this function. The error is for failing to check
// at all (the API server unreachable, the context ended).
func (c *Client) CheckAppReferences(ctx context.Context, u User, spec shared.DeploymentSpec, cfg DeployConfig) (AppReferences, error) {
	out := AppReferences{Errors: map[string]string{}, Warnings: map[string]string{}}
	uses := appReferences(spec, cfg)
	if len(uses) == 0 {
		return out, nil
	}
	cs, err := c.As(u)
	if err != nil {
		return out, err
	}
	keys := make([]refKey, 0, len(uses))
	for _, use := range uses {
		if !slices.Contains(keys, use.ref) {
			keys = append(keys, use.ref)
		}
	}
	found := make(map[refKey]refFound, len(keys))
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, refLookups)
	for _, k := range keys {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			f := lookupRef(ctx, cs, spec.Namespace, k)
			mu.Lock()
			defer mu.Unlock()
			found[k] = f
		})
	}
	wg.Wait()
	for _, use := range uses {
		f := found[use.ref]
		if f.err != nil {
			switch {
			case apierrors.IsNotFound(f.err):
				out.Errors[use.path] = fmt.Sprintf("There is no %s %q in %s.", use.ref.kind, use.ref.name, spec.Namespace)
			case apierrors.IsForbidden(f.err):
				out.Warnings[use.path] = fmt.Sprintf("Not checked: you may not read the %s %q in %s; if it is missing, the app's Pods will not start.", use.ref.kind, use.ref.name, spec.Namespace)
			default:
				return out, TranslateIn(f.err, spec.Namespace)
			}
			continue
		}
		if msg, warn := use.check(f); msg != "" {
			if warn {
				out.Warnings[use.path] = msg
			} else {
				out.Errors[use.path] = msg
			}
		}
	}
	return out, nil
}

// refUse is one place of the spec that refers to an object, and what the
// object must be for it.
type refUse struct {
	path  string
	ref   refKey
	check func(refFound) (msg string, warning bool)
}

// appReferences lists the objects spec refers to, in the spec's order.
func appReferences(spec shared.DeploymentSpec, cfg DeployConfig) []refUse {
	var uses []refUse
	if spec.PullSecret != "" {
		uses = append(uses, refUse{path: "pullSecret", ref: refKey{"Secret", spec.PullSecret},
			check: func(f refFound) (string, bool) {
				if f.secretType != corev1.SecretTypeDockerConfigJson {
					return fmt.Sprintf("The Secret %q is of type %q; a pull secret must be of type %q.",
						spec.PullSecret, f.secretType, corev1.SecretTypeDockerConfigJson), false
				}
				return "", false
			}})
	}
	for i, e := range spec.Env {
		ref, kind := e.SecretKeyRef, "Secret"
		if ref == nil {
			ref, kind = e.ConfigMapKeyRef, "ConfigMap"
		}
		if ref == nil || ref.Name == "" {
			continue
		}
		key := ref.Key
		uses = append(uses, refUse{path: "env." + strconv.Itoa(i) + ".key", ref: refKey{kind, ref.Name},
			check: func(f refFound) (string, bool) {
				if !f.keys[key] {
					return fmt.Sprintf("The %s %q has no key %q.", kind, ref.Name, key), false
				}
				return "", false
			}})
	}
	for i, v := range spec.Volumes {
		claim := v.Claim
		switch v.Type {
		case shared.VolumeSharedPVC:
			claim = cfg.SharedPVC
		case shared.VolumeSSOToken:
			if cfg.SSOTokenSecret != "" {
				uses = append(uses, refUse{path: "volumes." + strconv.Itoa(i) + ".type",
					ref: refKey{"Secret", cfg.SSOTokenSecret}, check: func(refFound) (string, bool) { return "", false }})
			}
			continue
		}
		if claim == "" {
			continue
		}
		uses = append(uses, refUse{path: "volumes." + strconv.Itoa(i) + ".claim", ref: refKey{"PersistentVolumeClaim", claim},
			check: func(f refFound) (string, bool) {
				if spec.Replicas > 1 && slices.Contains(f.modes, corev1.ReadWriteOnce) &&
					!slices.Contains(f.modes, corev1.ReadWriteMany) && !slices.Contains(f.modes, corev1.ReadOnlyMany) {
					return fmt.Sprintf("The claim %q is ReadWriteOnce: all %d replicas must then run on one node, or the others stay Pending. Use one replica or a ReadWriteMany claim.",
						claim, spec.Replicas), true
				}
				return "", false
			}})
	}
	return uses
}

// lookupRef reads one object as the client's user. Of a Secret only its
// type and the names of its keys are kept.
func lookupRef(ctx context.Context, cs kubernetes.Interface, namespace string, k refKey) refFound {
	switch k.kind {
	case "Secret":
		s, err := cs.CoreV1().Secrets(namespace).Get(ctx, k.name, metav1.GetOptions{})
		if err != nil {
			return refFound{err: err}
		}
		keys := make(map[string]bool, len(s.Data)+len(s.StringData))
		for key := range s.Data {
			keys[key] = true
		}
		return refFound{secretType: s.Type, keys: keys}
	case "ConfigMap":
		m, err := cs.CoreV1().ConfigMaps(namespace).Get(ctx, k.name, metav1.GetOptions{})
		if err != nil {
			return refFound{err: err}
		}
		keys := make(map[string]bool, len(m.Data)+len(m.BinaryData))
		for key := range m.Data {
			keys[key] = true
		}
		for key := range m.BinaryData {
			keys[key] = true
		}
		return refFound{keys: keys}
	default:
		p, err := cs.CoreV1().PersistentVolumeClaims(namespace).Get(ctx, k.name, metav1.GetOptions{})
		if err != nil {
			return refFound{err: err}
		}
		return refFound{modes: p.Spec.AccessModes}
	}
}
