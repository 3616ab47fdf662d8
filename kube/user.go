package kube

// User is who a request acts for: the signed-in user's name and groups, as
// the identity layer established them. Kubernetes calls for a request are
// made as this user through impersonation.
type User struct {
	Name   string
	Groups []string
}
