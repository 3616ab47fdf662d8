package server

import (
	"errors"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// Identity is who a request comes from, as the identity layer established
// it: the user Kubernetes calls are made as, and what the identity provider
// said besides.
type Identity struct {
	User              kube.User
	Email             string
	PreferredUsername string
	// Source says how the identity was established: "proxy" (forwarded
	// headers from a trusted peer), "oidc" (a verified ID token) or "dev".
	Source string
}

// The headers oauth2-proxy forwards.
const (
	headerUser              = "X-Forwarded-User"
	headerEmail             = "X-Forwarded-Email"
	headerPreferredUsername = "X-Forwarded-Preferred-Username"
	headerGroups            = "X-Forwarded-Groups"
)

// authenticator holds what identify needs, built once by New.
type authenticator struct {
	cfg     AuthConfig
	proxies []netip.Prefix
	oidc    *oidcVerifier // nil unless ID tokens are verified
}

func newAuthenticator(cfg Config) *authenticator {
	a := &authenticator{cfg: cfg.Auth.withDefaults(cfg.BasePath), proxies: cfg.TrustedProxies}
	if a.cfg.oidc() {
		a.oidc = newOIDCVerifier(a.cfg)
	}
	return a
}

// errNoIdentity is the 401 for a request no trusted identity came with.
// There is no fallback identity.
func errNoIdentity(cause string) error {
	return &apiError{code: shared.CodeUnauthorized, cause: errorString(cause),
		message: "You are not signed in, or your session has ended; sign in again."}
}

type errorString string

func (e errorString) Error() string { return string(e) }

// identify establishes who r comes from. In dev mode that is the configured
// user. In proxy mode it is, in order: the claims of an "Authorization:
// Bearer" ID token when OIDC is configured (a token that fails to verify is a
// 401, not a reason to look further); the forwarded headers when the TCP peer
// is a trusted proxy. Anything else is a 401. It resolves on every call; it
// is cheap (header parsing, or one signature check).
func (s *Server) identify(r *http.Request) (Identity, error) {
	a := s.auth
	if a.cfg.Mode == AuthDev {
		return Identity{User: kube.User{Name: a.cfg.DevUser.Name, Groups: slices.Clone(a.cfg.DevUser.Groups)},
			Email: a.cfg.DevEmail, PreferredUsername: a.cfg.DevUser.Name, Source: AuthDev}, nil
	}
	if a.oidc != nil {
		if raw, ok := bearerToken(r); ok {
			id, err := a.oidc.verify(r.Context(), raw)
			if errors.Is(err, errDiscovery) {
				s.log.Warn("ID token not checked: the OIDC issuer cannot be reached", "request_id", requestID(r), "err", err)
			}
			if err != nil {
				return Identity{}, errNoIdentity(err.Error())
			}
			return id, nil
		}
	}
	user := strings.TrimSpace(r.Header.Get(headerUser))
	peer, ok := peerAddr(r)
	if !ok || !a.trusted(peer) {
		if user != "" {
			s.log.Warn("identity headers from an untrusted peer ignored", "request_id", requestID(r),
				"remote", r.RemoteAddr, "path", r.URL.Path)
		}
		return Identity{}, errNoIdentity("no identity: peer " + r.RemoteAddr + " is not a trusted proxy")
	}
	if user == "" {
		return Identity{}, errNoIdentity("no identity: the trusted proxy sent no " + headerUser)
	}
	return Identity{
		User:              kube.User{Name: user, Groups: splitGroups(r.Header.Get(headerGroups))},
		Email:             strings.TrimSpace(r.Header.Get(headerEmail)),
		PreferredUsername: strings.TrimSpace(r.Header.Get(headerPreferredUsername)),
		Source:            AuthProxy,
	}, nil
}

// user is the Kubernetes user r acts as; API handlers pass it to
// kube.Client.As for every call they make.
func (s *Server) user(r *http.Request) (kube.User, error) {
	id, err := s.identify(r)
	return id.User, err
}

// trusted says whether peer is inside one of the trusted proxy ranges.
func (a *authenticator) trusted(peer netip.Addr) bool {
	for _, p := range a.proxies {
		if p.Contains(peer) {
			return true
		}
	}
	return false
}

// bearerToken is the token of an "Authorization: Bearer" header.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// splitGroups reads a comma-separated group list, dropping blanks and
// repeats.
func splitGroups(s string) []string {
	var out []string
	for g := range strings.SplitSeq(s, ",") {
		if g = strings.TrimSpace(g); g != "" && !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}
