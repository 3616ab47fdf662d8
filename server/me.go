package server

import (
	"net/http"
	"slices"

	"github.com/kubedeck/kubedeck/shared"
)

// me answers who the user is and, for ?namespace=, what they may do there
// (GET /api/v1/me). The permissions come from SelfSubjectAccessReviews made
// as the user, kept for a few seconds per user, groups and namespace; for a
// namespace the informer cache has never seen, they are the user's
// cluster-wide ones.
func (s *Server) me(r *http.Request, id Identity) (any, error) {
	ns, err := namespaceQuery(r.URL.Query(), false)
	if err != nil {
		return nil, err
	}
	me := shared.Me{
		User:       id.User.Name,
		Email:      id.Email,
		Username:   id.PreferredUsername,
		Groups:     slices.Clone(id.User.Groups),
		DevMode:    s.auth.cfg.Mode == AuthDev,
		SignOutURL: s.auth.cfg.SignOutURL,
	}
	if me.Groups == nil {
		me.Groups = []string{}
	}
	if ns != "" {
		if s.selfAccess == nil {
			return nil, &apiError{code: shared.CodeUnavailable, message: "Kubedeck is not connected to a cluster."}
		}
		// A name the cache has never seen is answered from the user's
		// cluster-wide rights, so made-up names cost no reviews of their own.
		permissions := s.selfAccess.Permissions
		if objs := s.deps.Objects; objs != nil && objs.Synced() && !objs.HasNamespace(ns) {
			permissions = s.selfAccess.PermissionsUnseen
		}
		perms, err := permissions(r.Context(), id.User, ns)
		if err != nil {
			return nil, err
		}
		me.Namespace, me.Can, me.Reasons = ns, perms.Can, perms.Reasons
	}
	return me, nil
}

// quote puts a value from the request in quotes, cut short when long.
func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return `"` + s + `"`
}
