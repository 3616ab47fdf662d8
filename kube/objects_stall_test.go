package kube

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// TestCheckReportsWedgedIndex holds a pod index's read lock, as a list that
// panicked without releasing it did, and sends a pod change: the handler
// blocks on the index, and Check must say so, naming pods, within the stall
// bound, then recover once the lock is released.
func TestCheckReportsWedgedIndex(t *testing.T) {
	cs := fake.NewClientset(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "a", Namespace: "team-web"}})
	o, err := NewObjects(cs, ObjectsOptions{StallAfter: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o.Start(ctx)
	sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
	defer scancel()
	if err := o.WaitForSync(sctx); err != nil {
		t.Fatal(err)
	}
	if err := o.Check(ctx); err != nil {
		t.Fatalf("before the wedge: %v", err)
	}

	x := o.kinds["pods"].index
	held, release := make(chan struct{}), make(chan struct{})
	go func() {
		x.mu.RLock()
		defer x.mu.RUnlock()
		close(held)
		<-release
	}()
	<-held
	var once sync.Once
	unwedge := func() { once.Do(func() { close(release) }) }
	defer unwedge()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "b", Namespace: "team-web"}}
	if _, err := cs.CoreV1().Pods("team-web").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitCheck := func(wantErr bool) error {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			err := o.Check(ctx)
			if (err != nil) == wantErr {
				return err
			}
			if time.Now().After(deadline) {
				t.Fatalf("Check stayed %v", err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	err = waitCheck(true)
	if msg := err.Error(); !strings.Contains(msg, "pods for ") {
		t.Errorf("Check: %q, want it to name pods", msg)
	}
	unwedge()
	waitCheck(false)
}
