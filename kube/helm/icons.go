package helm

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kubedeck/kubedeck/kube"
)

// Chart icons, served by Kubedeck from its own origin: the browser never
// reaches a URL a chart's author chose (the page's CSP allows images from
// self only). The server fetches the icon the repository's index names for
// a chart, and only that: nothing takes a URL from a request. An icon on
// another host than the repository's may not be on a private, loopback or
// link-local address (a chart cannot make Kubedeck probe the cluster's
// network or a cloud's metadata service, even through a redirect), it is
// capped in size, and only PNG, JPEG, GIF, WebP and SVG pass, fetched or
// given inline as a data: URI.

// The bounds of icons.
const (
	maxIconBytes    = 256 << 10
	iconTTL         = time.Hour
	iconFailTTL     = 5 * time.Minute
	maxIconsKept    = 512
	iconFetchesOnce = 4
	iconTimeout     = 10 * time.Second
)

// Icon is a chart's icon as served: its bytes and media type.
type Icon struct {
	Data        []byte
	ContentType string
}

// iconCache keeps icons and failures to get them, per repository and
// chart, and bounds the fetches running at once.
type iconCache struct {
	mu      sync.Mutex
	entries map[string]iconEntry
	fetches chan struct{}
	client  *http.Client
}

type iconEntry struct {
	icon    Icon
	err     error
	expires time.Time
}

func newIconCache() *iconCache {
	return &iconCache{entries: map[string]iconEntry{}, fetches: make(chan struct{}, iconFetchesOnce), client: iconHTTPClient()}
}

// trustedHost is the context key of the host:port an icon fetch may reach
// whatever its address: the repository's own.
type trustedHost struct{}

// iconHTTPClient fetches icons: no proxy from the environment, timeouts,
// and a dialer that refuses addresses inside the network unless the host
// is the repository's, checked on the address actually dialled (after DNS,
// for every redirect), so a name that resolves inward does not pass.
func iconHTTPClient() *http.Client {
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		trusted, _ := ctx.Value(trustedHost{}).(string)
		d := &net.Dialer{Timeout: 5 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
			if strings.EqualFold(addr, trusted) {
				return nil
			}
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || !publicAddress(ip) {
				return fmt.Errorf("helm: an icon's address %s is inside the network: %w", host, errPrivateAddress)
			}
			return nil
		}}
		return d.DialContext(ctx, network, addr)
	}
	return &http.Client{
		Timeout: iconTimeout,
		Transport: &http.Transport{Proxy: nil, DialContext: dial, TLSHandshakeTimeout: 5 * time.Second,
			ResponseHeaderTimeout: 5 * time.Second, MaxIdleConnsPerHost: 2},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return errors.New("helm: an icon redirects more than 3 times")
			}
			return nil
		},
	}
}

var errPrivateAddress = errors.New("private address")

// publicAddress says whether ip may be reached for a chart's icon.
func publicAddress(ip net.IP) bool {
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() {
		return false
	}
	// The shared address space of carrier-grade NAT (100.64.0.0/10).
	if v4 := ip.To4(); v4 != nil && v4[0] == 100 && v4[1]&0xc0 == 64 {
		return false
	}
	return true
}

// Icon returns the icon of chart in repository (as the repository's index
// names it for the chart's newest version), fetched once and kept for an
// hour; a failure is kept for five minutes. Not found: no such repository
// or chart, or the chart has no icon.
func (c *Client) Icon(ctx context.Context, repository, chart string) (Icon, error) {
	r, ok := c.repos[repository]
	if !ok {
		return Icon{}, kube.NewError(kube.ErrNotFound, fmt.Sprintf("There is no chart repository %q.", repository), nil)
	}
	key := repository + "/" + chart
	if e, ok := c.icons.get(key); ok && time.Now().Before(e.expires) {
		return e.icon, e.err
	}
	st := c.index(ctx, r)
	if st.index == nil {
		return Icon{}, st.err
	}
	latest := latestVersion(st.index, chart)
	if latest == nil || latest.Icon == "" {
		return Icon{}, kube.NewError(kube.ErrNotFound, fmt.Sprintf("The chart %s/%s has no icon.", repository, chart), nil)
	}
	select {
	case c.icons.fetches <- struct{}{}:
	case <-ctx.Done():
		return Icon{}, ctx.Err()
	}
	icon, err := c.fetchIcon(ctx, r, latest.Icon)
	<-c.icons.fetches
	if err != nil && ctx.Err() != nil {
		return Icon{}, err // the caller gave up; that says nothing of the icon
	}
	if err != nil {
		c.log.Debug("helm: a chart's icon cannot be served", "repository", repository, "chart", chart, "err", err)
		err = kube.NewError(kube.ErrNotFound, fmt.Sprintf("The icon of chart %s/%s cannot be served.", repository, chart), err)
	}
	c.icons.keep(key, iconEntry{icon: icon, err: err})
	return icon, err
}

// get is the entry of key.
func (ic *iconCache) get(key string) (iconEntry, bool) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	e, ok := ic.entries[key]
	return e, ok
}

// keep stores an entry, making room by dropping expired entries, then any.
func (ic *iconCache) keep(key string, e iconEntry) {
	now := time.Now()
	e.expires = now.Add(iconTTL)
	if e.err != nil {
		e.expires = now.Add(iconFailTTL)
	}
	ic.mu.Lock()
	defer ic.mu.Unlock()
	if len(ic.entries) >= maxIconsKept {
		for k, old := range ic.entries {
			if now.After(old.expires) {
				delete(ic.entries, k)
			}
		}
		for k := range ic.entries {
			if len(ic.entries) < maxIconsKept {
				break
			}
			delete(ic.entries, k)
		}
	}
	ic.entries[key] = e
}

// fetchIcon downloads an icon (relative URLs are the repository's) and
// checks what it is.
func (c *Client) fetchIcon(ctx context.Context, r Repository, raw string) (Icon, error) {
	base, err := url.Parse(r.URL)
	if err != nil {
		return Icon{}, err
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	if strings.HasPrefix(raw, "data:") {
		return dataIcon(raw)
	}
	ref, err := url.Parse(raw)
	if err != nil {
		return Icon{}, err
	}
	u := base.ResolveReference(ref)
	if u.Scheme != "http" && u.Scheme != "https" {
		return Icon{}, fmt.Errorf("helm: the icon URL scheme %q is not http or https", u.Scheme)
	}
	if strings.EqualFold(u.Host, base.Host) {
		ctx = context.WithValue(ctx, trustedHost{}, hostPort(base))
	}
	ctx, cancel := context.WithTimeout(ctx, iconTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Icon{}, err
	}
	req.Header.Set("User-Agent", "kubedeck")
	resp, err := c.icons.client.Do(req)
	if err != nil {
		return Icon{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Icon{}, &httpError{status: resp.StatusCode, url: redactURL(u)}
	}
	if resp.ContentLength > maxIconBytes {
		return Icon{}, errTooLarge
	}
	body, err := readCapped(resp.Body, maxIconBytes, resp.ContentLength)
	if err != nil {
		return Icon{}, err
	}
	ct := iconType(body)
	if ct == "" {
		return Icon{}, errors.New("helm: the icon is not a PNG, JPEG, GIF, WebP or SVG image")
	}
	return Icon{Data: body, ContentType: ct}, nil
}

// dataIcon is an icon given inline as a data: URI (RFC 2397), held to the
// same rules as a fetched one.
func dataIcon(raw string) (Icon, error) {
	if len(raw) > 2*maxIconBytes {
		return Icon{}, errTooLarge
	}
	meta, payload, ok := strings.Cut(strings.TrimPrefix(raw, "data:"), ",")
	if !ok {
		return Icon{}, errors.New("helm: a data: icon has no comma")
	}
	var body []byte
	if strings.HasSuffix(strings.ToLower(meta), ";base64") {
		b, err := base64.StdEncoding.DecodeString(payload)
		if err != nil {
			return Icon{}, fmt.Errorf("helm: a data: icon is not valid base64: %w", err)
		}
		body = b
	} else {
		s, err := url.PathUnescape(payload)
		if err != nil {
			return Icon{}, err
		}
		body = []byte(s)
	}
	if len(body) > maxIconBytes {
		return Icon{}, errTooLarge
	}
	ct := iconType(body)
	if ct == "" {
		return Icon{}, errors.New("helm: the icon is not a PNG, JPEG, GIF, WebP or SVG image")
	}
	return Icon{Data: body, ContentType: ct}, nil
}

// hostPort is u's host with its port, the default one when it has none,
// as a dialer is given it.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "https" {
		return net.JoinHostPort(u.Hostname(), "443")
	}
	return net.JoinHostPort(u.Hostname(), "80")
}

// iconType is the media type of an image by its content (never by what the
// server claims), "" when it is not one icons may be.
func iconType(b []byte) string {
	switch ct := http.DetectContentType(b); ct {
	case "image/png", "image/jpeg", "image/gif", "image/webp":
		return ct
	}
	head := bytes.TrimSpace(b[:min(len(b), 1024)])
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if bytes.HasPrefix(head, []byte("<svg")) || (bytes.HasPrefix(head, []byte("<?xml")) && bytes.Contains(head, []byte("<svg"))) {
		return "image/svg+xml"
	}
	return ""
}

// IconPath is where the UI loads the icon of a release's chart (name, with
// icon the URL its metadata gives), relative to the API root: a configured
// repository's chart of that name whose index gives the same icon, as far
// as the indexes already read tell (it never reads one). "" when none.
func (c *Client) IconPath(chart, icon string) string {
	if icon == "" {
		return ""
	}
	for _, r := range c.opts.Repositories {
		e := c.indexes[r.Name]
		select {
		case <-e.token:
		default:
			continue // being read; the next list will tell
		}
		idx := e.index
		e.token <- struct{}{}
		if idx == nil {
			// Another replica's listing, read back from the shared cache,
			// names the newest version's icon.
			items, _ := c.shared.get(r.Name, c.opts.IndexTTL)
			for _, it := range items {
				if it.chart.Name == chart && it.chart.Icon == icon {
					return CatalogIconPath(r.Name, chart)
				}
			}
			continue
		}
		for _, v := range idx.Entries[chart] {
			if v.Icon == icon {
				return CatalogIconPath(r.Name, chart)
			}
		}
	}
	return ""
}

// CatalogIconPath is the path, relative to the API root, of the icon of
// chart in repository.
func CatalogIconPath(repository, chart string) string {
	return "catalog/icon?" + url.Values{"repo": {repository}, "chart": {chart}}.Encode()
}
