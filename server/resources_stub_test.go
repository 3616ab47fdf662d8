package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"

	"github.com/kubedeck/kubedeck/kube"
)

// stubFixture is a server with a real informer cache, filled from a fake
// clientset, and a real kube.Client and kube.Access whose API server is a
// stub: it allows every access review and accepts every delete. It needs
// no cluster, so tests and fuzz targets can send it anything.
type stubFixture struct {
	s       *Server
	objects *kube.Objects
	fake    *fake.Clientset
}

// stubNamespaces are where the stub fixture's objects live.
var stubNamespaces = []string{"team-web", "team-data", "default"}

// newStubFixture builds the fixture with pods pods and a few objects of the
// other kinds. stallAfter is the cache's stall bound (0: its default).
func newStubFixture(tb testing.TB, pods int, stallAfter time.Duration) *stubFixture {
	tb.Helper()
	api := httptest.NewServer(http.HandlerFunc(stubAPIServer))
	tb.Cleanup(api.Close)

	var objs []runtime.Object
	for i := range pods {
		objs = append(objs, &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("web-%04d", i), Namespace: stubNamespaces[i%len(stubNamespaces)],
				Labels: map[string]string{"app": fmt.Sprintf("app-%d", i%5)}},
			Spec:   corev1.PodSpec{NodeName: fmt.Sprintf("node-%d", i%4), Containers: []corev1.Container{{Name: "main", Image: "nginx"}}},
			Status: corev1.PodStatus{Phase: corev1.PodRunning},
		})
	}
	for _, ns := range stubNamespaces {
		objs = append(objs, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}},
			&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings", Namespace: ns}, Data: map[string]string{"a": "b"}})
	}
	objs = append(objs, &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "pv-1"}})
	cs := fake.NewClientset(objs...)

	log := slog.New(slog.DiscardHandler)
	objects, err := kube.NewObjects(cs, kube.ObjectsOptions{Log: log, StallAfter: stallAfter})
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	objects.Start(ctx)
	sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
	defer scancel()
	if err := objects.WaitForSync(sctx); err != nil {
		tb.Fatal(err)
	}
	client, err := kube.NewClient(&rest.Config{Host: api.URL}, kube.ClientOptions{}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	access := kube.NewAccess(client, kube.AccessOptions{TTL: time.Minute})
	cfg := proxyConfig()
	cfg.WritesPerMinute, cfg.WriteBurst = 1<<20, 1<<20 // fuzz targets delete a lot
	s, err := New(cfg, Deps{Log: log, Kube: client, Objects: objects, Access: access,
		Checks: []Check{{Name: "informers", Check: objects.Check}}})
	if err != nil {
		tb.Fatal(err)
	}
	return &stubFixture{s: s, objects: objects, fake: cs}
}

// stubAPIServer answers what the stub fixture's server asks the API server:
// access reviews (always allowed) and deletes (always done).
func stubAPIServer(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/subjectaccessreviews"):
		_, _ = io.WriteString(w, `{"kind":"SubjectAccessReview","apiVersion":"authorization.k8s.io/v1","status":{"allowed":true}}`)
	case r.Method == http.MethodDelete:
		_, _ = io.WriteString(w, `{"kind":"Status","apiVersion":"v1","status":"Success"}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}`)
	}
}

// send makes a request as a signed-in user through the trusted proxy.
func (f *stubFixture) send(method, path string) *httptest.ResponseRecorder {
	return do(f.s, method, path, proxyPeer, map[string]string{headerUser: "carol", headerGroups: "readers"})
}
