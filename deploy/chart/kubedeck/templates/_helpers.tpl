{{/* The release's full name: names every namespaced object. */}}
{{- define "kubedeck.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The name of cluster-scoped objects: the namespace makes it unique. */}}
{{- define "kubedeck.clusterName" -}}
{{- printf "%s-%s" .Release.Namespace (include "kubedeck.fullname" .) -}}
{{- end -}}

{{- define "kubedeck.serviceAccountName" -}}
{{- default (include "kubedeck.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "kubedeck.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: kubedeck
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Kubedeck's pods (not Redis's). */}}
{{- define "kubedeck.selectorLabels" -}}
app.kubernetes.io/name: kubedeck
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: dashboard
{{- end -}}

{{- define "kubedeck.redisSelectorLabels" -}}
app.kubernetes.io/name: kubedeck
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: redis
{{- end -}}

{{/*
A random secret kept across upgrades: the value already in the cluster's
Secret (name, key) when there is one, else n new random characters.
*/}}
{{- define "kubedeck.keptSecret" -}}
{{- $existing := lookup "v1" "Secret" .ctx.Release.Namespace .name -}}
{{- if and $existing (index ($existing.data | default dict) .key) -}}
{{- index $existing.data .key -}}
{{- else -}}
{{- randAlphaNum (int .n) | b64enc -}}
{{- end -}}
{{- end -}}

{{/* Secret names. */}}
{{- define "kubedeck.proxySecretName" -}}
{{- default (printf "%s-proxy-secret" (include "kubedeck.fullname" .)) .Values.proxySecret.existingSecret -}}
{{- end -}}

{{- define "kubedeck.cookieSecretName" -}}
{{- default (printf "%s-cookie-secret" (include "kubedeck.fullname" .)) .Values.oidc.cookieSecret.existingSecret -}}
{{- end -}}

{{- define "kubedeck.redisEnabled" -}}
{{- if or .Values.redis.bundled.enabled .Values.redis.external.url }}true{{ end -}}
{{- end -}}

{{/* The ConfigMap (namespace/name) of the wizard's settings, or nothing. */}}
{{- define "kubedeck.clusterConfigRef" -}}
{{- if .Values.clusterConfig.existing -}}
{{- .Values.clusterConfig.existing -}}
{{- else if .Values.clusterConfig.create -}}
{{- printf "%s/%s-cluster-config" .Release.Namespace (include "kubedeck.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* The hosts requests may name: allowedHosts and the Ingress's hosts. */}}
{{- define "kubedeck.allowedHosts" -}}
{{- $hosts := .Values.allowedHosts -}}
{{- if .Values.ingress.enabled -}}
{{- $hosts = concat $hosts .Values.ingress.hosts -}}
{{- end -}}
{{- $hosts | uniq | join "," -}}
{{- end -}}

{{/* The security context of every container: nothing it does not need. */}}
{{- define "kubedeck.containerSecurityContext" -}}
runAsNonRoot: true
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Redis: the URL Kubedeck uses, and the Secret and key of its password. */}}
{{- define "kubedeck.redisURL" -}}
{{- if .Values.redis.bundled.enabled -}}
{{- printf "redis://%s-redis:6379/0" (include "kubedeck.fullname" .) -}}
{{- else -}}
{{- .Values.redis.external.url -}}
{{- end -}}
{{- end -}}

{{- define "kubedeck.redisPasswordSecret" -}}
{{- if .Values.redis.bundled.enabled -}}
{{- printf "%s-redis" (include "kubedeck.fullname" .) -}}
{{- else if .Values.redis.external.url -}}
{{- .Values.redis.external.passwordSecret.name -}}
{{- end -}}
{{- end -}}

{{- define "kubedeck.redisPasswordKey" -}}
{{- if .Values.redis.bundled.enabled }}password{{ else }}{{ .Values.redis.external.passwordSecret.key }}{{ end -}}
{{- end -}}

{{/* --helm-repo and --helm-repo-credentials, comma-separated. */}}
{{- define "kubedeck.helmRepos" -}}
{{- $out := list -}}
{{- range .Values.helm.repositories -}}
{{- $out = append $out (printf "%s=%s" .name .url) -}}
{{- end -}}
{{- join "," $out -}}
{{- end -}}

{{- define "kubedeck.helmCredentials" -}}
{{- $out := list -}}
{{- range .Values.helm.repositories -}}
{{- if .credentialsSecret -}}
{{- $out = append $out (printf "%s=/etc/kubedeck/helm-repos/%s/credentials" .name .name) -}}
{{- end -}}
{{- end -}}
{{- join "," $out -}}
{{- end -}}

{{/*
The claim oauth2-proxy puts in X-Forwarded-User, for oidc.usernameClaim:
oauth2-proxy calls the subject "user"; other claims go by their names.
*/}}
{{- define "kubedeck.usernameClaim" -}}
{{- if eq .Values.oidc.usernameClaim "sub" -}}user{{- else -}}{{ .Values.oidc.usernameClaim }}{{- end -}}
{{- end -}}

{{/* oauth2-proxy's sign-out, going on to its sign-in, then to Kubedeck. */}}
{{- define "kubedeck.signOutURL" -}}
{{- $base := .Values.basePath -}}
{{- $start := printf "%s/oauth2/start?rd=%s" $base (urlquery (printf "%s/" $base)) -}}
{{- printf "%s/oauth2/sign_out?rd=%s" $base (urlquery $start) -}}
{{- end -}}
