// Package helm will hold what Kubedeck does with Helm: releases (list,
// install, upgrade, roll back, uninstall), chart repositories and the chart
// catalog, all through the Helm SDK and behind Kubedeck's own types, so that
// moving to helm.sh/helm/v4 touches this package and nothing else.
package helm
