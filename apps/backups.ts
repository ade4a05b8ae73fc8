/**
 * Backups of one environment of the reference platform: a BackupBucket (retention from the model),
 * replication to `backup.replicaRegion` when the model sets one, Replication Time Control and Object
 * Lock (governance) in prod, and Velero's IRSA role.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { BackupBucket, ObjectLock } from '../lib/aws/backup-bucket';
import { BucketReplication } from '../lib/aws/bucket-replication';
import type { PlatformStack } from '../lib/aws/platform-stack';
import { VeleroRole } from '../lib/aws/velero-role';
import type { EnvironmentConfig } from '../lib/model/environment';
import type { Platform } from '../lib/model/platform';

/**
 * Days prod's Object Lock keeps every backup version (governance mode). At most the retention, so
 * the lifecycle expiry never contradicts it; long enough to outlast Velero's default 30-day TTL, so a
 * compromised Velero (or anyone without s3:BypassGovernanceRetention) cannot destroy a month of backups.
 */
export const PROD_OBJECT_LOCK_DAYS = 30;

/** What {@link addBackups} created. */
export interface Backups {
  readonly bucket: BackupBucket;
  /** @default none: the environment has no replica region */
  readonly replication?: BucketReplication;
  readonly veleroRole: VeleroRole;
}

/** Gives an environment's stack its backup bucket, its replication (if any) and Velero's role. */
export function addBackups(stack: PlatformStack, platform: Platform, environment: EnvironmentConfig): Backups {
  const scope = new Construct(stack, 'Backups');
  const prod = environment.name === 'prod';
  const bucket = new BackupBucket(scope, 'Bucket', {
    platformName: platform.name,
    environmentName: environment.name,
    accountId: environment.accountId,
    retentionDays: environment.backup.retentionDays,
    objectLock: prod ? ObjectLock.governance(Math.min(PROD_OBJECT_LOCK_DAYS, environment.backup.retentionDays)) : undefined,
  });

  let replication: BucketReplication | undefined;
  const replicaRegion = environment.backup.replicaRegion;
  if (replicaRegion !== undefined) {
    const replicaProvider = new AwsProvider(stack, 'aws-backup-replica', {
      alias: 'backup_replica',
      region: replicaRegion,
      allowedAccountIds: [environment.accountId],
      defaultTags: stack.provider.defaultTags,
    });
    replication = new BucketReplication(scope, 'Replication', {
      source: bucket,
      sourceRegion: environment.region,
      replicaRegion,
      replicaProvider,
      critical: prod,
    });
    new TerraformOutput(stack, 'backup_replica_bucket', { value: replication.replica.bucketName });
  }

  const veleroRole = new VeleroRole(scope, 'VeleroRole', {
    platformName: platform.name,
    environmentName: environment.name,
    accountId: environment.accountId,
    region: environment.region,
    oidcProviderArn: stack.cluster.oidcProviderArn,
    oidcIssuer: stack.cluster.oidcIssuer,
    bucket,
  });
  new TerraformOutput(stack, 'backup_bucket', { value: bucket.bucketName });
  new TerraformOutput(stack, 'velero_role_arn', { value: veleroRole.roleArn });
  return { bucket, replication, veleroRole };
}
