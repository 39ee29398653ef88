{{- define "openclaw-authz.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "openclaw-authz.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /* fullname-SUFFIX within a DNS label's 63 characters: (list $ "suffix") */ -}}
{{- define "openclaw-authz.suffixed" -}}
{{- $root := index . 0 -}}
{{- $suffix := index . 1 -}}
{{- $base := include "openclaw-authz.fullname" $root | trunc (int (sub 62 (len $suffix))) | trimSuffix "-" -}}
{{- printf "%s-%s" $base $suffix -}}
{{- end -}}

{{- define "openclaw-authz.selectorLabels" -}}
app.kubernetes.io/name: {{ include "openclaw-authz.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "openclaw-authz.labels" -}}
{{ include "openclaw-authz.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "openclaw-authz.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "openclaw-authz.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "openclaw-authz.authzImage" -}}
{{- with .Values.authz.image -}}
{{- if .digest -}}
{{- printf "%s@%s" .repository .digest -}}
{{- else -}}
{{- printf "%s:%s" .repository (default $.Chart.AppVersion .tag) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "openclaw-authz.envoyImage" -}}
{{- printf "%s:%s" .Values.envoy.image.repository .Values.envoy.image.tag -}}
{{- end -}}

{{- /*
  The trust domains, resolved: a YAML list of {name, volume, source, key, sidecarPath, envoyPath}.
  `source` is {configMap: NAME} or {secret: NAME}. The first domain's bundle defaults to the SVID
  source's; Envoy reads the pod's own SVID Secret's bundle.pem where it already mounts it.
*/ -}}
{{- define "openclaw-authz.trustDomains" -}}
{{- $csi := eq .Values.svid.source "csi" -}}
{{- range $i, $domain := .Values.trustDomains }}
{{- $bundle := $domain.bundle -}}
{{- if and (not $bundle) (eq $i 0) -}}
{{- if $csi -}}
{{- $bundle = dict "configMap" $.Values.svid.bundleConfigMap "key" "bundle.crt" -}}
{{- else -}}
{{- $bundle = dict "secret" $.Values.svid.secretName "key" "bundle.pem" -}}
{{- end -}}
{{- end -}}
{{- if not $bundle -}}
{{- fail (printf "trustDomains[%d] (%s): set bundle ({configMap: NAME} or {secret: NAME}): only the first trust domain may use the SVID source's bundle" $i $domain.name) -}}
{{- end }}
- name: {{ $domain.name }}
  volume: trust-{{ $i }}
  source: {{ omit $bundle "key" | toJson }}
  key: {{ default "bundle.pem" $bundle.key }}
  sidecarPath: /etc/openclaw-authz/trust/{{ $domain.name }}/bundle.pem
  {{- if and (eq $i 0) (not $domain.bundle) (not $csi) }}
  envoyPath: /etc/envoy/svid/bundle.pem
  {{- else }}
  envoyPath: /etc/envoy/trust/{{ $domain.name }}/bundle.pem
  {{- end }}
{{- end }}
{{- end -}}

{{- define "openclaw-authz.trustDomainNames" -}}
{{- range .Values.trustDomains }}
- {{ .name }}
{{- end }}
{{- end -}}

{{- /* Seconds the authz container's preStop waits after asking Envoy to drain. */ -}}
{{- define "openclaw-authz.sidecarStopDelay" -}}
{{- add (int .Values.envoy.drainSeconds) 5 -}}
{{- end -}}
