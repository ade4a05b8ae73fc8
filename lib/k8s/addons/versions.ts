/**
 * The pinned versions of the add-ons every environment installs, in one place so that a bump is one reviewed line.
 * Each is an exact chart version (never a range): Argo CD installs exactly what the Git history says.
 * Why each was chosen is in docs/addons.md ("Versions").
 */

/** Helm repositories of the add-ons. Argo CD must be able to reach them (or a mirror you put in `repoURL`). */
export const ADDON_HELM_REPOSITORIES = {
  clusterAutoscaler: 'https://kubernetes.github.io/autoscaler',
  istio: 'https://istio-release.storage.googleapis.com/charts',
  velero: 'https://vmware-tanzu.github.io/helm-charts',
  prometheusAdapter: 'https://prometheus-community.github.io/helm-charts',
  kubePrometheusStack: 'https://prometheus-community.github.io/helm-charts',
  blackboxExporter: 'https://prometheus-community.github.io/helm-charts',
  fluentBit: 'https://fluent.github.io/helm-charts',
  externalSecrets: 'https://charts.external-secrets.io',
  cloudNativePg: 'https://cloudnative-pg.github.io/charts',
  redisHa: 'https://dandydeveloper.github.io/charts',
} as const;

/** Chart versions (and images the charts do not pin for us). Override any of them with `AddonsProps.versions`. */
export interface AddonChartVersions {
  /** `cluster-autoscaler` chart. @default '9.47.0' */
  readonly clusterAutoscalerChart: string;
  /**
   * Istio: the `base`, `istiod`, `cni` and `gateway` charts share this version. The mesh emits
   * `networking.istio.io/v1` and `security.istio.io/v1`, served from Istio 1.22; its objects are validated against
   * the Istio 1.29 schemas (`@kubernetes-models/istio` 3.0.1; the v1 APIs are unchanged since). 1.29 reached its end of
   * life on 2026-10-15, so the default is 1.30, still supported, at its latest patch known here (1.30.5, security fixes).
   * @default '1.30.5'
   */
  readonly istio: string;
  /** `velero` chart, the 12.x line (Velero 1.18, whose CRDs lib/k8s/backups' models are generated from). @default '12.2.0' */
  readonly veleroChart: string;
  /** The `velero/velero-plugin-for-aws` image tag; the 1.14 line is the one built for Velero 1.18. @default 'v1.14.2' */
  readonly veleroAwsPlugin: string;
  /** `prometheus-adapter` chart (adapter v0.12.0). @default '5.3.0' */
  readonly prometheusAdapterChart: string;
  /**
   * `kube-prometheus-stack` chart (prometheus-operator v0.90.1, Prometheus v3, Alertmanager v0.32): its operator
   * serves the `AlertmanagerConfig` fields the alert routing emits (`activeTimeIntervals`, and the Alertmanager's
   * `alertmanagerConfigMatcherStrategy: None`), it is built against Kubernetes 1.35 (client-go v0.35), the clusters'
   * minor, and it ships the `monitoring.coreos.com` CRDs.
   * @default '85.4.0'
   */
  readonly kubePrometheusStackChart: string;
  /** `prometheus-blackbox-exporter` chart, the prober of the public hosts' certificates (published 2026-05-05). @default '11.10.0' */
  readonly blackboxExporterChart: string;
  /** `fluent-bit` chart (Fluent Bit 5.1.2). @default '0.58.2' */
  readonly fluentBitChart: string;
  /**
   * `external-secrets` chart (External Secrets Operator v2.10.0, released 2026-08-28; chart and app versions match):
   * serves `external-secrets.io/v1`, the only version served since 0.17, which the library emits and validates with
   * `@kubernetes-models/external-secrets` 2.0.0.
   * @default '2.10.0'
   */
  readonly externalSecretsChart: string;
  /** `cloudnative-pg` chart: operator 1.30.0, the CRDs the in-cluster PostgreSQL stores are typed from. @default '0.29.0' */
  readonly cloudNativePgChart: string;
  /** `redis-ha` chart (DandyDeveloper), the in-cluster Redis stores (Redis with Sentinel, HAProxy). @default '4.27.7' */
  readonly redisHaChart: string;
}

/** The versions installed unless overridden. */
export const DEFAULT_ADDON_CHART_VERSIONS: AddonChartVersions = {
  clusterAutoscalerChart: '9.47.0',
  istio: '1.30.5',
  veleroChart: '12.2.0',
  veleroAwsPlugin: 'v1.14.2',
  prometheusAdapterChart: '5.3.0',
  kubePrometheusStackChart: '85.4.0',
  blackboxExporterChart: '11.10.0',
  fluentBitChart: '0.58.2',
  externalSecretsChart: '2.10.0',
  cloudNativePgChart: '0.29.0',
  redisHaChart: '4.27.7',
};

/**
 * The cluster autoscaler's image per Kubernetes minor version. The autoscaler is only supported with the Kubernetes
 * minor it was built for, so the image follows the environment's `kubernetesVersion`, not the chart's appVersion.
 * A minor not listed here fails synth: add its release when you upgrade the cluster.
 */
export const CLUSTER_AUTOSCALER_IMAGE_TAGS: Readonly<Record<string, string>> = {
  '1.31': 'v1.31.0',
  '1.32': 'v1.32.0',
  '1.33': 'v1.33.0',
  '1.34': 'v1.34.0',
  '1.35': 'v1.35.0',
};

/** An exact version: `1.2.3` or `v1.2.3`, optionally with a pre-release suffix; never a range or `latest`. */
export const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
