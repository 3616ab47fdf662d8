package localcluster

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// probeTimeout bounds each readiness probe.
const probeTimeout = 5 * time.Second

// check is one readiness probe; an error means "not yet", with the reason.
type check func(ctx context.Context) (bool, error)

// waitFor polls ok until it passes, a component exits, or ctx ends. The
// error names the component and its log.
func (c *Cluster) waitFor(ctx context.Context, component string, ok check) error {
	var exited, last error
	err := wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		if exited = c.exitedProcess(); exited != nil {
			return false, exited
		}
		ctx, cancel := context.WithTimeout(ctx, probeTimeout)
		defer cancel()
		done, err := ok(ctx)
		last = err
		return err == nil && done, nil
	})
	switch {
	case exited != nil:
		return exited
	case err != nil && last != nil:
		return fmt.Errorf("%s not ready in time (start budget %v; last probe: %v); see its log: %s", component, startBudget, last, c.logPath(component))
	case err != nil:
		return fmt.Errorf("%s not ready in time (start budget %v); see its log: %s", component, startBudget, c.logPath(component))
	}
	return nil
}

// exitedProcess returns an error for the first component that has exited,
// marked errPortTaken when its log says it could not bind its port.
func (c *Cluster) exitedProcess() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.procs {
		err := p.exited()
		if err == nil {
			continue
		}
		if log, _ := os.ReadFile(p.logPath); bytes.Contains(log, []byte("address already in use")) {
			return fmt.Errorf("%w: %w", errPortTaken, err)
		}
		return err
	}
	return nil
}

func (c *Cluster) logPath(component string) string {
	return filepath.Join(c.logDir, component+".log")
}

// adminClient returns a clientset acting as the admin.
func (c *Cluster) adminClient() (*kubernetes.Clientset, error) {
	cfg := c.AdminConfig()
	cfg.Timeout = probeTimeout
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("admin client: %w", err)
	}
	return cs, nil
}

// etcdHealthy checks etcd's /health endpoint.
func etcdHealthy(port int) check {
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/health"
	return func(ctx context.Context) (bool, error) {
		return httpOK(ctx, http.DefaultClient, url)
	}
}

// serverHealthy checks /healthz of a component serving HTTPS with its own
// self-signed certificate on loopback.
func serverHealthy(port int) check {
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, // a loopback health probe
	}}
	url := "https://127.0.0.1:" + strconv.Itoa(port) + "/healthz"
	return func(ctx context.Context) (bool, error) {
		return httpOK(ctx, client, url)
	}
}

func httpOK(ctx context.Context, client *http.Client, url string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("%s: %s", url, resp.Status)
	}
	return true, nil
}

// apiserverReady checks that /readyz answers "ok" to the admin.
func apiserverReady(cs kubernetes.Interface) check {
	return func(ctx context.Context) (bool, error) {
		body, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err != nil {
			return false, err
		}
		return string(body) == "ok", nil
	}
}

// allNodesReady checks that kwok has made every node Ready.
func allNodesReady(cs kubernetes.Interface, nodes int) check {
	return func(ctx context.Context) (bool, error) {
		return nodesReady(ctx, cs, nodes)
	}
}

// defaultServiceAccount checks that the controller manager has created the
// default ServiceAccount in the default namespace, which pods there need.
func defaultServiceAccount(cs kubernetes.Interface) check {
	return func(ctx context.Context) (bool, error) {
		_, err := cs.CoreV1().ServiceAccounts(metav1.NamespaceDefault).Get(ctx, "default", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	}
}

// logsCRDEstablished checks that kwok has installed its Logs CRD and the API
// server serves it, so that ServePodLogs works as soon as Start returns.
func logsCRDEstablished(cfg *rest.Config) check {
	return func(ctx context.Context) (bool, error) {
		dyn, err := dynamic.NewForConfig(cfg)
		if err != nil {
			return false, err
		}
		if _, err := dyn.Resource(kwokLogsResource).List(ctx, metav1.ListOptions{Limit: 1}); err != nil {
			return false, err
		}
		return true, nil
	}
}
