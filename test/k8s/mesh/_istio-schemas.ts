/**
 * Validates synthesized Istio objects against the Istio 1.29 schemas of `@kubernetes-models/istio`
 * (ESM-only: loaded with `await import()`, which jest keeps under --experimental-vm-modules).
 */

import { validateWithModels, type ModelConstructor } from '../../fixtures/model-validation';

/** Loads the model classes by `apiVersion/kind`. */
export async function loadIstioModels(): Promise<Map<string, ModelConstructor>> {
  // one at a time: jest's ESM loader races on a shared dependency when they load in parallel
  const vs = await import('@kubernetes-models/istio/networking.istio.io/v1/VirtualService');
  const dr = await import('@kubernetes-models/istio/networking.istio.io/v1/DestinationRule');
  const gw = await import('@kubernetes-models/istio/networking.istio.io/v1/Gateway');
  const sc = await import('@kubernetes-models/istio/networking.istio.io/v1/Sidecar');
  const se = await import('@kubernetes-models/istio/networking.istio.io/v1/ServiceEntry');
  const pa = await import('@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication');
  const ap = await import('@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy');
  return new Map<string, ModelConstructor>([
    ['networking.istio.io/v1/VirtualService', vs.VirtualService as unknown as ModelConstructor],
    ['networking.istio.io/v1/DestinationRule', dr.DestinationRule as unknown as ModelConstructor],
    ['networking.istio.io/v1/Gateway', gw.Gateway as unknown as ModelConstructor],
    ['networking.istio.io/v1/Sidecar', sc.Sidecar as unknown as ModelConstructor],
    ['networking.istio.io/v1/ServiceEntry', se.ServiceEntry as unknown as ModelConstructor],
    ['security.istio.io/v1/PeerAuthentication', pa.PeerAuthentication as unknown as ModelConstructor],
    ['security.istio.io/v1/AuthorizationPolicy', ap.AuthorizationPolicy as unknown as ModelConstructor],
  ]);
}

/** A synthesized manifest object. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly spec?: Record<string, unknown>;
}

/** Validates every Istio object of `manifests`; returns the schema errors (empty when all are valid) and how many were checked. */
export async function validateIstioObjects(manifests: readonly Manifest[]): Promise<{ checked: number; errors: string[] }> {
  return validateWithModels(manifests, await loadIstioModels(), (v) => v.includes('istio.io'));
}
