//go:build !wasm

package main

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/kubedeck/kubedeck/kube/helm"
)

// listFlag is a flag that may be given several times; a value with commas
// (from its environment variable) counts as several.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, splitList(v)...)
	return nil
}

// helmOptions are the Helm client's options from the flags: each
// repository once, by a name of its own, over http or https, with its
// credentials read from their file.
func (c config) helmOptions() (helm.Options, error) {
	opts := helm.Options{Timeout: c.helmTimeout, MaxIndexBytes: c.helmMaxIndex}
	creds := map[string]string{}
	for _, kv := range c.helmCredentials {
		name, path, ok := strings.Cut(kv, "=")
		if !ok || name == "" || path == "" {
			return opts, fmt.Errorf("--helm-repo-credentials: %q is not name=path", kv)
		}
		creds[name] = path
	}
	seen := map[string]bool{}
	for _, kv := range c.helmRepos {
		name, raw, ok := strings.Cut(kv, "=")
		if !ok || name == "" || seen[name] || strings.ContainsAny(name, "/ ") {
			return opts, fmt.Errorf("--helm-repo: %q is not name=url with a name of its own (no '/' or space)", kv)
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			return opts, fmt.Errorf("--helm-repo: %q is not an http(s) URL without credentials (give those with --helm-repo-credentials)", raw)
		}
		seen[name] = true
		repo := helm.Repository{Name: name, URL: raw}
		if path, ok := creds[name]; ok {
			pair, err := readSecretFile("--helm-repo-credentials", path, 3)
			if err != nil {
				return opts, err
			}
			user, pass, ok := strings.Cut(pair, ":")
			if !ok || user == "" {
				return opts, fmt.Errorf("--helm-repo-credentials: %s does not hold user:password", path)
			}
			repo.Username, repo.Password = user, pass
			delete(creds, name)
		}
		opts.Repositories = append(opts.Repositories, repo)
	}
	for name := range creds {
		return opts, fmt.Errorf("--helm-repo-credentials: no --helm-repo is named %q", name)
	}
	if c.helmTimeout <= 0 || c.helmMaxIndex <= 0 {
		return opts, fmt.Errorf("--helm-timeout and --helm-max-index-bytes must be positive")
	}
	return opts, nil
}
