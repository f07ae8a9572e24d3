#!/usr/bin/env bash
# Regenerates the admission test objects and AdmissionReview requests in this directory.
#
#   src/admission/testdata/generate.sh      (needs kubectl and jq; no cluster)
#
# Objects come from kubectl itself, so they have the exact shape kubectl sends:
# - Deployment, Job, CronJob: `kubectl create ... --dry-run=client -o json`.
# - Pod, StatefulSet, DaemonSet, ReplicaSet, ReplicationController: kubectl has no offline
#   generator for these (`kubectl run --dry-run=client` needs API discovery since 1.2x), so they are
#   written as YAML after the Kubernetes documentation examples and converted by kubectl offline
#   with `kubectl label --local -f FILE -o json LABEL-` (removing a label none has: a no-op).
# Each object is then wrapped with jq into an AdmissionReview v1 request shaped like the ones the
# API server sends (see "Dynamic Admission Control", webhook request): review-*.json.
# The tests read these files; they never run kubectl.
set -euo pipefail
cd "$(dirname "$0")"
export KUBECONFIG=/dev/null # never talk to a cluster, even if one is configured

offline_json() { # YAML on stdin -> kubectl's JSON of it
  local tmp
  tmp=$(mktemp --suffix=.yaml)
  cat >"$tmp"
  kubectl label --local -f "$tmp" -o json slimguard-testdata- 2>/dev/null
  rm -f "$tmp"
}

# --- objects made by kubectl generators ------------------------------------------------------
kubectl create deployment web --image=nginx:1.27 --image=busybox:1.36 --dry-run=client -o json >deployment.json
kubectl create job migrate --image=busybox:1.36 --dry-run=client -o json -- sh -c 'echo migrated' >job.json
kubectl create cronjob nightly --image=busybox:1.36 --schedule='0 3 * * *' --dry-run=client -o json -- sh -c date >cronjob.json

# --- objects written as YAML -----------------------------------------------------------------
# A Pod with an init container, a pod securityContext and a container overriding part of it.
offline_json >pod.json <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: web-pod
  labels:
    app: web
spec:
  serviceAccountName: web
  imagePullSecrets:
  - name: regcred
  nodeSelector:
    kubernetes.io/os: linux
    kubernetes.io/arch: arm64
  securityContext:
    runAsNonRoot: true
    runAsUser: 1000
    runAsGroup: 3000
  initContainers:
  - name: setup
    image: busybox:1.36
    command: ["sh", "-c", "true"]
    securityContext:
      runAsUser: 0
      runAsNonRoot: false
  containers:
  - name: app
    image: nginx:1.27
    ports:
    - containerPort: 80
  - name: metrics
    image: ghcr.io/example/exporter:2.1
    securityContext:
      runAsUser: 65532
YAML

offline_json >statefulset.json <<'YAML'
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
  labels:
    app: nginx
spec:
  selector:
    matchLabels:
      app: nginx
  serviceName: nginx
  replicas: 3
  minReadySeconds: 10
  template:
    metadata:
      labels:
        app: nginx
    spec:
      terminationGracePeriodSeconds: 10
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.24
        ports:
        - containerPort: 80
          name: web
        volumeMounts:
        - name: www
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: ["ReadWriteOnce"]
      resources:
        requests:
          storage: 1Gi
YAML

offline_json >daemonset.json <<'YAML'
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: fluentd-elasticsearch
  namespace: kube-system
  labels:
    k8s-app: fluentd-logging
spec:
  selector:
    matchLabels:
      name: fluentd-elasticsearch
  template:
    metadata:
      labels:
        name: fluentd-elasticsearch
    spec:
      tolerations:
      - key: node-role.kubernetes.io/control-plane
        operator: Exists
        effect: NoSchedule
      containers:
      - name: fluentd-elasticsearch
        image: quay.io/fluentd_elasticsearch/fluentd:v2.5.2
        resources:
          limits:
            memory: 200Mi
        volumeMounts:
        - name: varlog
          mountPath: /var/log
      terminationGracePeriodSeconds: 30
      volumes:
      - name: varlog
        hostPath:
          path: /var/log
YAML

offline_json >replicaset.json <<'YAML'
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: frontend
  labels:
    app: guestbook
    tier: frontend
spec:
  replicas: 3
  selector:
    matchLabels:
      tier: frontend
  template:
    metadata:
      labels:
        tier: frontend
    spec:
      containers:
      - name: php-redis
        image: us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5
YAML

offline_json >replicationcontroller.json <<'YAML'
apiVersion: v1
kind: ReplicationController
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    app: nginx
  template:
    metadata:
      name: nginx
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx
        ports:
        - containerPort: 80
YAML

# --- AdmissionReview v1 requests -------------------------------------------------------------
# review GROUP VERSION KIND RESOURCE OPERATION NAMESPACE [SUBRESOURCE] < {"object":..,"oldObject":..}
review() {
  jq --arg group "$1" --arg version "$2" --arg kind "$3" --arg resource "$4" --arg operation "$5" \
    --arg namespace "$6" --arg subResource "${7:-}" --arg uid "$(uuid_for "$3-$5-${7:-}")" '
    def options: {apiVersion: "meta.k8s.io/v1"} + (
      if $operation == "DELETE" then {kind: "DeleteOptions", propagationPolicy: "Background"}
      else {kind: ({CREATE: "CreateOptions", UPDATE: "UpdateOptions"}[$operation]), fieldManager: "kubectl-client-side-apply"} end);
    (.object // .oldObject) as $main
    | {
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      request: ({
        uid: $uid,
        kind: {group: $group, version: $version, kind: $kind},
        resource: {group: $group, version: $version, resource: $resource},
        requestKind: {group: $group, version: $version, kind: $kind},
        requestResource: {group: $group, version: $version, resource: $resource},
        name: $main.metadata.name,
        namespace: $namespace,
        operation: $operation,
        userInfo: {username: "kubernetes-admin", groups: ["kubeadm:cluster-admins", "system:authenticated"]},
        object: (if .object == null then null else (.object | .metadata.namespace = $namespace) end),
        oldObject: (if .oldObject == null then null else (.oldObject | .metadata.namespace = $namespace) end),
        dryRun: false,
        options: options
      } + (if $subResource == "" then {} else {subResource: $subResource, requestSubResource: $subResource} end))
    }'
}
uuid_for() { # a stable UUID-shaped uid per file, so regenerating changes nothing
  local hex
  hex=$(printf '%s' "$1" | sha256sum | cut -c1-32)
  printf '%s-%s-%s-%s-%s' "${hex:0:8}" "${hex:8:4}" "${hex:12:4}" "${hex:16:4}" "${hex:20:12}"
}
create() { # FILE GROUP VERSION KIND RESOURCE NAMESPACE
  jq '{object: .}' "$1.json" | review "$2" "$3" "$4" "$5" CREATE "$6" >"review-$1-create.json"
}

create pod "" v1 Pod pods team-a
create deployment apps v1 Deployment deployments team-a
create replicaset apps v1 ReplicaSet replicasets team-a
create statefulset apps v1 StatefulSet statefulsets team-a
create daemonset apps v1 DaemonSet daemonsets kube-system
create job batch v1 Job jobs team-a
create cronjob batch v1 CronJob cronjobs team-a
create replicationcontroller "" v1 ReplicationController replicationcontrollers team-a

# kubectl debug: an UPDATE of pods/ephemeralcontainers that adds a second ephemeral container.
debugger() { jq --arg name "$1" --arg image "$2" --arg target "$3" \
  '{name: $name, image: $image, targetContainerName: $target, stdin: true, tty: true, resources: {}}' -n; }
jq -n --slurpfile pod pod.json --argjson first "$(debugger debugger-7x2kq busybox:1.36 app)" \
  --argjson second "$(debugger debugger-p4m9z nicolaka/netshoot:v0.13 app)" \
  '{oldObject: ($pod[0] | .spec.ephemeralContainers = [$first]),
    object: ($pod[0] | .spec.ephemeralContainers = [$first, $second])}' |
  review "" v1 Pod pods UPDATE team-a ephemeralcontainers >review-pod-ephemeralcontainers-update.json

# kubectl delete pod: DELETE carries the old object only.
jq '{oldObject: .}' pod.json | review "" v1 Pod pods DELETE team-a >review-pod-delete.json
