/**
 * The alerts of the platform, as data: the golden signals of every service (SERVICE_ALERTS, with the service's
 * overrides applied) and the platform's own alerts. Pure functions: the PrometheusRules, the runbooks and the
 * dashboards all read the same definitions, so that an alert, its runbook section and its panel never drift.
 */
import type { EnvironmentConfig } from '../../model/environment';
import { qualifiedName } from '../../model/names';
import type { AlertOverride, AlertSeverity, ServiceAlertName } from '../../model/observability';
import { SERVICE_ALERTS } from '../../model/observability';
import type { Platform } from '../../model/platform';
import { PortProtocol, WorkloadKind, type ServiceDefinition } from '../../model/service';
import { ValidationError } from '../../model/validation';

/** The namespace of the platform rules and dashboards when `observability.alerting.namespace` is not set. */
export const DEFAULT_ALERTING_NAMESPACE = 'monitoring';

/** The labels Prometheus selects monitoring objects by when `observability.prometheusSelector` is not set. */
export const DEFAULT_PROMETHEUS_SELECTOR: Readonly<Record<string, string>> = { release: 'kube-prometheus-stack' };

/** The names of the platform's own alerts. */
export const PLATFORM_ALERTS = ['NodeNotReady', 'PersistentVolumeFillingUp', 'CertificateExpiringSoon'] as const;
/** The name of one of {@link PLATFORM_ALERTS}. */
export type PlatformAlertName = (typeof PLATFORM_ALERTS)[number];

/** The defaults of a service alert (docs/operations.md, "Alerts"). */
export interface ServiceAlertDefaults {
  /** The severity; `undefined` for HighErrorRatio, whose severity follows `service.critical`. */
  readonly severity?: AlertSeverity;
  /** The threshold in the alert's unit; `undefined` when the alert has none. */
  readonly threshold?: number;
  /** The unit of the threshold, for people. */
  readonly unit?: string;
  /** How long the condition holds before it fires. */
  readonly for: string;
}

/** The defaults of every service alert. */
export const SERVICE_ALERT_DEFAULTS: Readonly<Record<ServiceAlertName, ServiceAlertDefaults>> = {
  HighErrorRatio: { threshold: 0.05, unit: 'ratio of requests', for: '5m' },
  HighLatency: { severity: 'warning', threshold: 1000, unit: 'milliseconds (p99)', for: '10m' },
  HighSaturation: { severity: 'warning', threshold: 0.9, unit: 'ratio of the CPU limit', for: '15m' },
  CrashLooping: { severity: 'critical', threshold: 2, unit: 'restarts in 15 minutes', for: '10m' },
  AutoscalerAtMaximum: { severity: 'info', for: '30m' },
};

/** One alert, resolved: what the PrometheusRule says and what the runbook explains. */
export interface ResolvedAlert {
  /** The alert's name (`HighErrorRatio`). */
  readonly name: string;
  readonly severity: AlertSeverity;
  /** The threshold, when the alert has one. */
  readonly threshold?: number;
  /** Its unit, for people. */
  readonly unit?: string;
  /** A Prometheus duration. */
  readonly for: string;
  /** The PromQL expression. */
  readonly expr: string;
  /** One line, for the notification's title. */
  readonly summary: string;
  /** What is wrong, with Prometheus template variables (`{{ $value }}`). */
  readonly description: string;
  /** The runbook's link: `<runbookBaseUrl>/<env>/runbooks/<path>#<name lower-case>`. */
  readonly runbookUrl: string;
  /** The runbook's anchor, the name lower-case. */
  readonly anchor: string;
  /** What the alert means, for the runbook (plain text). */
  readonly meaning: string;
  /** First steps, shell commands with the real namespace and labels. */
  readonly firstSteps: readonly string[];
}

/** The alerts of one service: those it gets and those its overrides turn off. */
export interface ServiceAlerts {
  readonly service: ServiceDefinition;
  /** The alerts emitted, in SERVICE_ALERTS order. */
  readonly alerts: readonly ResolvedAlert[];
  /** Alerts turned off by `service.alerts.<name>.disabled` (named weakenings). */
  readonly disabled: readonly ServiceAlertName[];
  /** Alerts that do not apply to the service, with the reason (no HTTP or gRPC port, not autoscaled). */
  readonly notApplicable: ReadonlyArray<{ readonly name: ServiceAlertName; readonly reason: string }>;
}

/** The runbook file of a service, relative to the environment's output folder. */
export function serviceRunbookPath(service: Pick<ServiceDefinition, 'name' | 'namespace'>): string {
  return `runbooks/${service.namespace}/${service.name}.md`;
}

/** The runbook file of the platform alerts, relative to the environment's output folder. */
export const PLATFORM_RUNBOOK_PATH = 'runbooks/platform.md';

/** The link to a runbook section: `<runbookBaseUrl>/<env>/<path>#<anchor>`. */
export function runbookUrl(platform: Platform, environmentName: string, runbookPath: string, alertName: string): string {
  const base = (platform.observability?.runbookBaseUrl ?? '').replace(/\/+$/, '');
  return `${base}/${environmentName}/${runbookPath}#${alertName.toLowerCase()}`;
}

/** The alerting namespace of a platform: `observability.alerting.namespace`, else `monitoring`. */
export function alertingNamespaceOf(platform: Platform): string {
  return platform.observability?.alerting.namespace ?? DEFAULT_ALERTING_NAMESPACE;
}

/** True when the service serves requests the mesh measures (an HTTP, HTTP/2 or gRPC port besides its metrics port). */
export function servesRequests(service: ServiceDefinition): boolean {
  return service.ports.some((p) => p.name !== service.metricsPort && [PortProtocol.HTTP, PortProtocol.HTTP2, PortProtocol.GRPC].includes(p.protocol));
}

/** The gRPC status codes counted as server errors: UNKNOWN, DEADLINE_EXCEEDED, INTERNAL, UNAVAILABLE, DATA_LOSS. */
export const GRPC_SERVER_ERROR_CODES = '2|4|13|14|15';

/** The Istio selector of the requests a service receives (reported by its own sidecar). */
export function istioDestinationSelector(service: Pick<ServiceDefinition, 'name' | 'namespace'>): string {
  return `reporter="destination",destination_service_namespace="${service.namespace}",destination_service_name="${service.name}"`;
}

/** PromQL: the ratio of failed requests of a service (5xx, and gRPC server errors for a gRPC service). */
export function errorRatioExpr(service: ServiceDefinition, by?: string): string {
  const sel = istioDestinationSelector(service);
  const agg = by ? `sum by (${by})` : 'sum';
  // no failures is a ratio of 0, not no data: per label, the total times 0 stands in
  const zero = by ? ` or ${agg} (rate(istio_requests_total{${sel}}[5m])) * 0` : ' or vector(0)';
  const http = `${agg} (rate(istio_requests_total{${sel},response_code=~"5.."}[5m]))`;
  const grpc = service.ports.some((p) => p.protocol === PortProtocol.GRPC)
    ? ` + (${agg} (rate(istio_requests_total{${sel},response_code!~"5..",grpc_response_status=~"${GRPC_SERVER_ERROR_CODES}"}[5m]))${zero})`
    : '';
  return `((${http}${zero})${grpc}) / ${agg} (rate(istio_requests_total{${sel}}[5m]))`;
}

/** PromQL: the p99 request duration of a service, in milliseconds. */
export function latencyP99Expr(service: ServiceDefinition, by?: string): string {
  const keys = by ? `le, ${by}` : 'le';
  return `histogram_quantile(0.99, sum by (${keys}) (rate(istio_request_duration_milliseconds_bucket{${istioDestinationSelector(service)}}[5m])))`;
}

/** PromQL: the request rate of a service, per second. */
export function requestRateExpr(service: ServiceDefinition, by?: string): string {
  return `${by ? `sum by (${by})` : 'sum'} (rate(istio_requests_total{${istioDestinationSelector(service)}}[5m]))`;
}

/** PromQL: CPU used over the CPU limit, per pod, of the service's own container. */
export function cpuSaturationExpr(service: ServiceDefinition): string {
  const sel = `namespace="${service.namespace}",container="${service.name}"`;
  return `sum by (pod) (rate(container_cpu_usage_seconds_total{${sel}}[5m])) / sum by (pod) (kube_pod_container_resource_limits{${sel},resource="cpu"})`;
}

/** PromQL: restarts of the service's own container in the last 15 minutes, per pod. */
export function restartsExpr(service: ServiceDefinition): string {
  return `sum by (pod) (increase(kube_pod_container_status_restarts_total{namespace="${service.namespace}",container="${service.name}"}[15m]))`;
}

/** The HorizontalPodAutoscalers of a stateless service: one per version, `<service>-<version>`. */
export function autoscalerNames(service: ServiceDefinition): string[] {
  return service.versions.map((v) => `${service.name}-${v.name}`);
}

/** PromQL selector of the service's HorizontalPodAutoscalers. */
export function autoscalerSelector(service: ServiceDefinition): string {
  return `namespace="${service.namespace}",horizontalpodautoscaler=~"${autoscalerNames(service).join('|')}"`;
}

function kindOf(service: ServiceDefinition): WorkloadKind {
  return service.kind ?? WorkloadKind.DEPLOYMENT;
}

/** The label selector of a service's pods, as kubectl takes it. */
function podSelectorArg(service: ServiceDefinition): string {
  return `app.kubernetes.io/name=${service.name}`;
}

function formatThreshold(name: ServiceAlertName, t: number): string {
  switch (name) {
    case 'HighErrorRatio':
    case 'HighSaturation':
      return `${+(t * 100).toFixed(4)}%`;
    case 'HighLatency':
      return `${t} ms`;
    default:
      return `${t}`;
  }
}

/**
 * The alerts of a service in an environment: SERVICE_ALERTS that apply to it, with `service.alerts` applied.
 * Throws when an override names an alert the service does not get (HighErrorRatio on a TCP-only service, a
 * threshold for AutoscalerAtMaximum, which has none).
 */
export function serviceAlertsOf(platform: Platform, environment: EnvironmentConfig, service: ServiceDefinition): ServiceAlerts {
  const path = `Platform(${platform.name})/services/${qualifiedName(service)}`;
  const notApplicable: Array<{ name: ServiceAlertName; reason: string }> = [];
  if (!servesRequests(service)) {
    const reason = 'no HTTP, HTTP/2 or gRPC port: the mesh measures no requests (TCP traffic has no status or duration)';
    notApplicable.push({ name: 'HighErrorRatio', reason }, { name: 'HighLatency', reason });
  }
  const bounds = kindOf(service) === WorkloadKind.STATEFUL ? undefined : platform.replicaBounds(environment, service);
  if (!bounds) {
    notApplicable.push({ name: 'AutoscalerAtMaximum', reason: 'a stateful service is not autoscaled' });
  } else if (bounds.min === bounds.max) {
    notApplicable.push({ name: 'AutoscalerAtMaximum', reason: `its autoscaler's minimum and maximum are both ${bounds.max} in ${environment.name}` });
  }
  const overrides: Readonly<Partial<Record<ServiceAlertName, AlertOverride>>> = service.alerts ?? {};
  for (const [name, o] of Object.entries(overrides) as Array<[ServiceAlertName, AlertOverride | undefined]>) {
    const na = notApplicable.find((n) => n.name === name);
    if (na && o && !o.disabled) {
      throw new ValidationError(path, `alerts.${name}`, o, `allowed: no override; ${service.name} does not get ${name} (${na.reason})`);
    }
    if (name === 'AutoscalerAtMaximum' && o?.threshold !== undefined) {
      throw new ValidationError(path, `alerts.${name}.threshold`, o.threshold, 'allowed: no threshold; the alert fires when the autoscaler runs at its maximum');
    }
  }
  const alerts: ResolvedAlert[] = [];
  const disabled: ServiceAlertName[] = [];
  const envName = environment.name;
  const ns = service.namespace;
  const svc = service.name;
  const q = `${ns}/${svc}`;
  for (const name of SERVICE_ALERTS) {
    if (notApplicable.some((n) => n.name === name)) {
      continue;
    }
    const o = overrides[name] ?? {};
    if (o.disabled) {
      disabled.push(name);
      continue;
    }
    const d = SERVICE_ALERT_DEFAULTS[name];
    const severity = o.severity ?? d.severity ?? (service.critical ? 'critical' : 'warning');
    const threshold = d.threshold === undefined ? undefined : o.threshold ?? d.threshold;
    const forDuration = o.for ?? d.for;
    const shown = threshold === undefined ? '' : formatThreshold(name, threshold);
    const logs = `kubectl -n ${ns} logs -l ${podSelectorArg(service)} -c ${svc} --since=30m --prefix`;
    const pods = `kubectl -n ${ns} get pods -l ${podSelectorArg(service)} -L version -o wide`;
    let def: Pick<ResolvedAlert, 'expr' | 'summary' | 'description' | 'meaning' | 'firstSteps'>;
    switch (name) {
      case 'HighErrorRatio':
        def = {
          expr: `${errorRatioExpr(service)} > ${threshold}`,
          summary: `${q}: more than ${shown} of requests fail`,
          description: `{{ $value | humanizePercentage }} of the requests to ${q} in ${envName} failed over 5 minutes (HTTP 5xx${service.ports.some((p) => p.protocol === PortProtocol.GRPC) ? ' or gRPC server errors' : ''}); the threshold is ${shown}.`,
          meaning: `More than ${shown} of the requests ${svc} received over 5 minutes failed (HTTP 5xx${service.ports.some((p) => p.protocol === PortProtocol.GRPC) ? `, or gRPC status ${GRPC_SERVER_ERROR_CODES.split('|').join(', ')}` : ''}), as its own sidecar reports them, for ${forDuration}.`,
          firstSteps: [
            pods,
            logs,
            `kubectl -n ${ns} get events --field-selector involvedObject.kind=Pod --sort-by=.lastTimestamp`,
            `kubectl -n ${ns} get virtualservice,destinationrule ${svc} -o yaml`,
          ],
        };
        break;
      case 'HighLatency':
        def = {
          expr: `${latencyP99Expr(service)} > ${threshold}`,
          summary: `${q}: p99 latency above ${shown}`,
          description: `The 99th percentile of request durations of ${q} in ${envName} is {{ $value | humanize }} ms over 5 minutes; the threshold is ${shown}.`,
          meaning: `One request in a hundred to ${svc} took longer than ${shown} over 5 minutes (measured by its sidecar, callee time included), for ${forDuration}.`,
          firstSteps: [
            pods,
            `kubectl -n ${ns} top pods -l ${podSelectorArg(service)} --containers`,
            ...(bounds ? [`kubectl -n ${ns} get hpa ${autoscalerNames(service).join(' ')}`] : []),
            logs,
          ],
        };
        break;
      case 'HighSaturation':
        def = {
          expr: `${cpuSaturationExpr(service)} > ${threshold}`,
          summary: `${q}: a pod uses more than ${shown} of its CPU limit`,
          description: `Pod {{ $labels.pod }} of ${q} in ${envName} uses {{ $value | humanizePercentage }} of its CPU limit; the threshold is ${shown}. It is throttled beyond its limit.`,
          meaning: `A pod's ${svc} container used more than ${shown} of its CPU limit over 5 minutes, for ${forDuration}: it is about to be throttled, and latency follows.`,
          firstSteps: [
            `kubectl -n ${ns} top pods -l ${podSelectorArg(service)} --containers`,
            ...(bounds ? [`kubectl -n ${ns} describe hpa ${autoscalerNames(service).join(' ')}`] : [`kubectl -n ${ns} describe statefulset ${svc}`]),
            `kubectl -n ${ns} describe resourcequota platform-quota`,
          ],
        };
        break;
      case 'CrashLooping':
        def = {
          expr: `${restartsExpr(service)} > ${threshold}`,
          summary: `${q}: a container keeps restarting`,
          description: `The ${svc} container of pod {{ $labels.pod }} (${q}, ${envName}) restarted {{ $value | humanize }} times in 15 minutes.`,
          meaning: `The ${svc} container of a pod restarted more than ${shown} times in 15 minutes, for ${forDuration}: it crashes, fails its liveness probe or runs out of memory.`,
          firstSteps: [
            pods,
            `kubectl -n ${ns} describe pods -l ${podSelectorArg(service)}`,
            `kubectl -n ${ns} logs -l ${podSelectorArg(service)} -c ${svc} --previous --prefix`,
            `kubectl -n ${ns} get events --field-selector reason=BackOff --sort-by=.lastTimestamp`,
          ],
        };
        break;
      case 'AutoscalerAtMaximum':
        def = {
          expr: `kube_horizontalpodautoscaler_status_current_replicas{${autoscalerSelector(service)}} >= kube_horizontalpodautoscaler_spec_max_replicas{${autoscalerSelector(service)}}`,
          summary: `${q}: the autoscaler runs at its maximum`,
          description: `HorizontalPodAutoscaler {{ $labels.horizontalpodautoscaler }} of ${q} in ${envName} has run at its maximum (${bounds?.max} replicas) for ${forDuration}: it cannot add capacity.`,
          meaning: `An autoscaler of ${svc} (${autoscalerNames(service).join(', ')}) ran at its maximum of ${bounds?.max} replicas for ${forDuration}: more load finds no more pods. Raise \`maxReplicas\` (environment ${envName}, \`serviceOverrides.${svc}\`) if the load is real.`,
          firstSteps: [
            `kubectl -n ${ns} describe hpa ${autoscalerNames(service).join(' ')}`,
            `kubectl -n ${ns} top pods -l ${podSelectorArg(service)} --containers`,
            `kubectl -n ${ns} describe resourcequota platform-quota`,
          ],
        };
        break;
    }
    alerts.push({
      name,
      severity,
      threshold,
      unit: d.unit,
      for: forDuration,
      ...def,
      runbookUrl: runbookUrl(platform, envName, serviceRunbookPath(service), name),
      anchor: name.toLowerCase(),
    });
  }
  return { service, alerts, disabled, notApplicable };
}

/** Options of the platform alerts. */
export interface PlatformAlertOptions {
  /** Whether certificate expiry is probed (a blackbox exporter and a Probe of the public hosts). */
  readonly probesCertificates: boolean;
  /** The blackbox exporter's address, for the runbook. @default none named in the runbook */
  readonly blackboxExporterUrl?: string;
}

/** The platform's own alerts: nodes, volumes and (when public hosts are probed) certificates. */
export function platformAlertsOf(platform: Platform, environment: EnvironmentConfig, options: PlatformAlertOptions): ResolvedAlert[] {
  const env = environment.name;
  const url = (name: string) => runbookUrl(platform, env, PLATFORM_RUNBOOK_PATH, name);
  const alerts: ResolvedAlert[] = [
    {
      name: 'NodeNotReady',
      severity: 'critical',
      for: '10m',
      expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0',
      summary: 'A node is not Ready',
      description: `Node {{ $labels.node }} of ${env} has not been Ready for 10 minutes; its pods are not scheduled or not reachable.`,
      meaning: 'A node has not reported Ready for 10 minutes: the kubelet is down, the node is out of memory or disk, or the instance is gone. Its pods are evicted after the toleration (5 minutes by default); the services\' PodDisruptionBudgets and spread over zones keep them serving.',
      firstSteps: [
        'kubectl get nodes -o wide',
        'kubectl describe node <node>',
        'kubectl get pods -A --field-selector spec.nodeName=<node> -o wide',
      ],
      runbookUrl: url('NodeNotReady'),
      anchor: 'nodenotready',
    },
    {
      name: 'PersistentVolumeFillingUp',
      severity: 'warning',
      threshold: 0.1,
      unit: 'ratio of the volume free',
      for: '15m',
      expr: 'kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes < 0.1',
      summary: 'A persistent volume is more than 90% full',
      description: `PersistentVolumeClaim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} in ${env} has {{ $value | humanizePercentage }} free.`,
      meaning: 'A PersistentVolumeClaim has less than 10% of its space free. The StorageClasses are expandable: raise the claim\'s size (the service\'s `storage.sizeGiB`) before it fills.',
      firstSteps: [
        'kubectl get pvc -A',
        'kubectl -n <namespace> describe pvc <claim>',
      ],
      runbookUrl: url('PersistentVolumeFillingUp'),
      anchor: 'persistentvolumefillingup',
    },
  ];
  if (options.probesCertificates) {
    alerts.push({
      name: 'CertificateExpiringSoon',
      severity: 'warning',
      threshold: 14,
      unit: 'days',
      for: '1h',
      expr: 'probe_ssl_earliest_cert_expiry - time() < 14 * 86400',
      summary: 'A public certificate expires in less than 14 days',
      description: `The certificate served at {{ $labels.instance }} (${env}) expires in {{ $value | humanizeDuration }}.`,
      meaning: `The TLS certificate a public host serves expires in less than 14 days, as the blackbox exporter${options.blackboxExporterUrl ? ` (${options.blackboxExporterUrl})` : ''} sees it: renewal has failed.`,
      firstSteps: [
        'kubectl -n istio-ingress get gateway -o yaml   # the credentialName of the host',
        "kubectl -n istio-ingress get secret <credentialName> -o jsonpath='{.data.tls\\.crt}' | base64 -d | openssl x509 -noout -enddate",
        'echo | openssl s_client -connect <host>:443 -servername <host> 2>/dev/null | openssl x509 -noout -enddate',
      ],
      runbookUrl: url('CertificateExpiringSoon'),
      anchor: 'certificateexpiringsoon',
    });
  }
  return alerts;
}

/** Orders names by code unit, the same on every machine (no locale). */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
