package main

import "strings"

// wizardStep is one step of the deployment wizard, in order.
type wizardStep int

// The steps of the wizard.
const (
	stepBasics wizardStep = iota
	stepExposure
	stepResources
	stepCommand
	stepVolumes
	stepReview
)

// wizardSteps lists the steps in the order the wizard walks through them.
var wizardSteps = []wizardStep{stepBasics, stepExposure, stepResources, stepCommand, stepVolumes, stepReview}

// name is the step's id in the page ("deploy-step-" + name).
func (s wizardStep) name() string {
	switch s {
	case stepExposure:
		return "exposure"
	case stepResources:
		return "resources"
	case stepCommand:
		return "command"
	case stepVolumes:
		return "volumes"
	case stepReview:
		return "review"
	}
	return "basics"
}

// title is what the step bar calls the step.
func (s wizardStep) title() string {
	switch s {
	case stepExposure:
		return "Exposure"
	case stepResources:
		return "Resources"
	case stepCommand:
		return "Command and environment"
	case stepVolumes:
		return "Volumes"
	case stepReview:
		return "Review"
	}
	return "Basics"
}

// valid says whether s is one of the steps.
func (s wizardStep) valid() bool { return s >= stepBasics && s <= stepReview }

// fieldSteps maps each field of the form (the first part of its path, the
// spec's JSON name where it has one) to the step that edits it.
var fieldSteps = map[string]wizardStep{
	"name": stepBasics, "namespace": stepBasics, "image": stepBasics,
	"pullSecret": stepBasics, "port": stepBasics, "replicas": stepBasics,
	"exposure":   stepExposure,
	"preset":     stepResources,
	"cpuRequest": stepResources, "cpuLimit": stepResources,
	"memoryRequest": stepResources, "memoryLimit": stepResources,
	"gpuOn": stepResources, "gpu": stepResources,
	"command": stepCommand, "args": stepCommand, "env": stepCommand, "envPaste": stepCommand,
	"volumes": stepVolumes,
}

// stepOf is the step that edits the field at path ("image", "env.0.name");
// false for a path the wizard has no field for.
func stepOf(path string) (wizardStep, bool) {
	first, _, _ := strings.Cut(path, ".")
	s, ok := fieldSteps[first]
	return s, ok
}
