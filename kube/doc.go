// Package kube is everything that talks to Kubernetes: client configuration,
// impersonation, error translation and retries, the informer cache and the
// rows it serves, access reviews, and the optional Redis cache. It has no HTTP
// in it: functions take clients and return shared types.
package kube
