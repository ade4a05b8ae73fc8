/**
 * Secrets of services: declared by name, never by value. The value lives in AWS Secrets Manager; the Terraform side
 * creates the secret (not its value) and lets exactly the reading service's IAM role read it; External Secrets
 * Operator copies it into a Kubernetes Secret in the service's namespace, from which the pods read it.
 *
 * Both worlds derive every name from the functions here, so they line up by construction.
 */

/** A secret a service reads, by name. Its value is a JSON object in Secrets Manager; its keys become env variables or files. */
export interface SecretSpec {
  /** The secret's name, a DNS-1123 label of at most 30 characters, unique among the service's secrets. */
  readonly name: string;
  /**
   * Environment variables filled from the secret: variable name (`[A-Z_][A-Z0-9_]*`) to a key of the secret's JSON value.
   * @default none: no variables (then `mountPath` must be set)
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * An absolute path where the secret's keys are mounted read-only as files (one file per key).
   * @default not mounted (then `env` must name at least one variable)
   */
  readonly mountPath?: string;
  /** What the secret is for, written as the Secrets Manager secret's description. @default none */
  readonly description?: string;
}

/** Who creates a secret in Secrets Manager. */
export enum SecretOwnerKind {
  /** The reading service's own secret: the platform creates it (without a value) beside the service's role. */
  SERVICE = 'service',
  /** A data store's credentials: the data store creates them; callers of the store read them. */
  DATA_STORE = 'data-store',
}

/** A secret a service reads in one environment, as the platform resolves it: every name both worlds need. */
export interface ResolvedSecret {
  /** The name the service knows it by (`SecretSpec.name`, or the data store's name). */
  readonly name: string;
  /** Who creates the Secrets Manager secret. */
  readonly owner: SecretOwnerKind;
  /** The Secrets Manager secret's name: `<platform>/<env>/<namespace>/<owner>[/<secret>]`. */
  readonly secretsManagerName: string;
  /** The Kubernetes Secret External Secrets writes in the reading service's namespace. */
  readonly kubernetesSecretName: string;
  /** Environment variables: variable name to key of the JSON value. */
  readonly env: Readonly<Record<string, string>>;
  /** Where the keys are mounted as files, if they are. */
  readonly mountPath?: string;
  /** The description. */
  readonly description?: string;
}

/**
 * The Secrets Manager name of a secret: `<platform>/<env>/<namespace>/<owner>` for a data store's credentials,
 * `<platform>/<env>/<namespace>/<service>/<secret>` for a service's own secret.
 */
export function secretsManagerSecretName(platformName: string, environmentName: string, namespace: string, owner: string, secret?: string): string {
  return [platformName, environmentName, namespace, owner, ...(secret !== undefined ? [secret] : [])].join('/');
}

/** The Kubernetes Secret a service's secret becomes in its namespace: `<service>-<secret>`. */
export function kubernetesSecretName(service: string, secret: string): string {
  return `${service}-${secret}`;
}

/** The ARN pattern of a secret by name: Secrets Manager appends `-` and 6 random characters to every secret's ARN. */
export function secretArnPattern(partition: string, region: string, accountId: string, secretsManagerName: string): string {
  return `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${secretsManagerName}-??????`;
}
