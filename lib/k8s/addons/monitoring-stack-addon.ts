/**
 * The monitoring stack (chart `kube-prometheus-stack` of https://prometheus-community.github.io/helm-charts) as an
 * Argo CD Application: the prometheus-operator and its `monitoring.coreos.com` CRDs, Prometheus, Alertmanager, Grafana,
 * kube-state-metrics and the node exporter. Prometheus selects ServiceMonitors, PodMonitors and PrometheusRules by
 * the model's `prometheusSelector` in every namespace; Grafana loads dashboards from ConfigMaps labelled
 * `grafana_dashboard: "1"` in every namespace; Alertmanager reads the AlertmanagerConfigs of its own namespace
 * without restricting their routes to that namespace (the platform's alert routing, lib/k8s/observability).
 * Prometheus gets its Istio workload certificate the way Istio documents it (a sidecar that intercepts no traffic and
 * only writes the certificate into a shared in-memory volume), so that it scrapes the metrics ports behind STRICT mTLS.
 */
import type { KubeNamespace } from 'cdk8s-plus-28/lib/imports/k8s';
import { JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../model/environment';
import { ValidationError } from '../../model/validation';
import { PodSecurityLevel } from '../hardening';
import { NAMESPACE_NAME_LABEL } from '../network-policies';
import { DEFAULT_ALERTING_NAMESPACE, DEFAULT_PROMETHEUS_SELECTOR } from '../observability/alert-rules';
import { GRAFANA_DASHBOARD_LABEL } from '../observability/dashboards';
import { DEFAULT_ISTIO_CERTIFICATES_PATH } from '../observability/platform-observability';
import { addonNamespace } from './_addon-namespace';
import { HelmApplication, type ArgoCdIgnoreDifferences, type ResolvedArgoCdOptions } from './argo-cd-application';
import { ADDON_HELM_REPOSITORIES, DEFAULT_ADDON_CHART_VERSIONS } from './versions';

/** The chart (and Application) name: the closure check maps `monitoring.coreos.com` to it. */
export const MONITORING_STACK_CHART = 'kube-prometheus-stack';
/** The value of the `grafana_dashboard` label of the ConfigMaps Grafana's sidecar loads (dashboards.ts writes it). */
export const GRAFANA_DASHBOARD_LABEL_VALUE = '1';
/** The Secret of Grafana's admin user, in the monitoring namespace (a prerequisite: the chart's default password is public). */
export const GRAFANA_ADMIN_SECRET = { name: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' } as const;

/** The in-memory volume the Istio sidecar of Prometheus writes its workload certificate into. */
export const PROMETHEUS_ISTIO_CERTS_VOLUME = 'istio-certs';
/** Where the sidecar writes it (`OUTPUT_CERTS`); Prometheus reads the same volume at its certificates path. */
export const ISTIO_OUTPUT_CERTS_PATH = '/etc/istio-output-certs';

/**
 * The pod metadata of Prometheus for Istio's documented certificate setup: a sidecar is injected (by the pod label,
 * whatever the namespace's injection label), it intercepts no inbound port and no outbound range, so Prometheus's own
 * traffic stays as it is (it scrapes with the certificate over TLS itself), and it writes `root-cert.pem`,
 * `cert-chain.pem` and `key.pem` into the shared volume, renewing them as they rotate.
 */
export const PROMETHEUS_ISTIO_POD_METADATA = {
  labels: { 'sidecar.istio.io/inject': 'true' },
  annotations: {
    'traffic.sidecar.istio.io/includeInboundPorts': '',
    'traffic.sidecar.istio.io/includeOutboundIPRanges': '',
    'proxy.istio.io/config': JSON.stringify({ proxyMetadata: { OUTPUT_CERTS: ISTIO_OUTPUT_CERTS_PATH } }),
    'sidecar.istio.io/userVolumeMount': JSON.stringify([{ name: PROMETHEUS_ISTIO_CERTS_VOLUME, mountPath: ISTIO_OUTPUT_CERTS_PATH }]),
  },
} as const;

/** Fields the chart's admission-webhook patch job writes at run time; Argo CD must not undo them. */
export const MONITORING_WEBHOOK_IGNORE_DIFFERENCES: readonly ArgoCdIgnoreDifferences[] = [
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle', '.webhooks[]?.failurePolicy'] },
  { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle', '.webhooks[]?.failurePolicy'] },
];

/** What the monitoring stack does beyond the platform's "restricted" default; each must be accepted by name. */
export interface MonitoringStackInsecureOptions {
  /**
   * The node exporter's namespace enforces Pod Security "privileged": the exporter is a DaemonSet on the host's
   * network and PID namespace with the host's `/proc`, `/sys` and `/` mounted read-only, which "baseline" forbids.
   * It is what node metrics (CPU, memory, disk, network per node) cost. The namespace holds nothing else; Prometheus,
   * Alertmanager and Grafana stay in the "baseline" monitoring namespace. Required unless `nodeExporter` is false.
   * @default false (and the constructor throws while the node exporter is on)
   */
  readonly privilegedNodeExporterNamespace?: boolean;
}

/** Options for a {@link MonitoringStackAddon}. */
export interface MonitoringStackAddonProps {
  /** The platform's name. */
  readonly platformName: string;
  /** The environment (Kubernetes version for the Pod Security labels). */
  readonly environment: EnvironmentConfig;
  /** Where the Application lives and deploys to. */
  readonly argoCd: ResolvedArgoCdOptions;
  /** The namespace of Prometheus, Alertmanager, Grafana and the operator (and of the platform's rules, dashboards and AlertmanagerConfig). @default 'monitoring' */
  readonly namespace?: string;
  /** The labels Prometheus selects ServiceMonitors, PodMonitors and PrometheusRules by (and Alertmanager its AlertmanagerConfigs). @default { release: 'kube-prometheus-stack' } */
  readonly prometheusSelector?: Readonly<Record<string, string>>;
  /** Whether the node exporter is installed. Without it there are no node metrics (a named weakening). @default true */
  readonly nodeExporter?: boolean;
  /** The node exporter's namespace, which holds nothing else. @default 'node-exporter' */
  readonly nodeExporterNamespace?: string;
  /** Named weakenings; `privilegedNodeExporterNamespace` must be true while the node exporter is on. @default none: synth fails until the weakening is named (or `nodeExporter: false`) */
  readonly insecure?: MonitoringStackInsecureOptions;
  /**
   * Where the Prometheus container reads its Istio workload certificate: the path the ServiceMonitors' `tlsConfig`
   * names (PlatformObservability's `istioCertificatesPath`, the same default). `false`: no sidecar and no volume
   * (a mesh without STRICT mTLS on the metrics ports).
   * @default '/etc/prom-certs'
   */
  readonly istioCertificatesPath?: string | false;
  /** The chart version. @default DEFAULT_ADDON_CHART_VERSIONS.kubePrometheusStackChart */
  readonly chartVersion?: string;
}

/** kube-prometheus-stack, configured for the platform's monitors, rules, dashboards and alert routing. */
export class MonitoringStackAddon extends Construct {
  /** The namespace of Prometheus, Alertmanager and Grafana (and of the AlertmanagerConfigs Alertmanager reads). */
  public readonly namespaceName: string;
  /** The labels Prometheus and Alertmanager select their objects by. */
  public readonly prometheusSelector: Readonly<Record<string, string>>;
  /** The node exporter's namespace, when it is installed. */
  public readonly nodeExporterNamespace?: string;
  /** The named weakening: the node exporter's namespace enforces "privileged". True exactly when the exporter is installed. */
  public readonly privilegedNodeExporterNamespace: boolean;
  /** Where Prometheus reads its Istio workload certificate, or `false` when it has none. */
  public readonly istioCertificatesPath: string | false;
  /** The Namespaces emitted, by name. */
  public readonly namespaces: ReadonlyMap<string, KubeNamespace>;
  /** The Application (id `Resource`). */
  public readonly application: HelmApplication;

  constructor(scope: Construct, id: string, props: MonitoringStackAddonProps) {
    super(scope, id);
    const path = this.node.path;
    this.namespaceName = props.namespace ?? DEFAULT_ALERTING_NAMESPACE;
    this.prometheusSelector = { ...(props.prometheusSelector ?? DEFAULT_PROMETHEUS_SELECTOR) };
    if (Object.keys(this.prometheusSelector).length === 0) {
      throw new ValidationError(path, 'prometheusSelector', {}, 'allowed: one or more labels (an empty selector would pick up every ServiceMonitor and rule of the cluster)');
    }
    const nodeExporter = props.nodeExporter ?? true;
    if (nodeExporter && props.insecure?.privilegedNodeExporterNamespace !== true) {
      throw new ValidationError(path, 'insecure.privilegedNodeExporterNamespace', props.insecure?.privilegedNodeExporterNamespace, 'allowed: true. The node exporter needs a "privileged" namespace (host network, PID and paths); accept it by name or set nodeExporter: false (docs/addons.md, "Pod Security")');
    }
    this.privilegedNodeExporterNamespace = nodeExporter;
    this.nodeExporterNamespace = nodeExporter ? props.nodeExporterNamespace ?? 'node-exporter' : undefined;
    if (this.nodeExporterNamespace === this.namespaceName) {
      throw new ValidationError(path, 'nodeExporterNamespace', this.nodeExporterNamespace, 'allowed: a namespace other than the monitoring namespace (only the exporter may run "privileged")');
    }

    const certificates = props.istioCertificatesPath ?? DEFAULT_ISTIO_CERTIFICATES_PATH;
    if (certificates !== false && !certificates.startsWith('/')) {
      throw new ValidationError(path, 'istioCertificatesPath', certificates, 'allowed: an absolute path in the Prometheus container, or false');
    }
    this.istioCertificatesPath = certificates;

    const psv = `v${props.environment.kubernetesVersion}`;
    const nsGroup = new Construct(this, 'Namespaces');
    const namespaces = new Map<string, KubeNamespace>();
    // baseline: the chart's pods are not proven "restricted" on every version; warn/audit stay "restricted"
    namespaces.set(this.namespaceName, addonNamespace(nsGroup, this.namespaceName, { name: this.namespaceName, podSecurity: PodSecurityLevel.BASELINE, podSecurityVersion: psv }));
    if (this.nodeExporterNamespace !== undefined) {
      namespaces.set(this.nodeExporterNamespace, addonNamespace(nsGroup, this.nodeExporterNamespace, { name: this.nodeExporterNamespace, podSecurity: PodSecurityLevel.PRIVILEGED, podSecurityVersion: psv }));
    }
    this.namespaces = namespaces;

    const selector = { matchLabels: { ...this.prometheusSelector } };
    const allNamespaces = {};
    this.application = new HelmApplication(this, 'Resource', {
      name: MONITORING_STACK_CHART,
      chart: { repoURL: ADDON_HELM_REPOSITORIES.kubePrometheusStack, chart: MONITORING_STACK_CHART, version: props.chartVersion ?? DEFAULT_ADDON_CHART_VERSIONS.kubePrometheusStackChart },
      destinationNamespace: this.namespaceName,
      argoCd: props.argoCd,
      partOf: props.platformName,
      // first: the CRDs every monitor, rule and AlertmanagerConfig of the platform needs
      syncWave: -1,
      ignoreDifferences: MONITORING_WEBHOOK_IGNORE_DIFFERENCES,
      values: {
        // the chart's own monitors and rules carry the selector's labels too, so Prometheus picks them up
        commonLabels: { ...this.prometheusSelector },
        crds: { enabled: true },
        // EKS runs the control plane: these endpoints cannot be scraped and would only fire TargetDown
        kubeControllerManager: { enabled: false },
        kubeScheduler: { enabled: false },
        kubeEtcd: { enabled: false },
        kubeProxy: { enabled: false },
        nodeExporter: { enabled: nodeExporter },
        ...(this.nodeExporterNamespace !== undefined ? { 'prometheus-node-exporter': { namespaceOverride: this.nodeExporterNamespace } } : {}),
        prometheus: {
          prometheusSpec: {
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            ruleSelectorNilUsesHelmValues: false,
            serviceMonitorSelector: selector,
            serviceMonitorNamespaceSelector: allNamespaces,
            podMonitorSelector: selector,
            podMonitorNamespaceSelector: allNamespaces,
            ruleSelector: selector,
            ruleNamespaceSelector: allNamespaces,
            ...(certificates === false
              ? {}
              : {
                podMetadata: { labels: { ...PROMETHEUS_ISTIO_POD_METADATA.labels }, annotations: { ...PROMETHEUS_ISTIO_POD_METADATA.annotations } },
                volumes: [{ name: PROMETHEUS_ISTIO_CERTS_VOLUME, emptyDir: { medium: 'Memory' } }],
                // on the prometheus container only: the operator appends these to it
                volumeMounts: [{ name: PROMETHEUS_ISTIO_CERTS_VOLUME, mountPath: certificates, readOnly: true }],
              }),
          },
        },
        alertmanager: {
          alertmanagerSpec: {
            alertmanagerConfigSelector: selector,
            // only its own namespace: the one whose Secrets hold the receivers' credentials
            alertmanagerConfigNamespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: this.namespaceName } },
            // routes see every namespace's alerts (the default adds a `namespace="<its namespace>"` matcher)
            alertmanagerConfigMatcherStrategy: { type: 'None' },
          },
        },
        grafana: {
          admin: { existingSecret: GRAFANA_ADMIN_SECRET.name, userKey: GRAFANA_ADMIN_SECRET.userKey, passwordKey: GRAFANA_ADMIN_SECRET.passwordKey },
          sidecar: {
            dashboards: { enabled: true, label: GRAFANA_DASHBOARD_LABEL, labelValue: GRAFANA_DASHBOARD_LABEL_VALUE, searchNamespace: 'ALL' },
          },
        },
      },
    });
    // the CRDs are too large for a client-side apply's last-applied annotation (262144 bytes)
    this.application.addJsonPatch(JsonPatch.add('/spec/syncPolicy/syncOptions/-', 'ServerSideApply=true'));
    for (const ns of namespaces.values()) {
      this.application.node.addDependency(ns);
    }
  }
}
