/**
 * The Terraform remote state of an environment: an S3 backend with a DynamoDB lock table, named
 * from the environment's `remoteState` or `<platform>-<env>-<accountId>-tfstate` / `<platform>-<env>-tflock`.
 * The bucket and table are created once, outside these stacks (a bootstrap step).
 */
import { S3Backend, type TerraformStack } from 'cdktf';
import type { EnvironmentConfig } from '../model/environment';
import { ValidationError } from '../model/validation';

/** The resolved names of an environment's remote state. */
export interface RemoteStateNames {
  readonly bucket: string;
  readonly lockTable: string;
  readonly region: string;
  /** The state object's key, `<env>/terraform.tfstate`. */
  readonly key: string;
}

/** The names of an environment's state bucket and lock table, defaults derived from the platform and environment. */
export function remoteStateNames(platformName: string, env: EnvironmentConfig): RemoteStateNames {
  return {
    bucket: env.remoteState?.bucket ?? `${platformName}-${env.name}-${env.accountId}-tfstate`,
    lockTable: env.remoteState?.lockTable ?? `${platformName}-${env.name}-tflock`,
    region: env.remoteState?.region ?? env.region,
    key: `${env.name}/terraform.tfstate`,
  };
}

/** Declares the S3 backend of a stack (encrypted state, DynamoDB locking) and returns the names used. */
export function addRemoteStateBackend(stack: TerraformStack, platformName: string, env: EnvironmentConfig): RemoteStateNames {
  const names = remoteStateNames(platformName, env);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(names.bucket)) {
    throw new ValidationError(stack.node.path, 'remoteState.bucket', names.bucket, 'allowed: an S3 bucket name (3 to 63 lower-case letters, digits, "." and "-")');
  }
  if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(names.lockTable)) {
    throw new ValidationError(stack.node.path, 'remoteState.lockTable', names.lockTable, 'allowed: a DynamoDB table name (3 to 255 letters, digits, "_", "-", ".")');
  }
  new S3Backend(stack, {
    bucket: names.bucket,
    key: names.key,
    region: names.region,
    dynamodbTable: names.lockTable,
    encrypt: true,
  });
  return names;
}
