/**
 * Grafana dashboards as ConfigMaps labelled `grafana_dashboard: "1"`, which the kube-prometheus-stack Grafana
 * sidecar loads. The JSON is deterministic: keys sorted, panel ids numbered in order, the dashboard `id` null
 * (Grafana assigns it) and a `uid` derived from the names.
 */
import { createHash } from 'node:crypto';
import { KubeConfigMap } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../model/environment';
import type { Platform } from '../../model/platform';
import type { ServiceDefinition } from '../../model/service';
import { requireDns1123Label } from '../../model/validation';
import {
  autoscalerSelector,
  cpuSaturationExpr,
  errorRatioExpr,
  istioDestinationSelector,
  latencyP99Expr,
  requestRateExpr,
  restartsExpr,
  serviceAlertsOf,
  servesRequests,
} from './alert-rules';

/** The label the kube-prometheus-stack Grafana sidecar finds dashboards by (`sidecar.dashboards.label`). */
export const GRAFANA_DASHBOARD_LABEL = 'grafana_dashboard';

/** A JSON value. */
type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

/** One query of a panel. */
interface Query { readonly expr: string; readonly legend: string }

/** One panel, before layout. */
interface PanelSpec {
  readonly title: string;
  readonly unit: string;
  readonly queries: readonly Query[];
  /** A second unit for queries B.., drawn on the right axis. */
  readonly rightUnit?: string;
  /** Full width. @default half */
  readonly wide?: boolean;
  readonly description?: string;
}

/** A dashboard, as the ConfigMap holds it. */
export interface DashboardDefinition {
  /** Its title in Grafana. */
  readonly title: string;
  /** Its uid: readable when it fits Grafana's 40 characters, else a hash. */
  readonly uid: string;
  /** The ConfigMap's name. */
  readonly configMapName: string;
  /** The file name in the ConfigMap (`<name>.json`). */
  readonly fileName: string;
  /** The dashboard JSON, keys sorted. */
  readonly json: string;
}

/** JSON with keys sorted at every level, two-space indented, ending in a newline. */
export function stableJson(value: Json): string {
  const sort = (v: Json): Json => {
    if (Array.isArray(v)) {
      return (v as readonly Json[]).map(sort);
    }
    if (v !== null && typeof v === 'object') {
      const o = v as { readonly [key: string]: Json };
      return Object.fromEntries(Object.keys(o).sort().map((k) => [k, sort(o[k])]));
    }
    return v;
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

/** `readable` when it has at most `max` characters, else its start and 8 hex characters of its SHA-256. */
function bounded(readable: string, max: number): string {
  return readable.length <= max ? readable : `${readable.slice(0, max - 9).replace(/-+$/, '')}-${createHash('sha256').update(readable).digest('hex').slice(0, 8)}`;
}

function uidOf(readable: string): string {
  return bounded(readable, 40);
}

const DATASOURCE: Json = { type: 'prometheus', uid: '${datasource}' };

function panels(specs: readonly PanelSpec[]): Json[] {
  const out: Json[] = [];
  let x = 0;
  let y = 0;
  specs.forEach((p, i) => {
    const w = p.wide ? 24 : 12;
    if (x + w > 24) {
      x = 0;
      y += 8;
    }
    out.push({
      datasource: DATASOURCE,
      description: p.description ?? '',
      fieldConfig: {
        defaults: { unit: p.unit },
        overrides: p.rightUnit
          ? p.queries.slice(1).map((_, j) => ({
            matcher: { id: 'byFrameRefID', options: refId(j + 1) },
            properties: [{ id: 'unit', value: p.rightUnit as string }, { id: 'custom.axisPlacement', value: 'right' }],
          }))
          : [],
      },
      gridPos: { h: 8, w, x, y },
      id: i + 1,
      options: { legend: { displayMode: 'table', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
      targets: p.queries.map((q, j) => ({ datasource: DATASOURCE, expr: q.expr, legendFormat: q.legend, refId: refId(j) })),
      title: p.title,
      type: 'timeseries',
    });
    x += w;
    if (x >= 24) {
      x = 0;
      y += 8;
    }
  });
  return out;
}

function refId(i: number): string {
  return String.fromCharCode(65 + i);
}

function dashboard(title: string, uid: string, tags: readonly string[], specs: readonly PanelSpec[]): Json {
  return {
    annotations: { list: [] },
    editable: false,
    graphTooltip: 1,
    id: null,
    links: [],
    panels: panels(specs),
    refresh: '1m',
    schemaVersion: 39,
    tags: [...tags],
    templating: {
      list: [{ current: {}, hide: 0, label: 'Data source', name: 'datasource', options: [], query: 'prometheus', refresh: 1, regex: '', type: 'datasource' }],
    },
    time: { from: 'now-6h', to: 'now' },
    timezone: 'utc',
    title,
    uid,
    version: 1,
  };
}

/** The title of a service's dashboard: `<platform> <env> / <namespace>/<service>`. */
export function serviceDashboardTitle(platform: Platform, environmentName: string, service: Pick<ServiceDefinition, 'name' | 'namespace'>): string {
  return `${platform.name} ${environmentName} / ${service.namespace}/${service.name}`;
}

/** The title of an environment's dashboard: `<platform> <env> / overview`. */
export function environmentDashboardTitle(platform: Platform, environmentName: string): string {
  return `${platform.name} ${environmentName} / overview`;
}

/**
 * A service's dashboard: the golden signals (request rate, error ratio, p99 latency, CPU saturation), restarts,
 * replicas against the autoscaler's maximum, and request rate with error ratio per `version` label, so that a
 * canary's or a blue-green pair's versions show side by side.
 */
export function serviceDashboard(platform: Platform, environment: EnvironmentConfig, service: ServiceDefinition): DashboardDefinition {
  const env = environment.name;
  const specs: PanelSpec[] = [];
  if (servesRequests(service)) {
    specs.push(
      { title: 'Request rate and error ratio by version', unit: 'reqps', rightUnit: 'percentunit', wide: true,
        description: 'Requests per second (left) and the ratio of failed requests (right) per version label, as the service\'s sidecars report them: canary and blue-green versions side by side.',
        queries: [
          { expr: requestRateExpr(service, 'destination_version'), legend: '{{destination_version}} requests/s' },
          { expr: errorRatioExpr(service, 'destination_version'), legend: '{{destination_version}} error ratio' },
        ] },
      { title: 'Request rate', unit: 'reqps', queries: [{ expr: requestRateExpr(service), legend: 'requests/s' }] },
      { title: 'Error ratio', unit: 'percentunit', queries: [{ expr: errorRatioExpr(service), legend: 'error ratio' }] },
      { title: 'Latency p99 by version', unit: 'ms', queries: [{ expr: latencyP99Expr(service, 'destination_version'), legend: '{{destination_version}} p99' }] },
      { title: 'Requests by caller', unit: 'reqps', queries: [{ expr: `sum by (source_workload_namespace, source_workload) (rate(istio_requests_total{${istioDestinationSelector(service)}}[5m]))`, legend: '{{source_workload_namespace}}/{{source_workload}}' }] },
    );
  }
  specs.push(
    { title: 'CPU used / limit', unit: 'percentunit', queries: [{ expr: cpuSaturationExpr(service), legend: '{{pod}}' }] },
    { title: 'Memory working set', unit: 'bytes', queries: [{ expr: `sum by (pod) (container_memory_working_set_bytes{namespace="${service.namespace}",container="${service.name}"})`, legend: '{{pod}}' }] },
    { title: 'Restarts (15 minutes)', unit: 'short', queries: [{ expr: restartsExpr(service), legend: '{{pod}}' }] },
  );
  if (serviceAlertsOf(platform, environment, service).notApplicable.every((n) => n.name !== 'AutoscalerAtMaximum')) {
    specs.push({ title: 'Replicas and autoscaler maximum', unit: 'short', queries: [
      { expr: `kube_horizontalpodautoscaler_status_current_replicas{${autoscalerSelector(service)}}`, legend: '{{horizontalpodautoscaler}} replicas' },
      { expr: `kube_horizontalpodautoscaler_spec_max_replicas{${autoscalerSelector(service)}}`, legend: '{{horizontalpodautoscaler}} maximum' },
    ] });
  }
  specs.push({ title: 'Firing alerts', unit: 'short', wide: true, queries: [{ expr: `sum by (alertname, severity) (ALERTS{alertstate="firing",namespace="${service.namespace}",service="${service.name}"})`, legend: '{{alertname}} ({{severity}})' }] });
  const title = serviceDashboardTitle(platform, env, service);
  const uid = uidOf(`${env}-${service.namespace}-${service.name}`);
  const configMapName = bounded(`dashboard-${service.namespace}-${service.name}`, 63);
  return { title, uid, configMapName, fileName: `${configMapName}.json`, json: stableJson(dashboard(title, uid, [platform.name, env, service.namespace, service.partOf], specs)) };
}

/** The environment's dashboard: every service's request rate, error ratio and p99 side by side, nodes, volumes, alerts. */
export function environmentDashboard(platform: Platform, environment: EnvironmentConfig): DashboardDefinition {
  const env = environment.name;
  const namespaces = platform.namespaces().join('|');
  const dest = `reporter="destination",destination_service_namespace=~"${namespaces}"`;
  const by = 'destination_service_namespace, destination_service_name';
  const legend = '{{destination_service_namespace}}/{{destination_service_name}}';
  const specs: PanelSpec[] = [
    { title: 'Request rate by service', unit: 'reqps', queries: [{ expr: `sum by (${by}) (rate(istio_requests_total{${dest}}[5m]))`, legend }] },
    { title: 'Error ratio by service', unit: 'percentunit', queries: [{ expr: `sum by (${by}) (rate(istio_requests_total{${dest},response_code=~"5.."}[5m])) / sum by (${by}) (rate(istio_requests_total{${dest}}[5m]))`, legend }] },
    { title: 'Latency p99 by service', unit: 'ms', queries: [{ expr: `histogram_quantile(0.99, sum by (le, ${by}) (rate(istio_request_duration_milliseconds_bucket{${dest}}[5m])))`, legend }] },
    { title: 'CPU used / requested by namespace', unit: 'percentunit', queries: [{ expr: `sum by (namespace) (rate(container_cpu_usage_seconds_total{namespace=~"${namespaces}",container!=""}[5m])) / sum by (namespace) (kube_pod_container_resource_requests{namespace=~"${namespaces}",resource="cpu"})`, legend: '{{namespace}}' }] },
    { title: 'Nodes not Ready', unit: 'short', queries: [{ expr: 'count(kube_node_status_condition{condition="Ready",status="true"} == 0) or vector(0)', legend: 'not ready' }, { expr: 'count(kube_node_info)', legend: 'nodes' }] },
    { title: 'Persistent volumes free', unit: 'percentunit', queries: [{ expr: 'kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes', legend: '{{namespace}}/{{persistentvolumeclaim}}' }] },
    { title: 'Firing alerts', unit: 'short', wide: true, queries: [{ expr: 'sum by (alertname, severity, namespace, service) (ALERTS{alertstate="firing"})', legend: '{{alertname}} {{namespace}}/{{service}} ({{severity}})' }] },
  ];
  const title = environmentDashboardTitle(platform, env);
  const uid = uidOf(`${platform.name}-${env}-overview`);
  const configMapName = bounded(`dashboard-${platform.name}-${env}-overview`, 63);
  return { title, uid, configMapName, fileName: `${configMapName}.json`, json: stableJson(dashboard(title, uid, [platform.name, env], specs)) };
}

/** Options for a {@link GrafanaDashboard}. */
export interface GrafanaDashboardProps {
  /** The dashboard. */
  readonly dashboard: DashboardDefinition;
  /** The namespace the Grafana sidecar watches (kube-prometheus-stack's own, by default). */
  readonly namespace: string;
}

/** A dashboard as a ConfigMap the Grafana sidecar loads (`grafana_dashboard: "1"`). */
export class GrafanaDashboard extends Construct {
  /** The ConfigMap. */
  public readonly resource: KubeConfigMap;
  /** The dashboard. */
  public readonly dashboard: DashboardDefinition;

  constructor(scope: Construct, id: string, props: GrafanaDashboardProps) {
    super(scope, id);
    requireDns1123Label(this.node.path, 'dashboard.configMapName', props.dashboard.configMapName);
    this.dashboard = props.dashboard;
    this.resource = new KubeConfigMap(this, 'Resource', {
      metadata: {
        name: props.dashboard.configMapName,
        namespace: props.namespace,
        labels: { [GRAFANA_DASHBOARD_LABEL]: '1', 'app.kubernetes.io/managed-by': 'eks-platform-constructs' },
      },
      data: { [props.dashboard.fileName]: props.dashboard.json },
    });
  }
}
