package kube

import (
	"context"
	"fmt"

	authv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Allows reviews one action (a key of shared.Me.Can) for u in namespace,
// fresh, never from the cache: for a right checked before something starts
// and again while it lasts (a shell in a container). When the answer is no,
// reason says why, for people.
func (s *SelfAccess) Allows(ctx context.Context, u User, namespace, key string) (ok bool, reason string, err error) {
	var act *selfAction
	for i := range s.actions {
		if s.actions[i].key == key {
			act = &s.actions[i]
		}
	}
	if act == nil {
		return false, "", fmt.Errorf("no self-access action %q", key)
	}
	cs, err := s.client.As(u)
	if err != nil {
		return false, "", err
	}
	imp, err := s.client.impersonation(u)
	if err != nil {
		return false, "", err
	}
	ns := ""
	if act.namespaced {
		ns = namespace
	}
	ok, err = s.review(ctx, cs, imp.UserName, *act, ns)
	if err != nil {
		return false, "", Translate(fmt.Errorf("review %s %s: %w", act.verb, act.resource, err))
	}
	if !ok {
		reason = act.reason(namespace)
	}
	return ok, reason, nil
}

// review asks the API server, as the user cs impersonates (named user, for
// the per-user budget of reviews), whether a may be taken in namespace.
func (s *SelfAccess) review(ctx context.Context, cs kubernetes.Interface, user string, a selfAction, namespace string) (bool, error) {
	review := &authv1.SelfSubjectAccessReview{Spec: authv1.SelfSubjectAccessReviewSpec{
		ResourceAttributes: &authv1.ResourceAttributes{Namespace: namespace, Verb: a.verb, Group: a.group,
			Resource: a.resource, Subresource: a.subresource},
	}}
	release, err := s.client.reviews.acquire(ctx, user)
	if err != nil {
		return false, err
	}
	defer release()
	var allowed bool
	err = s.client.opts.Retry.Do(ctx, func(ctx context.Context) error {
		res, err := cs.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
		if err == nil {
			allowed = res.Status.Allowed
		}
		return err
	})
	return allowed, err
}
