package localcluster

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

// projectStages are kwok stages of this project: pods whose images are marked
// "fail-pull" or "crashloop" fail the way real ones do.
//
//go:embed stages/*.yaml
var projectStages embed.FS

// upstreamStages names kwok's fast stages, which build.sh copies into
// BinDir/stages.
func upstreamStages() []string {
	return []string{"node-initialize.yaml", "pod-ready.yaml", "pod-complete.yaml", "pod-delete.yaml"}
}

// excludesMarked reports whether the upstream stage would make pods Ready or
// Succeeded, and so must leave alone the pods that the project stages own:
// those with an image containing "fail-pull" or "crashloop".
func excludesMarked(stage string) bool {
	return stage == "pod-ready" || stage == "pod-complete"
}

// notMarked is the selector expression that leaves those pods out.
func notMarked() map[string]any {
	return map[string]any{
		"key":      `.spec.containers.[].image | test("fail-pull|crashloop")`,
		"operator": "NotIn",
		"values":   []any{"true"},
	}
}

// writeStages writes kwok's configuration file: the upstream fast stages
// from stageDir, changed to leave marked pods alone, then the project stages,
// then the cluster-wide logs and exec of kwok's kubelet server.
func writeStages(stageDir, path string, debug debugFiles) error {
	var docs [][]byte
	for _, name := range upstreamStages() {
		data, err := os.ReadFile(filepath.Join(stageDir, name))
		if err != nil {
			return fmt.Errorf("read kwok stage: %w", err)
		}
		doc, err := excludeMarkedPods(data)
		if err != nil {
			return fmt.Errorf("kwok stage %s: %w", name, err)
		}
		docs = append(docs, doc)
	}
	own, err := fs.Glob(projectStages, "stages/*.yaml")
	if err != nil {
		return fmt.Errorf("list project stages: %w", err)
	}
	for _, name := range own {
		data, err := projectStages.ReadFile(name)
		if err != nil {
			return fmt.Errorf("read project stage: %w", err)
		}
		docs = append(docs, data)
	}
	debugDocs, err := debug.config()
	if err != nil {
		return fmt.Errorf("kwok logs and exec: %w", err)
	}
	docs = append(docs, debugDocs...)
	if err := os.WriteFile(path, bytes.Join(docs, []byte("\n---\n")), 0o600); err != nil {
		return fmt.Errorf("write kwok config: %w", err)
	}
	return nil
}

// excludeMarkedPods returns the stage unchanged unless excludesMarked says
// it must leave marked pods alone; then it gets one more selector expression.
func excludeMarkedPods(data []byte) ([]byte, error) {
	if strings.Contains(string(data), "\n---") {
		return nil, fmt.Errorf("expected one YAML document")
	}
	var stage map[string]any
	if err := yaml.Unmarshal(data, &stage); err != nil {
		return nil, err
	}
	meta, _ := stage["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	if !excludesMarked(name) {
		return data, nil
	}
	spec, _ := stage["spec"].(map[string]any)
	selector, _ := spec["selector"].(map[string]any)
	exprs, _ := selector["matchExpressions"].([]any)
	if selector == nil || exprs == nil {
		return nil, fmt.Errorf("stage %s has no selector.matchExpressions", name)
	}
	selector["matchExpressions"] = append(exprs, notMarked())
	return yaml.Marshal(stage)
}
