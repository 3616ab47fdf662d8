package shared

import (
	"github.com/kubedeck/kubedeck/shared/validation"
)

// ClientError is what the UI's error boundary reports when a component
// panics: which component, on which route, the panic message and stack.
type ClientError struct {
	Component string `json:"component"`
	Route     string `json:"route"`
	Message   string `json:"message"`
	Stack     string `json:"stack,omitempty"`
	Version   string `json:"version,omitempty"`
}

// Validate bounds a report, so a flood of large reports cannot fill the log.
func (c ClientError) Validate() error {
	return validation.ValidateStruct(&c,
		validation.Field(&c.Component, validation.Required, validation.Length(1, 200)),
		validation.Field(&c.Route, validation.Length(0, 500)),
		validation.Field(&c.Message, validation.Required, validation.Length(1, 2000)),
		validation.Field(&c.Stack, validation.Length(0, 64<<10)),
		validation.Field(&c.Version, validation.Length(0, 100)),
	)
}
