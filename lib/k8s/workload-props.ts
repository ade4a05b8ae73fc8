/**
 * The options every workload construct of the platform (Microservice, StatefulService) shares.
 */
import type { DisruptionBudget } from './disruption-budget';
import type { HardeningProps } from './hardening';
import type { ServiceNetworkPolicyProps } from './network-policies';
import type { SidecarResources } from './sidecar';

/** Options shared by {@link Microservice} and {@link StatefulService}. */
export interface WorkloadProps {
  /** The IAM role of the service account (IRSA); from `platform.serviceRoleArn(env, service)`. @default no role */
  readonly roleArn?: string;
  /** The disruption budget (of each version). @default DisruptionBudget.maxUnavailable(1) */
  readonly disruptionBudget?: DisruptionBudget;
  /** Security settings and explicit weakening. @default fully hardened, namespace "restricted" */
  readonly hardening?: HardeningProps;
  /**
   * Resources of the injected Istio proxy, pinned through pod annotations and counted in the quota demand.
   * `false` for a namespace without injection.
   * @default DEFAULT_SIDECAR_RESOURCES (100m/500m CPU, 128/256 MiB)
   */
  readonly sidecar?: SidecarResources | false;
  /** The NetworkPolicy from the call graph (callers and callees). @default none: the namespace's default deny applies */
  readonly networkPolicy?: Omit<ServiceNetworkPolicyProps, 'service'>;
}
