package helm

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"helm.sh/helm/v3/pkg/release"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubedeck/kubedeck/kube"
)

// Reads of releases go straight to the release Secrets with the user's
// clientset rather than through the SDK's Secrets driver: the driver
// ignores contexts, and to list releases it decodes every revision of
// every release, where a list needs only the latest of each.

// maxReleaseBytes caps a release once decompressed (a Secret holds at
// most 1 MiB compressed).
const maxReleaseBytes = 64 << 20

// releaseSecrets lists the release Secrets of namespace as u, those of
// release name only when name is not empty. Transient failures are
// retried.
func (c *Client) releaseSecrets(ctx context.Context, u kube.User, namespace, name string) ([]corev1.Secret, error) {
	cs, err := c.kc.As(u)
	if err != nil {
		return nil, err
	}
	sel := labels.Set{"owner": "helm"}
	if name != "" {
		sel["name"] = name
	}
	var list *corev1.SecretList
	err = kube.Retry(ctx, func(ctx context.Context) error {
		var err error
		list, err = cs.CoreV1().Secrets(namespace).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
		return err
	})
	if err != nil {
		return nil, kube.TranslateIn(err, namespace)
	}
	return list.Items, nil
}

// latestRevisions keeps, of each release's Secrets, the one of its latest
// revision (by the "version" label Helm sets). Secrets without Helm's
// labels are left out.
func latestRevisions(secrets []corev1.Secret) []*corev1.Secret {
	latest := map[string]*corev1.Secret{}
	version := func(s *corev1.Secret) int {
		v, err := strconv.Atoi(s.Labels["version"])
		if err != nil {
			return -1
		}
		return v
	}
	for i := range secrets {
		s := &secrets[i]
		name := s.Labels["name"]
		if name == "" || version(s) < 0 {
			continue
		}
		if cur, ok := latest[name]; !ok || version(s) > version(cur) {
			latest[name] = s
		}
	}
	out := make([]*corev1.Secret, 0, len(latest))
	for _, s := range latest {
		out = append(out, s)
	}
	return out
}

// decodeRelease reads the release a Secret of Helm's Secrets driver holds:
// its "release" key is base64 of gzipped JSON (older releases: of JSON).
// The Secret's data is already base64-decoded once by the API client;
// Helm encodes it a second time.
func decodeRelease(s *corev1.Secret) (*release.Release, error) {
	raw, err := base64.StdEncoding.DecodeString(string(s.Data["release"]))
	if err != nil {
		return nil, fmt.Errorf("helm: release Secret %s/%s: %w", s.Namespace, s.Name, err)
	}
	if len(raw) > 3 && bytes.Equal(raw[:3], []byte{0x1f, 0x8b, 0x08}) {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("helm: release Secret %s/%s: %w", s.Namespace, s.Name, err)
		}
		defer zr.Close()
		raw, err = io.ReadAll(io.LimitReader(zr, maxReleaseBytes+1))
		if err != nil {
			return nil, fmt.Errorf("helm: release Secret %s/%s: %w", s.Namespace, s.Name, err)
		}
		if len(raw) > maxReleaseBytes {
			return nil, fmt.Errorf("helm: release Secret %s/%s unpacks to more than %d bytes", s.Namespace, s.Name, maxReleaseBytes)
		}
	}
	var r release.Release
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("helm: release Secret %s/%s: %w", s.Namespace, s.Name, err)
	}
	if r.Info == nil {
		r.Info = &release.Info{}
	}
	return &r, nil
}
