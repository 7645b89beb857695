{{/* Chart name, cut to the 63 characters Kubernetes allows in names. */}}
{{- define "tapwatch.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-qualified name; the release name alone when it already contains the chart name. */}}
{{- define "tapwatch.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "tapwatch.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tapwatch.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "tapwatch.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "tapwatch.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* tapwatch.yaml: the configured values with telemetry listening on every interface at the service port. */}}
{{- define "tapwatch.config" -}}
{{- $config := deepCopy .Values.config -}}
{{- $telemetry := deepCopy (default (dict) $config.telemetry) -}}
{{- $_ := set $telemetry "listen" (printf "0.0.0.0:%d" (int .Values.service.port)) -}}
{{- $_ := set $config "telemetry" $telemetry -}}
{{- toYaml $config -}}
{{- end -}}
