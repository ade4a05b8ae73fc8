/**
 * Names the AWS side (lib/aws) gives to what the add-ons use, derived here from the model without importing lib/aws
 * (the two worlds never import each other). Private to lib/k8s/addons; test/k8s/addons/aws-names.test.ts checks
 * that each one equals what lib/aws derives, so a change on one side fails the tests.
 */
import type { EnvironmentConfig } from '../../model/environment';
import { backupBucketName, serviceAccountRoleArn } from '../../model/names';
import { arnPartition } from '../../model/partition';

/** Where the cluster autoscaler runs: the service account `ClusterAutoscalerRole` (lib/aws) trusts by default. */
export const CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = { namespace: 'kube-system', name: 'cluster-autoscaler' } as const;
/** Where Velero runs: the service account `VeleroRole` (lib/aws) trusts by default. */
export const VELERO_SERVICE_ACCOUNT = { namespace: 'velero', name: 'velero' } as const;

/** The IRSA role ARN of a service account of an environment (the name `ServiceAccountRole` gives the role, in the region's partition). */
export function irsaRoleArn(platformName: string, env: EnvironmentConfig, sa: { readonly namespace: string; readonly name: string }): string {
  return serviceAccountRoleArn(platformName, env.name, env.accountId, sa.namespace, sa.name, arnPartition(env.region));
}

/** The environment's backup bucket, as the AWS side names it (lib/model/names.ts). */
export function backupBucketNameOf(platformName: string, env: EnvironmentConfig): string {
  return backupBucketName(platformName, env.name, env.accountId);
}
