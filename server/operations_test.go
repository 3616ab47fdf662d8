package server

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/shared"
)

// TestOperationByID reads operations through GET /api/v1/operations/{id}:
// the owner gets the state the 202 carried, anyone else the 404 an unknown
// id gets, so ids cannot be probed.
func TestOperationByID(t *testing.T) {
	reg := operations.NewMemory(operations.MemoryOptions{})
	s, err := New(proxyConfig(), Deps{Log: slog.New(slog.DiscardHandler), Operations: reg})
	if err != nil {
		t.Fatal(err)
	}
	op, _, err := reg.Start(context.Background(), "alice", shared.OperationDeploy,
		shared.OperationTarget{Kind: "Deployment", Namespace: "team-a", Name: "web"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		user, id string
		want     int
		code     shared.Code
	}{
		{"the owner", "alice", op.ID, http.StatusOK, ""},
		{"another user", "bob", op.ID, http.StatusNotFound, shared.CodeNotFound},
		{"an unknown id", "alice", "no-such-operation", http.StatusNotFound, shared.CodeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(s, http.MethodGet, "/api/v1/operations/"+tt.id, proxyPeer, map[string]string{headerUser: tt.user})
			var env shared.Envelope
			if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
				t.Fatalf("%v: %s", err, rec.Body)
			}
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
			if tt.code != "" {
				if env.Error == nil || env.Error.Code != tt.code {
					t.Fatalf("error %+v, want %s", env.Error, tt.code)
				}
				return
			}
			var got shared.OperationReply
			if err := json.Unmarshal(env.Data, &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(shared.OperationReply{Operation: op}, got); diff != "" {
				t.Errorf("data (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("without a registry", func(t *testing.T) {
		s, err := New(proxyConfig(), Deps{Log: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		rec := do(s, http.MethodGet, "/api/v1/operations/"+op.ID, proxyPeer, map[string]string{headerUser: "alice"})
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("status %d, want 503: %s", rec.Code, rec.Body)
		}
	})
}

// TestOperationErrors maps the registry's errors to the API's codes.
func TestOperationErrors(t *testing.T) {
	tests := []struct {
		err  error
		want shared.Code
	}{
		{operations.ErrNotFound, shared.CodeNotFound},
		{operations.ErrTooMany, shared.CodeRateLimited},
		{operations.ErrFull, shared.CodeUnavailable},
		{fmt.Errorf("start deploy: %w", operations.ErrTooMany), shared.CodeRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			ae, _ := toAPIError(tt.err)
			if ae.code != tt.want {
				t.Errorf("code %s, want %s", ae.code, tt.want)
			}
			if status := map[shared.Code]int{shared.CodeNotFound: 404, shared.CodeRateLimited: 429,
				shared.CodeUnavailable: 503}[tt.want]; ae.code.HTTPStatus() != status {
				t.Errorf("status %d, want %d", ae.code.HTTPStatus(), status)
			}
		})
	}
}
