package server

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
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
	// ProxySecret is the value oauth2-proxy injects in the
	// X-Kubedeck-Proxy-Secret header (injectRequestHeaders, read from
	// --proxy-secret-file). The forwarded identity headers are believed only
	// from a trusted peer that also sends it: a peer address alone is no
	// proof, since port-forwards and sidecars arrive from loopback. Empty:
	// forwarded headers are never believed. It is at least
	// minProxySecret bytes, compared in constant time and never logged.
	ProxySecret string
	// OIDCIssuer and OIDCClientID, when both set, make a request carrying
	// "Authorization: Bearer <ID token>" signed by the issuer for the client
	// ID identified by the token's claims (oauth2-proxy sends it with
	// --pass-authorization-header).
	OIDCIssuer   string
	OIDCClientID string
	// OIDCAnyPeer accepts ID tokens from any peer; by default only from the
	// trusted proxies.
	OIDCAnyPeer bool
	// UsernameClaim is the ID token claim naming the user. Empty means
	// preferred_username, falling back to email (only when email_verified
	// is true), then sub; a claim named here is the only one read ("email"
	// too needs email_verified).
	UsernameClaim string
	// UsernamePrefix is put before the user name read from an ID token
	// (for example "oidc:"), so that token users cannot take the names of
	// users the cluster knows otherwise.
	UsernamePrefix string
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
		// oauth2-proxy sends the browser to "/" after sign-out unless told
		// otherwise, which under a base path is another application.
		a.SignOutURL = basePath + "/oauth2/sign_out"
		if basePath != "" {
			a.SignOutURL += "?rd=" + url.QueryEscape(basePath+"/")
		}
	}
	return a
}

// oidc says whether ID tokens are verified.
func (a AuthConfig) oidc() bool { return a.OIDCIssuer != "" && a.OIDCClientID != "" }

// minProxySecret is the shortest proxy secret accepted, in bytes.
const minProxySecret = 16

// CheckProxySecret says why b cannot be a proxy secret that oauth2-proxy
// sends unchanged in a header: only visible ASCII (0x21 to 0x7e), at least
// minProxySecret bytes.
func CheckProxySecret(b []byte) error {
	for i, c := range b {
		switch {
		case c == '\n' || c == '\r':
			where := "inside it"
			if strings.TrimRight(string(b[i:]), "\r\n") == "" {
				where = "at its end"
			}
			return fmt.Errorf("has a line end %s (byte %d), which oauth2-proxy would send in the header and so break every request", where, i+1)
		case c == ' ' || c == '\t':
			return fmt.Errorf("has a blank (byte %d), which a header does not carry as it is", i+1)
		case c < 0x21 || c > 0x7e:
			return fmt.Errorf("has byte %d of value %#x, not visible ASCII", i+1, c)
		}
	}
	if len(b) < minProxySecret {
		return fmt.Errorf("holds %d bytes; it needs at least %d bytes", len(b), minProxySecret)
	}
	return nil
}

// Validate checks the identity settings before the server starts listening
// on listenAddr (host:port): dev mode only on loopback; in proxy mode a way
// to tell the proxy's requests from others' (the proxy secret or verified ID
// tokens); a complete OIDC setting; no trusted-proxy range wider than a /8
// (IPv4) or a /32 (IPv6). New makes the checks that need neither the address
// nor the proof: a server New builds without a proxy secret never believes
// forwarded headers.
func (c Config) Validate(listenAddr string) error {
	if err := c.validateAuth(); err != nil {
		return err
	}
	if c.Auth.Mode == AuthDev && !loopbackAddr(listenAddr) {
		return fmt.Errorf("dev auth mode gives every request the same user, so it only listens on loopback; %q is not (use 127.0.0.1:PORT)", listenAddr)
	}
	if c.Auth.Mode != AuthDev && c.Auth.ProxySecret == "" && !c.Auth.oidc() {
		return errors.New("proxy auth mode needs proof that a request came through oauth2-proxy, since a peer address is none " +
			"(port-forwards and sidecars arrive from loopback): set --proxy-secret-file to a file holding a random secret " +
			"of at least 16 bytes that oauth2-proxy injects as the " + headerProxySecret + " header (deploy/oauth2-proxy " +
			"shows how), or set --oidc-issuer and --oidc-client-id to accept only verified ID tokens")
	}
	return nil
}

// validateAuth is the part of Validate that New makes too.
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
	if c.Auth.ProxySecret != "" {
		if err := CheckProxySecret([]byte(c.Auth.ProxySecret)); err != nil {
			return fmt.Errorf("the proxy secret %w; generate one with `openssl rand -base64 32`", err)
		}
	}
	if _, err := parseAllowedHosts(c.AllowedHosts); err != nil {
		return err
	}
	return ValidateTrustedProxies(c.TrustedProxies)
}

// The widest trusted-proxy ranges accepted: a range wider than a /8 (IPv4)
// or a /32 (IPv6) is not a proxy's address.
const (
	minProxyBits4 = 8
	minProxyBits6 = 32
)

// ValidateTrustedProxies refuses a trusted-proxy range wider than a /8
// (IPv4) or a /32 (IPv6): such a range (0.0.0.0/0 at worst) names whole
// networks, not the proxy. IPv4 mapped into IPv6 counts as IPv4.
func ValidateTrustedProxies(proxies []netip.Prefix) error {
	for _, p := range proxies {
		if !p.IsValid() {
			return fmt.Errorf("trusted proxy range %s is not valid", p)
		}
		bits, limit, family := p.Bits(), minProxyBits6, "IPv6"
		if p.Addr().Is4() {
			limit, family = minProxyBits4, "IPv4"
		} else if p.Addr().Is4In6() {
			bits, limit, family = bits-96, minProxyBits4, "IPv4"
		}
		if bits <= 0 {
			return fmt.Errorf("trusted proxy range %s would trust identity headers from anyone; name the proxy's addresses", p)
		}
		if bits < limit {
			return fmt.Errorf("trusted proxy range %s is wider than a /%d, the widest %s range accepted; name the proxy's addresses", p, limit, family)
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
