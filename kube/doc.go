// Package kube is everything that talks to Kubernetes: client configuration,
// impersonation, error translation and retries, the informer store and the
// rows it serves, and access reviews. It has no HTTP in it: functions take
// clients and return shared types. The Redis/memory cache is package
// kube/cache; Helm will be package kube/helm.
package kube
