package helm

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/repo"

	"github.com/kubedeck/kubedeck/kube"
)

// fetchChart finds the chart ref ("<repository>/<chart>") names at version
// (a version, a range, or "" for the latest stable one) in its
// repository's index, downloads its archive, checks it against the
// index's digest and loads it, all in memory.
func (c *Client) fetchChart(ctx context.Context, ref, version string, p *progressSink) (*chart.Chart, error) {
	r, name, err := ParseChartRef(ref, c.opts.Repositories)
	if err != nil {
		return nil, err
	}
	st := c.index(ctx, r)
	if st.index == nil {
		return nil, st.err
	}
	cv, err := st.index.Get(name, version)
	switch {
	case errors.Is(err, repo.ErrNoChartName):
		return nil, kube.NewError(kube.ErrNotFound, fmt.Sprintf("Repository %s has no chart named %q.", r.Name, name), err)
	case err != nil && version == "":
		return nil, kube.NewError(kube.ErrNotFound, fmt.Sprintf("Repository %s has no stable version of chart %s; name a version.", r.Name, name), err)
	case err != nil:
		return nil, kube.NewError(kube.ErrNotFound, fmt.Sprintf("Repository %s has no version %q of chart %s.", r.Name, version, name), err)
	case len(cv.URLs) == 0:
		return nil, kube.NewError(kube.ErrInvalid, fmt.Sprintf("Repository %s lists chart %s %s without a download URL.", r.Name, name, cv.Version), nil)
	}
	archiveURL, err := repo.ResolveReferenceURL(r.URL, cv.URLs[0])
	if err != nil {
		return nil, kube.NewError(kube.ErrInvalid, fmt.Sprintf("Repository %s lists chart %s %s with an invalid URL.", r.Name, name, cv.Version), err)
	}
	key := archiveKey{repo: r.Name, chart: name, version: cv.Version, digest: cv.Digest}
	data, kept := c.archives.get(key)
	if kept {
		p.say(fmt.Sprintf("Using chart %s %s of repository %s, downloaded a moment ago", name, cv.Version, r.Name))
	} else {
		p.say(fmt.Sprintf("Downloading chart %s %s from repository %s", name, cv.Version, r.Name))
		if data, err = c.download(ctx, r, archiveURL, c.opts.MaxChartBytes, "chart archive"); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, repositoryError(r, err)
		}
		if err := checkDigest(data, cv.Digest); err != nil {
			return nil, kube.NewError(kube.ErrInvalid, fmt.Sprintf("The archive of chart %s %s does not match repository %s's index: it may have been tampered with, so Kubedeck refuses it.", name, cv.Version, r.Name), err)
		}
	}
	ch, err := loadArchive(data, maxChartUnpackedBytes)
	if err != nil {
		return nil, kube.NewError(kube.ErrInvalid, fmt.Sprintf("Chart %s %s of repository %s cannot be loaded: %s.", name, cv.Version, r.Name, clip(err.Error())), err)
	}
	if ch.Metadata.Name != name || ch.Metadata.Version != cv.Version {
		return nil, kube.NewError(kube.ErrInvalid, fmt.Sprintf("Repository %s serves chart %s %s as %s %s: it may have been tampered with, so Kubedeck refuses it.", r.Name, name, cv.Version, ch.Metadata.Name, ch.Metadata.Version), nil)
	}
	if !kept {
		c.archives.put(key, data)
	}
	return ch, nil
}

// checkDigest compares the SHA-256 of data with the hex digest an index
// gives (optionally "sha256:…"). An index without a digest is refused:
// Kubedeck installs only archives it can check.
func checkDigest(data []byte, digest string) error {
	want := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(digest), "sha256:"))
	if want == "" {
		return errors.New("the index gives no digest")
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != want {
		return fmt.Errorf("sha256 %s, index says %s", got, want)
	}
	return nil
}

// loadArchive loads a chart from a .tgz in memory, refusing one that
// unpacks to more than limit bytes (counted as it is decompressed, before
// the SDK's loader, whose own cap is a package variable Kubedeck leaves
// alone).
func loadArchive(data []byte, limit int64) (*chart.Chart, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("not a gzipped archive: %w", err)
	}
	n, err := io.Copy(io.Discard, io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, fmt.Errorf("the archive is damaged: %w", err)
	}
	if n > limit {
		return nil, fmt.Errorf("the archive unpacks to more than %d bytes", limit)
	}
	ch, err := loader.LoadArchive(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if ch.Metadata == nil {
		return nil, errors.New("the chart has no Chart.yaml")
	}
	return ch, nil
}
