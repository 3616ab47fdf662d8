package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/kube"
)

// TestReadyzReportsStalledInformer blocks the cache's event handling (a
// subscriber that never returns, as a handler stuck on a wedged lock would)
// and expects /readyz to go not ready naming the kind, then ready again
// once the handler moves on.
func TestReadyzReportsStalledInformer(t *testing.T) {
	f := newStubFixture(t, 3, 200*time.Millisecond)
	readyz := func() (int, Readiness) {
		rec := do(f.s, http.MethodGet, "/readyz", proxyPeer, nil)
		var rd Readiness
		if err := json.Unmarshal(rec.Body.Bytes(), &rd); err != nil {
			t.Fatalf("/readyz: %v: %s", err, rec.Body)
		}
		return rec.Code, rd
	}
	if code, rd := readyz(); code != http.StatusOK {
		t.Fatalf("before the stall: /readyz %d: %+v", code, rd)
	}

	release := make(chan struct{})
	unsubscribe := f.objects.Subscribe(func(ev kube.Event) {
		if ev.Row.Name == "stuck" {
			<-release
		}
	})
	defer unsubscribe()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "stuck", Namespace: "team-web"}}
	if _, err := f.fake.CoreV1().ConfigMaps("team-web").Create(context.Background(), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor := func(want int) Readiness {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			code, rd := readyz()
			if code == want {
				return rd
			}
			if time.Now().After(deadline) {
				t.Fatalf("/readyz stayed %d, want %d: %+v", code, want, rd)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// /readyz names the stalled kind and tells only states; the check's
	// message goes to the log.
	want := Readiness{Status: "not ready", Checks: []checkResult{
		{Name: "informers", State: "failing"}, {Name: "informers/configmaps", State: "failing"}}}
	if diff := cmp.Diff(want, waitFor(http.StatusServiceUnavailable)); diff != "" {
		t.Errorf("stalled (-want +got):\n%s", diff)
	}
	var stalled *kube.StalledError
	if err := f.objects.Check(context.Background()); !errors.As(err, &stalled) || !strings.Contains(err.Error(), "configmaps for ") {
		t.Errorf("stalled: Check says %v, want a StalledError naming configmaps", err)
	}
	close(release)
	waitFor(http.StatusOK)
}
