/**
 * Typed prometheus-operator resources (`monitoring.coreos.com/v1`): ServiceMonitor, PodMonitor, PrometheusRule, Probe.
 * Each construct's spec is the interface of `@kubernetes-models/prometheus-operator` (type-only imports: the package
 * is ESM-only and costs nothing at run time; tests validate the synthesized output with its validators).
 */
import type { Construct } from 'constructs';
import type { IPodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor' with { 'resolution-mode': 'import' };
import type { IProbe } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Probe' with { 'resolution-mode': 'import' };
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule' with { 'resolution-mode': 'import' };
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor' with { 'resolution-mode': 'import' };
import { prometheusRuleProblems } from '../../policy/prometheus-rules';
import { ValidationError } from '../../model/validation';
import { MonitoringObject, type MonitoringObjectProps } from './_prometheus-object';

export type { MonitoringObjectMetadata, MonitoringObjectProps, MonitoringResourceShape } from './_prometheus-object';

/** The spec of a ServiceMonitor. */
export type ServiceMonitorSpec = IServiceMonitor['spec'];
/** One scrape endpoint of a ServiceMonitor. */
export type ServiceMonitorEndpoint = ServiceMonitorSpec['endpoints'][number];
/** The spec of a PodMonitor. */
export type PodMonitorSpec = IPodMonitor['spec'];
/** The spec of a PrometheusRule. */
export type PrometheusRuleSpec = IPrometheusRule['spec'];
/** One rule group of a PrometheusRule. */
export type PrometheusRuleGroup = NonNullable<PrometheusRuleSpec['groups']>[number];
/** One alerting or recording rule. */
export type PrometheusRuleEntry = NonNullable<PrometheusRuleGroup['rules']>[number];
/** The spec of a prometheus-operator Probe. */
export type PrometheusProbeSpec = NonNullable<IProbe['spec']>;

/** A `monitoring.coreos.com/v1` ServiceMonitor. */
export class PrometheusServiceMonitor extends MonitoringObject<IServiceMonitor> {
  constructor(scope: Construct, id: string, props: MonitoringObjectProps<IServiceMonitor>) {
    super(scope, id, 'monitoring.coreos.com/v1', 'ServiceMonitor', props);
  }
}

/** A `monitoring.coreos.com/v1` PodMonitor. */
export class PrometheusPodMonitor extends MonitoringObject<IPodMonitor> {
  constructor(scope: Construct, id: string, props: MonitoringObjectProps<IPodMonitor>) {
    super(scope, id, 'monitoring.coreos.com/v1', 'PodMonitor', props);
  }
}

/**
 * A `monitoring.coreos.com/v1` PrometheusRule (alerting and recording rules). Refuses at construction a rule Prometheus
 * would not load: an expression that does not parse as PromQL, a bad duration, alert or record name, or label key
 * (the rule `prometheus/rule`, lib/policy/prometheus-rules.ts, which the gate also runs over every PrometheusRule).
 */
export class PrometheusAlertRules extends MonitoringObject<IPrometheusRule> {
  constructor(scope: Construct, id: string, props: MonitoringObjectProps<IPrometheusRule>) {
    super(scope, id, 'monitoring.coreos.com/v1', 'PrometheusRule', props);
    const [problem] = prometheusRuleProblems(props.spec);
    if (problem !== undefined) {
      throw new ValidationError(this.node.path, problem.field, problem.value, `allowed: ${problem.allowed}`);
    }
  }
}

/** A `monitoring.coreos.com/v1` Probe (a blackbox exporter's targets). */
export class PrometheusProbe extends MonitoringObject<IProbe> {
  constructor(scope: Construct, id: string, props: MonitoringObjectProps<IProbe>) {
    super(scope, id, 'monitoring.coreos.com/v1', 'Probe', props);
  }
}
