/**
 * The AWS side of the services' secrets in one environment: an `aws_secretsmanager_secret` per secret a service
 * declares (`ServiceDefinition.secrets`; never its value: the value is put out of band, docs/secrets.md), encrypted
 * with the environment's secrets key, and, for every service that reads secrets, its secrets reader role: the IRSA
 * role of the ServiceAccount `<service>-secrets` (`secretsReaderServiceAccountName`; no pod runs as it), allowed
 * exactly `secretsmanager:GetSecretValue` on exactly the ARNs of the service's secrets (its own and those of the data
 * stores it calls, `Platform.secretsOf`) plus `kms:Decrypt` on their keys through Secrets Manager. External Secrets
 * Operator reads the secrets as that role; the service's pods hold no credential for them (their own role, when they
 * call AWS, has no secrets grant).
 *
 * Rotation: AWS rotates on its own only the secrets other services manage (RDS, Aurora, Redshift master users);
 * an application secret needs a rotation Lambda that knows the system the secret opens. None is created here: a
 * service's owner rotates by putting a new value (ESO carries it into the cluster within its refresh interval), or
 * adds an `aws_secretsmanager_secret_rotation` with their own Lambda on {@link ServiceSecrets.secrets}.
 */
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../model/environment';
import { qualifiedName, secretsReaderServiceAccountName } from '../model/names';
import type { Platform } from '../model/platform';
import { SecretOwnerKind } from '../model/secrets';
import { ValidationError } from '../model/validation';
import { KmsKey } from './kms-key';
import { arnPartition } from '../model/partition';
import { ServiceAccountRole } from './service-account-role';

/** A secret another construct of the stack creates: its ARN (a reference) and its KMS key's ARN. */
export interface ExistingSecret {
  readonly arn: string;
  readonly kmsKeyArn: string;
}

/** Options for {@link ServiceSecrets}. */
export interface ServiceSecretsProps {
  /** The platform model. */
  readonly platform: Platform;
  /** The environment (account, region). */
  readonly environment: EnvironmentConfig;
  /** The ARN of the cluster's IAM OIDC provider, which the secrets reader roles trust (`EksCluster.oidcProviderArn`). */
  readonly oidcProviderArn: string;
  /** The cluster's OIDC issuer without `https://` (`EksCluster.oidcIssuer`), the prefix of the trust conditions. */
  readonly oidcIssuer: string;
  /**
   * The key the services' own secrets are encrypted with; readers get `kms:Decrypt` on it through Secrets Manager only
   * (`kms:ViaService`), in their roles' policies.
   * @default a new rotating key `<platform>-<env>-secrets`, created when some service declares a secret of its own
   */
  readonly kmsKey?: KmsKey;
  /**
   * Secrets created elsewhere in the stack (a data store's credentials, `PlatformDataStores.secretArns` and its key),
   * by Secrets Manager name: the roles of their readers are granted exactly these ARNs and `kms:Decrypt` on their keys.
   * A secret a service reads that is neither its own nor listed here fails synth (nothing would create it).
   * @default none
   */
  readonly otherSecrets?: ReadonlyMap<string, ExistingSecret>;
  /** Days a deleted secret can still be restored, 7 to 30. @default 30 */
  readonly recoveryWindowInDays?: number;
}

/** The service-owned secrets of an environment and the grants of every reading service's role. */
export class ServiceSecrets extends Construct {
  /** The secrets the platform creates (SERVICE-owned), by Secrets Manager name. */
  public readonly secrets: ReadonlyMap<string, SecretsmanagerSecret>;
  /** Days a deleted secret can still be restored. */
  public readonly recoveryWindowInDays: number;
  /** The key of the services' own secrets; undefined when no service declares one (and none was given). */
  public readonly kmsKey?: KmsKey;
  /** The Secrets Manager ARNs each reading service's secrets reader role may read, by the service's `namespace/name`. */
  public readonly grants: ReadonlyMap<string, readonly string[]>;
  /**
   * The secrets reader role of every service that reads secrets, by the service's `namespace/name`: the IRSA role of
   * `<namespace>:<service>-secrets`, with exactly the grants above (ids `Readers/<namespace>-<service>`).
   */
  public readonly readerRoles: ReadonlyMap<string, ServiceAccountRole>;

  constructor(scope: Construct, id: string, props: ServiceSecretsProps) {
    super(scope, id);
    const path = this.node.path;
    const { platform, environment: env } = props;
    this.recoveryWindowInDays = props.recoveryWindowInDays ?? 30;
    if (!Number.isInteger(this.recoveryWindowInDays) || this.recoveryWindowInDays < 7 || this.recoveryWindowInDays > 30) {
      throw new ValidationError(path, 'recoveryWindowInDays', this.recoveryWindowInDays, 'allowed: a whole number of days from 7 to 30');
    }
    const ownSecrets = platform.services.some((s) => platform.secretsOf(env, s).some((x) => x.owner === SecretOwnerKind.SERVICE));
    const kmsKey = props.kmsKey ?? (ownSecrets ? new KmsKey(this, 'Key', {
      alias: `${platform.name}-${env.name}-secrets`,
      description: `Secrets Manager secrets of the services of ${platform.name}-${env.name}`,
      accountId: env.accountId,
      partition: arnPartition(env.region),
    }) : undefined);
    this.kmsKey = kmsKey;
    // no key-policy statement for the readers: the key policy's root statement lets IAM grant it, and each reader's
    // role gets kms:Decrypt through Secrets Manager only (ServiceAccountRole.grantReadSecrets); a statement for every
    // principal of the account would let anyone allowed GetSecretValue on * decrypt these secrets without a KMS grant

    const secrets = new Map<string, SecretsmanagerSecret>();
    const grants = new Map<string, readonly string[]>();
    const readerRoles = new Map<string, ServiceAccountRole>();
    const readers = new Construct(this, 'Readers');
    const services = [...platform.services].sort((a, b) => qualifiedName(a).localeCompare(qualifiedName(b)));
    for (const service of services) {
      const read = platform.secretsOf(env, service);
      if (read.length === 0) {
        continue;
      }
      // a scope per service: `<namespace>-<service>` then the secret's name, ids no two services can share
      const group = read.some((x) => x.owner === SecretOwnerKind.SERVICE) ? new Construct(this, `${service.namespace}-${service.name}`) : undefined;
      const arns: string[] = [];
      const keys = new Set<string>();
      for (const secret of read) {
        if (secret.owner === SecretOwnerKind.SERVICE && kmsKey !== undefined && group !== undefined) {
          const resource = new SecretsmanagerSecret(group, secret.name, {
            name: secret.secretsManagerName,
            description: secret.description ?? `Secret ${secret.name} of ${qualifiedName(service)}; its value is put out of band (docs/secrets.md)`,
            kmsKeyId: kmsKey.keyArn,
            recoveryWindowInDays: this.recoveryWindowInDays,
            tags: { Service: qualifiedName(service) },
          });
          secrets.set(secret.secretsManagerName, resource);
          arns.push(resource.arn);
          keys.add(kmsKey.keyArn);
        } else {
          const other = props.otherSecrets?.get(secret.secretsManagerName);
          if (other === undefined) {
            throw new ValidationError(path, 'otherSecrets', secret.secretsManagerName, `allowed: the secrets of the stack's data stores; ${qualifiedName(service)} reads ${secret.secretsManagerName} (owner ${secret.owner}), which nothing in the stack creates`);
          }
          arns.push(other.arn);
          keys.add(other.kmsKeyArn);
        }
      }
      // the identity External Secrets authenticates as for this service only: trusted by exactly its ServiceAccount
      const role = new ServiceAccountRole(readers, `${service.namespace}-${service.name}`, {
        platformName: platform.name,
        environmentName: env.name,
        accountId: env.accountId,
        namespace: service.namespace,
        serviceAccount: secretsReaderServiceAccountName(service),
        oidcProviderArn: props.oidcProviderArn,
        oidcIssuer: props.oidcIssuer,
        statements: [],
        partition: arnPartition(env.region),
      });
      const expectedArn = platform.secretsReaderRoleArn(env, service);
      if (role.expectedRoleArn !== expectedArn) {
        // both worlds derive the ARN from lib/model/names.ts; a difference is a bug here, not bad input
        throw new Error(`${role.node.path}: role ARN ${role.expectedRoleArn} differs from the model's ${String(expectedArn)}`);
      }
      role.grantReadSecrets(arns, [...keys], env.region);
      grants.set(qualifiedName(service), arns);
      readerRoles.set(qualifiedName(service), role);
    }
    this.secrets = secrets;
    this.grants = grants;
    this.readerRoles = readerRoles;
  }
}
