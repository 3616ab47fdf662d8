package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
)

// WebInfo describes the built static assets, for the go-app handler's setup.
type WebInfo struct {
	// Fingerprint changes whenever any asset changes; assets under
	// AssetPrefix(basePath) are served as immutable.
	Fingerprint string
	// WasmSize is the uncompressed size of app.wasm (0 when it is not built),
	// for go-app's loading progress.
	WasmSize int64
}

// AssetPrefix is the path prefix under which the fingerprinted assets are
// served: the go-app handler resolves "/web/x" to AssetPrefix + "/web/x".
func (wi WebInfo) AssetPrefix(basePath string) string {
	return strings.TrimSuffix(basePath, "/") + "/assets/" + wi.Fingerprint
}

// InspectWeb reads the assets once and returns their fingerprint and the
// WASM's size.
func InspectWeb(web fs.FS) (WebInfo, error) {
	sf, err := newStaticFiles(web)
	if err != nil {
		return WebInfo{}, err
	}
	wi := WebInfo{Fingerprint: sf.fingerprint}
	if f, ok := sf.files["app.wasm"]; ok {
		wi.WasmSize = f.size
	}
	return wi, nil
}

// staticFile is one asset held in memory, with its precompressed forms. An
// asset may come compressed only (app.wasm: the binary embeds its .br and
// .gz, not the raw file), with identity nil: a client that takes neither
// encoding then gets the .gz decompressed as it is sent.
type staticFile struct {
	identity, br, gz []byte
	size             int64 // uncompressed
	ctype            string
	etag             string
}

// staticFiles holds every asset of web/ in memory: they are embedded in the
// binary already, so this costs nothing more and makes serving a copy.
type staticFiles struct {
	files       map[string]*staticFile
	fingerprint string
}

func newStaticFiles(web fs.FS) (*staticFiles, error) {
	sf := &staticFiles{files: map[string]*staticFile{}}
	if web == nil {
		sf.fingerprint = "none"
		return sf, nil
	}
	err := fs.WalkDir(web, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".go") {
			return err
		}
		b, err := fs.ReadFile(web, p)
		if err != nil {
			return err
		}
		base, enc := p, ""
		if name, ok := strings.CutSuffix(p, ".br"); ok {
			base, enc = name, "br"
		} else if name, ok := strings.CutSuffix(p, ".gz"); ok {
			base, enc = name, "gzip"
		}
		f := sf.files[base]
		if f == nil {
			f = &staticFile{}
			sf.files[base] = f
		}
		switch enc {
		case "br":
			f.br = b
		case "gzip":
			f.gz = b
		default:
			f.identity = b
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read web assets: %w", err)
	}
	names := make([]string, 0, len(sf.files))
	for name := range sf.files {
		names = append(names, name)
	}
	sort.Strings(names)
	all := sha256.New()
	for _, name := range names {
		f := sf.files[name]
		sum, err := f.describe(name)
		if err != nil {
			return nil, fmt.Errorf("read web asset %s: %w", name, err)
		}
		if sum == nil {
			// A brotli form alone serves no client that lacks brotli.
			delete(sf.files, name)
			continue
		}
		all.Write([]byte(name))
		all.Write(sum)
	}
	sf.fingerprint = hex.EncodeToString(all.Sum(nil)[:6])
	return sf, nil
}

// describe sets the file's size, type and ETag, and returns the SHA-256 of
// its content (nil when it has neither an identity nor a gzip form). The
// gzip form of a compressed-only file is read through once, which also
// proves it whole before any client gets it.
func (f *staticFile) describe(name string) ([]byte, error) {
	h := sha256.New()
	switch {
	case f.identity != nil:
		h.Write(f.identity)
		f.size = int64(len(f.identity))
	case f.gz != nil:
		zr, err := gzip.NewReader(bytes.NewReader(f.gz))
		if err != nil {
			return nil, err
		}
		if f.size, err = io.Copy(h, zr); err != nil {
			return nil, err
		}
	default:
		return nil, nil
	}
	sum := h.Sum(nil)
	f.etag = `"` + hex.EncodeToString(sum[:8]) + `"`
	f.ctype = mime.TypeByExtension(path.Ext(name))
	if path.Ext(name) == ".wasm" {
		f.ctype = "application/wasm"
	}
	if f.ctype == "" {
		f.ctype = "application/octet-stream"
	}
	return sum, nil
}

func (sf *staticFiles) has(name string) bool { _, ok := sf.files[name]; return ok }

// serveWeb serves /web/{name} (revalidated by ETag) and
// /assets/{fingerprint}/web/{name} (immutable for a year).
func (s *Server) serveWeb(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/web/")
	s.static.serve(w, r, name, false)
}

func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("fp") != s.static.fingerprint {
		// An asset of another build: serve today's, but do not let it be
		// cached forever under the old name.
		s.static.serve(w, r, r.PathValue("name"), false)
		return
	}
	s.static.serve(w, r, r.PathValue("name"), true)
}

func (sf *staticFiles) serve(w http.ResponseWriter, r *http.Request, name string, immutable bool) {
	f, ok := sf.files[name]
	if !ok || strings.Contains(name, "..") {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("ETag", f.etag)
	h.Add("Vary", "Accept-Encoding")
	if immutable {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, f.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	accept := strings.Join(r.Header.Values("Accept-Encoding"), ",")
	var body []byte
	switch {
	case f.br != nil && acceptsEncoding(accept, "br"):
		body = f.br
		h.Set("Content-Encoding", "br")
	case f.gz != nil && acceptsEncoding(accept, "gzip"):
		body = f.gz
		h.Set("Content-Encoding", "gzip")
	case f.identity != nil:
		body = f.identity
	default:
		// No Content-Length: the body is decompressed as it is sent.
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			zr, err := gzip.NewReader(bytes.NewReader(f.gz)) // proven whole by describe
			if err == nil {
				_, _ = io.Copy(w, zr)
			}
		}
		return
	}
	// Written by hand: http.ServeContent leaves Content-Length out when
	// Content-Encoding is set, and go-app's loading progress needs it.
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// acceptsEncoding reports whether an Accept-Encoding header (its lines
// joined by commas) allows enc: listed, or covered by "*", and not with
// q=0.
func acceptsEncoding(header, enc string) bool {
	wildcard := false
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.TrimSpace(name)
		switch {
		case strings.EqualFold(name, enc):
			return qualityAboveZero(params)
		case name == "*":
			wildcard = qualityAboveZero(params)
		}
	}
	return wildcard
}

// qualityAboveZero says whether an Accept-Encoding entry's parameters leave
// it wanted: no q, or a q other than 0.
func qualityAboveZero(params string) bool {
	params = strings.ReplaceAll(params, " ", "")
	if q, ok := strings.CutPrefix(params, "q="); ok {
		if v, err := strconv.ParseFloat(q, 64); err == nil && v == 0 {
			return false
		}
	}
	return true
}

// serveUI serves the go-app pages, or a clear 503 page when the WASM was not
// built (the pages would load and then fail).
func (s *Server) serveUI(w http.ResponseWriter, r *http.Request) {
	if !s.static.has("app.wasm") || s.deps.UI == nil {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(notBuiltPage))
		return
	}
	s.deps.UI.ServeHTTP(w, r)
}

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kubedeck: UI not built</title></head>
<body><h1>The Kubedeck UI has not been built</h1>
<p>This server was compiled without <code>web/app.wasm</code>. Run <code>make build</code>
(or <code>make run</code>) to build the WebAssembly UI and the server together.</p>
<p>The API under <code>/api/v1</code> and <code>/healthz</code> work without it.</p>
</body></html>
`
