/**
 * Cross-region replication of a {@link BackupBucket} into a replica BackupBucket in a second region.
 *
 * The replica is a BackupBucket created on the replica region's provider (an aliased AwsProvider the
 * caller passes in: providers belong to the stack, next to its default provider, so a reader of the
 * stack sees every region it deploys to). It therefore has the same hardening, its own rotating KMS key
 * in that region, its own access log bucket there, the same lifecycle rules and, when the source has
 * Object Lock, the same Object Lock.
 *
 * The replication role may only: read the source's replication configuration and list it; read object
 * versions (and, with Object Lock, their retention and legal hold) for replication from the source;
 * replicate objects, deletes and tags into the replica; decrypt with the source key and encrypt with
 * the replica key, each only through S3 in its region and only for objects of its bucket.
 */
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { ValidationError } from '../model/validation';
import { policyDocument, type PolicyStatement } from './_iam';
import { BackupBucket, backupBucketName } from './backup-bucket';
import type { LifecycleRule } from './lifecycle';

/** Replication Time Control's threshold: AWS replicates 99.99 % of objects within 15 minutes. */
export const REPLICATION_TIME_CONTROL_MINUTES = 15;

/** Options for a {@link BucketReplication}. */
export interface BucketReplicationProps {
  /** The bucket to replicate. */
  readonly source: BackupBucket;
  /** The region of the source bucket, e.g. `eu-central-1`. */
  readonly sourceRegion: string;
  /** The region of the replica, e.g. `eu-west-1`. Must differ from sourceRegion. */
  readonly replicaRegion: string;
  /** An AwsProvider with an alias, configured for replicaRegion. */
  readonly replicaProvider: AwsProvider;
  /**
   * Critical data: turns on Replication Time Control (15 minutes) and replication metrics, for an RPO
   * under 15 minutes in the replica region.
   * @default false
   */
  readonly critical?: boolean;
  /** Lifecycle rules of the replica. @default the source's rules */
  readonly replicaLifecycleRules?: readonly LifecycleRule[];
}

/** Replicates a backup bucket into a hardened replica bucket in a second region. */
export class BucketReplication extends Construct {
  /** The replicated bucket. */
  public readonly source: BackupBucket;
  /** The replica bucket. */
  public readonly replica: BackupBucket;
  /** The replication role. */
  public readonly role: IamRole;
  /** The replication role's name: `<platform>-<env>-backup-replication`. */
  public readonly roleName: string;
  /** The `aws_s3_bucket_replication_configuration` resource. */
  public readonly resource: S3BucketReplicationConfigurationA;
  /** Whether Replication Time Control is on. */
  public readonly critical: boolean;
  public readonly sourceRegion: string;
  public readonly replicaRegion: string;

  constructor(scope: Construct, id: string, props: BucketReplicationProps) {
    super(scope, id);
    const path = this.node.path;
    const { source } = props;
    this.source = source;
    this.critical = props.critical ?? false;
    this.sourceRegion = props.sourceRegion;
    this.replicaRegion = props.replicaRegion;
    if (props.replicaRegion === props.sourceRegion) {
      throw new ValidationError(path, 'replicaRegion', props.replicaRegion, `allowed: a region other than the source's (${props.sourceRegion})`);
    }
    const providerRegion = props.replicaProvider.region;
    if (providerRegion !== undefined && !Token.isUnresolved(providerRegion) && providerRegion !== props.replicaRegion) {
      throw new ValidationError(path, 'replicaProvider.region', providerRegion, `allowed: the replica region (${props.replicaRegion})`);
    }
    if (props.replicaProvider.alias === undefined) {
      throw new ValidationError(path, 'replicaProvider.alias', undefined, 'allowed: an aliased AwsProvider (the stack\'s default provider serves the source region)');
    }

    this.replica = new BackupBucket(this, 'Replica', {
      platformName: source.platformName,
      environmentName: source.environmentName,
      accountId: source.accountId,
      retentionDays: source.retentionDays,
      bucketName: backupBucketName(source.platformName, source.environmentName, source.accountId, props.replicaRegion),
      lifecycleRules: props.replicaLifecycleRules ?? source.lifecycleRules,
      objectLock: source.objectLock,
      provider: props.replicaProvider,
    });

    this.roleName = `${source.platformName}-${source.environmentName}-backup-replication`;
    if (this.roleName.length > 64) {
      throw new ValidationError(path, 'roleName', this.roleName, 'allowed: at most 64 characters (shorter platform or environment names)');
    }
    this.role = new IamRole(this, 'Role', {
      name: this.roleName,
      description: `S3 replication of ${source.bucketName} to ${this.replica.bucketName}`,
      assumeRolePolicy: policyDocument([
        {
          actions: ['sts:AssumeRole'],
          principals: [{ type: 'Service', identifiers: ['s3.amazonaws.com'] }],
          conditions: [
            { test: 'StringEquals', variable: 'aws:SourceAccount', values: [source.accountId] },
            { test: 'ArnLike', variable: 'aws:SourceArn', values: [source.bucketArn] },
          ],
        },
      ]),
      provider: source.provider,
    });
    new IamRolePolicy(this, 'Policy', {
      name: 'replication',
      role: this.role.name,
      policy: policyDocument(this.replicationStatements()),
      provider: source.provider,
    });

    this.resource = new S3BucketReplicationConfigurationA(this, 'Resource', {
      bucket: source.resource.id,
      role: this.role.arn,
      rule: [
        {
          id: 'replicate-everything',
          priority: 1,
          status: 'Enabled',
          filter: { prefix: '' },
          deleteMarkerReplication: { status: 'Enabled' },
          sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
          destination: {
            bucket: this.replica.bucketArn,
            encryptionConfiguration: { replicaKmsKeyId: this.replica.kmsKey.keyArn },
            replicationTime: this.critical ? { status: 'Enabled', time: { minutes: REPLICATION_TIME_CONTROL_MINUTES } } : undefined,
            metrics: this.critical ? { status: 'Enabled', eventThreshold: { minutes: REPLICATION_TIME_CONTROL_MINUTES } } : undefined,
          },
        },
      ],
      dependsOn: [source.versioning, this.replica.versioning],
      provider: source.provider,
    });
  }

  /** The replication role's permissions. */
  private replicationStatements(): PolicyStatement[] {
    const source = this.source;
    const replica = this.replica;
    const objectLock = source.objectLock !== undefined;
    // With the S3 Bucket Key the KMS encryption context is the bucket ARN; without it, the object ARN.
    const sourceContext = [source.bucketArn, source.objectsArn];
    const replicaContext = [replica.bucketArn, replica.objectsArn];
    return [
      { sid: 'ReadSourceConfiguration', actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: [source.bucketArn] },
      {
        sid: 'ReadSourceVersions',
        actions: ['s3:GetObjectVersionAcl', 's3:GetObjectVersionForReplication', 's3:GetObjectVersionTagging', ...(objectLock ? ['s3:GetObjectLegalHold', 's3:GetObjectRetention'] : [])],
        resources: [source.objectsArn],
      },
      { sid: 'WriteReplica', actions: ['s3:ReplicateDelete', 's3:ReplicateObject', 's3:ReplicateTags'], resources: [replica.objectsArn] },
      {
        sid: 'DecryptSource',
        actions: ['kms:Decrypt'],
        resources: [source.kmsKey.keyArn],
        conditions: [
          { test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${this.sourceRegion}.amazonaws.com`] },
          { test: 'StringLike', variable: 'kms:EncryptionContext:aws:s3:arn', values: sourceContext },
        ],
      },
      {
        // kms:GenerateDataKey too: with the S3 Bucket Key on the replica, S3 asks the key for a data key.
        sid: 'EncryptReplica',
        actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [replica.kmsKey.keyArn],
        conditions: [
          { test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${this.replicaRegion}.amazonaws.com`] },
          { test: 'StringLike', variable: 'kms:EncryptionContext:aws:s3:arn', values: replicaContext },
        ],
      },
    ];
  }
}
