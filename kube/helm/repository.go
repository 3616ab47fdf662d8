package helm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/repo"
	"sigs.k8s.io/yaml"

	"github.com/kubedeck/kubedeck/kube"
)

// indexEntry is the cached index of one repository. Its token (a
// channel holding one value) is taken to refresh the index, so that one
// caller reads the repository while the others wait for its result or
// their context.
type indexEntry struct {
	token chan struct{}
	// Guarded by the token:
	index     *repo.IndexFile // the last index read, nil before the first
	charts    []catalogItem   // the index's charts as the catalog lists them
	loaded    time.Time       // when index was read
	checked   time.Time       // when the repository was last asked
	lastError error           // the error of that last attempt, if it failed
}

func newIndexEntry() *indexEntry {
	e := &indexEntry{token: make(chan struct{}, 1)}
	e.token <- struct{}{}
	return e
}

// indexState is what index returns: the index to use, and whether it is a
// stale copy kept from before the repository failed (err then says why).
type indexState struct {
	index  *repo.IndexFile
	charts []catalogItem
	stale  bool
	err    error
}

// index returns repository r's index, read again when the copy is older
// than IndexTTL. When reading fails and an older copy exists, the older
// copy is returned, marked stale; the repository is then asked again only
// after IndexTTL. Without a copy, the error is returned.
func (c *Client) index(ctx context.Context, r Repository) indexState {
	e := c.indexes[r.Name]
	select {
	case <-e.token:
	case <-ctx.Done():
		return indexState{err: ctx.Err()}
	}
	defer func() { e.token <- struct{}{} }()
	now := time.Now()
	if !e.checked.IsZero() && now.Sub(e.checked) < c.opts.IndexTTL {
		return indexState{index: e.index, charts: e.charts, stale: e.lastError != nil && e.index != nil, err: e.lastError}
	}
	idx, err := c.fetchIndex(ctx, r)
	if err != nil && ctx.Err() != nil {
		// The caller gave up; that says nothing about the repository.
		return indexState{index: e.index, charts: e.charts, stale: e.index != nil, err: err}
	}
	e.checked, e.lastError = time.Now(), err
	if err == nil {
		e.index, e.charts, e.loaded = idx, catalogOf(r.Name, idx), e.checked
		return indexState{index: idx, charts: e.charts}
	}
	if e.index != nil {
		c.log.Warn("serving a stale copy of a chart repository's index", "repository", r.Name, "loaded", e.loaded, "err", err)
	}
	return indexState{index: e.index, charts: e.charts, stale: e.index != nil, err: err}
}

// fetchIndex reads r's index.yaml, retrying a 5xx answer or a failed
// connection twice, after retryDelay and twice that.
func (c *Client) fetchIndex(ctx context.Context, r Repository) (*repo.IndexFile, error) {
	indexURL, err := repo.ResolveReferenceURL(r.URL, "index.yaml")
	if err != nil {
		return nil, kube.NewError(kube.ErrInvalid, fmt.Sprintf("The URL of repository %s is not valid.", r.Name), err)
	}
	var body []byte
	delay := c.retryDelay
	for attempt := 1; ; attempt++ {
		body, err = c.download(ctx, r, indexURL, c.opts.MaxIndexBytes, "index")
		var he *httpError
		retriable := err != nil && ctx.Err() == nil &&
			((errors.As(err, &he) && he.status >= 500) || (!errors.As(err, &he) && !errors.Is(err, errTooLarge)))
		if !retriable || attempt == 3 {
			break
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		delay *= 2
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, repositoryError(r, err)
	}
	// One index is parsed at a time in the process: parsing takes several
	// times the file's size at its peak (index_chunks.go), and repositories
	// are read in parallel.
	idx, err := func() (*repo.IndexFile, error) {
		parsing <- struct{}{}
		defer func() { <-parsing }()
		return parseIndex(body)
	}()
	if err != nil {
		return nil, kube.NewError(kube.ErrUnavailable, fmt.Sprintf("The index of chart repository %s cannot be read: %s.", r.Name, clip(err.Error())), err)
	}
	return idx, nil
}

// parsing holds the one token of index parsing.
var parsing = make(chan struct{}, 1)

// parseIndex reads an index.yaml (YAML or JSON) the way the SDK's
// repo.LoadIndexFile does, from memory: entries that are empty or fail the
// SDK's validation are dropped, and each chart's versions are sorted
// newest first.
func parseIndex(data []byte) (*repo.IndexFile, error) {
	if len(data) == 0 {
		return nil, repo.ErrEmptyIndexYaml
	}
	idx := &repo.IndexFile{}
	var err error
	switch {
	case json.Valid(data):
		err = json.Unmarshal(data, idx)
	case unmarshalIndexChunks(data, idx) == nil:
	default:
		*idx = repo.IndexFile{}
		err = yaml.UnmarshalStrict(data, idx)
	}
	if err != nil {
		return nil, err
	}
	if idx.APIVersion == "" {
		return nil, repo.ErrNoAPIVersion
	}
	for name, versions := range idx.Entries {
		kept := versions[:0]
		for _, v := range versions {
			if v == nil {
				continue
			}
			if v.Metadata == nil {
				v.Metadata = &chart.Metadata{}
			}
			if v.APIVersion == "" {
				v.APIVersion = chart.APIVersionV1
			}
			if v.Validate() != nil {
				continue
			}
			kept = append(kept, v)
		}
		if len(kept) == 0 {
			delete(idx.Entries, name)
			continue
		}
		idx.Entries[name] = kept
	}
	idx.SortEntries()
	return idx, nil
}

// errTooLarge is the cause of a download refused for its size.
var errTooLarge = errors.New("too large")

// httpError is a repository's answer other than 200.
type httpError struct {
	status int
	url    string
}

func (e *httpError) Error() string {
	return fmt.Sprintf("GET %s: %d %s", e.url, e.status, http.StatusText(e.status))
}

// download reads at most limit bytes from rawURL: it refuses a larger
// Content-Length before reading anything, and stops reading a body once it
// passes the limit. r's credentials go only to r's own host.
func (c *Client) download(ctx context.Context, r Repository, rawURL string, limit int64, what string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("helm: the %s URL %q is not http or https", what, rawURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "kubedeck")
	if r.Username != "" || r.Password != "" {
		if base, err := url.Parse(r.URL); err == nil && strings.EqualFold(base.Host, u.Host) && base.Scheme == u.Scheme {
			req.SetBasicAuth(r.Username, r.Password)
		}
	}
	resp, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return nil, &httpError{status: resp.StatusCode, url: redactURL(u)}
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("the %s is %d bytes, more than the limit of %d: %w", what, resp.ContentLength, limit, errTooLarge)
	}
	body, err := readCapped(resp.Body, limit, resp.ContentLength)
	if errors.Is(err, errTooLarge) {
		return nil, fmt.Errorf("the %s is more than the limit of %d bytes: %w", what, limit, errTooLarge)
	}
	return body, err
}

// readCapped reads r to its end, or fails with errTooLarge once it has
// read more than limit bytes. With a known size (at most limit), it
// allocates that once; otherwise it reads into chunks of growing size and
// joins them at the end, so memory stays near what was read (io.ReadAll's
// repeated growing would allocate several times that).
func readCapped(r io.Reader, limit, size int64) ([]byte, error) {
	r = io.LimitReader(r, limit+1)
	if size >= 0 && size <= limit {
		buf := make([]byte, size)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	var (
		chunks [][]byte
		total  int64
		next   = 32 << 10
	)
	for {
		chunk := make([]byte, next)
		n, err := io.ReadFull(r, chunk)
		chunks = append(chunks, chunk[:n])
		total += int64(n)
		if total > limit {
			return nil, errTooLarge
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
		next = min(next*2, 1<<20)
	}
	return bytes.Join(chunks, nil), nil
}

// redactURL is u without credentials or query, for messages.
func redactURL(u *url.URL) string {
	v := *u
	v.User, v.RawQuery = nil, ""
	return v.String()
}

// repositoryError is a failure to read from repository r, for people.
func repositoryError(r Repository, err error) error {
	var he *httpError
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, errTooLarge):
		return kube.NewError(kube.ErrInvalid, fmt.Sprintf("Chart repository %s answered with more than Kubedeck accepts: %s.", r.Name, clip(err.Error())), err)
	case errors.As(err, &he) && (he.status == http.StatusUnauthorized || he.status == http.StatusForbidden):
		return kube.NewError(kube.ErrUnavailable, fmt.Sprintf("Chart repository %s refused Kubedeck's credentials (%d); an administrator must fix its configuration.", r.Name, he.status), err)
	case errors.As(err, &he) && he.status == http.StatusNotFound:
		return kube.NewError(kube.ErrNotFound, fmt.Sprintf("Chart repository %s does not have %s.", r.Name, he.url), err)
	case errors.As(err, &he):
		return kube.NewError(kube.ErrUnavailable, fmt.Sprintf("Chart repository %s answered %d %s; try again shortly.", r.Name, he.status, http.StatusText(he.status)), err)
	}
	return kube.NewError(kube.ErrUnavailable, fmt.Sprintf("Chart repository %s could not be reached; try again shortly.", r.Name), err)
}
