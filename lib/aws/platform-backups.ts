/**
 * Backups of one environment, as its model declares them: a {@link BackupBucket} (retention and Object Lock from
 * the model), replication to `backup.replicaRegion` (with Replication Time Control unless turned off) through a
 * second AWS provider that carries the stack's default tags, and Velero's IRSA role. {@link PlatformStack} creates
 * one per environment; a user never wires it by hand.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { objectLockDaysOf, resolveBackupSettings } from '../model/backup-rules';
import type { BackupConfig, EnvironmentConfig } from '../model/environment';
import type { Platform } from '../model/platform';
import { BackupBucket, ObjectLock } from './backup-bucket';
import { BucketReplication } from './bucket-replication';
import type { EksCluster } from './eks-cluster';
import { defaultLifecycleRules, type LifecycleRule, type StorageClass } from './lifecycle';
import { VeleroRole } from './velero-role';

// the default lives in the model, where the rules between Velero's TTL and the lock are checked
export { DEFAULT_OBJECT_LOCK_DAYS } from '../model/backup-rules';

/** Options of {@link PlatformBackups}. */
export interface PlatformBackupsProps {
  /** The platform model. */
  readonly platform: Platform;
  /** The environment whose backups these are. */
  readonly environment: EnvironmentConfig;
  /** The cluster whose Velero writes the backups (its OIDC provider trusts Velero's service account). */
  readonly cluster: EksCluster;
  /** The stack's AWS provider: the replica provider copies its default tags. */
  readonly provider: AwsProvider;
}

/** The Object Lock the model asks for: `undefined` when turned off, else the mode and days with their defaults. */
export function objectLockOf(backup: BackupConfig): ObjectLock | undefined {
  if (backup.disableObjectLock) {
    return undefined;
  }
  const days = objectLockDaysOf(backup) as number;
  return backup.objectLock?.mode === 'COMPLIANCE' ? ObjectLock.compliance(days) : ObjectLock.governance(days);
}

/**
 * The lifecycle rules of an environment's backup bucket: the default rules at its retention, with the model's
 * transitions or the default ladder, never into an archive class within the restorable window (lib/model/backup-rules.ts).
 */
export function backupLifecycleRulesOf(backup: BackupConfig): LifecycleRule[] {
  const s = resolveBackupSettings(backup);
  return defaultLifecycleRules({
    retentionDays: s.retentionDays,
    restorableDays: s.restorableDays,
    // the model's class names are the enum's values
    transitions: s.transitions?.map((t) => ({ storageClass: t.storageClass as StorageClass, afterDays: t.afterDays })),
  });
}

/** An environment's backup bucket, its replication (when the model names a replica region) and Velero's role. */
export class PlatformBackups extends Construct {
  /** The bucket Velero writes to. */
  public readonly bucket: BackupBucket;
  /** The replication to the replica region. @default none: the environment has no replica region */
  public readonly replication?: BucketReplication;
  /** Velero's service-account role. */
  public readonly veleroRole: VeleroRole;

  constructor(scope: Construct, id: string, props: PlatformBackupsProps) {
    super(scope, id);
    const { platform, environment: env } = props;
    const stack = TerraformStack.of(this);
    this.bucket = new BackupBucket(this, 'Bucket', {
      platformName: platform.name,
      environmentName: env.name,
      accountId: env.accountId,
      retentionDays: env.backup.retentionDays,
      lifecycleRules: backupLifecycleRulesOf(env.backup),
      objectLock: objectLockOf(env.backup),
    });

    const replicaRegion = env.backup.replicaRegion;
    if (replicaRegion !== undefined) {
      // in the stack, beside the main provider, so that its Terraform name stays `aws.backup_replica`
      const replicaProvider = new AwsProvider(stack, 'aws-backup-replica', {
        alias: 'backup_replica',
        region: replicaRegion,
        allowedAccountIds: [env.accountId],
        defaultTags: props.provider.defaultTags,
      });
      this.replication = new BucketReplication(this, 'Replication', {
        source: this.bucket,
        sourceRegion: env.region,
        replicaRegion,
        replicaProvider,
        critical: env.backup.replicationTimeControl ?? true,
      });
      new TerraformOutput(stack, 'backup_replica_bucket', { value: this.replication.replica.bucketName });
    }

    this.veleroRole = new VeleroRole(this, 'VeleroRole', {
      platformName: platform.name,
      environmentName: env.name,
      accountId: env.accountId,
      region: env.region,
      oidcProviderArn: props.cluster.oidcProviderArn,
      oidcIssuer: props.cluster.oidcIssuer,
      bucket: this.bucket,
    });
    new TerraformOutput(stack, 'backup_bucket', { value: this.bucket.bucketName });
    new TerraformOutput(stack, 'velero_role_arn', { value: this.veleroRole.roleArn });
  }
}
