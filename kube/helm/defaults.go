package helm

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/kubedeck/kubedeck/shared"
)

// maxDefaultsBytes caps the default values Defaults returns.
const maxDefaultsBytes = 256 << 10

// Defaults returns the default values of chart ("<repository>/<chart>")
// at version ("" for the latest stable one) as the chart's values.yaml
// says them, comments included: what an install keeps for any value it
// does not give. It reaches the repository, never the cluster.
func (c *Client) Defaults(ctx context.Context, chart, version string) (shared.ChartDefaults, error) {
	p := newProgress(nil, c.log, "chart", chart)
	defer p.close()
	ch, err := c.fetchChart(ctx, chart, version, p)
	if err != nil {
		return shared.ChartDefaults{}, err
	}
	out := shared.ChartDefaults{Chart: chart, Version: ch.Metadata.Version, Schema: len(ch.Schema) > 0}
	for _, f := range ch.Raw {
		if f.Name == "values.yaml" {
			out.Values, out.Truncated = clipLines(string(f.Data), maxDefaultsBytes)
		}
	}
	return out, nil
}

// clipLines is text cut, at the end of a line, to at most limit bytes,
// and whether it was cut.
func clipLines(text string, limit int) (string, bool) {
	if len(text) <= limit {
		return text, false
	}
	cut := text[:limit]
	if i := strings.LastIndexByte(cut, '\n'); i >= 0 {
		return cut[:i+1], true
	}
	for len(cut) > 0 && !utf8.RuneStart(text[len(cut)]) {
		cut = cut[:len(cut)-1] // one line longer than limit: not in the middle of a character
	}
	return cut, true
}
