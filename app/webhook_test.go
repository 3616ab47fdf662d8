//go:build !wasm

package main

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

// holdWebhook is a validating admission webhook of the local cluster that
// holds every request (but dry runs) to create one resource in one
// namespace: a test makes a write stop half-way, exactly where it wants.
// The held requests wait until the test lets them through or refuses them.
type holdWebhook struct {
	mu      sync.Mutex
	allow   bool          // the verdict, once decided
	held    chan string   // the name of each request held, as it arrives
	decided chan struct{} // closed once the verdict is given
}

// startHoldWebhook registers a webhook for operation (CREATE, UPDATE) on
// resource (group "" for core) in namespace, served by this test.
func startHoldWebhook(t *testing.T, admin kubernetes.Interface, namespace, group, resource string, op admissionregistrationv1.OperationType) *holdWebhook {
	t.Helper()
	h := &holdWebhook{held: make(chan string, 16), decided: make(chan struct{})}
	ts := httptest.NewTLSServer(http.HandlerFunc(h.serve))
	t.Cleanup(func() {
		h.decide(false)
		ts.Close()
	})
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	name := "kubedeck-test-hold-" + namespace
	cfg := &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:                    "hold.kubedeck.test",
			ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: ptr.To(ts.URL + "/hold"), CABundle: ca},
			Rules:                   []admissionregistrationv1.RuleWithOperations{{Operations: []admissionregistrationv1.OperationType{op}, Rule: admissionregistrationv1.Rule{APIGroups: []string{group}, APIVersions: []string{"*"}, Resources: []string{resource}}}},
			NamespaceSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": namespace}},
			FailurePolicy:           ptr.To(admissionregistrationv1.Fail),
			SideEffects:             ptr.To(admissionregistrationv1.SideEffectClassNone),
			AdmissionReviewVersions: []string{"v1"},
			TimeoutSeconds:          ptr.To[int32](30),
		}},
	}
	if _, err := admin.AdmissionregistrationV1().ValidatingWebhookConfigurations().Create(context.Background(), cfg, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = admin.AdmissionregistrationV1().ValidatingWebhookConfigurations().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
	return h
}

// decide lets the held requests, and every later one, through (allow) or
// refuses them. Only the first decision counts.
func (h *holdWebhook) decide(allow bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	select {
	case <-h.decided:
	default:
		h.allow = allow
		close(h.decided)
	}
}

// allowed is the verdict given.
func (h *holdWebhook) allowed() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.allow
}

func (h *holdWebhook) serve(w http.ResponseWriter, r *http.Request) {
	var review admissionv1.AdmissionReview
	if err := json.NewDecoder(r.Body).Decode(&review); err != nil || review.Request == nil {
		http.Error(w, "not an admission review", http.StatusBadRequest)
		return
	}
	req := review.Request
	allow := true
	if req.DryRun == nil || !*req.DryRun {
		select {
		case h.held <- req.Name:
		default:
		}
		select {
		case <-h.decided:
		case <-r.Context().Done():
			return
		}
		allow = h.allowed()
	}
	review.Response = &admissionv1.AdmissionResponse{UID: req.UID, Allowed: allow}
	if !allow {
		review.Response.Result = &metav1.Status{Message: "refused by the test's webhook", Code: http.StatusForbidden}
	}
	review.Request = nil
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(review)
}

// waitHeld waits until the webhook holds a request, and returns its
// object's name.
func (h *holdWebhook) waitHeld(t *testing.T, within <-chan struct{}) string {
	t.Helper()
	select {
	case name := <-h.held:
		return name
	case <-within:
		t.Fatal("the webhook held no request in time")
		return ""
	}
}
