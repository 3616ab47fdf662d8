package server

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/kubedeck/kubedeck/kube"
)

// The auth modes.
const (
	// AuthProxy takes the user from oauth2-proxy: its forwarded headers when
	// the request comes from a trusted proxy, or an OIDC ID token in
	// Authorization. It is the default.
	AuthProxy = "proxy"
	// AuthDev gives every request one fixed user, for `make run` and tests.
	// It is refused unless the server listens on loopback.
	AuthDev = "dev"
)

// AuthConfig says how the server identifies users.
type AuthConfig struct {
	// Mode is AuthProxy ("" means it) or AuthDev.
	Mode string
	// DevUser and DevEmail are the identity of every request in dev mode.
	DevUser  kube.User
	DevEmail string
	// OIDCIssuer and OIDCClientID, when both set, make a request carrying
	// "Authorization: Bearer <ID token>" signed by the issuer for the client
	// ID identified by the token's claims, whatever its peer (oauth2-proxy
	// sends it with --pass-authorization-header).
	OIDCIssuer   string
	OIDCClientID string
	// UsernameClaim is the ID token claim naming the user. Empty means
	// preferred_username, falling back to email, then sub; a claim named
	// here is the only one read.
	UsernameClaim string
	// GroupsClaim is the ID token claim listing the user's groups (default
	// "groups").
	GroupsClaim string
	// SignInURL is where the "session ended" page sends the user (default
	// the base path + "/oauth2/start", oauth2-proxy's sign-in).
	SignInURL string
	// SignOutURL is where the logout link goes (default the base path +
	// "/oauth2/sign_out", oauth2-proxy's sign-out).
	SignOutURL string
}

// withDefaults fills in the defaults that depend on the base path.
func (a AuthConfig) withDefaults(basePath string) AuthConfig {
	if a.Mode == "" {
		a.Mode = AuthProxy
	}
	if a.GroupsClaim == "" {
		a.GroupsClaim = "groups"
	}
	if a.SignInURL == "" {
		a.SignInURL = basePath + "/oauth2/start"
	}
	if a.SignOutURL == "" {
		a.SignOutURL = basePath + "/oauth2/sign_out"
	}
	return a
}

// oidc says whether ID tokens are verified.
func (a AuthConfig) oidc() bool { return a.OIDCIssuer != "" && a.OIDCClientID != "" }

// Validate checks the identity settings before the server starts listening
// on listenAddr (host:port): dev mode only on loopback, a complete OIDC
// setting, no trusted-proxy range that would trust everyone. New makes the
// checks that do not need the address too.
func (c Config) Validate(listenAddr string) error {
	if err := c.validateAuth(); err != nil {
		return err
	}
	if c.Auth.Mode == AuthDev && !loopbackAddr(listenAddr) {
		return fmt.Errorf("dev auth mode gives every request the same user, so it only listens on loopback; %q is not (use 127.0.0.1:PORT)", listenAddr)
	}
	return nil
}

// validateAuth is the part of Validate that does not depend on the address.
func (c Config) validateAuth() error {
	switch c.Auth.Mode {
	case "", AuthProxy:
	case AuthDev:
		if strings.TrimSpace(c.Auth.DevUser.Name) == "" {
			return errors.New("dev auth mode needs a user name")
		}
	default:
		return fmt.Errorf("auth mode must be %q or %q, not %q", AuthProxy, AuthDev, c.Auth.Mode)
	}
	if (c.Auth.OIDCIssuer == "") != (c.Auth.OIDCClientID == "") {
		return errors.New("OIDC token verification needs both the issuer and the client ID")
	}
	return ValidateTrustedProxies(c.TrustedProxies)
}

// ValidateTrustedProxies refuses a trusted-proxy range that would believe
// identity headers from anyone (0.0.0.0/0, ::/0, or any /0).
func ValidateTrustedProxies(proxies []netip.Prefix) error {
	for _, p := range proxies {
		if !p.IsValid() || p.Bits() == 0 {
			return fmt.Errorf("trusted proxy range %s would trust identity headers from anyone; name the proxy's addresses", p)
		}
	}
	return nil
}

// loopbackAddr says whether host:port names a loopback address. An empty
// host means every interface, which is not loopback.
func loopbackAddr(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// peerAddr is the address of the TCP peer of r: RemoteAddr, never
// X-Forwarded-For, which the client writes.
func peerAddr(r *http.Request) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().Unmap(), true
}
