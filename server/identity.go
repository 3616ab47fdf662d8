package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

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
	// Expires is when the ID token the identity came from expires (zero
	// when it came from no token): a WebSocket closes then.
	Expires time.Time `json:"-"`
}

// The headers oauth2-proxy forwards.
const (
	headerUser              = "X-Forwarded-User"
	headerEmail             = "X-Forwarded-Email"
	headerPreferredUsername = "X-Forwarded-Preferred-Username"
	headerGroups            = "X-Forwarded-Groups"
	// headerProxySecret carries the secret oauth2-proxy injects to prove a
	// request came through it (AuthConfig.ProxySecret).
	headerProxySecret = "X-Kubedeck-Proxy-Secret"
)

// authenticator holds what identify needs, built once by New.
type authenticator struct {
	cfg     AuthConfig
	proxies []netip.Prefix
	oidc    *oidcVerifier // nil unless ID tokens are verified
	// secret is the SHA-256 digest of the proxy secret; nil without one.
	secret []byte
}

func newAuthenticator(cfg Config) *authenticator {
	a := &authenticator{cfg: cfg.Auth.withDefaults(cfg.BasePath), proxies: cfg.TrustedProxies}
	if a.cfg.oidc() {
		a.oidc = newOIDCVerifier(a.cfg)
	}
	if secret := a.cfg.ProxySecret; secret != "" {
		sum := sha256.Sum256([]byte(secret))
		a.secret = sum[:]
	}
	// The secret itself is not kept, so no dump of the configuration holds it.
	a.cfg.ProxySecret = ""
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
// user. In proxy mode a request carrying any identity header more than once
// is a 401; then it is, in order: the claims of an "Authorization: Bearer"
// ID token when OIDC is configured and the peer is a trusted proxy (or any
// peer is allowed); a token that fails to verify is a 401, not a reason to
// look further; the forwarded headers when the TCP peer is a trusted proxy
// and the request carries the proxy secret. Anything else is a 401. The API
// wrappers (api, rawAPI) call it once per request, through gate.
func (s *Server) identify(r *http.Request) (Identity, error) {
	a := s.auth
	if a.cfg.Mode == AuthDev {
		return Identity{User: kube.User{Name: a.cfg.DevUser.Name, Groups: slices.Clone(a.cfg.DevUser.Groups)},
			Email: a.cfg.DevEmail, PreferredUsername: a.cfg.DevUser.Name, Source: AuthDev}, nil
	}
	if h := repeatedIdentityHeader(r); h != "" {
		s.log.Warn("request with a repeated identity header refused", "request_id", requestID(r),
			"remote", r.RemoteAddr, "path", r.URL.Path, "header", h)
		return Identity{}, errNoIdentity("no identity: the request carries " + h + " more than once")
	}
	peer, ok := peerAddr(r)
	trusted := ok && a.trusted(peer)
	if a.oidc != nil {
		if raw, ok := bearerToken(r); ok {
			if !trusted && !a.cfg.OIDCAnyPeer {
				s.log.Warn("ID token from a peer that is not a trusted proxy ignored", "request_id", requestID(r),
					"remote", r.RemoteAddr, "path", r.URL.Path)
				return Identity{}, errNoIdentity("no identity: ID token from peer " + r.RemoteAddr + ", not a trusted proxy")
			}
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
	if !trusted {
		if user != "" {
			s.log.Warn("identity headers from an untrusted peer ignored", "request_id", requestID(r),
				"remote", r.RemoteAddr, "path", r.URL.Path)
		}
		return Identity{}, errNoIdentity("no identity: peer " + r.RemoteAddr + " is not a trusted proxy")
	}
	if proof := r.Header.Get(headerProxyProof); proof != proofOK {
		cause := proofCause(proof, a.secret != nil)
		// A warning when an identity was asserted; a visit that asserts
		// none (a port-forward's browser) is no news, and must not let
		// anyone fill the log.
		level := slog.LevelDebug
		if user != "" {
			level = slog.LevelWarn
		}
		s.log.Log(r.Context(), level, "identity headers refused: "+cause, "request_id", requestID(r),
			"remote", r.RemoteAddr, "path", r.URL.Path)
		return Identity{}, errNoIdentity("no identity: " + cause)
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

// identityHeaders are the headers an identity is read from; each may come
// once at most. The proxy secret is counted by checkProxySecret, which
// takes it off the request.
var identityHeaders = []string{headerUser, headerEmail, headerPreferredUsername, headerGroups, "Authorization"}

// repeatedIdentityHeader names the first identity header r carries more
// than once ("" when none is repeated): two copies mean someone besides the
// proxy wrote one, and "first wins" would let them choose.
func repeatedIdentityHeader(r *http.Request) string {
	for _, h := range identityHeaders {
		if len(r.Header.Values(h)) > 1 {
			return h
		}
	}
	if r.Header.Get(headerProxyProof) == proofRepeated {
		return headerProxySecret
	}
	return ""
}

// headerProxyProof is what checkProxySecret tells identify about the
// secret: proofOK when the request carried it once and right,
// proofRepeated when more than once, absent otherwise. It is set only by
// checkProxySecret, which drops any copy the client sent.
const (
	headerProxyProof = "X-Kubedeck-Proxy-Proof"
	proofOK          = "ok"
	proofRepeated    = "repeated"
	proofWrong       = "wrong"
)

// proofCause says, for the log and the 401's cause, why a trusted peer's
// request did not prove it came through the proxy. It never holds the
// secret or what was sent instead.
func proofCause(proof string, configured bool) string {
	switch {
	case !configured:
		return "no --proxy-secret-file is set, so forwarded identity headers are never believed"
	case proof == proofWrong:
		return "the " + headerProxySecret + " header does not match --proxy-secret-file (the proxy reads another secret, or its file has other bytes, such as a line end)"
	default:
		return "the request carries no " + headerProxySecret + " header (the proxy does not inject it, or the request bypassed the proxy)"
	}
}

// checkProxySecret takes the proxy secret header off every request, so no
// handler can forward or log it, and records in headerProxyProof whether it
// was the configured secret. The comparison is of SHA-256 digests in
// constant time, so neither the secret nor its length leaks through timing.
func (s *Server) checkProxySecret(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Values(headerProxySecret)
		r.Header.Del(headerProxySecret)
		r.Header.Del(headerProxyProof)
		switch {
		case len(got) > 1:
			r.Header.Set(headerProxyProof, proofRepeated)
		case len(got) == 1 && s.auth.secret != nil:
			sum := sha256.Sum256([]byte(got[0]))
			if subtle.ConstantTimeCompare(sum[:], s.auth.secret) == 1 {
				r.Header.Set(headerProxyProof, proofOK)
			} else {
				r.Header.Set(headerProxyProof, proofWrong)
			}
		}
		next.ServeHTTP(w, r)
	})
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
