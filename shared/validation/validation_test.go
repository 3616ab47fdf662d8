package validation_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	invopop "github.com/invopop/validation"
	"github.com/kubedeck/kubedeck/shared/validation"
)

type form struct {
	Name  string   `json:"name"`
	Notes string   `json:"notes,omitempty"`
	Tags  []string `json:"tags"`
	Plain string
}

// outcome is what a caller can see of an error: its text, its JSON, and
// the code of a single error.
type outcome struct {
	Text, JSON, Code string
}

func see(t *testing.T, err error) outcome {
	t.Helper()
	if err == nil {
		return outcome{}
	}
	o := outcome{Text: err.Error()}
	if m, ok := err.(json.Marshaler); ok {
		b, jerr := m.MarshalJSON()
		if jerr != nil {
			t.Fatalf("MarshalJSON: %v", jerr)
		}
		o.JSON = string(b)
	}
	var ours validation.Error
	var theirs invopop.Error
	switch {
	case errors.As(err, &ours):
		o.Code = ours.Code()
	case errors.As(err, &theirs):
		o.Code = theirs.Code()
	}
	return o
}

// TestSameAsInvopop runs each check through this package and through
// invopop/validation, which it replaces, and wants the same outcome: the
// server's and the browser's messages did not change with the engine.
func TestSameAsInvopop(t *testing.T) {
	nested := func(f form) (error, error) {
		ours := validation.Errors{"0": validation.Errors{"name": validation.NewError("c", "Name it.")}, "1": nil}
		theirs := invopop.Errors{"0": invopop.Errors{"name": invopop.NewError("c", "Name it.")}, "1": nil}
		return ours.Filter(), theirs.Filter()
	}
	tests := []struct {
		name string
		f    form
		run  func(form) (ours, theirs error)
	}{
		{"struct fields by JSON name", form{Notes: "far too long", Tags: []string{"a", "b", "c"}}, func(f form) (error, error) {
			return validation.ValidateStruct(&f,
					validation.Field(&f.Name, validation.Required),
					validation.Field(&f.Notes, validation.Length(0, 4)),
					validation.Field(&f.Tags, validation.Length(1, 2)),
					validation.Field(&f.Plain, validation.Required.Error("say something")),
				), invopop.ValidateStruct(&f,
					invopop.Field(&f.Name, invopop.Required),
					invopop.Field(&f.Notes, invopop.Length(0, 4)),
					invopop.Field(&f.Tags, invopop.Length(1, 2)),
					invopop.Field(&f.Plain, invopop.Required.Error("say something")),
				)
		}},
		{"valid struct", form{Name: "web", Plain: "x"}, func(f form) (error, error) {
			return validation.ValidateStruct(&f,
					validation.Field(&f.Name, validation.Required, validation.Length(1, 200)),
					validation.Field(&f.Notes, validation.Length(1, 4)),
				), invopop.ValidateStruct(&f,
					invopop.Field(&f.Name, invopop.Required, invopop.Length(1, 200)),
					invopop.Field(&f.Notes, invopop.Length(1, 4)),
				)
		}},
		{"first failing rule wins", form{Name: "abcdef"}, func(f form) (error, error) {
			return validation.Validate(f.Name, validation.Length(2, 3), validation.Required),
				invopop.Validate(f.Name, invopop.Length(2, 3), invopop.Required)
		}},
		{"length too short", form{Name: "a"}, func(f form) (error, error) {
			return validation.Validate(f.Name, validation.Length(2, 0)), invopop.Validate(f.Name, invopop.Length(2, 0))
		}},
		{"length exact", form{Name: "a"}, func(f form) (error, error) {
			return validation.Validate(f.Name, validation.Length(2, 2)), invopop.Validate(f.Name, invopop.Length(2, 2))
		}},
		{"length empty required", form{Name: "a"}, func(f form) (error, error) {
			return validation.Validate(f.Name, validation.Length(0, 0)), invopop.Validate(f.Name, invopop.Length(0, 0))
		}},
		{"nil pointer is blank", form{}, func(form) (error, error) {
			var p *string
			return validation.Validate(p, validation.Required), invopop.Validate(p, invopop.Required)
		}},
		{"By rule", form{Name: "x"}, func(f form) (error, error) {
			return validation.Validate(f.Name, validation.By(func(any) error { return validation.NewError("c", "no x") })),
				invopop.Validate(f.Name, invopop.By(func(any) error { return invopop.NewError("c", "no x") }))
		}},
		{"nested errors", form{}, nested},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours, theirs := tt.run(tt.f)
			if diff := cmp.Diff(see(t, theirs), see(t, ours)); diff != "" {
				t.Errorf("(-invopop +ours):\n%s", diff)
			}
		})
	}
}

func TestValidateStructPanicsOnAForeignField(t *testing.T) {
	var f, other form
	defer func() {
		if recover() == nil {
			t.Error("ValidateStruct with a field of another struct did not panic")
		}
	}()
	_ = validation.ValidateStruct(&f, validation.Field(&other.Name, validation.Required))
}
