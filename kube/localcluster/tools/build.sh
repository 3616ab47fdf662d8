#!/usr/bin/env bash
# Builds the local cluster's binaries (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kwok) and the oauth2-proxy the
# chart runs beside Kubedeck from the pinned tools modules into a cache
# directory outside the repository, once per version set.
#
#   KUBEDECK_CLUSTER_BIN  where to put them (default: the directory printed by
#                         `build.sh --dir`, under the user's cache dir)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

K8S_VERSION=v1.37.2
ETCD_VERSION=v3.6.6
KWOK_VERSION=v0.8.0
# The chart's oauth2Proxy.image.tag; the tests check the two agree.
OAUTH2_PROXY_VERSION=v7.15.6
key="k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}"
dir=${KUBEDECK_CLUSTER_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/kubedeck/cluster-bin/$key}

if [ "${1:-}" = "--dir" ]; then echo "$dir"; exit 0; fi

bins=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
missing=()
for b in "${bins[@]}"; do [ -x "$dir/$b" ] || missing+=("$b"); done
stage_files=(node-initialize.yaml pod-ready.yaml pod-complete.yaml pod-delete.yaml)
for s in "${stage_files[@]}"; do [ -f "$dir/stages/$s" ] || { missing+=(stages); break; }; done
crd_files=(kwok.x-k8s.io_logs.yaml)
for c in "${crd_files[@]}"; do [ -f "$dir/crds/$c" ] || { missing+=(crds); break; }; done
# oauth2-proxy has its own version: a new pin rebuilds it alone.
o2p_ok() { [ -x "$dir/oauth2-proxy" ] && "$dir/oauth2-proxy" --version 2>&1 | grep -q "oauth2-proxy $OAUTH2_PROXY_VERSION "; }
o2p_ok || missing+=(oauth2-proxy)
if [ ${#missing[@]} -eq 0 ]; then
  echo "cluster binaries: present in $dir"
  exit 0
fi
echo "cluster binaries: building ${missing[*]} into $dir"
mkdir -p "$dir"
start=$(date +%s)

# Kubernetes reports its version from ldflags; without them /version says
# v0.0.0-master, which Helm's kubeVersion checks reject.
pkg=k8s.io/component-base/version
ver=${K8S_VERSION#v}
ldflags="-s -w -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=${ver%%.*}"
minor=${ver#*.}; minor=${minor%%.*}
ldflags="$ldflags -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
ldflags="$ldflags -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION"

build() { # module-dir output package [ldflags]
  local mod=$1 out=$2 pkg=$3 flags=${4:-"-s -w"}
  [ -x "$dir/$out" ] && return 0
  (cd "$here/$mod" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags "$flags" -o "$dir/$out.tmp" "$pkg")
  mv "$dir/$out.tmp" "$dir/$out"
}
build etcd etcd go.etcd.io/etcd/server/v3
build kwok kwok sigs.k8s.io/kwok/cmd/kwok
build k8s kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$ldflags"
build k8s kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager "$ldflags"
build k8s kube-scheduler k8s.io/kubernetes/cmd/kube-scheduler "$ldflags"
if ! o2p_ok; then
  rm -f "$dir/oauth2-proxy"
  build oauth2-proxy oauth2-proxy github.com/oauth2-proxy/oauth2-proxy/v7 \
    "-s -w -X github.com/oauth2-proxy/oauth2-proxy/v7/pkg/version.VERSION=$OAUTH2_PROXY_VERSION"
fi

# kwok's stages ship in its module; copy the ones the cluster uses beside it.
stages=$(cd "$here/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)/kustomize/stage
mkdir -p "$dir/stages"
# install, not cp: the module cache's files are read-only, and a rerun must
# be able to replace them.
for s in node/fast/node-initialize.yaml pod/fast/pod-ready.yaml \
         pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
  install -m 0644 "$stages/$s" "$dir/stages/"
done
# So are its CRDs; the cluster installs the per-pod Logs one (debugging.go).
mkdir -p "$dir/crds"
for c in "${crd_files[@]}"; do
  install -m 0644 "$stages/../crd/bases/$c" "$dir/crds/"
done
echo "cluster binaries: built in $(( $(date +%s) - start ))s"
