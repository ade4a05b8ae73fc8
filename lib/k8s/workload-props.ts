/**
 * The options every workload construct of the platform (Microservice, StatefulService) shares.
 */
import type { ResolvedSecret } from '../model/secrets';
import type { TolerationSpec } from '../model/service';
import type { DisruptionBudget } from './disruption-budget';
import type { HardeningProps } from './hardening';
import type { ServiceNetworkPolicyProps } from './network-policies';
import type { SidecarResources } from './sidecar';

/** Where a workload's secrets come from (see docs/secrets.md). */
export interface WorkloadSecretsProps {
  /** The AWS region of the environment's Secrets Manager. */
  readonly region: string;
  /**
   * The secrets the service reads, from `platform.secretsOf(env, service)`: its own (every one its `secrets`
   * declares) and the credentials of the data stores it calls.
   */
  readonly secrets: readonly ResolvedSecret[];
  /**
   * The IRSA role of the service's secrets reader, the ServiceAccount `<service>-secrets` External Secrets Operator
   * authenticates as (`platform.secretsReaderRoleArn(env, service)`). Not the pods' role: they get none for secrets.
   */
  readonly readerRoleArn: string;
  /** How often External Secrets Operator reads each secret again (a Go duration). @default '1h' */
  readonly refreshInterval?: string;
}

/** Options shared by {@link Microservice} and {@link StatefulService}. */
export interface WorkloadProps {
  /**
   * The IAM role of the pods' ServiceAccount (IRSA), for the AWS calls the pods make themselves; from
   * `platform.serviceRoleArn(env, service)`, which gives one only to a service with `awsPermissions`. Secrets need
   * none (`secrets.readerRoleArn`).
   * @default no role: the ServiceAccount carries no `eks.amazonaws.com/role-arn`
   */
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
  /**
   * The secrets the pods read, synced by External Secrets Operator (a SecretStore as the service's secrets reader,
   * an ExternalSecret per secret) and given to the containers as variables (`secretKeyRef`) or read-only files (a
   * `secret` volume, mode 0400). Required when the service declares `secrets`.
   * @default none: no secret (refused when the service declares some)
   */
  readonly secrets?: WorkloadSecretsProps;
}
