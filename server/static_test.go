package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/andybalholm/brotli"
)

// webFS is a web/ folder as `make wasm` leaves it: app.wasm with its
// brotli and gzip siblings, and a stylesheet without.
func webFS(t *testing.T) (fstest.MapFS, []byte) {
	t.Helper()
	wasm := bytes.Repeat([]byte("\x00asm\x01\x00\x00\x00 kubedeck "), 4096)
	var br, gz bytes.Buffer
	bw := brotli.NewWriter(&br)
	bw.Write(wasm)
	bw.Close()
	gw := gzip.NewWriter(&gz)
	gw.Write(wasm)
	gw.Close()
	return fstest.MapFS{
		"app.wasm":     {Data: wasm},
		"app.wasm.br":  {Data: br.Bytes()},
		"app.wasm.gz":  {Data: gz.Bytes()},
		"kubedeck.css": {Data: []byte("body{}")},
		"embed.go":     {Data: []byte("package web")},
	}, wasm
}

func TestPrecompressedWasm(t *testing.T) {
	fsys, wasm := webFS(t)
	s, err := New(Config{AllowedHosts: []string{"example.com"}}, Deps{Web: fsys, UI: http.NotFoundHandler()})
	if err != nil {
		t.Fatal(err)
	}
	decode := map[string]func(io.Reader) ([]byte, error){
		"br": func(r io.Reader) ([]byte, error) { return io.ReadAll(brotli.NewReader(r)) },
		"gzip": func(r io.Reader) ([]byte, error) {
			zr, err := gzip.NewReader(r)
			if err != nil {
				return nil, err
			}
			return io.ReadAll(zr)
		},
		"": io.ReadAll,
	}
	tests := []struct {
		name, accept, wantEncoding string
	}{
		{"brotli preferred", "gzip, deflate, br, zstd", "br"},
		{"gzip only", "gzip", "gzip"},
		{"brotli refused", "br;q=0, gzip", "gzip"},
		{"identity", "", ""},
		{"unknown only", "zstd", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/web/app.wasm", nil)
			req.Header.Set("Accept-Encoding", tt.accept)
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code != 200 {
				t.Fatalf("status %d", rec.Code)
			}
			h := rec.Header()
			if h.Get("Content-Type") != "application/wasm" {
				t.Errorf("Content-Type %q", h.Get("Content-Type"))
			}
			if h.Get("Content-Encoding") != tt.wantEncoding {
				t.Errorf("Content-Encoding %q, want %q", h.Get("Content-Encoding"), tt.wantEncoding)
			}
			if got := h.Get("Content-Length"); got != strconv.Itoa(rec.Body.Len()) {
				t.Errorf("Content-Length %s, body %d bytes", got, rec.Body.Len())
			}
			if !strings.Contains(h.Get("Vary"), "Accept-Encoding") {
				t.Errorf("Vary %q", h.Get("Vary"))
			}
			if tt.wantEncoding != "" && rec.Body.Len() >= len(wasm) {
				t.Errorf("%s body is %d bytes, not smaller than %d", tt.wantEncoding, rec.Body.Len(), len(wasm))
			}
			got, err := decode[tt.wantEncoding](rec.Body)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, wasm) {
				t.Error("decoded body differs from app.wasm")
			}
		})
	}
}

func TestAssetCaching(t *testing.T) {
	fsys, _ := webFS(t)
	wi, err := InspectWeb(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if wi.WasmSize != int64(len(fsys["app.wasm"].Data)) {
		t.Errorf("WasmSize %d", wi.WasmSize)
	}
	s, err := New(Config{BasePath: "/v2", AllowedHosts: []string{"example.com"}}, Deps{Web: fsys, UI: http.NotFoundHandler()})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path, etag string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		return rec
	}
	fp := wi.AssetPrefix("/v2") + "/web/kubedeck.css"
	if !strings.HasPrefix(fp, "/v2/assets/") {
		t.Fatalf("asset prefix %q", fp)
	}
	rec := get(fp, "")
	if rec.Code != 200 || rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("fingerprinted: %d %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	rec = get("/v2/assets/0123456789ab/web/kubedeck.css", "")
	if rec.Code != 200 || rec.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("stale fingerprint: %d %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	rec = get("/v2/web/kubedeck.css", "")
	if rec.Code != 200 || rec.Header().Get("Cache-Control") != "no-cache" || rec.Header().Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("plain: %d %q %q", rec.Code, rec.Header().Get("Cache-Control"), rec.Header().Get("Content-Type"))
	}
	if rec := get("/v2/web/kubedeck.css", rec.Header().Get("ETag")); rec.Code != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", rec.Code)
	}
	for _, p := range []string{"/v2/web/embed.go", "/v2/web/missing.css", "/v2/web/app.wasm.br"} {
		if rec := get(p, ""); rec.Code != 404 {
			t.Errorf("%s: %d, want 404", p, rec.Code)
		}
	}
}

func TestUIWithoutWasmSaysHowToBuild(t *testing.T) {
	s, err := New(Config{AllowedHosts: []string{"example.com"}}, Deps{Web: fstest.MapFS{"kubedeck.css": {Data: []byte("x")}}, UI: http.NotFoundHandler(),
		Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/apps/objects"} {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "make build") {
			t.Errorf("%s: %d %q", path, rec.Code, rec.Body)
		}
	}
}
