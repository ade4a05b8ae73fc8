/**
 * Names and ARNs both worlds derive from the model, so that they line up by construction:
 * the AWS side creates a role with `serviceAccountRoleName(...)`, the Kubernetes side
 * annotates the service account with `serviceAccountRoleArn(...)`, and neither looks the other up.
 */
import { createHash } from 'node:crypto';
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

/** The ARN of an IAM role in an account (partition `aws`). */
export function iamRoleArn(accountId: string, roleName: string): string {
  return `arn:aws:iam::${accountId}:role/${roleName}`;
}

/** The ARN of a service account's IAM role. */
export function serviceAccountRoleArn(platformName: string, environmentName: string, accountId: string, namespace: string, serviceAccount: string): string {
  return iamRoleArn(accountId, serviceAccountRoleName(platformName, environmentName, namespace, serviceAccount));
}

/** The service account of a service: its own name. */
export function serviceAccountName(service: Pick<ServiceDefinition, 'name'>): string {
  return service.name;
}

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
