package helm

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"sigs.k8s.io/yaml"

	"github.com/kubedeck/kubedeck/kube"
)

// maxValuesBytes caps the values text of an install or upgrade.
const maxValuesBytes = 1 << 20

// parseValues reads the values of an install or upgrade from YAML text: a
// mapping, or nothing.
func parseValues(text string) (map[string]any, error) {
	if len(text) > maxValuesBytes {
		return nil, kube.NewError(kube.ErrInvalid, fmt.Sprintf("The values are longer than %d bytes.", maxValuesBytes), nil)
	}
	var v any
	if err := yaml.Unmarshal([]byte(text), &v); err != nil {
		msg := strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")
		return nil, kube.NewError(kube.ErrInvalid, "The values are not valid YAML: "+clip(msg)+".", &SyntaxError{Line: syntaxLine(msg), Message: msg})
	}
	switch m := v.(type) {
	case nil:
		return map[string]any{}, nil
	case map[string]any:
		return m, nil
	}
	return nil, kube.NewError(kube.ErrInvalid, "The values must be a YAML mapping (key: value lines), not a list or a single value.", nil)
}

// SchemaViolation is one way values break a chart's values.schema.json.
type SchemaViolation struct {
	// Path is where in the values, as a JSON path ("$.image.tag",
	// "$.ports[0]"; "$" for the values as a whole).
	Path string
	// Message says what is wrong, in English.
	Message string
	// Line is the line of the values text the violation is about (the
	// deepest key of Path the text has), 1 for the first; 0 when the text
	// has none of it (a value the chart's defaults gave).
	Line int
	// at is Path as keys and indexes, under the root values.
	at []string
}

// SchemaError is the cause of the error an install or upgrade returns when
// the values break the chart's schema (errors.As finds it): every
// violation, with its path.
type SchemaError struct {
	Chart      string
	Violations []SchemaViolation
}

// Error lists the violations, for the log.
func (e *SchemaError) Error() string {
	parts := make([]string, 0, len(e.Violations))
	for _, v := range e.Violations {
		parts = append(parts, v.Path+": "+v.Message)
	}
	return fmt.Sprintf("values do not match the schema of chart %s: %s", e.Chart, strings.Join(parts, "; "))
}

// validateValues checks values (the chart's defaults merged in, as Helm
// renders them) against the values.schema.json of ch and of its
// subcharts. Unlike the SDK's own check, it loads nothing a schema points
// to: a "$ref" to a URL or a file fails to compile instead of being
// fetched (helm/helm#32245). The violations come with their lines in
// text, the values as the user wrote them, in the text's order: the first
// is the one the message names.
func validateValues(ch *chart.Chart, values map[string]any, text string) error {
	var violations []SchemaViolation
	if err := validateChart(ch, values, "$", nil, &violations); err != nil {
		return err
	}
	if len(violations) == 0 {
		return nil
	}
	locateViolations(violations, text)
	cause := &SchemaError{Chart: ch.Name(), Violations: violations}
	first := violations[0]
	msg := fmt.Sprintf("The values do not match the chart's schema: %s: %s", first.Path, first.Message)
	if n := len(violations) - 1; n > 0 {
		msg += fmt.Sprintf(" (and %d more)", n)
	}
	return kube.NewError(kube.ErrInvalid, msg+".", cause)
}

// validateChart checks the values of one chart at path, then those of its
// subcharts.
func validateChart(ch *chart.Chart, values map[string]any, path string, at []string, out *[]SchemaViolation) error {
	if len(ch.Schema) > 0 {
		sch, err := compileSchema(ch.Schema)
		if err != nil {
			return kube.NewError(kube.ErrInvalid, fmt.Sprintf("The values schema of chart %s cannot be used: %s.", ch.Name(), clip(err.Error())), err)
		}
		if err := sch.Validate(map[string]any(chartutil.Values(values).AsMap())); err != nil {
			var ve *jsonschema.ValidationError
			if !errors.As(err, &ve) {
				return kube.NewError(kube.ErrInvalid, fmt.Sprintf("The values of chart %s could not be checked: %s.", ch.Name(), clip(err.Error())), err)
			}
			collectViolations(ve, path, at, out)
		}
	}
	for _, sub := range ch.Dependencies() {
		raw, ok := values[sub.Name()]
		if !ok || raw == nil {
			continue
		}
		subValues, ok := raw.(map[string]any)
		if !ok {
			*out = append(*out, SchemaViolation{Path: path + "." + sub.Name(), Message: "must be a mapping: it holds the values of subchart " + sub.Name(),
				at: append(slices.Clip(at), sub.Name())})
			continue
		}
		if err := validateChart(sub, subValues, path+"."+sub.Name(), append(slices.Clip(at), sub.Name()), out); err != nil {
			return err
		}
	}
	return nil
}

// compileSchema compiles a values.schema.json with a loader that loads
// nothing: the JSON Schema drafts' own meta-schemas are built in, any
// other reference fails.
func compileSchema(raw []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(noLoader{})
	const loc = "kubedeck:///values.schema.json"
	if err := c.AddResource(loc, doc); err != nil {
		return nil, err
	}
	return c.Compile(loc)
}

// noLoader refuses to load any schema: no URL is fetched, no file read.
type noLoader struct{}

// Load refuses.
func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("the schema refers to %s; Kubedeck does not load schemas from elsewhere", url)
}

// english prints the validator's messages.
var english = message.NewPrinter(language.English)

// collectViolations adds the leaves of a validation error (the actual
// violations; their parents only group them) under path.
func collectViolations(ve *jsonschema.ValidationError, path string, at []string, out *[]SchemaViolation) {
	if len(ve.Causes) == 0 {
		*out = append(*out, SchemaViolation{Path: jsonPath(path, ve.InstanceLocation), Message: ve.ErrorKind.LocalizedString(english),
			at: append(slices.Clip(at), ve.InstanceLocation...)})
		return
	}
	for _, c := range ve.Causes {
		collectViolations(c, path, at, out)
	}
}

// plainKey is a key a JSON path can give after a dot.
var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// jsonPath turns a location (keys and indexes) into a JSON path under
// root: "$.image.tag", "$.ports[0]", `$["odd key"]`.
func jsonPath(root string, location []string) string {
	var b strings.Builder
	b.WriteString(root)
	for _, tok := range location {
		switch _, err := strconv.Atoi(tok); {
		case err == nil:
			b.WriteString("[" + tok + "]")
		case plainKey.MatchString(tok):
			b.WriteString("." + tok)
		default:
			b.WriteString("[" + strconv.Quote(tok) + "]")
		}
	}
	return b.String()
}
