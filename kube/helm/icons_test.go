package helm

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kubedeck/kubedeck/kube"
)

// pngIcon is the start of a PNG file: enough for its type to be known.
var pngIcon = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, 64)...)

// iconRepo serves the web chart with icon as its metadata's icon (a URL,
// "{repo}" standing for the repository's own), and the files given.
func iconRepo(t *testing.T, icon string, files map[string][]byte) (*Client, *chartRepo) {
	t.Helper()
	r := newChartRepo(t)
	ch := testChart(t, "web", "")
	ch.Metadata.Icon = strings.ReplaceAll(icon, "{repo}", r.URL)
	r.Publish(t, ch)
	for path, data := range files {
		r.Set(path, data)
	}
	return offlineClient(t, Options{Repositories: repositoriesOf(r)}), r
}

func TestIconServedFromTheRepository(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name, icon, path string
		data             []byte
		want             string
	}{
		{"png by absolute URL", "{repo}/icons/web.png", "icons/web.png", pngIcon, "image/png"},
		{"svg by relative URL", "icons/web.svg", "icons/web.svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`), "image/svg+xml"},
		{"png as a data: URI", "data:image/png;base64," + base64.StdEncoding.EncodeToString(pngIcon), "", pngIcon, "image/png"},
		{"svg as a data: URI", "data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%2F%3E", "", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), "image/svg+xml"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, r := iconRepo(t, tt.icon, map[string][]byte{tt.path: tt.data})
			got, err := c.Icon(ctx, "test", "web")
			if err != nil || got.ContentType != tt.want || !bytes.Equal(got.Data, tt.data) {
				t.Fatalf("Icon: %q %d bytes, %v; want %s", got.ContentType, len(got.Data), err, tt.want)
			}
			if _, err := c.Icon(ctx, "test", "web"); err != nil || (tt.path != "" && r.Hits(tt.path) != 1) {
				t.Errorf("second Icon: %v, %d fetches; want it kept", err, r.Hits(tt.path))
			}
			cat, err := c.Catalog(ctx, "")
			if err != nil || len(cat.Charts) != 1 || cat.Charts[0].IconPath != "catalog/icon?chart=web&repo=test" {
				t.Errorf("catalog %+v %v, want the icon's path", cat.Charts, err)
			}
			if got := c.IconPath("web", ch0Icon(t, c)); got != "catalog/icon?chart=web&repo=test" {
				t.Errorf("IconPath of a release of the chart = %q", got)
			}
			if got := c.IconPath("web", "https://elsewhere.example/web.png"); got != "" {
				t.Errorf("IconPath of another icon = %q, want none", got)
			}
		})
	}
}

// errorsOf is the cause kept for the web chart's icon.
func errorsOf(t *testing.T, c *Client) error {
	t.Helper()
	c.icons.mu.Lock()
	defer c.icons.mu.Unlock()
	return c.icons.entries["test/web"].err
}

// ch0Icon is the icon URL the index gives the web chart.
func ch0Icon(t *testing.T, c *Client) string {
	t.Helper()
	st := c.index(context.Background(), c.opts.Repositories[0])
	return st.index.Entries["web"][0].Icon
}

// What a chart's author may put as an icon does not pass: markup sent as
// an image, a huge file, a URL that is not HTTP, and above all an address
// inside the network on another host than the repository's (the server
// would probe it for them).
func TestIconRefusals(t *testing.T) {
	ctx := context.Background()
	var inside atomic.Int32
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		inside.Add(1)
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(pngIcon)
	}))
	t.Cleanup(internal.Close)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(internal.URL, "http://"))
	for _, tt := range []struct {
		name, icon string
		files      map[string][]byte
	}{
		{"html as png", "{repo}/icon.png", map[string][]byte{"icon.png": []byte("<html><script>alert(1)</script></html>")}},
		{"too large", "{repo}/big.png", map[string][]byte{"big.png": append(append([]byte{}, pngIcon...), make([]byte, maxIconBytes)...)}},
		{"not http", "file:///etc/passwd", nil},
		{"missing", "{repo}/none.png", nil},
		{"loopback, another host", "http://localhost:" + port + "/x.png", nil},
		{"private address", "http://10.0.0.1:" + port + "/x.png", nil},
		{"metadata service", "http://169.254.169.254/latest/meta-data/", nil},
		{"data: URI of markup", "data:image/png,%3Chtml%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E", nil},
		{"data: URI not base64", "data:image/png;base64,%%%", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := iconRepo(t, tt.icon, tt.files)
			_, err := c.Icon(ctx, "test", "web")
			if !errors.Is(err, kube.ErrNotFound) {
				t.Fatalf("Icon: %v, want not found", err)
			}
		})
	}
	if n := inside.Load(); n != 0 {
		t.Errorf("the internal server was reached %d times", n)
	}
	// The repository itself redirects to the metadata service: the
	// redirect's address is checked like any other.
	c, r := iconRepo(t, "", nil)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/redirect.png" {
			http.Redirect(w, req, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
			return
		}
		target, _ := url.Parse(r.URL)
		httputil.NewSingleHostReverseProxy(target).ServeHTTP(w, req)
	}))
	t.Cleanup(front.Close)
	ch := testChart(t, "web", "")
	ch.Metadata.Icon = front.URL + "/redirect.png"
	r.Publish(t, ch)
	redirected := offlineClient(t, Options{Repositories: []Repository{{Name: "test", URL: front.URL}}})
	if _, err := redirected.Icon(ctx, "test", "web"); !errors.Is(err, kube.ErrNotFound) {
		t.Errorf("a redirect to the metadata service: %v, want not found", err)
	}
	if !errors.Is(errorsOf(t, redirected), errPrivateAddress) {
		t.Errorf("the redirect was not refused for its address")
	}
	if _, err := c.Icon(ctx, "test", "web"); !errors.Is(err, kube.ErrNotFound) {
		t.Errorf("a chart without an icon: %v", err)
	}
	if _, err := c.Icon(ctx, "nope", "web"); !errors.Is(err, kube.ErrNotFound) {
		t.Errorf("an unknown repository: %v", err)
	}
}
