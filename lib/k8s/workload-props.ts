/**
 * The options every workload construct of the platform (Microservice, StatefulService) shares.
 */
import type { TolerationSpec } from '../model/service';
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
  /**
   * Node labels the pods require (the pod spec's `nodeSelector`); from `platform.schedulingOf(env, service)`.
   * @default {}: any node, and no `nodeSelector` in the pod spec
   */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /**
   * Node taints the pods tolerate (the pod spec's `tolerations`); from `platform.schedulingOf(env, service)`.
   * A toleration without `value` tolerates every value of its key (operator `Exists`), one with a value only
   * that value (operator `Equal`); one without `effect` tolerates every effect.
   * @default []: no taint tolerated, and no `tolerations` in the pod spec
   */
  readonly tolerations?: readonly TolerationSpec[];
}
