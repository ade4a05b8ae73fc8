/**
 * The Istio proxy injected into every pod of a platform namespace (`istio-injection: enabled`). Its
 * requests and limits count against the namespace's ResourceQuota like the application's, so they are
 * pinned per pod through Istio's resource annotations rather than left to the mesh-wide default
 * (`global.proxy.resources`, 2000m CPU limit), and workloads add them to their quota demand.
 */
import { ValidationError } from '../model/validation';

/** CPU and memory of the injected Istio proxy, with the unit in the name. */
export interface SidecarResources {
  /** @default 100 */
  readonly cpuRequestMillis?: number;
  /** @default 500 */
  readonly cpuLimitMillis?: number;
  /** @default 128 */
  readonly memoryRequestMiB?: number;
  /** @default 256 */
  readonly memoryLimitMiB?: number;
}

/** Sidecar resources with every default applied. */
export type ResolvedSidecarResources = Required<SidecarResources>;

/** The defaults of {@link SidecarResources}. */
export const DEFAULT_SIDECAR_RESOURCES: ResolvedSidecarResources = {
  cpuRequestMillis: 100,
  cpuLimitMillis: 500,
  memoryRequestMiB: 128,
  memoryLimitMiB: 256,
};

/** Applies the defaults and checks every value is a positive whole number and each request at most its limit. */
export function resolveSidecarResources(path: string, spec: SidecarResources = {}): ResolvedSidecarResources {
  const r: ResolvedSidecarResources = {
    cpuRequestMillis: spec.cpuRequestMillis ?? DEFAULT_SIDECAR_RESOURCES.cpuRequestMillis,
    cpuLimitMillis: spec.cpuLimitMillis ?? DEFAULT_SIDECAR_RESOURCES.cpuLimitMillis,
    memoryRequestMiB: spec.memoryRequestMiB ?? DEFAULT_SIDECAR_RESOURCES.memoryRequestMiB,
    memoryLimitMiB: spec.memoryLimitMiB ?? DEFAULT_SIDECAR_RESOURCES.memoryLimitMiB,
  };
  for (const [key, value] of Object.entries(r)) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new ValidationError(path, `sidecar.${key}`, value, 'allowed: a positive whole number');
    }
  }
  if (r.cpuRequestMillis > r.cpuLimitMillis) {
    throw new ValidationError(path, 'sidecar.cpuRequestMillis', r.cpuRequestMillis, `allowed: at most cpuLimitMillis (${r.cpuLimitMillis})`);
  }
  if (r.memoryRequestMiB > r.memoryLimitMiB) {
    throw new ValidationError(path, 'sidecar.memoryRequestMiB', r.memoryRequestMiB, `allowed: at most memoryLimitMiB (${r.memoryLimitMiB})`);
  }
  return r;
}

/** Istio's per-pod annotations that size the injected proxy. */
export function sidecarAnnotations(r: ResolvedSidecarResources): Record<string, string> {
  return {
    'sidecar.istio.io/proxyCPU': `${r.cpuRequestMillis}m`,
    'sidecar.istio.io/proxyCPULimit': `${r.cpuLimitMillis}m`,
    'sidecar.istio.io/proxyMemory': `${r.memoryRequestMiB}Mi`,
    'sidecar.istio.io/proxyMemoryLimit': `${r.memoryLimitMiB}Mi`,
  };
}
