// Package image_test checks the Dockerfile that builds Kubedeck's container
// image, by reading it (no Docker needed): what the build stage builds and
// how, and what the final image holds and runs as.
package image_test

import (
	"net"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// root is the repository, from this package's folder.
const root = "../.."

// instruction is one Dockerfile instruction, its continued lines joined.
type instruction struct {
	cmd  string // upper case: FROM, RUN, …
	args string
}

// stage is one FROM and what follows it.
type stage struct {
	name, base   string
	instructions []instruction
}

// parseDockerfile reads the Dockerfile's stages: comments dropped, lines
// ending in a backslash joined to the next.
func parseDockerfile(t *testing.T, text string) []stage {
	t.Helper()
	var stages []stage
	var logical strings.Builder
	for line := range strings.SplitSeq(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && logical.Len() == 0) {
			continue
		}
		if cont, ok := strings.CutSuffix(trimmed, `\`); ok {
			logical.WriteString(cont + " ")
			continue
		}
		logical.WriteString(trimmed)
		full := logical.String()
		logical.Reset()
		cmd, args, _ := strings.Cut(full, " ")
		in := instruction{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			f := strings.Fields(in.args)
			s := stage{base: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				s.name = f[2]
			}
			stages = append(stages, s)
			continue
		}
		if len(stages) == 0 {
			t.Fatalf("%s before the first FROM", in.cmd)
		}
		stages[len(stages)-1].instructions = append(stages[len(stages)-1].instructions, in)
	}
	return stages
}

func (s stage) all(cmd string) []string {
	var out []string
	for _, in := range s.instructions {
		if in.cmd == cmd {
			out = append(out, in.args)
		}
	}
	return out
}

// env is the stage's ENV settings (KEY=value forms, several a line).
func (s stage) env(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, args := range s.all("ENV") {
		for _, kv := range strings.Fields(args) {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				t.Fatalf("ENV %q: use KEY=value", args)
			}
			out[k] = strings.Trim(v, `"`)
		}
	}
	return out
}

// goBuild finds the `go build` of a RUN's && chain that holds want.
func goBuild(run, want string) string {
	for part := range strings.SplitSeq(run, "&&") {
		if strings.Contains(part, "go build") && strings.Contains(part, want) {
			return strings.TrimSpace(part)
		}
	}
	return ""
}

// flagValue is the word after flag in cmd.
func flagValue(cmd, flag string) string {
	f := strings.Fields(cmd)
	if i := slices.Index(f, flag); i >= 0 && i+1 < len(f) {
		return f[i+1]
	}
	return ""
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDockerfile(t *testing.T) {
	stages := parseDockerfile(t, readFile(t, "Dockerfile"))
	if len(stages) != 2 {
		t.Fatalf("%d stages, want a build stage and the final one", len(stages))
	}
	build, final := stages[0], stages[1]

	// The build stage: the WASM, compressed, then the static server
	// binary, both stamped with the version.
	run := strings.Join(build.all("RUN"), " && ")
	wasm := goBuild(run, "GOOS=js GOARCH=wasm")
	server := goBuild(run, "CGO_ENABLED=0")
	const stamp = "-X main.version=${VERSION}"
	if !strings.Contains(wasm, stamp) || flagValue(wasm, "-o") != "bin/app.wasm" || !strings.HasSuffix(wasm, "./app") {
		t.Errorf("WASM build %q: want GOOS=js GOARCH=wasm go build with %s -o bin/app.wasm ./app", wasm, stamp)
	}
	if !strings.Contains(server, stamp) || !strings.HasSuffix(server, "./app") || strings.Contains(server, "GOOS=js") {
		t.Errorf("server build %q: want CGO_ENABLED=0 go build with %s of ./app", server, stamp)
	}
	compress := strings.Index(run, "go run ./web/compress bin/app.wasm web")
	if compress < 0 || compress < strings.Index(run, wasm) || compress > strings.Index(run, server) {
		t.Errorf("RUN %q: want `go run ./web/compress bin/app.wasm web` between the WASM and the server builds", run)
	}
	if !slices.ContainsFunc(build.all("ARG"), func(a string) bool { return a == "VERSION" || strings.HasPrefix(a, "VERSION=") }) {
		t.Errorf("the build stage declares no ARG VERSION")
	}
	binary := flagValue(server, "-o")

	// The final stage: distroless static, non-root, the binary alone.
	if !strings.HasPrefix(final.base, "gcr.io/distroless/static") || !strings.HasSuffix(final.base, ":nonroot") {
		t.Errorf("final base %q: want gcr.io/distroless/static…:nonroot", final.base)
	}
	users := final.all("USER")
	if len(users) != 1 {
		t.Fatalf("USER %q: want one", users)
	}
	for id := range strings.SplitSeq(users[0], ":") {
		if n, err := strconv.Atoi(id); err != nil || n == 0 {
			t.Errorf("USER %q: want a numeric, non-root uid:gid (runAsNonRoot checks numbers)", users[0])
		}
	}
	copies := final.all("COPY")
	if diff := cmp.Diff([]string{"--from=" + build.name + " " + binary + " /kubedeck"}, copies); diff != "" {
		t.Errorf("COPY (-want +got): the binary alone, from the build stage:\n%s", diff)
	}
	if adds := final.all("ADD"); len(adds) > 0 {
		t.Errorf("ADD %q in the final stage", adds)
	}
	if diff := cmp.Diff([]string{`["/kubedeck"]`}, final.all("ENTRYPOINT")); diff != "" {
		t.Errorf("ENTRYPOINT (-want +got):\n%s", diff)
	}

	// Every port exposed is one the server listens on, and both are.
	env := final.env(t)
	var listens []string
	for _, name := range []string{"KUBEDECK_LISTEN", "KUBEDECK_OPS_LISTEN"} {
		_, port, err := net.SplitHostPort(env[name])
		if err != nil {
			t.Errorf("ENV %s=%q: %v", name, env[name], err)
		}
		listens = append(listens, port)
	}
	var exposed []string
	for _, e := range final.all("EXPOSE") {
		exposed = append(exposed, strings.Fields(e)...)
	}
	if diff := cmp.Diff(listens, exposed); diff != "" {
		t.Errorf("EXPOSE (-listen addresses +exposed):\n%s", diff)
	}
	for k := range env {
		if strings.Contains(k, "SECRET") || strings.Contains(k, "PASSWORD") || strings.Contains(k, "KEY") {
			t.Errorf("ENV %s: secrets are mounted files, never image settings", k)
		}
	}

	// A HEALTHCHECK runs a subcommand the binary has.
	for _, hc := range final.all("HEALTHCHECK") {
		if !strings.Contains(hc, `CMD ["/kubedeck", "healthcheck"]`) {
			t.Errorf("HEALTHCHECK %q: want CMD [\"/kubedeck\", \"healthcheck\"]", hc)
		}
		if !strings.Contains(readFile(t, "app/serve.go"), `os.Args[1] == "healthcheck"`) {
			t.Errorf("HEALTHCHECK runs `kubedeck healthcheck`, which app/serve.go no longer knows")
		}
	}
}

// TestWebEmbedsTheUI checks the server embeds what the build stage makes
// (the image copies the binary alone): web/'s go:embed patterns take
// app.wasm's compressed forms (the raw file stays out: the server serves
// it from the .gz).
func TestWebEmbedsTheUI(t *testing.T) {
	var patterns []string
	for line := range strings.SplitSeq(readFile(t, "web/embed.go"), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "//go:embed "); ok {
			patterns = append(patterns, strings.Fields(rest)...)
		}
	}
	for _, file := range []string{"app.wasm.br", "app.wasm.gz", "kubedeck.css"} {
		if !slices.ContainsFunc(patterns, func(p string) bool { ok, _ := path.Match(p, file); return ok || p == file }) {
			t.Errorf("web/embed.go's patterns %q do not take %s", patterns, file)
		}
	}
}

// writes are the calls that write to the filesystem.
var writes = regexp.MustCompile(`\bos\.(Create|CreateTemp|WriteFile|Mkdir|MkdirAll|MkdirTemp|TempDir|OpenFile|UserCacheDir|UserConfigDir|Rename|Remove|RemoveAll|Symlink)\(`)

// TestNothingWrites checks the server's own code writes no file, so its
// container runs with a read-only root filesystem. Left out: the local
// cluster (kube/localcluster), which only --local-cluster starts, for
// development; test helpers; web/compress, a build tool.
func TestNothingWrites(t *testing.T) {
	skip := []string{"kube/localcluster", "kube/helm/helmtest", "web/compress"}
	for _, dir := range []string{"app", "server", "kube", "shared", "web"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel := filepath.ToSlash(strings.TrimPrefix(p, root+string(filepath.Separator)))
			if d.IsDir() && (slices.Contains(skip, rel) || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for i, line := range strings.Split(string(b), "\n") {
				if m := writes.FindString(line); m != "" && !strings.HasPrefix(strings.TrimSpace(line), "//") {
					t.Errorf("%s:%d: %s writes to the filesystem; the image's root is read-only", rel, i+1, strings.TrimSuffix(m, "("))
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
