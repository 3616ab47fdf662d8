package helm

import (
	"context"
	"testing"
	"time"

	"github.com/kubedeck/kubedeck/kube/cache"
	"github.com/kubedeck/kubedeck/kube/cache/redistest"
)

// Replicas sharing a Redis read each repository about once per IndexTTL
// between them: the second replica lists the catalog from the first's
// listing; a listing signed with another key is not believed; once it
// expires, a replica reads the repository again.
func TestCatalogSharedByReplicas(t *testing.T) {
	rc, err := cache.NewRedis(cache.RedisOptions{URL: redistest.Start(t).URL(), Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	key := []byte("0123456789abcdef0123456789abcdef")
	shared := func(k []byte) cache.Cache { return cache.NewSigned(cache.Named(rc, "catalog", nil), k) }
	r := newChartRepo(t, testChart(t, "web", ""), testChart(t, "job", ""))
	ttl := 2 * time.Second
	replica := func(c cache.Cache) *Client {
		return offlineClient(t, Options{Repositories: repositoriesOf(r), IndexTTL: ttl, Catalogs: c})
	}
	a, b := replica(shared(key)), replica(shared(key))
	ctx := context.Background()

	first, err := a.Catalog(ctx, "")
	if err != nil || len(first.Charts) != 2 || r.Hits("index.yaml") != 1 {
		t.Fatalf("a's catalog: %+v %v, %d index reads", first, err, r.Hits("index.yaml"))
	}
	second, err := b.Catalog(ctx, "web")
	if err != nil || len(second.Charts) != 1 || second.Charts[0].Name != "web" {
		t.Fatalf("b's search: %+v %v", second, err)
	}
	if n := r.Hits("index.yaml"); n != 1 {
		t.Errorf("b read the index itself (%d reads), want a's listing", n)
	}
	if got := b.IconPath("web", second.Charts[0].Icon); got == "" {
		t.Error("b does not find a release's icon in the shared listing")
	}

	forger := replica(shared([]byte("another key, not the replicas' one")))
	if _, err := forger.Catalog(ctx, ""); err != nil || r.Hits("index.yaml") != 2 {
		t.Errorf("a replica with another key: %v, %d index reads; want it to read the index itself", err, r.Hits("index.yaml"))
	}

	time.Sleep(ttl + 100*time.Millisecond)
	if _, err := b.Catalog(ctx, ""); err != nil || r.Hits("index.yaml") != 3 {
		t.Errorf("after the TTL: %v, %d index reads; want the repository read again", err, r.Hits("index.yaml"))
	}
}
