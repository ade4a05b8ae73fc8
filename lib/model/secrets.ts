/**
 * Secrets of services: declared by name, never by value. The value lives in AWS Secrets Manager; the Terraform side
 * creates the secret (not its value) and lets exactly the service's secrets reader role read it (the IRSA role of the
 * ServiceAccount `<service>-secrets`, which no pod uses); External Secrets Operator authenticates as that
 * ServiceAccount and copies the secret into a Kubernetes Secret in the service's namespace, from which the pods read it.
 *
 * Both worlds derive every name from the functions here, so they line up by construction.
 */
import { dataStoreServiceAccounts } from './data-stores';
import { MAX_IRSA_SERVICE_ACCOUNT_NAME, secretsReaderServiceAccountName } from './names';
import { ValidationError } from './validation';

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

/** The longest secret name (`SecretSpec.name`): it ends the Kubernetes Secret's and the volume's names. */
export const MAX_SECRET_NAME = 30;

/** The longest description Secrets Manager stores. */
const MAX_DESCRIPTION = 2048;

const ENV_VAR_NAME = /^[A-Z_][A-Z0-9_]*$/;
/** A key of a secret's JSON value: what Kubernetes allows as a Secret key (it becomes a file name when mounted). */
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

/** Whether `p` is an absolute, normalised path (no `//`, `.` or `..` segments, no trailing `/`), other than `/`. */
export function isAbsoluteMountPath(p: string): boolean {
  return p.startsWith('/') && p !== '/' && !p.endsWith('/') && p.split('/').slice(1).every((s) => s !== '' && s !== '.' && s !== '..' && !/[\s:]/.test(s));
}

/** Whether path `a` is `b` or below it (or the other way round): two mounts there would shadow one another. */
export function pathsOverlap(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/**
 * Checks a service's secrets as declared: names are DNS-1123 labels of at most {@link MAX_SECRET_NAME} characters,
 * unique; each secret fills environment variables or is mounted (or both); variable names are `[A-Z_][A-Z0-9_]*`,
 * unique across the secrets and the plain `env`; keys are Secret keys; mount paths are absolute, normalised paths.
 * Where the mounts go against the service's other mounts is checked with its writable paths
 * ({@link validateServiceMounts}). `field` prefixes the field names (`services.orders.`).
 */
export function validateSecrets(path: string, field: string, secrets: readonly SecretSpec[], plainEnv: Readonly<Record<string, string>> = {}): void {
  const names = new Set<string>();
  const variables = new Map<string, string>(Object.keys(plainEnv).map((v) => [v, 'env']));
  for (const s of secrets) {
    const at = (f: string) => `${field}secrets.${s.name}${f}`;
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s.name) || s.name.length > MAX_SECRET_NAME) {
      throw new ValidationError(path, `${field}secrets[].name`, s.name, `allowed: a DNS-1123 label of at most ${MAX_SECRET_NAME} characters`);
    }
    if (names.has(s.name)) {
      throw new ValidationError(path, `${field}secrets[].name`, s.name, 'allowed: each secret name once per service');
    }
    names.add(s.name);
    const env = s.env ?? {};
    if (Object.keys(env).length === 0 && s.mountPath === undefined) {
      throw new ValidationError(path, at(''), { name: s.name }, 'allowed: env (variables from keys of the secret) or mountPath (its keys as files), or both');
    }
    for (const [variable, key] of Object.entries(env)) {
      if (!ENV_VAR_NAME.test(variable)) {
        throw new ValidationError(path, at('.env'), variable, 'allowed: variable names of upper-case letters, digits and "_", not starting with a digit');
      }
      const owner = variables.get(variable);
      if (owner !== undefined) {
        throw new ValidationError(path, at(`.env.${variable}`), variable, `allowed: a variable set once per container (already set by ${owner === 'env' ? 'the plain env' : `secret ${owner}`})`);
      }
      variables.set(variable, s.name);
      if (typeof key !== 'string' || !SECRET_KEY.test(key) || key === '.' || key === '..') {
        throw new ValidationError(path, at(`.env.${variable}`), key, 'allowed: a key of the secret\'s JSON value: letters, digits, "-", "_" and "." (a Kubernetes Secret key)');
      }
    }
    if (s.mountPath !== undefined && !isAbsoluteMountPath(s.mountPath)) {
      throw new ValidationError(path, at('.mountPath'), s.mountPath, 'allowed: an absolute, normalised path other than /, e.g. /etc/orders/db');
    }
    if (s.description !== undefined && (s.description.length === 0 || s.description.length > MAX_DESCRIPTION)) {
      throw new ValidationError(path, at('.description'), s.description, `allowed: 1 to ${MAX_DESCRIPTION} characters (a Secrets Manager description)`);
    }
  }
}

/**
 * A service's own secrets, resolved in an environment: Secrets Manager name
 * `<platform>/<env>/<namespace>/<service>/<secret>`, Kubernetes Secret `<service>-<secret>`, owner SERVICE.
 */
export function resolveServiceSecrets(platformName: string, environmentName: string, service: { readonly name: string; readonly namespace: string; readonly secrets?: readonly SecretSpec[] }): ResolvedSecret[] {
  return (service.secrets ?? []).map((s) => ({
    name: s.name,
    owner: SecretOwnerKind.SERVICE,
    secretsManagerName: secretsManagerSecretName(platformName, environmentName, service.namespace, service.name, s.name),
    kubernetesSecretName: kubernetesSecretName(service.name, s.name),
    env: { ...(s.env ?? {}) },
    ...(s.mountPath !== undefined ? { mountPath: s.mountPath } : {}),
    ...(s.description !== undefined ? { description: s.description } : {}),
  }));
}

/**
 * The line of an environment's PREREQUISITES.md that asks for the values of its services' own secrets: the platform
 * creates each Secrets Manager secret empty, and a pod that reads it starts once a value is there (docs/secrets.md).
 */
export function secretValuesPrerequisite(secretsManagerNames: readonly string[], region: string): string {
  const names = [...new Set(secretsManagerNames)].sort();
  return `**Secret values**: a JSON object (one key per variable or file) in each of the Secrets Manager secrets ${names.map((n) => `\`${n}\``).join(', ')}, put out of band once \`terraform apply\` created them: \`aws secretsmanager put-secret-value --region ${region} --secret-id <name> --secret-string file://value.json\` (docs/secrets.md). Pods that read a secret wait until it has a value.`;
}

/**
 * Checks the ServiceAccounts External Secrets reads the services' secrets as (`secretsReaderServiceAccountName`,
 * `<service>-secrets`), for the services in `readers` (those whose `Platform.secretsOf` is not empty): each name is a
 * DNS-1123 label of at most {@link MAX_IRSA_SERVICE_ACCOUNT_NAME} characters (so the service's name is at most 55),
 * and none is the name of another ServiceAccount of its namespace (a service's own, a data store's): two identities
 * of one name would be one identity, and their IAM roles one role.
 */
export function validateSecretsReaders(
  path: string,
  readers: readonly { readonly name: string; readonly namespace: string }[],
  services: readonly { readonly name: string; readonly namespace: string }[],
  dataStores: readonly { readonly name: string; readonly namespace: string }[],
): void {
  const taken = new Map<string, string>();
  for (const s of services) {
    taken.set(`${s.namespace}/${s.name}`, `the ServiceAccount of service ${s.namespace}/${s.name}`);
  }
  for (const d of dataStores) {
    const accounts = dataStoreServiceAccounts(d);
    taken.set(`${d.namespace}/${accounts.cluster}`, `the ServiceAccount of data store ${d.namespace}/${d.name}`);
    taken.set(`${d.namespace}/${accounts.credentials}`, `the credentials ServiceAccount of data store ${d.namespace}/${d.name}`);
  }
  for (const r of readers) {
    const account = secretsReaderServiceAccountName(r);
    const field = `services.${r.name}.name`;
    if (account.length > MAX_IRSA_SERVICE_ACCOUNT_NAME) {
      throw new ValidationError(path, field, r.name, `allowed: at most ${MAX_IRSA_SERVICE_ACCOUNT_NAME - (account.length - r.name.length)} characters for a service that reads secrets (its secrets reader ServiceAccount ${account} has ${account.length}; at most ${MAX_IRSA_SERVICE_ACCOUNT_NAME}, a DNS-1123 label)`);
    }
    const other = taken.get(`${r.namespace}/${account}`);
    if (other !== undefined) {
      throw new ValidationError(path, field, r.name, `allowed: a service whose secrets reader ServiceAccount ${r.namespace}/${account} is not also ${other}; rename one of them`);
    }
  }
}
