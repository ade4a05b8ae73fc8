/**
 * Names and ARNs both worlds derive from the model, so that they line up by construction:
 * the AWS side creates a role with `serviceAccountRoleName(...)`, the Kubernetes side
 * annotates the service account with `serviceAccountRoleArn(...)`, and neither looks the other up.
 */
import { createHash } from 'node:crypto';
import type { AwsPartition } from './partition';
import type { ServiceDefinition, ServicePortSpec } from './service';

/** The annotation EKS reads to give a service account's pods an IAM role (IRSA). */
export const ROLE_ARN_ANNOTATION = 'eks.amazonaws.com/role-arn';

/** IAM role names are at most 64 characters. */
const IAM_ROLE_NAME_MAX = 64;

/** The EKS cluster name of an environment: `<platform>-<env>`. */
export function clusterName(platformName: string, environmentName: string): string {
  return `${platformName}-${environmentName}`;
}

/**
 * The IAM role name for a service account: `<platform>-<env>-<namespace>-<serviceAccount>`.
 * Longer than 64 characters, it is cut and ends in 8 hex characters of a SHA-256 of the full name,
 * so it stays unique and deterministic.
 */
export function serviceAccountRoleName(platformName: string, environmentName: string, namespace: string, serviceAccount: string): string {
  const full = `${platformName}-${environmentName}-${namespace}-${serviceAccount}`;
  if (full.length <= IAM_ROLE_NAME_MAX) {
    return full;
  }
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, IAM_ROLE_NAME_MAX - 9)}-${hash}`;
}

/**
 * The ARN of an IAM role in an account.
 * @param partition the ARN partition of the account's region (`arnPartition(region)` in lib/model/partition.ts); default `aws`
 */
export function iamRoleArn(accountId: string, roleName: string, partition: AwsPartition = 'aws'): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/**
 * The ARN of a service account's IAM role.
 * @param partition the ARN partition of the environment's region; default `aws`
 */
export function serviceAccountRoleArn(platformName: string, environmentName: string, accountId: string, namespace: string, serviceAccount: string, partition: AwsPartition = 'aws'): string {
  return iamRoleArn(accountId, serviceAccountRoleName(platformName, environmentName, namespace, serviceAccount), partition);
}

/** The service account of a service: its own name. */
export function serviceAccountName(service: Pick<ServiceDefinition, 'name'>): string {
  return service.name;
}

/**
 * The ServiceAccount External Secrets Operator authenticates as to read one service's secrets: `<service>-secrets`,
 * in the service's namespace, used by no pod. Its IRSA role (`serviceAccountRoleName(..., <this name>)`) reads exactly
 * that service's secrets; the service's own ServiceAccount carries a role only when its pods call AWS themselves.
 */
export function secretsReaderServiceAccountName(service: Pick<ServiceDefinition, 'name'>): string {
  return `${service.name}-secrets`;
}

/**
 * The longest ServiceAccount name the platform gives an IRSA role: a DNS-1123 label (the name is also a SecretStore's
 * `serviceAccountRef` and part of the role name, which {@link serviceAccountRoleName} keeps within 64 characters).
 */
export const MAX_IRSA_SERVICE_ACCOUNT_NAME = 63;

/** `namespace/name`: how services are told apart across namespaces. */
export function qualifiedName(service: Pick<ServiceDefinition, 'name' | 'namespace'>): string {
  return `${service.namespace}/${service.name}`;
}

/** The in-cluster DNS name of a service: `<name>.<namespace>.svc.cluster.local`. */
export function serviceHost(service: Pick<ServiceDefinition, 'name' | 'namespace'>): string {
  return `${service.name}.${service.namespace}.svc.cluster.local`;
}

/** The Service port name Istio reads the protocol from: `<protocol>-<name>`, e.g. `http-web`. */
export function portName(port: Pick<ServicePortSpec, 'name' | 'protocol'>): string {
  return `${port.protocol}-${port.name}`;
}

/** The SPIFFE principal of a service account under Istio: `cluster.local/ns/<ns>/sa/<sa>`. */
export function meshPrincipal(namespace: string, serviceAccount: string): string {
  return `cluster.local/ns/${namespace}/sa/${serviceAccount}`;
}

/** Label keys the platform sets on every workload; they do not depend on construct paths. */
export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_PART_OF = 'app.kubernetes.io/part-of';
export const LABEL_VERSION = 'app.kubernetes.io/version';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
/** Istio's conventional labels, read by its telemetry and by DestinationRule subsets. */
export const LABEL_ISTIO_APP = 'app';
export const LABEL_ISTIO_VERSION = 'version';

/** Selects every pod of a service, whatever its version (the Service's selector). */
export function serviceSelector(service: Pick<ServiceDefinition, 'name'>): Record<string, string> {
  return { [LABEL_NAME]: service.name };
}

/** Selects the pods of one version of a service (a Deployment's selector, a DestinationRule subset's labels plus the service's). */
export function versionSelector(service: Pick<ServiceDefinition, 'name'>, versionName: string): Record<string, string> {
  return { [LABEL_NAME]: service.name, [LABEL_ISTIO_VERSION]: versionName };
}

/**
 * Every label on the pods of one version: name, part-of, version (the image tag when it is a valid
 * label value, else the version's name), Istio's `app` and `version`, and managed-by.
 */
export function podLabels(service: Pick<ServiceDefinition, 'name' | 'partOf'>, version: { readonly name: string; readonly image: string }): Record<string, string> {
  const tagMatch = /:([\w][\w.-]{0,62})$/.exec(version.image.split('@')[0].slice(version.image.lastIndexOf('/') + 1));
  const appVersion = tagMatch && /[a-zA-Z0-9]$/.test(tagMatch[1]) ? tagMatch[1] : version.name;
  return {
    [LABEL_ISTIO_APP]: service.name,
    [LABEL_NAME]: service.name,
    [LABEL_PART_OF]: service.partOf,
    [LABEL_VERSION]: appVersion,
    [LABEL_MANAGED_BY]: 'eks-platform-constructs',
    [LABEL_ISTIO_VERSION]: version.name,
  };
}

/**
 * The deterministic name of an environment's backup bucket: `<platform>-<env>-backups-<accountId>`, and `-<region>`
 * appended for a bucket in another region (a replica). The AWS side creates it; Velero's storage location names it.
 */
export function backupBucketName(platformName: string, environmentName: string, accountId: string, region?: string): string {
  return `${platformName}-${environmentName}-backups-${accountId}${region ? `-${region}` : ''}`;
}
