{{/* Chart name, truncated to 63 characters (the DNS label limit of object names). */}}
{{- define "slimguard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fullname: the release name when it already contains the chart name (`slimguard`), else
<release>-<chart>. Every object is named by it, the webhook configuration included.
*/}}
{{- define "slimguard.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "slimguard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "slimguard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "slimguard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "slimguard.labels" -}}
helm.sh/chart: {{ include "slimguard.chart" . }}
{{ include "slimguard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: slimguard
{{- end }}

{{- define "slimguard.serviceAccountName" -}}
{{- default (include "slimguard.fullname" .) .Values.serviceAccount.name }}
{{- end }}

{{/* The certificate Secret (bootstrap: written by slimguard; certManager: by cert-manager; secret: yours). */}}
{{- define "slimguard.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "slimguard.fullname" .)) .Values.certificates.secretName }}
{{- end }}

{{/* The user name the API server gives slimguard's own requests (matchConditions and --exclude-username). */}}
{{- define "slimguard.serviceAccountUser" -}}
{{- printf "system:serviceaccount:%s:%s" .Release.Namespace (include "slimguard.serviceAccountName" .) }}
{{- end }}

{{- define "slimguard.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The Service's DNS names, which the serving certificate must carry for clientConfig.service. */}}
{{- define "slimguard.serviceDnsNames" -}}
{{- $svc := include "slimguard.fullname" . }}
{{- $ns := .Release.Namespace }}
{{- list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) | toJson }}
{{- end }}

{{/* Where the policy ConfigMap is mounted: a directory, so the kubelet's atomic swap reaches the watcher. */}}
{{- define "slimguard.policyDir" -}}/etc/slimguard/policy{{- end }}
{{- define "slimguard.tlsDir" -}}/etc/slimguard/tls{{- end }}
{{- define "slimguard.certDir" -}}/var/run/slimguard/certs{{- end }}

{{/*
The ImagePolicy document: `mode` is spec.mode, `policy` the rest of the spec. No checksum of it
on the pod template: a policy change must reach the running pods through the mounted file (the
webhook reloads it), not restart them.
*/}}
{{- define "slimguard.policyDocument" -}}
apiVersion: slimguard.io/v1alpha1
kind: ImagePolicy
metadata:
  name: {{ include "slimguard.fullname" . }}
spec:
{{- $spec := merge (dict "mode" .Values.mode) (deepCopy .Values.policy) }}
{{- toYaml $spec | nindent 2 }}
{{- end }}

{{/* The `slimguard serve` arguments: exactly what a test can run locally with `node dist/cli/main.js`. */}}
{{- define "slimguard.serveArgs" -}}
{{- $args := list "serve"
    "--policy" (printf "%s/policy.yaml" (include "slimguard.policyDir" .))
    "--listen" (printf "0.0.0.0:%d" (int .Values.ports.webhook))
    "--metrics-listen" (printf "0.0.0.0:%d" (int .Values.ports.metrics)) }}
{{- if eq .Values.certificates.mode "bootstrap" }}
{{- $args = concat $args (list
    "--cert-bootstrap-secret" (include "slimguard.tlsSecretName" .)
    "--cert-namespace" .Release.Namespace
    "--cert-service" (include "slimguard.fullname" .)
    "--webhook-configuration" (include "slimguard.fullname" .)
    "--cert-dir" (include "slimguard.certDir" .)) }}
{{- range .Values.certificates.extraDnsNames }}
{{- $args = concat $args (list "--cert-dns-name" .) }}
{{- end }}
{{- range .Values.certificates.extraIpAddresses }}
{{- $args = concat $args (list "--cert-ip-address" .) }}
{{- end }}
{{- else }}
{{- $args = concat $args (list
    "--tls-cert" (printf "%s/tls.crt" (include "slimguard.tlsDir" .))
    "--tls-key" (printf "%s/tls.key" (include "slimguard.tlsDir" .))) }}
{{- end }}
{{- $args = concat $args (list "--exclude-namespace" .Release.Namespace) }}
{{- range .Values.webhook.excludeNamespaces }}
{{- $args = concat $args (list "--exclude-namespace" .) }}
{{- end }}
{{- $args = concat $args (list "--exclude-username" (include "slimguard.serviceAccountUser" .)) }}
{{- range .Values.registry.insecureRegistries }}
{{- $args = concat $args (list "--insecure-registry" .) }}
{{- end }}
{{- if .Values.registry.allowPrivateNetworks }}
{{- $args = append $args "--allow-private-networks" }}
{{- end }}
{{- if .Values.pullSecrets.enabled }}
{{- $args = append $args "--pull-secrets" }}
{{- end }}
{{- $args = concat $args (list
    "--log-level" .Values.logLevel
    "--shutdown-delay" (toString (int .Values.shutdownDelayMs))
    "--shutdown-grace" (toString (int .Values.shutdownGraceMs))) }}
{{- toYaml $args }}
{{- end }}
