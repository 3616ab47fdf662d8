package helm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"helm.sh/helm/v3/pkg/storage/driver"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kubedeck/kubedeck/kube"
)

// What the Helm SDK says in errors it does not export.
const (
	msgNameInUse     = "cannot re-use a name that is still in use"
	msgPending       = "another operation (install/upgrade/rollback) is in progress"
	msgNotImportable = "cannot be imported into the current release"
	msgUnreachable   = "Kubernetes cluster unreachable"
	msgNoBuild       = "unable to build kubernetes objects"
)

// releaseError turns an error of the Helm SDK about release name in
// namespace into one wrapping a kube sentinel, with a message for people;
// the SDK's error stays as the cause, for the log. timeout is the
// operation's, for the message when it ran out. Errors it does not
// recognise come back as kube.TranslateIn leaves them.
func releaseError(err error, namespace, name string, timeout time.Duration) error {
	var done *kube.Error
	switch {
	case err == nil, errors.As(err, &done), errors.Is(err, context.Canceled):
		return err
	}
	msg := err.Error()
	rel := fmt.Sprintf("release %q in namespace %q", name, namespace)
	switch {
	case errors.Is(err, driver.ErrReleaseNotFound), strings.Contains(msg, driver.ErrReleaseNotFound.Error()):
		return kube.NewError(kube.ErrNotFound, upper(rel)+" was not found.", err)
	case errors.Is(err, driver.ErrNoDeployedReleases):
		return kube.NewError(kube.ErrNotFound, upper(rel)+" was not found or has no revision to upgrade from; install it instead.", err)
	case strings.Contains(msg, msgNameInUse):
		return kube.NewError(kube.ErrConflict, fmt.Sprintf("A release named %q already exists in namespace %q: choose another name, or upgrade it.", name, namespace), err)
	case strings.Contains(msg, msgPending), errors.Is(err, driver.ErrReleaseExists), isReleaseSecretConflict(err):
		return kube.NewError(kube.ErrConflict, fmt.Sprintf("Another install, upgrade or rollback of %s is in progress. If none is running, the release is stuck: roll it back to its last good revision.", rel), err)
	case strings.Contains(msg, msgNotImportable):
		return kube.NewError(kube.ErrConflict, "An object of the chart already exists and belongs to no release or to another one: "+clip(msg)+".", err)
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return kube.TranslateIn(err, namespace)
	}
	switch {
	case strings.Contains(msg, "is forbidden: User"):
		return kube.NewError(kube.ErrForbidden, "Kubernetes refused the request: "+clip(msg)+".", err)
	case strings.Contains(msg, msgUnreachable):
		return kube.NewError(kube.ErrUnavailable, "Helm could not reach the Kubernetes API; try again shortly.", err)
	case isRenderError(msg):
		return kube.NewError(kube.ErrInvalid, "The chart could not be rendered with these values: "+clip(msg)+".", err)
	case strings.Contains(msg, msgNoBuild):
		return kube.NewError(kube.ErrInvalid, "The chart's objects are not valid: "+clip(msg)+".", err)
	case errors.Is(err, context.DeadlineExceeded), strings.Contains(msg, "timed out waiting for the condition"):
		return kube.NewError(kube.ErrUnavailable, fmt.Sprintf("%s did not finish within %v: its resources did not become ready in time (or the Kubernetes API did not answer). Look at its resources, then upgrade or roll it back.", upper(rel), timeout), err)
	}
	return kube.TranslateIn(err, namespace)
}

// isReleaseSecretConflict says whether err is the API server refusing to
// create a release's Secret that exists: two operations raced.
func isReleaseSecretConflict(err error) bool {
	var status apierrors.APIStatus
	if !errors.As(err, &status) || !apierrors.IsAlreadyExists(err) {
		return false
	}
	d := status.Status().Details
	return d != nil && strings.HasPrefix(d.Name, "sh.helm.release.")
}

// isRenderError says whether msg is Helm failing to render templates.
func isRenderError(msg string) bool {
	for _, s := range []string{"template: ", "parse error", "execution error", "failed to render", "YAML parse error"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// upper starts s with a capital letter.
func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// clip keeps a message from the SDK short enough for a toast, without a
// trailing period (the caller ends the sentence).
func clip(s string) string {
	const limit = 400
	s = strings.TrimSpace(s)
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	return strings.TrimSuffix(s, ".")
}
