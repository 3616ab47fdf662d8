package helm

import (
	"bytes"
	"errors"

	"helm.sh/helm/v3/pkg/repo"
	"sigs.k8s.io/yaml"
)

// Reading an index.yaml whole goes through a generic YAML tree, then JSON,
// then the structs: about 23 times the file's size at its peak (a 20 MiB
// index took 450 MiB of heap). Indexes written by Helm and ChartMuseum have
// one layout, though: the charts under "entries:", each a key indented by
// two spaces over a list of its versions. Such an index is read one chart
// at a time, so the peak is that of the largest chart, not of the whole
// file. Anything else (flow style, tabs, a chart named twice, an alias to
// another chart's anchor: any chunk that does not parse on its own) is read
// whole, as before; so the result is the whole read's, or that read's
// error.

// errNotChunked says an index does not have the layout chunks need.
var errNotChunked = errors.New("index not in the chunked layout")

// chunkEntries is a chunk: one chart's versions.
type chunkEntries struct {
	Entries map[string]repo.ChartVersions `json:"entries"`
}

// unmarshalIndexChunks reads a YAML index chart by chart into idx, or
// returns errNotChunked (or a chunk's error) without having changed
// anything the caller keeps.
func unmarshalIndexChunks(data []byte, idx *repo.IndexFile) error {
	if bytes.IndexByte(data, '\t') >= 0 || bytes.Contains(data, []byte("\r")) {
		return errNotChunked
	}
	var rest, entries [][]byte
	inEntries, sawEntries := false, false
	for line := range bytes.Lines(data) {
		trimmed := bytes.TrimRight(line, "\n")
		switch {
		case bytes.HasPrefix(trimmed, []byte("---")) || bytes.HasPrefix(trimmed, []byte("...")) || bytes.HasPrefix(trimmed, []byte("%")):
			return errNotChunked // documents and directives: read whole
		case len(trimmed) > 0 && trimmed[0] != ' ' && trimmed[0] != '#':
			// A top-level line: "entries:" opens the charts, any other
			// key closes them.
			inEntries = bytes.Equal(trimmed, []byte("entries:"))
			if inEntries {
				if sawEntries {
					return errNotChunked
				}
				sawEntries = true
				continue
			}
			rest = append(rest, line)
		case inEntries:
			entries = append(entries, line)
		default:
			rest = append(rest, line)
		}
	}
	if !sawEntries {
		return errNotChunked
	}
	var top repo.IndexFile
	if err := yaml.UnmarshalStrict(bytes.Join(rest, nil), &top); err != nil {
		return errNotChunked
	}
	top.Entries = map[string]repo.ChartVersions{}
	var chunk [][]byte
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		var c chunkEntries
		doc := append([]byte("entries:\n"), bytes.Join(chunk, nil)...)
		chunk = chunk[:0]
		if err := yaml.UnmarshalStrict(doc, &c); err != nil || len(c.Entries) != 1 {
			return errNotChunked
		}
		for name, versions := range c.Entries {
			if _, dup := top.Entries[name]; dup {
				return errNotChunked
			}
			top.Entries[name] = versions
		}
		return nil
	}
	for _, line := range entries {
		if chartKeyLine(line) {
			if err := flush(); err != nil {
				return err
			}
		} else if len(chunk) == 0 && len(bytes.TrimSpace(line)) > 0 && !bytes.HasPrefix(bytes.TrimLeft(line, " "), []byte("#")) {
			return errNotChunked // something before the first chart key
		}
		chunk = append(chunk, line)
	}
	if err := flush(); err != nil {
		return err
	}
	*idx = top
	return nil
}

// chartKeyLine says whether line opens a chart under "entries:": indented
// by exactly two spaces, then a key (not a list item, not a comment).
func chartKeyLine(line []byte) bool {
	if len(line) < 3 || line[0] != ' ' || line[1] != ' ' {
		return false
	}
	switch line[2] {
	case ' ', '-', '#', '\n':
		return false
	}
	return true
}
