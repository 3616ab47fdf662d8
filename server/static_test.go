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

// TestPrecompressedWasm serves app.wasm in each encoding a client may
// take, from web/ as the binary embeds it (compressed only) and with the
// raw file beside: every client gets the same bytes and the same ETag.
func TestPrecompressedWasm(t *testing.T) {
	full, wasm := webFS(t)
	compressedOnly := fstest.MapFS{}
	for name, f := range full {
		if name != "app.wasm" {
			compressedOnly[name] = f
		}
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
		name         string
		accept       []string // one Accept-Encoding line each
		wantEncoding string
	}{
		{"brotli preferred", []string{"gzip, deflate, br, zstd"}, "br"},
		{"gzip only", []string{"gzip"}, "gzip"},
		{"brotli refused", []string{"br;q=0, gzip"}, "gzip"},
		{"both refused", []string{"br;q=0, gzip; q=0"}, ""},
		{"gzip refused, br taken", []string{"gzip;q=0,br;q=0.5"}, "br"},
		{"identity", nil, ""},
		{"empty header", []string{""}, ""},
		{"unknown only", []string{"zstd"}, ""},
		{"wildcard", []string{"*"}, "br"},
		{"wildcard without br", []string{"br;q=0, *"}, "gzip"},
		{"wildcard refused", []string{"*;q=0"}, ""},
		{"header repeated", []string{"deflate", "gzip"}, "gzip"},
		{"header repeated, br in the second", []string{"gzip", "br"}, "br"},
	}
	var etag string
	for _, layout := range []struct {
		name string
		web  fstest.MapFS
	}{{"compressed only", compressedOnly}, {"with raw", full}} {
		s, err := New(Config{AllowedHosts: []string{"example.com"}}, Deps{Web: layout.web, UI: http.NotFoundHandler()})
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			t.Run(layout.name+"/"+tt.name, func(t *testing.T) {
				for _, method := range []string{"GET", "HEAD"} {
					req := httptest.NewRequest(method, "/web/app.wasm", nil)
					for _, line := range tt.accept {
						req.Header.Add("Accept-Encoding", line)
					}
					rec := httptest.NewRecorder()
					s.Handler().ServeHTTP(rec, req)
					if rec.Code != 200 {
						t.Fatalf("%s: status %d", method, rec.Code)
					}
					h := rec.Header()
					if h.Get("Content-Type") != "application/wasm" {
						t.Errorf("%s: Content-Type %q", method, h.Get("Content-Type"))
					}
					if h.Get("Content-Encoding") != tt.wantEncoding {
						t.Errorf("%s: Content-Encoding %q, want %q", method, h.Get("Content-Encoding"), tt.wantEncoding)
					}
					if !strings.Contains(h.Get("Vary"), "Accept-Encoding") {
						t.Errorf("%s: Vary %q", method, h.Get("Vary"))
					}
					if etag == "" {
						etag = h.Get("ETag")
					}
					if h.Get("ETag") != etag || etag == "" {
						t.Errorf("%s: ETag %q, want %q for every form", method, h.Get("ETag"), etag)
					}
					if method == "HEAD" {
						if rec.Body.Len() != 0 {
							t.Errorf("HEAD: %d bytes of body", rec.Body.Len())
						}
						continue
					}
					// Content-Length is exact, or absent for the raw file
					// decompressed as it is sent.
					if got := h.Get("Content-Length"); got != strconv.Itoa(rec.Body.Len()) && (got != "" || layout.web["app.wasm"] != nil || tt.wantEncoding != "") {
						t.Errorf("Content-Length %q, body %d bytes", got, rec.Body.Len())
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
				}
			})
		}
	}
}

// TestCompressedOnlyWasm checks web/ as the binary embeds it: the size and
// fingerprint come from the gzip form, and a damaged one fails at start
// rather than mid-download.
func TestCompressedOnlyWasm(t *testing.T) {
	full, wasm := webFS(t)
	delete(full, "app.wasm")
	wi, err := InspectWeb(full)
	if err != nil {
		t.Fatal(err)
	}
	if wi.WasmSize != int64(len(wasm)) {
		t.Errorf("WasmSize %d, want %d", wi.WasmSize, len(wasm))
	}
	gz := full["app.wasm.gz"].Data
	full["app.wasm.gz"] = &fstest.MapFile{Data: gz[:len(gz)/2]}
	if _, err := InspectWeb(full); err == nil {
		t.Error("InspectWeb took a truncated app.wasm.gz")
	}
	brOnly := fstest.MapFS{"app.wasm.br": full["app.wasm.br"]}
	if wi, err := InspectWeb(brOnly); err != nil || wi.WasmSize != 0 {
		t.Errorf("brotli alone: WasmSize %d, err %v; want the file left out", wi.WasmSize, err)
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
