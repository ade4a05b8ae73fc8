/**
 * What a workload asks of its namespace's ResourceQuota at its largest scale, and the check that a quota
 * holds every workload of a namespace at its autoscaler maximum.
 */
import type { IConstruct } from 'constructs';
import type { NamespaceQuotaConfig } from '../model/environment';
import type { ResolvedResources } from './hardening';
import type { ResolvedSidecarResources } from './sidecar';
import { sumFields } from './hardening';

/** The resources a workload (or a namespace's workloads together) needs at their maximum scale. */
export interface QuotaDemand {
  readonly requestsCpuMillis: number;
  readonly requestsMemoryMiB: number;
  readonly limitsCpuMillis: number;
  readonly limitsMemoryMiB: number;
  readonly requestsEphemeralStorageMiB: number;
  readonly pods: number;
  readonly persistentVolumeClaims: number;
}

/** A construct whose pods count against a namespace's quota: workloads implement it, the namespace check finds them. */
export interface IQuotaConsumer extends IConstruct {
  /** The namespace the pods run in. */
  readonly namespace: string;
  /** The service the pods belong to, named in quota errors. */
  readonly service: { readonly name: string };
  /** Its demand at the autoscaler maximum. */
  readonly quotaDemand: QuotaDemand;
}

/** Whether a construct is a {@link IQuotaConsumer}. */
export function isQuotaConsumer(c: IConstruct): c is IQuotaConsumer {
  const candidate = c as Partial<IQuotaConsumer>;
  return typeof candidate.namespace === 'string' && typeof candidate.service?.name === 'string' && typeof candidate.quotaDemand === 'object' && candidate.quotaDemand !== null;
}

/** The demand of `replicas` pods with the given per-pod resources, plus the injected proxy of each pod when given. */
export function demandOf(perPod: ResolvedResources, replicas: number, persistentVolumeClaimsPerPod = 0, sidecar?: ResolvedSidecarResources): QuotaDemand {
  return {
    requestsCpuMillis: (perPod.cpuRequestMillis + (sidecar?.cpuRequestMillis ?? 0)) * replicas,
    requestsMemoryMiB: (perPod.memoryRequestMiB + (sidecar?.memoryRequestMiB ?? 0)) * replicas,
    limitsCpuMillis: (perPod.cpuLimitMillis + (sidecar?.cpuLimitMillis ?? 0)) * replicas,
    limitsMemoryMiB: (perPod.memoryLimitMiB + (sidecar?.memoryLimitMiB ?? 0)) * replicas,
    requestsEphemeralStorageMiB: perPod.ephemeralStorageRequestMiB * replicas,
    pods: replicas,
    persistentVolumeClaims: persistentVolumeClaimsPerPod * replicas,
  };
}

/** Adds demands together. */
export function sumDemands(demands: readonly QuotaDemand[]): QuotaDemand {
  const zero: QuotaDemand = { requestsCpuMillis: 0, requestsMemoryMiB: 0, limitsCpuMillis: 0, limitsMemoryMiB: 0, requestsEphemeralStorageMiB: 0, pods: 0, persistentVolumeClaims: 0 };
  return sumFields(demands, zero);
}

/** One quota dimension a namespace's workloads exceed at their maximum scale. */
export interface QuotaShortfall {
  /** The quota field, e.g. `requestsCpuMillis`. */
  readonly field: keyof NamespaceQuotaConfig;
  /** What the workloads need at their autoscaler maximum. */
  readonly needed: number;
  /** What the quota allows. */
  readonly quota: number;
}

/** The default PVC quota when the config sets none (matches NamespaceQuotaConfig's documented default). */
export const DEFAULT_PVC_QUOTA = 20;

/** Every dimension where `demand` exceeds `quota` (dimensions the quota leaves unset are not limited). */
export function quotaShortfalls(quota: NamespaceQuotaConfig, demand: QuotaDemand): QuotaShortfall[] {
  const dims: Array<[keyof NamespaceQuotaConfig, number, number | undefined]> = [
    ['requestsCpuMillis', demand.requestsCpuMillis, quota.requestsCpuMillis],
    ['requestsMemoryMiB', demand.requestsMemoryMiB, quota.requestsMemoryMiB],
    ['limitsCpuMillis', demand.limitsCpuMillis, quota.limitsCpuMillis],
    ['limitsMemoryMiB', demand.limitsMemoryMiB, quota.limitsMemoryMiB],
    ['requestsEphemeralStorageMiB', demand.requestsEphemeralStorageMiB, quota.requestsEphemeralStorageMiB],
    ['pods', demand.pods, quota.pods],
    ['persistentVolumeClaims', demand.persistentVolumeClaims, quota.persistentVolumeClaims ?? DEFAULT_PVC_QUOTA],
  ];
  return dims.filter(([, needed, q]) => q !== undefined && needed > q).map(([field, needed, q]) => ({ field, needed, quota: q as number }));
}
