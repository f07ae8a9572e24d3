#!/usr/bin/env bash
# Builds the control-plane tools of the end-to-end suite (etcd, kube-apiserver, helm) from Go
# modules, once, into a cache outside the repository:
#
#   ${SLIMGUARD_TOOLS_DIR:-$HOME/.cache/slimguard-tools}/<component>-<version>/<binary>
#
# Only the Go module proxy is reachable (no release downloads), so everything is `go build`.
# Versions live in test/cluster/harness/tool-versions.env, which the test harness reads too.
# Idempotent: a component whose binary is already in the cache is skipped; a build goes to a
# staging directory that is renamed into place only when it succeeded, so an interrupted build
# never looks finished. Concurrent runs serialise on a lock file.
#
# Cold-build cost is dominated by kube-apiserver. Keep Go's module cache (go env GOMODCACHE) and
# build cache (go env GOCACHE) between CI runs, or better, the tools directory itself keyed by
# the hash of tool-versions.env: with it, this script does nothing.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../test/cluster/harness/tool-versions.env
source "$repo_root/test/cluster/harness/tool-versions.env"

tools_dir=${SLIMGUARD_TOOLS_DIR:-$HOME/.cache/slimguard-tools}
if [[ -n ${GO:-} ]]; then :
elif [[ -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go
else GO=$(command -v go) || { echo "build-control-plane: no Go toolchain (set GO=/path/to/go)" >&2; exit 2; }
fi
kubectl_bin=${KUBECTL:-kubectl}

# Static binaries (no libc dependency, faster link); never let a go.mod `toolchain` line make Go
# fetch another toolchain: only modules come from the proxy.
export CGO_ENABLED=0 GOTOOLCHAIN=local

mkdir -p "$tools_dir"
exec 9>"$tools_dir/.lock"
flock 9

staging=''
cleanup() { if [[ -n $staging ]]; then rm -rf "$staging"; fi; }
trap cleanup EXIT

declare -A status

log() { printf 'build-control-plane: %s\n' "$*" >&2; }

# Prints the path of the go.mod that the module proxy serves for module@version (downloading it).
downloaded_go_mod() {
  "$GO" mod download -json "$1" | sed -nE 's/^[[:space:]]*"GoMod": "(.*)",?$/\1/p'
}

# Prints the commit time of module@version from the proxy's .info, for a reproducible buildDate.
module_time() {
  "$GO" list -m -json "$1" | sed -nE 's/^[[:space:]]*"Time": "(.*)",?$/\1/p'
}

go_line() { sed -nE 's/^go ([0-9.]+)$/\1/p' "$1" | head -n1; }

# build_component NAME VERSION BINARY BUILDER: runs `BUILDER DIR` to produce DIR/BINARY unless the
# cache already has it, and records the wall-clock build time in build-info.txt.
build_component() {
  local name=$1 version=$2 binary=$3 builder=$4
  local dest="$tools_dir/$name-$version"
  if [[ -x $dest/$binary ]]; then
    status[$name]="cached ($(sed -nE 's/^build_seconds=//p' "$dest/build-info.txt" 2>/dev/null || echo '?')s when built)"
    log "$name $version: already built in $dest"
    return
  fi
  staging="$tools_dir/.staging-$name-$version"
  rm -rf "$staging"
  mkdir -p "$staging"
  log "$name $version: building (this takes a while the first time)"
  local start end
  start=$(date +%s)
  "$builder" "$staging"
  end=$(date +%s)
  [[ -x $staging/$binary ]] || { log "$name: the build did not produce $binary"; exit 1; }
  printf 'component=%s\nversion=%s\nbuild_seconds=%s\nbuilt_at=%s\ngo=%s\n' \
    "$name" "$version" "$((end - start))" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$("$GO" env GOVERSION)" \
    >"$staging/build-info.txt"
  rm -rf "$dest"
  mv "$staging" "$dest"
  staging=''
  status[$name]="built in $((end - start))s"
  log "$name $version: built in $((end - start))s"
}

# etcd: server/v3's own go.mod replaces its sibling modules with relative paths, so
# `go install go.etcd.io/etcd/server/v3@v3.6.x` refuses it. A wrapper module that requires it
# resolves those siblings from the proxy at the versions server/v3 requires.
build_etcd() {
  local out=$1 src=$1/src server_mod
  mkdir -p "$src"
  server_mod=$(downloaded_go_mod "go.etcd.io/etcd/server/v3@$ETCD_VERSION")
  cat >"$src/go.mod" <<EOF
module slimguard.local/build/etcd

go $(go_line "$server_mod")

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
EOF
  (cd "$src" && "$GO" build -mod=mod -trimpath -ldflags '-s -w' -o "$out/etcd" go.etcd.io/etcd/server/v3)
}

# kube-apiserver: k8s.io/kubernetes requires its staging modules (k8s.io/api, ...) at v0.0.0 and
# replaces them with ./staging/src/..., which a dependency's go.mod cannot do for us. The wrapper
# replaces every one of them with the published v0.N.M matching v1.N.M, the list generated from
# the go.mod the proxy serves, so a new Kubernetes release needs no hand edits.
build_kube_apiserver() {
  local out=$1 src=$1/src kube_mod staging_version modules other
  mkdir -p "$src"
  kube_mod=$(downloaded_go_mod "k8s.io/kubernetes@$KUBE_VERSION")
  staging_version="v0.${KUBE_VERSION#v1.}"
  modules=$(sed -nE 's#^[[:space:]]*(replace[[:space:]]+)?([^[:space:]]+)([[:space:]]+v[^[:space:]]+)?[[:space:]]+=>[[:space:]]+\./staging/src/.*$#\2#p' "$kube_mod")
  [[ -n $modules ]] || { log "no staging replaces found in $kube_mod"; exit 1; }
  # Any other replace would silently stop applying in a wrapper: refuse rather than build a
  # binary that differs from upstream's.
  other=$(grep -E '=>' "$kube_mod" | grep -vE '=>[[:space:]]+\./staging/src/' || true)
  [[ -z $other ]] || { log "k8s.io/kubernetes@$KUBE_VERSION has replaces this script does not handle:"; echo "$other" >&2; exit 1; }
  {
    echo 'module slimguard.local/build/kube-apiserver'
    echo
    echo "go $(go_line "$kube_mod")"
    echo
    # godebug lines only act in the main module; keep upstream's runtime behaviour.
    grep -E '^godebug ' "$kube_mod" || true
    echo
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    echo
    echo 'replace ('
    while read -r module; do printf '\t%s => %s %s\n' "$module" "$module" "$staging_version"; done <<<"$modules"
    echo ')'
  } >"$src/go.mod"
  log "kube-apiserver: $(wc -l <<<"$modules") staging modules replaced at $staging_version"

  # What hack/lib/version.sh sets, so /version, kubectl and the compatibility-version logic see a
  # real release instead of v0.0.0-master.
  local minor=${KUBE_VERSION#v1.}
  minor=${minor%%.*}
  local build_date ldflags='-s -w' pkg
  build_date=$(module_time "k8s.io/kubernetes@$KUBE_VERSION")
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
  done
  (cd "$src" && "$GO" build -mod=mod -trimpath -ldflags "$ldflags" -o "$out/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver)
}

# helm: its go.mod has no replaces, so `go install module@version` builds it with helm's own go.sum.
build_helm() {
  local out=$1 helm_mod client_go major minor
  helm_mod=$(downloaded_go_mod "helm.sh/helm/v3@$HELM_VERSION")
  # As helm's Makefile does: the Kubernetes version helm assumes (Capabilities, lint deprecations)
  # is the one of the client-go it was built with, v0.N.x -> 1.N.
  client_go=$(sed -nE 's#^[[:space:]]*k8s.io/client-go v0\.([0-9]+)\..*#\1#p' "$helm_mod" | head -n1)
  major=1 minor=${client_go:-20}
  local ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  ldflags+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  ldflags+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=$major -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$minor"
  ldflags+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=$major -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$minor"
  GOBIN=$out "$GO" install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
}

log "$("$GO" version); tools in $tools_dir; GOMODCACHE=$("$GO" env GOMODCACHE) GOCACHE=$("$GO" env GOCACHE)"
build_component etcd "$ETCD_VERSION" etcd build_etcd
build_component kube-apiserver "$KUBE_VERSION" kube-apiserver build_kube_apiserver
build_component helm "$HELM_VERSION" helm build_helm

echo '--- etcd'
"$tools_dir/etcd-$ETCD_VERSION/etcd" --version
echo '--- kube-apiserver'
"$tools_dir/kube-apiserver-$KUBE_VERSION/kube-apiserver" --version
echo '--- helm'
"$tools_dir/helm-$HELM_VERSION/helm" version
echo '--- kubectl'
if command -v "$kubectl_bin" >/dev/null; then "$kubectl_bin" version --client; else echo "kubectl not found (the cluster suite needs it on PATH)"; fi
echo '--- summary'
for name in etcd kube-apiserver helm; do
  case $name in etcd) v=$ETCD_VERSION ;; kube-apiserver) v=$KUBE_VERSION ;; helm) v=$HELM_VERSION ;; esac
  printf '%-15s %-9s %-32s %s\n' "$name" "$v" "${status[$name]}" "$(du -sh "$tools_dir/$name-$v" | cut -f1)"
done
printf 'cache: %s (%s)\n' "$tools_dir" "$(du -sh "$tools_dir" | cut -f1)"
