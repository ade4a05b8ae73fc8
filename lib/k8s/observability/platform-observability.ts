/**
 * How one environment is watched: ServiceMonitors of the services' metrics ports, a PodMonitor per platform
 * namespace for the Istio sidecars, a PrometheusRule per service (golden signals) and one of platform alerts, a
 * Grafana dashboard per service and one for the environment, and the runbooks the alerts link to.
 * Emits nothing when the model has no `observability` (a named weakening of the model).
 */
import { ApiObject, Chart } from 'cdk8s';
import { KubeNamespace } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../model/environment';
import { LABEL_MANAGED_BY, portName, qualifiedName, serviceSelector } from '../../model/names';
import type { Platform } from '../../model/platform';
import type { ServiceDefinition } from '../../model/service';
import { ValidationError, requireDns1123Label } from '../../model/validation';
import { PodSecurityLevel } from '../hardening';
import { NAMESPACE_NAME_LABEL } from '../network-policies';
import {
  DEFAULT_PROMETHEUS_SELECTOR,
  alertingNamespaceOf,
  compareNames,
  platformAlertsOf,
  serviceAlertsOf,
  type ResolvedAlert,
} from './alert-rules';
import { GrafanaDashboard, environmentDashboard, serviceDashboard } from './dashboards';
import {
  PrometheusAlertRules,
  PrometheusPodMonitor,
  PrometheusProbe,
  PrometheusServiceMonitor,
  type PrometheusRuleEntry,
  type ServiceMonitorEndpoint,
} from './prometheus-resources';
import { blackboxExporterOf, runbooksOf, type RunbookFile } from './runbooks';

/** The Istio sidecar's port of Envoy's own metrics (`istio_requests_total` and the rest), named in the injected container. */
export const ENVOY_METRICS_PORT_NAME = 'http-envoy-prom';
/** The path of Envoy's Prometheus metrics. */
export const ENVOY_METRICS_PATH = '/stats/prometheus';
/** Where Istio's documented Prometheus setup mounts the workload certificate its sidecar writes. */
export const DEFAULT_ISTIO_CERTIFICATES_PATH = '/etc/prom-certs';

const MANAGED_BY = 'eks-platform-constructs';

/** Options for a {@link PlatformObservability}. */
export interface PlatformObservabilityProps {
  /** The platform model; its `observability` says where alerts go, runbooks live and which Prometheus selects the objects. */
  readonly platform: Platform;
  /** The environment's name. */
  readonly environment: string;
  /**
   * Where Prometheus finds its Istio workload certificate (`root-cert.pem`, `cert-chain.pem`, `key.pem`): the
   * metrics ports sit behind STRICT mTLS (docs/mesh.md), so ServiceMonitors scrape over HTTPS with it. `false`
   * scrapes plain HTTP (a mesh without STRICT mTLS on the metrics port).
   * @default '/etc/prom-certs' (Istio's documented setup)
   */
  readonly istioCertificatesPath?: string | false;
  /**
   * The blackbox exporter (`host:port`) that probes the public hosts' certificates for CertificateExpiringSoon,
   * or `false` for none (the alert is then not emitted).
   * @default 'prometheus-blackbox-exporter.monitoring.svc:9115' when a service is public; none otherwise
   */
  readonly blackboxExporterUrl?: string | false;
}

/** Monitoring, alerts, dashboards and runbooks of one environment. */
export class PlatformObservability extends Construct {
  /** The environment. */
  public readonly environment: EnvironmentConfig;
  /** False when the model has no `observability`: then nothing is emitted. */
  public readonly enabled: boolean;
  /** The labels every monitoring object carries so that Prometheus selects it. */
  public readonly prometheusSelector: Readonly<Record<string, string>>;
  /** The namespace of the platform rules, the dashboards and the probe (`observability.alerting.namespace`, else `monitoring`). */
  public readonly alertingNamespace: string;
  /** The Namespace object this construct emits, when the chart had none of that name. */
  public readonly alertingNamespaceObject?: KubeNamespace;
  /** ServiceMonitors by `namespace/name` of the service. */
  public readonly serviceMonitors: ReadonlyMap<string, PrometheusServiceMonitor>;
  /** The sidecars' PodMonitor of each platform namespace. */
  public readonly podMonitors: ReadonlyMap<string, PrometheusPodMonitor>;
  /** Each service's PrometheusRule, by `namespace/name`. */
  public readonly serviceRules: ReadonlyMap<string, PrometheusAlertRules>;
  /** The platform's PrometheusRule. */
  public readonly platformRules?: PrometheusAlertRules;
  /** The Probe of the public hosts' certificates. */
  public readonly certificateProbe?: PrometheusProbe;
  /** Dashboards by `namespace/name` of the service, and `environment` for the environment's. */
  public readonly dashboards: ReadonlyMap<string, GrafanaDashboard>;
  /** The runbooks the alerts link to, paths relative to the environment's output folder. */
  public readonly runbooks: readonly RunbookFile[];

  private readonly namespaceObjects = new Map<string, ApiObject>();

  constructor(scope: Construct, id: string, props: PlatformObservabilityProps) {
    super(scope, id);
    const platform = props.platform;
    const env = platform.environment(props.environment);
    const obs = platform.observability;
    this.environment = env;
    this.enabled = obs !== undefined;
    this.prometheusSelector = { ...(obs?.prometheusSelector ?? DEFAULT_PROMETHEUS_SELECTOR) };
    this.alertingNamespace = alertingNamespaceOf(platform);
    const serviceMonitors = new Map<string, PrometheusServiceMonitor>();
    const podMonitors = new Map<string, PrometheusPodMonitor>();
    const serviceRules = new Map<string, PrometheusAlertRules>();
    const dashboards = new Map<string, GrafanaDashboard>();
    this.serviceMonitors = serviceMonitors;
    this.podMonitors = podMonitors;
    this.serviceRules = serviceRules;
    this.dashboards = dashboards;
    if (!obs) {
      this.runbooks = [];
      return;
    }
    requireDns1123Label(this.node.path, 'observability.alerting.namespace', this.alertingNamespace);
    const certificates = props.istioCertificatesPath ?? DEFAULT_ISTIO_CERTIFICATES_PATH;
    if (certificates !== false && !certificates.startsWith('/')) {
      throw new ValidationError(this.node.path, 'istioCertificatesPath', certificates, 'allowed: an absolute path in the Prometheus container, or false');
    }
    const blackbox = blackboxExporterOf(platform, { blackboxExporterUrl: props.blackboxExporterUrl });
    if (blackbox !== undefined && !/^[a-z0-9.-]+(:\d{1,5})?$/.test(blackbox)) {
      throw new ValidationError(this.node.path, 'blackboxExporterUrl', blackbox, 'allowed: host:port of the blackbox exporter (no scheme, no path), or false');
    }

    // the chart's Namespaces (platform namespaces, add-ons) come first; the alerting namespace only if none has its name
    const chart = Chart.of(this);
    for (const o of chart.node.findAll()) {
      if (o instanceof ApiObject && o.kind === 'Namespace' && o.apiVersion === 'v1' && o.name !== undefined && !this.namespaceObjects.has(o.name)) {
        this.namespaceObjects.set(o.name, o);
      }
    }
    if (!this.namespaceObjects.has(this.alertingNamespace)) {
      this.alertingNamespaceObject = this.emitAlertingNamespace(env);
      this.namespaceObjects.set(this.alertingNamespace, this.alertingNamespaceObject);
    }
    const labels = { ...this.prometheusSelector, [LABEL_MANAGED_BY]: MANAGED_BY };

    const services = [...platform.services].sort((a, b) => compareNames(qualifiedName(a), qualifiedName(b)));
    const servicesGroup = new Construct(this, 'Services');
    for (const svc of services) {
      const scope = new Construct(servicesGroup, `${svc.namespace}.${svc.name}`);
      const key = qualifiedName(svc);
      if (svc.metricsPort !== undefined) {
        const monitor = new PrometheusServiceMonitor(scope, 'ServiceMonitor', {
          metadata: { name: svc.name, namespace: svc.namespace, labels },
          spec: {
            selector: { matchLabels: serviceSelector(svc) },
            endpoints: [this.metricsEndpoint(svc, certificates)],
          },
        });
        this.inNamespace(monitor, svc.namespace);
        serviceMonitors.set(key, monitor);
      }
      const alerts = serviceAlertsOf(platform, env, svc).alerts;
      if (alerts.length > 0) {
        const rules = new PrometheusAlertRules(scope, 'Rules', {
          metadata: { name: `${svc.name}-alerts`, namespace: svc.namespace, labels },
          spec: { groups: [{ name: `${svc.namespace}.${svc.name}`, rules: alerts.map((a) => ruleOf(a, { service: svc.name, namespace: svc.namespace })) }] },
        });
        this.inNamespace(rules, svc.namespace);
        serviceRules.set(key, rules);
      }
      const dashboard = new GrafanaDashboard(scope, 'Dashboard', { dashboard: serviceDashboard(platform, env, svc), namespace: this.alertingNamespace });
      this.inNamespace(dashboard.resource, this.alertingNamespace);
      dashboards.set(key, dashboard);
    }

    const sidecarsGroup = new Construct(this, 'Sidecars');
    for (const ns of platform.namespaces()) {
      const monitor = new PrometheusPodMonitor(sidecarsGroup, ns, {
        metadata: { name: 'istio-proxies', namespace: ns, labels },
        spec: {
          // Istio's injector labels every pod it gives a sidecar
          selector: { matchExpressions: [{ key: 'security.istio.io/tlsMode', operator: 'Exists' }] },
          jobLabel: 'app.kubernetes.io/name',
          podMetricsEndpoints: [{ port: ENVOY_METRICS_PORT_NAME, path: ENVOY_METRICS_PATH, scheme: 'http' }],
        },
      });
      this.inNamespace(monitor, ns);
      podMonitors.set(ns, monitor);
    }

    const platformGroup = new Construct(this, 'Platform');
    if (blackbox !== undefined) {
      const hosts = [...new Set(platform.services.flatMap((s) => s.public?.hosts ?? []))].sort();
      this.certificateProbe = new PrometheusProbe(platformGroup, 'CertificateProbe', {
        metadata: { name: 'public-hosts', namespace: this.alertingNamespace, labels },
        spec: {
          jobName: 'public-hosts',
          module: 'http_2xx',
          prober: { url: blackbox },
          interval: '5m',
          targets: { staticConfig: { static: hosts.map((h) => `https://${h}`), labels: { environment: env.name } } },
        },
      });
      this.inNamespace(this.certificateProbe, this.alertingNamespace);
    }
    const platformAlerts = platformAlertsOf(platform, env, { probesCertificates: blackbox !== undefined, blackboxExporterUrl: blackbox });
    this.platformRules = new PrometheusAlertRules(platformGroup, 'Rules', {
      metadata: { name: 'platform-alerts', namespace: this.alertingNamespace, labels },
      spec: { groups: [{ name: 'platform', rules: platformAlerts.map((a) => ruleOf(a, {})) }] },
    });
    this.inNamespace(this.platformRules, this.alertingNamespace);
    const overview = new GrafanaDashboard(platformGroup, 'Dashboard', { dashboard: environmentDashboard(platform, env), namespace: this.alertingNamespace });
    this.inNamespace(overview.resource, this.alertingNamespace);
    dashboards.set('environment', overview);

    this.runbooks = runbooksOf(platform, env.name, { blackboxExporterUrl: props.blackboxExporterUrl });
  }

  /** The scrape endpoint of a service's metrics port: by the Service port's name, over the mesh's mTLS unless turned off. */
  private metricsEndpoint(svc: ServiceDefinition, certificates: string | false): ServiceMonitorEndpoint {
    const port = svc.ports.find((p) => p.name === svc.metricsPort);
    if (!port) {
      throw new ValidationError(this.node.path, `services.${qualifiedName(svc)}.metricsPort`, svc.metricsPort, `allowed: one of the service's port names (${svc.ports.map((p) => p.name).join(', ')})`);
    }
    return {
      port: portName(port),
      path: '/metrics',
      // a stateful service's headless Service carries the same labels and endpoints: scrape through the client Service only
      relabelings: [{ action: 'keep', sourceLabels: ['__meta_kubernetes_service_name'], regex: svc.name }],
      ...(certificates === false
        ? { scheme: 'http' as const }
        : {
          scheme: 'https' as const,
          // Istio's workload certificates name SPIFFE identities, not host names: Prometheus cannot verify them by name
          tlsConfig: { caFile: `${certificates}/root-cert.pem`, certFile: `${certificates}/cert-chain.pem`, keyFile: `${certificates}/key.pem`, insecureSkipVerify: true },
        }),
    };
  }

  private emitAlertingNamespace(env: EnvironmentConfig): KubeNamespace {
    const name = this.alertingNamespace;
    const podSecurity: Record<string, string> = {};
    // kube-prometheus-stack's node exporter needs host namespaces and paths: "privileged" is enforced, and audit and
    // warn stay "restricted" so that whatever it does beyond shows in every apply
    const levels: Record<string, PodSecurityLevel> = { enforce: PodSecurityLevel.PRIVILEGED, audit: PodSecurityLevel.RESTRICTED, warn: PodSecurityLevel.RESTRICTED };
    for (const [mode, level] of Object.entries(levels)) {
      podSecurity[`pod-security.kubernetes.io/${mode}`] = level;
      podSecurity[`pod-security.kubernetes.io/${mode}-version`] = `v${env.kubernetesVersion}`;
    }
    return new KubeNamespace(this, 'Namespace', { metadata: { name, labels: { [NAMESPACE_NAME_LABEL]: name, [LABEL_MANAGED_BY]: MANAGED_BY, ...podSecurity } } });
  }

  /** Orders `obj` after its Namespace, when the chart has it. */
  private inNamespace(obj: ApiObject, namespace: string): void {
    const ns = this.namespaceObjects.get(namespace);
    if (ns) {
      obj.node.addDependency(ns);
    }
  }
}

/** A PrometheusRule entry of a resolved alert, with `severity` and the given labels. */
function ruleOf(a: ResolvedAlert, labels: Readonly<Record<string, string>>): PrometheusRuleEntry {
  return {
    alert: a.name,
    expr: a.expr,
    for: a.for,
    labels: { severity: a.severity, ...labels },
    annotations: { summary: a.summary, description: a.description, runbook_url: a.runbookUrl },
  };
}
