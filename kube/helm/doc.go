// Package helm holds what Kubedeck does with Helm: releases (list, read,
// install, upgrade, roll back, uninstall), chart repositories and the chart
// catalog, all through the Helm SDK and behind Kubedeck's own types, so that
// moving to helm.sh/helm/v4 touches this package and nothing else.
//
// Every call made for a user runs as that user: it builds its own Helm
// action configuration from Kubedeck's impersonating config (kube.Client's
// ConfigAs), bound to the release's namespace, with releases kept in
// Secrets there. Nothing comes from the process's environment: no
// kubeconfig, Helm home, HELM_* variable, registry or Docker credentials,
// or plugins. Charts come only from the configured HTTP(S) repositories,
// named "<repository>/<chart>"; indexes and archives are read into memory,
// size-capped, and archives checked against the index's digest. Values
// schemas are checked without loading anything they refer to.
//
// Errors wrap kube's sentinels (kube.ErrNotFound, ErrConflict,
// ErrForbidden, ErrInvalid, ErrUnavailable) with a message for people.
package helm
