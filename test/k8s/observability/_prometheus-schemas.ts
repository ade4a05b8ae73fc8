/**
 * Validates synthesized prometheus-operator objects against the schemas of `@kubernetes-models/prometheus-operator`
 * (ESM-only: loaded with `await import()`, which jest keeps under --experimental-vm-modules).
 */

import { validateWithModels, type ModelConstructor } from '../../fixtures/model-validation';

/** Loads the model classes by `apiVersion/kind`. */
export async function loadPrometheusOperatorModels(): Promise<Map<string, ModelConstructor>> {
  // one at a time: jest's ESM loader races on a shared dependency when they load in parallel
  const sm = await import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor');
  const pm = await import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor');
  const pr = await import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule');
  const pb = await import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Probe');
  const amc = await import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/AlertmanagerConfig');
  return new Map<string, ModelConstructor>([
    ['monitoring.coreos.com/v1/ServiceMonitor', sm.ServiceMonitor as unknown as ModelConstructor],
    ['monitoring.coreos.com/v1/PodMonitor', pm.PodMonitor as unknown as ModelConstructor],
    ['monitoring.coreos.com/v1/PrometheusRule', pr.PrometheusRule as unknown as ModelConstructor],
    ['monitoring.coreos.com/v1/Probe', pb.Probe as unknown as ModelConstructor],
    ['monitoring.coreos.com/v1alpha1/AlertmanagerConfig', amc.AlertmanagerConfig as unknown as ModelConstructor],
  ]);
}

/** A synthesized manifest object. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly spec?: Record<string, unknown>;
  readonly data?: Record<string, string>;
}

/** Validates every `monitoring.coreos.com` object of `manifests`; returns the schema errors and how many were checked. */
export async function validatePrometheusOperatorObjects(manifests: readonly Manifest[]): Promise<{ checked: number; errors: string[] }> {
  return validateWithModels(manifests, await loadPrometheusOperatorModels(), (v) => v.startsWith('monitoring.coreos.com/'));
}
