// Package idptest runs an OpenID Connect provider for tests: mockoidc's
// endpoints (discovery, authorize, token with refresh, userinfo, JWKS)
// behind the parts a real provider has and mockoidc lacks: a sign-in page
// and a session of its own (so a second visit is signed in without a page,
// as with a real provider), users whose groups change while they are signed
// in (a refresh then carries the new groups), and a logout endpoint that
// oauth2-proxy's backend logout calls to end that session.
package idptest

import (
	"crypto/rand"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"
)

// The provider's own paths, beside mockoidc's under /oidc.
const (
	// LoginPath shows and takes the sign-in form.
	LoginPath = "/idp/login"
	// LogoutPath ends the provider's sessions of the ID token's subject
	// (id_token_hint), as an end-session endpoint does.
	LogoutPath = "/idp/logout"
	// sessionCookie holds the provider's session.
	sessionCookie = "idp_session"
)

// User is someone the provider knows.
type User struct {
	Subject           string // opaque, as providers make it
	Username          string // preferred_username
	Email             string
	Groups            []string
	UnverifiedEmailOK bool // false: email_verified is true
}

// Provider is a running provider.
type Provider struct {
	mock   *mockoidc.MockOIDC
	server *http.Server

	mu        sync.Mutex
	users     map[string]*User  // by Username
	sessions  map[string]string // session id → Username
	logins    int               // sign-in forms shown
	logouts   int               // logout calls that ended a session
	authorize sync.Mutex        // pairs a queued user with its authorize call
}

// ClientID and ClientSecret are the client the provider knows.
const (
	ClientID     = "kubedeck"
	ClientSecret = "idptest-client-secret-5b1f0c"
)

// Start runs a provider on a free loopback port until the test ends.
func Start(t testing.TB, users ...User) *Provider {
	t.Helper()
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	m.ClientID, m.ClientSecret = ClientID, ClientSecret
	p := &Provider{mock: m, users: map[string]*User{}, sessions: map[string]string{}}
	for _, u := range users {
		p.AddUser(u)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc(mockoidc.AuthorizationEndpoint, p.serveAuthorize)
	mux.HandleFunc(mockoidc.TokenEndpoint, m.Token)
	mux.HandleFunc(mockoidc.UserinfoEndpoint, m.Userinfo)
	mux.HandleFunc(mockoidc.JWKSEndpoint, m.JWKS)
	mux.HandleFunc(mockoidc.DiscoveryEndpoint, m.Discovery)
	mux.HandleFunc(LoginPath, p.serveLogin)
	mux.HandleFunc(LogoutPath, p.serveLogout)
	// mockoidc's Addr and Issuer are read from its Server.
	p.server = &http.Server{Addr: ln.Addr().String(), Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	m.Server = p.server
	go func() { _ = p.server.Serve(ln) }()
	t.Cleanup(func() { _ = p.server.Close() })
	return p
}

// Issuer is the issuer URL oauth2-proxy discovers the provider at.
func (p *Provider) Issuer() string { return p.mock.Issuer() }

// LogoutURL is the backend logout URL for oauth2-proxy ({id_token} is
// replaced by the session's ID token).
func (p *Provider) LogoutURL() string {
	return p.mock.Addr() + LogoutPath + "?id_token_hint={id_token}"
}

// AddUser adds (or replaces) a user.
func (p *Provider) AddUser(u User) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := u
	c.Groups = slices.Clone(u.Groups)
	p.users[u.Username] = &c
}

// SetGroups changes a user's groups: ID tokens issued from now on (a
// refresh included) carry them.
func (p *Provider) SetGroups(username string, groups ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if u := p.users[username]; u != nil {
		u.Groups = slices.Clone(groups)
	}
}

// Logins is how many times the sign-in form was shown.
func (p *Provider) Logins() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logins
}

// Logouts is how many logout calls ended a session.
func (p *Provider) Logouts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logouts
}

// serveAuthorize signs the browser's session user in, or shows the
// sign-in form when the browser has no session with the provider.
func (p *Provider) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	user := p.sessionUser(r)
	if user == nil {
		p.showLogin(w, r.URL.String(), "")
		return
	}
	p.authorize.Lock()
	defer p.authorize.Unlock()
	p.mock.QueueUser(&claimsUser{p: p, username: user.Username})
	p.mock.Authorize(w, r)
}

func (p *Provider) sessionUser(r *http.Request) *User {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	name, ok := p.sessions[c.Value]
	if !ok {
		return nil
	}
	return p.users[name]
}

// showLogin writes the sign-in form, which comes back to next (an
// authorize URL of this provider).
func (p *Provider) showLogin(w http.ResponseWriter, next, problem string) {
	p.countLogin()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	msg := ""
	if problem != "" {
		w.WriteHeader(http.StatusUnauthorized)
		msg = `<p id="idp-error" role="alert">` + html.EscapeString(problem) + `</p>`
	}
	fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>Sign in to the test provider</title><link rel="icon" href="data:,"></head>
<body><h1 id="idp-title">Test provider</h1>%s
<form id="idp-login" method="post" action="%s">
<input type="hidden" name="next" value="%s">
<label>User name <input id="idp-username" name="username" autocomplete="username"></label>
<button id="idp-submit" type="submit">Sign in</button>
</form></body></html>`, msg, LoginPath, html.EscapeString(next))
}

func (p *Provider) countLogin() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.logins++
}

// startSession starts a provider session for the user name, unless the
// provider does not know it.
func (p *Provider) startSession(name string) (id string, known bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, known = p.users[name]; !known {
		return "", false
	}
	id = newID()
	p.sessions[id] = name
	return id, true
}

// serveLogin takes the sign-in form: a known user name starts a provider
// session and goes on to the authorize URL.
func (p *Provider) serveLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		p.showLogin(w, mockoidc.AuthorizationEndpoint, "")
		return
	}
	next := r.PostFormValue("next")
	if u, err := url.Parse(next); err != nil || u.IsAbs() || u.Path != mockoidc.AuthorizationEndpoint {
		http.Error(w, "bad next", http.StatusBadRequest)
		return
	}
	name := r.PostFormValue("username")
	id, known := p.startSession(name)
	if !known {
		p.showLogin(w, next, "No such user.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, next, http.StatusFound)
}

// serveLogout ends every provider session of the ID token's subject: the
// back-channel end-session call oauth2-proxy makes at sign-out.
func (p *Provider) serveLogout(w http.ResponseWriter, r *http.Request) {
	hint := r.URL.Query().Get("id_token_hint")
	tok, err := p.mock.Keypair.VerifyJWT(hint, p.mock.Now)
	if err != nil {
		http.Error(w, "bad id_token_hint", http.StatusBadRequest)
		return
	}
	sub, err := tok.Claims.GetSubject()
	if err != nil || sub == "" {
		http.Error(w, "no subject", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ended := false
	for id, name := range p.sessions {
		if u := p.users[name]; u != nil && u.Subject == sub {
			delete(p.sessions, id)
			ended = true
		}
	}
	if ended {
		p.logouts++
	}
	w.WriteHeader(http.StatusOK)
}

// claimsUser is a mockoidc user read from the provider each time a token
// is issued, so a refresh carries the groups of that moment.
type claimsUser struct {
	p        *Provider
	username string
}

func (c *claimsUser) current() User {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	if u := c.p.users[c.username]; u != nil {
		out := *u
		out.Groups = slices.Clone(u.Groups)
		return out
	}
	return User{Username: c.username}
}

func (c *claimsUser) mockUser() *mockoidc.MockUser {
	u := c.current()
	return &mockoidc.MockUser{Subject: u.Subject, Email: u.Email, EmailVerified: !u.UnverifiedEmailOK,
		PreferredUsername: u.Username, Groups: u.Groups}
}

func (c *claimsUser) ID() string { return c.current().Subject }

func (c *claimsUser) Userinfo(scope []string) ([]byte, error) { return c.mockUser().Userinfo(scope) }

func (c *claimsUser) Claims(scope []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	return c.mockUser().Claims(scope, base)
}

var _ mockoidc.User = (*claimsUser)(nil)

// newID is a random session id.
func newID() string { return rand.Text() }

// nextField finds the form's way back (the authorize URL) in its page.
var nextField = regexp.MustCompile(`name="next" value="([^"]+)"`)

// SubmitLogin fills in the sign-in form that page (a body the provider
// wrote) holds as user, with c (a client with a cookie jar that follows
// redirects, as a browser), and returns where c ends up and its body.
func (p *Provider) SubmitLogin(c *http.Client, page, user string) (*http.Response, string, error) {
	m := nextField.FindStringSubmatch(page)
	if m == nil {
		return nil, "", fmt.Errorf("not the provider's sign-in form: %.300s", page)
	}
	resp, err := c.PostForm(p.mock.Addr()+LoginPath, url.Values{"next": {html.UnescapeString(m[1])}, "username": {user}})
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, string(body), err
}
