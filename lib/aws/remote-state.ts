/**
 * The Terraform remote state of an environment: an S3 backend with S3 native locking (`use_lockfile`, a lock
 * object next to the state; Terraform 1.10 or later), named from the environment's `remoteState` or
 * `<platform>-<env>-<accountId>-tfstate`. A DynamoDB lock table is used only when `remoteState.lockTable` names one
 * (DynamoDB locking is deprecated in Terraform 1.11; keeping both during a migration is what Terraform documents).
 * The bucket (and a table, if named) is created once, outside these stacks (a bootstrap step).
 */
import { S3Backend, type TerraformStack } from 'cdktf';
import type { EnvironmentConfig } from '../model/environment';
import { ValidationError } from '../model/validation';

/** The resolved names of an environment's remote state. */
export interface RemoteStateNames {
  readonly bucket: string;
  /** The DynamoDB lock table, only when the environment names one; otherwise S3 native locking alone. */
  readonly lockTable?: string;
  readonly region: string;
  /** The state object's key, `<env>/terraform.tfstate`. */
  readonly key: string;
}

/** The names of an environment's state bucket (and lock table, if any), defaults derived from the platform and environment. */
export function remoteStateNames(platformName: string, env: EnvironmentConfig): RemoteStateNames {
  return {
    bucket: env.remoteState?.bucket ?? `${platformName}-${env.name}-${env.accountId}-tfstate`,
    ...(env.remoteState?.lockTable !== undefined ? { lockTable: env.remoteState.lockTable } : {}),
    region: env.remoteState?.region ?? env.region,
    key: `${env.name}/terraform.tfstate`,
  };
}

/**
 * The Terraform versions a platform stack needs: 1.11 and later, for the write-only arguments (`secret_string_wo`,
 * `password_wo`) that keep credentials out of the plan and the state; `use_lockfile` needs 1.10.
 */
export const MINIMUM_TERRAFORM_VERSION = '>= 1.11';

/**
 * Declares the S3 backend of a stack (encrypted state, S3 native locking) and its `required_version`
 * ({@link MINIMUM_TERRAFORM_VERSION}), and returns the names used.
 */
export function addRemoteStateBackend(stack: TerraformStack, platformName: string, env: EnvironmentConfig): RemoteStateNames {
  const names = remoteStateNames(platformName, env);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(names.bucket)) {
    throw new ValidationError(stack.node.path, 'remoteState.bucket', names.bucket, 'allowed: an S3 bucket name (3 to 63 lower-case letters, digits, "." and "-")');
  }
  if (names.lockTable !== undefined && !/^[a-zA-Z0-9_.-]{3,255}$/.test(names.lockTable)) {
    throw new ValidationError(stack.node.path, 'remoteState.lockTable', names.lockTable, 'allowed: a DynamoDB table name (3 to 255 letters, digits, "_", "-", ".")');
  }
  const backend = new S3Backend(stack, {
    bucket: names.bucket,
    key: names.key,
    region: names.region,
    ...(names.lockTable !== undefined ? { dynamodbTable: names.lockTable } : {}),
    encrypt: true,
  });
  // cdktf 0.21's S3BackendConfig predates use_lockfile (Terraform 1.10), hence the override
  backend.addOverride('use_lockfile', true);
  // the stack writes secrets and passwords through write-only arguments (`secret_string_wo`, `password_wo`)
  stack.addOverride('terraform.required_version', MINIMUM_TERRAFORM_VERSION);
  return names;
}
