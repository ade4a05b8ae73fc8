/**
 * The add-ons of one environment, configured from the model: the cluster autoscaler, Istio (base, istiod, CNI,
 * ingress gateway), Velero, when a service autoscales on custom metrics, the Prometheus adapter and, when the model
 * declares `observability`, the monitoring stack, the alert routing and (with `observability.logs`) log shipping.
 * metrics-server is not here: it is an EKS add-on (see docs/addons.md).
 */
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../model/environment';
import type { Platform } from '../../model/platform';
import type { AutoscalingMetric } from '../microservice';
import { resolveArgoCdOptions, type ArgoCdOptions, type ResolvedArgoCdOptions } from './argo-cd-application';
import { BlackboxExporterAddon } from './blackbox-exporter-addon';
import { ClusterAutoscalerAddon } from './cluster-autoscaler-addon';
import { IstioAddon, type IstioIngressGatewayOptions } from './istio-addon';
import { LogShippingAddon } from './log-shipping-addon';
import { MetricsAdapterAddon } from './metrics-adapter-addon';
import { MonitoringStackAddon } from './monitoring-stack-addon';
import { AlertRouting } from '../observability/alert-routing';
import { alertingNamespaceOf } from '../observability/alert-rules';
import { DEFAULT_ADDON_CHART_VERSIONS, type AddonChartVersions } from './versions';
import { ExternalSecretsAddon } from './external-secrets-addon';
import { VeleroAddon } from './velero-addon';
import { CloudNativePgAddon } from './cloudnative-pg-addon';
import { DataStoreEngine, DataStorePlacement } from '../../model/data-stores';

/**
 * Add-ons turned off. Each is a weakening, named in the code that asks for it: without the cluster autoscaler nodes
 * are never added or removed, without Istio nothing serves the mesh's objects (unless installed another way), without
 * Velero there are no backups, without the adapter every HPA with a custom metric reports `FailedGetPodsMetric`.
 */
export interface DisabledAddons {
  /** @default false */
  readonly clusterAutoscaler?: boolean;
  /** @default false */
  readonly istio?: boolean;
  /** @default false */
  readonly velero?: boolean;
  /** @default false (the adapter is installed only when some service autoscales on a Pods or External metric) */
  readonly metricsAdapter?: boolean;
  /** kube-prometheus-stack (installed only when the model has `observability`): without it nothing serves the monitors, rules and alert routing. @default false */
  readonly monitoringStack?: boolean;
  /** The blackbox exporter (installed with the monitoring stack): without it the `public-hosts` Probe fails and CertificateExpiringSoon never fires. @default false */
  readonly blackboxExporter?: boolean;
  /** The AlertmanagerConfig of `observability.alerting`: without it no alert is notified. @default false */
  readonly alertRouting?: boolean;
  /** Fluent Bit (installed only when the model has `observability.logs`): without it no container log leaves its node. @default false */
  readonly logShipping?: boolean;
  /** The CloudNativePG operator (installed only when an in-cluster PostgreSQL store runs in the environment): without it nothing serves the stores' Clusters. @default false */
  readonly cloudNativePg?: boolean;
  /**
   * External Secrets Operator (installed only when some service reads secrets or the platform has data stores): without it no ExternalSecret is served
   * and every pod that reads a secret waits for a Kubernetes Secret that never comes (unless ESO is installed another way).
   * @default false
   */
  readonly externalSecrets?: boolean;
}

/** Options of the add-ons of an environment (`PlatformChart`'s `addons`). */
export interface AddonsProps {
  /** Where the Applications live and deploy to. @default namespace `argocd`, project `default`, the in-cluster API server */
  readonly argoCd?: ArgoCdOptions;
  /** Versions over {@link DEFAULT_ADDON_CHART_VERSIONS}. @default DEFAULT_ADDON_CHART_VERSIONS */
  readonly versions?: Partial<AddonChartVersions>;
  /** Add-ons turned off (a named weakening each). @default none: every add-on is installed */
  readonly disabled?: DisabledAddons;
  /** Prometheus, for the metrics adapter. @default 'http://prometheus-operated.monitoring.svc' port 9090 */
  readonly prometheus?: { readonly url?: string; readonly port?: number };
}

/** Options for {@link PlatformAddons}: the model and what the rest of the chart decided. */
export interface PlatformAddonsProps extends AddonsProps {
  /** The platform model. */
  readonly platform: Platform;
  /** The environment. */
  readonly environment: EnvironmentConfig;
  /** The mesh's ingress gateway (its Gateway's namespace and selector). @default istio-ingress, istio: ingressgateway */
  readonly gateway?: IstioIngressGatewayOptions;
  /** Every autoscaling metric of the environment's services besides CPU. @default none: no metrics adapter */
  readonly autoscalingMetrics?: readonly AutoscalingMetric[];
}

/** Every add-on of one environment. */
export class PlatformAddons extends Construct {
  /** Where the Applications live. */
  public readonly argoCd: ResolvedArgoCdOptions;
  /** The versions installed. */
  public readonly versions: AddonChartVersions;
  /** The add-ons turned off. */
  public readonly disabled: Required<DisabledAddons>;
  public readonly clusterAutoscaler?: ClusterAutoscalerAddon;
  public readonly istio?: IstioAddon;
  public readonly velero?: VeleroAddon;
  /** Only when some service autoscales on a Pods or External metric. */
  public readonly metricsAdapter?: MetricsAdapterAddon;
  /** kube-prometheus-stack, only when the model has `observability`. */
  public readonly monitoringStack?: MonitoringStackAddon;
  /** The blackbox exporter, in the monitoring namespace; only with the monitoring stack. */
  public readonly blackboxExporter?: BlackboxExporterAddon;
  /** The AlertmanagerConfig of `observability.alerting`, in the monitoring namespace; only when the model has `observability`. */
  public readonly alertRouting?: AlertRouting;
  /** Fluent Bit, only when the model has `observability.logs`. */
  public readonly logShipping?: LogShippingAddon;
  /** The CloudNativePG operator, only when an in-cluster PostgreSQL store runs in the environment. */
  public readonly cloudNativePg?: CloudNativePgAddon;
  /** External Secrets Operator, only when some service of the environment reads secrets or the platform has data stores (docs/secrets.md). */
  public readonly externalSecrets?: ExternalSecretsAddon;

  constructor(scope: Construct, id: string, props: PlatformAddonsProps) {
    super(scope, id);
    const env = props.environment;
    const platformName = props.platform.name;
    this.argoCd = resolveArgoCdOptions(props.argoCd);
    this.versions = { ...DEFAULT_ADDON_CHART_VERSIONS, ...stripUndefined(props.versions ?? {}) };
    this.disabled = {
      clusterAutoscaler: props.disabled?.clusterAutoscaler ?? false,
      istio: props.disabled?.istio ?? false,
      velero: props.disabled?.velero ?? false,
      metricsAdapter: props.disabled?.metricsAdapter ?? false,
      monitoringStack: props.disabled?.monitoringStack ?? false,
      blackboxExporter: props.disabled?.blackboxExporter ?? false,
      alertRouting: props.disabled?.alertRouting ?? false,
      logShipping: props.disabled?.logShipping ?? false,
      cloudNativePg: props.disabled?.cloudNativePg ?? false,
      externalSecrets: props.disabled?.externalSecrets ?? false,
    };
    const common = { platformName, environment: env, argoCd: this.argoCd };
    if (!this.disabled.clusterAutoscaler) {
      this.clusterAutoscaler = new ClusterAutoscalerAddon(this, 'ClusterAutoscaler', { ...common, chartVersion: this.versions.clusterAutoscalerChart });
    }
    if (!this.disabled.istio) {
      this.istio = new IstioAddon(this, 'Istio', {
        ...common,
        version: this.versions.istio,
        gateway: props.gateway,
        // the named weakening: the CNI node agent's namespace is "privileged" (docs/addons.md, "Pod Security")
        insecure: { privilegedCniNamespace: true },
      });
    }
    // services that read secrets, and data stores, whose credentials External Secrets syncs
    const readsSecrets = props.platform.dataStores.length > 0 || props.platform.services.some((s) => props.platform.secretsOf(env, s).length > 0);
    if (readsSecrets && !this.disabled.externalSecrets) {
      this.externalSecrets = new ExternalSecretsAddon(this, 'ExternalSecrets', { ...common, chartVersion: this.versions.externalSecretsChart });
    }
    if (!this.disabled.velero) {
      this.velero = new VeleroAddon(this, 'Velero', { ...common, chartVersion: this.versions.veleroChart, awsPluginVersion: this.versions.veleroAwsPlugin });
    }
    const inClusterPostgres = props.platform.dataStoresIn(env).some((d) => d.engine === DataStoreEngine.POSTGRESQL && d.placement === DataStorePlacement.IN_CLUSTER);
    if (inClusterPostgres && !this.disabled.cloudNativePg) {
      this.cloudNativePg = new CloudNativePgAddon(this, 'CloudNativePg', { ...common, chartVersion: this.versions.cloudNativePgChart });
    }
    const metrics = (props.autoscalingMetrics ?? []).filter((m) => m.spec.type === 'Pods' || m.spec.type === 'External');
    if (metrics.length > 0 && !this.disabled.metricsAdapter) {
      this.metricsAdapter = new MetricsAdapterAddon(this, 'MetricsAdapter', {
        ...common,
        metrics,
        prometheusUrl: props.prometheus?.url,
        prometheusPort: props.prometheus?.port,
        chartVersion: this.versions.prometheusAdapterChart,
      });
    }
    const observability = props.platform.observability;
    if (observability) {
      const prometheusSelector = observability.prometheusSelector;
      const monitoringNamespace = alertingNamespaceOf(props.platform);
      if (!this.disabled.monitoringStack) {
        this.monitoringStack = new MonitoringStackAddon(this, 'MonitoringStack', {
          ...common,
          namespace: monitoringNamespace,
          prometheusSelector,
          chartVersion: this.versions.kubePrometheusStackChart,
          // the named weakening: the node exporter's namespace is "privileged" (docs/addons.md, "Pod Security")
          insecure: { privilegedNodeExporterNamespace: true },
        });
        if (!this.disabled.blackboxExporter) {
          this.blackboxExporter = new BlackboxExporterAddon(this, 'BlackboxExporter', {
            platformName,
            argoCd: this.argoCd,
            namespace: this.monitoringStack.namespaceName,
            chartVersion: this.versions.blackboxExporterChart,
          });
          const ns = this.monitoringStack.namespaces.get(this.monitoringStack.namespaceName);
          if (ns) this.blackboxExporter.application.node.addDependency(ns);
        }
      }
      if (!this.disabled.alertRouting) {
        this.alertRouting = new AlertRouting(this, 'AlertRouting', { config: observability.alerting, selectorLabels: this.monitoringStack?.prometheusSelector ?? prometheusSelector });
        const ns = this.monitoringStack?.namespaces.get(monitoringNamespace);
        if (ns) this.alertRouting.resource.node.addDependency(ns);
      }
      if (observability.logs && !this.disabled.logShipping) {
        this.logShipping = new LogShippingAddon(this, 'LogShipping', {
          ...common,
          config: observability.logs,
          chartVersion: this.versions.fluentBitChart,
          serviceMonitorLabels: this.monitoringStack?.prometheusSelector,
          // the named weakening: Fluent Bit's namespace is "privileged" for its hostPath (docs/addons.md, "Pod Security")
          insecure: { privilegedLogNamespace: true },
        });
      }
    }
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
