/**
 * The Prometheus adapter (chart `prometheus-adapter` of https://prometheus-community.github.io/helm-charts), which
 * serves the custom and external metrics APIs the HorizontalPodAutoscalers read when a service autoscales on more than
 * CPU (`PlatformChart`'s `autoscalingMetrics`). Its rules are generated from exactly those metrics: nothing else is
 * exposed.
 */
import type { KubeNamespace } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../model/environment';
import { ValidationError } from '../../model/validation';
import { PodSecurityLevel } from '../hardening';
import type { AutoscalingMetric } from '../microservice';
import { addonNamespace } from './_addon-namespace';
import { HelmApplication, type ResolvedArgoCdOptions } from './argo-cd-application';
import { ADDON_HELM_REPOSITORIES, DEFAULT_ADDON_CHART_VERSIONS } from './versions';

/** Options for a {@link MetricsAdapterAddon}. */
export interface MetricsAdapterAddonProps {
  /** The platform's name. */
  readonly platformName: string;
  /** The environment (Kubernetes version for the Pod Security labels). */
  readonly environment: EnvironmentConfig;
  /** Where the Application lives and deploys to. */
  readonly argoCd: ResolvedArgoCdOptions;
  /** The autoscaling metrics of the services; `Pods` ones become custom rules, `External` ones external rules. */
  readonly metrics: readonly AutoscalingMetric[];
  /** Prometheus's URL, without the port. @default 'http://prometheus-operated.monitoring.svc' */
  readonly prometheusUrl?: string;
  /** Prometheus's port. @default 9090 */
  readonly prometheusPort?: number;
  /** The adapter's namespace. @default 'custom-metrics' */
  readonly namespace?: string;
  /** The chart version. @default DEFAULT_ADDON_CHART_VERSIONS.prometheusAdapterChart */
  readonly chartVersion?: string;
}

/** One rule of the adapter's configuration. */
export interface MetricsAdapterRule {
  readonly seriesQuery: string;
  readonly resources: { readonly overrides: Readonly<Record<string, { readonly resource: string }>> };
  readonly name: { readonly matches: string; readonly as: string };
  readonly metricsQuery: string;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * The rule serving `name`: a `<base>_per_second` metric is the 2-minute rate of the counter `<base>_total`; any other
 * name is served as the gauge of that name, summed over the HPA's pods (or, external, over the namespace).
 */
export function metricsAdapterRule(name: string, external: boolean): MetricsAdapterRule {
  const perSecond = /^(.+)_per_second$/.exec(name);
  const series = perSecond ? `${perSecond[1]}_total` : name;
  const scope = external ? 'namespace!=""' : 'namespace!="",pod!=""';
  const overrides: Record<string, { resource: string }> = external
    ? { namespace: { resource: 'namespace' } }
    : { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } };
  return {
    seriesQuery: `{__name__="${series}",${scope}}`,
    resources: { overrides },
    name: { matches: `^${series}$`, as: name },
    metricsQuery: perSecond
      ? 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)'
      : 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
  };
}

/** The Prometheus adapter with one rule per autoscaling metric of the platform. */
export class MetricsAdapterAddon extends Construct {
  /** Names of the custom (per-pod) metrics served, sorted. */
  public readonly customMetrics: readonly string[];
  /** Names of the external metrics served, sorted. */
  public readonly externalMetrics: readonly string[];
  /** The namespace. */
  public readonly namespace: KubeNamespace;
  /** The Application (id `Resource`). */
  public readonly application: HelmApplication;

  constructor(scope: Construct, id: string, props: MetricsAdapterAddonProps) {
    super(scope, id);
    const custom = new Set<string>();
    const external = new Set<string>();
    for (const m of props.metrics) {
      if (m.spec.type === 'Pods' && m.spec.pods) custom.add(m.spec.pods.metric.name);
      if (m.spec.type === 'External' && m.spec.external) external.add(m.spec.external.metric.name);
    }
    this.customMetrics = [...custom].sort();
    this.externalMetrics = [...external].sort();
    if (this.customMetrics.length + this.externalMetrics.length === 0) {
      throw new ValidationError(this.node.path, 'metrics', [], 'allowed: one or more Pods or External autoscaling metrics (without any, the adapter is not needed)');
    }
    for (const name of [...this.customMetrics, ...this.externalMetrics]) {
      if (!METRIC_NAME.test(name)) {
        throw new ValidationError(this.node.path, 'metrics', name, 'allowed: Prometheus metric names ([a-zA-Z_:][a-zA-Z0-9_:]*)');
      }
    }
    const nsName = props.namespace ?? 'custom-metrics';
    this.namespace = addonNamespace(this, 'Namespace', { name: nsName, podSecurity: PodSecurityLevel.BASELINE, podSecurityVersion: `v${props.environment.kubernetesVersion}` });
    this.application = new HelmApplication(this, 'Resource', {
      name: 'prometheus-adapter',
      chart: { repoURL: ADDON_HELM_REPOSITORIES.prometheusAdapter, chart: 'prometheus-adapter', version: props.chartVersion ?? DEFAULT_ADDON_CHART_VERSIONS.prometheusAdapterChart },
      destinationNamespace: nsName,
      argoCd: props.argoCd,
      partOf: props.platformName,
      values: {
        prometheus: { url: props.prometheusUrl ?? 'http://prometheus-operated.monitoring.svc', port: props.prometheusPort ?? 9090 },
        rules: {
          default: false,
          custom: this.customMetrics.map((n) => metricsAdapterRule(n, false)),
          external: this.externalMetrics.map((n) => metricsAdapterRule(n, true)),
        },
      },
    });
    this.application.node.addDependency(this.namespace);
  }
}
