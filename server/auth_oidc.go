package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/kubedeck/kubedeck/kube"
)

// oidcRetryEvery is how long a failed discovery of the issuer is remembered
// before the next request tries again.
const oidcRetryEvery = 5 * time.Second

// errDiscovery marks a failure to reach the issuer, which is the server's
// problem rather than the token's.
var errDiscovery = errors.New("OIDC issuer discovery failed")

// oidcVerifier checks ID tokens against the issuer's keys. It discovers the
// issuer on first use rather than at start, so an issuer that is down at
// boot delays nothing but token sign-ins, and retries discovery at most
// every oidcRetryEvery. It is safe for concurrent use.
type oidcVerifier struct {
	issuer, clientID      string
	usernameClaim, groups string
	usernamePrefix        string

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
	tried    time.Time
	err      error
}

func newOIDCVerifier(a AuthConfig) *oidcVerifier {
	return &oidcVerifier{issuer: a.OIDCIssuer, clientID: a.OIDCClientID,
		usernameClaim: a.UsernameClaim, groups: a.GroupsClaim, usernamePrefix: a.UsernamePrefix}
}

// get returns the verifier, discovering the issuer when it is not known yet.
func (o *oidcVerifier) get(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.verifier != nil {
		return o.verifier, nil
	}
	if !o.tried.IsZero() && time.Since(o.tried) < oidcRetryEvery {
		return nil, o.err
	}
	o.tried = time.Now()
	// The provider keeps this context for fetching keys later (without its
	// cancellation), so it must not be the request's.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(dctx, o.issuer)
	if err != nil {
		o.err = fmt.Errorf("%w: %s: %w", errDiscovery, o.issuer, err)
		return nil, o.err
	}
	o.verifier = p.Verifier(&oidc.Config{ClientID: o.clientID})
	return o.verifier, nil
}

// idClaims are the claims Kubedeck reads besides the configurable ones.
// EmailVerified is a boolean, or the string "true" some providers send.
type idClaims struct {
	Subject           string `json:"sub"`
	Email             string `json:"email"`
	EmailVerified     any    `json:"email_verified"`
	PreferredUsername string `json:"preferred_username"`
}

// emailVerified says whether the provider vouches for the email claim.
func (c idClaims) emailVerified() bool {
	return c.EmailVerified == true || c.EmailVerified == "true"
}

// verify checks raw (signature, issuer, audience, expiry) and reads the
// identity from its claims. Its errors never contain the token.
func (o *oidcVerifier) verify(ctx context.Context, raw string) (Identity, error) {
	v, err := o.get(ctx)
	if err != nil {
		return Identity{}, err
	}
	tok, err := v.Verify(ctx, raw)
	if err != nil {
		return Identity{}, fmt.Errorf("ID token refused: %w", err)
	}
	var std idClaims
	var all map[string]any
	if err := tok.Claims(&std); err != nil {
		return Identity{}, fmt.Errorf("ID token claims: %w", err)
	}
	if err := tok.Claims(&all); err != nil {
		return Identity{}, fmt.Errorf("ID token claims: %w", err)
	}
	// An email the provider has not verified is whatever the user typed:
	// it names no one.
	email := ""
	if std.emailVerified() {
		email = std.Email
	}
	name := ""
	switch o.usernameClaim {
	case "":
		name = firstNonEmpty(std.PreferredUsername, email, std.Subject)
	case "email":
		name = email
	default:
		name, _ = all[o.usernameClaim].(string)
	}
	if strings.TrimSpace(name) == "" {
		return Identity{}, fmt.Errorf("ID token has no user name claim (%s; an email counts only with email_verified true)",
			cmp.Or(o.usernameClaim, "preferred_username, email or sub"))
	}
	name = o.usernamePrefix + strings.TrimSpace(name)
	groups, err := stringList(all[o.groups])
	if err != nil {
		return Identity{}, fmt.Errorf("ID token claim %q: %w", o.groups, err)
	}
	return Identity{User: kube.User{Name: name, Groups: groups}, Email: email,
		PreferredUsername: std.PreferredUsername, Source: "oidc", Expires: tok.Expiry}, nil
}

// stringList reads a claim that is a list of strings or one string (absent:
// none).
func stringList(v any) ([]string, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		if v = strings.TrimSpace(v); v == "" {
			return nil, nil
		}
		return []string{v}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, errors.New("not a list of strings")
			}
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out, nil
	}
	return nil, errors.New("not a list of strings")
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
