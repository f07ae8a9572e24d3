#!/usr/bin/env bash
# npm run dev:kind — the development loop on a kind cluster, for contributors with Docker:
#   1. a kind cluster (kept between runs; KIND_FRESH=1 recreates it, KIND_DELETE=1 removes it after);
#   2. the image built from the Dockerfile and loaded into kind (`kind load docker-image`);
#   3. the chart installed as users install it (image in-cluster, Service client config, certificate
#      bootstrap) and a smoke request through the API server: a real rollout of the real image;
#   4. the same end-to-end scenario suite CI runs (test/cluster/e2e), against this cluster's
#      KUBECONFIG instead of the harness's own control plane.
# For step 4 the webhook runs as a local process, as in CI: the suite's test registries listen on
# this machine's loopback, which pods cannot reach, and the API server (in the kind node container)
# calls the webhook at the docker network's gateway address instead of 127.0.0.1.
#
# It cannot run on the project's CI machines: they have no Docker engine (CI runs the same suite
# against a kube-apiserver it builds and starts itself: npm run test:cluster).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
cluster=${KIND_CLUSTER:-slimguard-dev}
image=${SLIMGUARD_IMAGE:-slimguard:dev}
smoke_release=slimguard-dev

log() { printf 'dev-kind: %s\n' "$*" >&2; }
for tool in docker kind kubectl helm npm; do
  command -v "$tool" >/dev/null || { log "$tool is missing (this loop needs Docker, kind, kubectl and helm)"; exit 2; }
done
docker info >/dev/null 2>&1 || { log 'no Docker engine answers (docker info failed)'; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
kubeconfig=$work/kubeconfig

if [[ ${KIND_FRESH:-0} == 1 ]]; then kind delete cluster --name "$cluster" >/dev/null 2>&1 || true; fi
if ! kind get clusters 2>/dev/null | grep -qx "$cluster"; then
  log "creating kind cluster $cluster"
  kind create cluster --name "$cluster" --wait 180s
fi
kind get kubeconfig --name "$cluster" >"$kubeconfig"
k() { kubectl --kubeconfig "$kubeconfig" "$@"; }

log "building $image from the Dockerfile"
docker build -t "$image" --build-arg VERSION=dev --build-arg REVISION="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" .
kind load docker-image "$image" --name "$cluster"

log "helm install of the chart with the image in the cluster ($smoke_release)"
helm upgrade --install "$smoke_release" charts/slimguard --kubeconfig "$kubeconfig" \
  -n "$smoke_release" --create-namespace \
  --set image.repository="${image%:*}" --set image.tag="${image##*:}" --set image.pullPolicy=Never \
  --wait --timeout 5m
k -n "$smoke_release" rollout status "deployment/$smoke_release" --timeout 120s
# Through the Service and the bootstrapped caBundle: any slimguard answer (a [rule] warning in the
# default warn mode, or [registry] when the pods have no way to the image's registry) proves it.
smoke=$(k -n default run slimguard-smoke --image=busybox:1.36 --restart=Never --dry-run=server 2>&1 || true)
printf '%s\n' "$smoke"
grep -Eq 'Warning: \[(runAsRoot|sizeBudget|buildBase|registry)\]' <<<"$smoke" || { log 'the in-cluster webhook did not answer the smoke request'; exit 1; }
helm uninstall "$smoke_release" --kubeconfig "$kubeconfig" -n "$smoke_release" --wait

log 'running the e2e scenario suite against the kind cluster'
# Namespaces of an earlier run hold its objects; the scenarios create theirs afresh.
k delete namespace team-a team-b team-c team-bootstrap --ignore-not-found --wait=true
gateway=$(docker network inspect kind -f '{{range .IPAM.Config}}{{.Gateway}} {{end}}' | tr ' ' '\n' | grep -E '^[0-9]+(\.[0-9]+){3}$' | head -n1)
[[ -n $gateway ]] || { log 'no IPv4 gateway on the docker network "kind"'; exit 1; }
npm run build
status=0
SLIMGUARD_E2E_KUBECONFIG=$kubeconfig SLIMGUARD_E2E_WEBHOOK_HOST=$gateway HELM=$(command -v helm) \
  npx vitest run --config vitest.cluster.config.ts test/cluster/e2e || status=$?

if [[ ${KIND_DELETE:-0} == 1 ]]; then kind delete cluster --name "$cluster"; fi
exit "$status"
