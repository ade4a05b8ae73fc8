import { KmsKey as KmsKeyResource } from '@cdktf/provider-aws/lib/kms-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketObjectLockConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Testing } from 'cdktf';
import type {} from 'cdktf/lib/testing/adapters/jest';
import { BackupBucket, ObjectLock, ObjectLockMode, backupBucketName } from '../../lib/aws/backup-bucket';
import { StorageClass } from '../../lib/aws/lifecycle';
import { ValidationError } from '../../lib/model/validation';

type Resources = Record<string, Record<string, Record<string, unknown>>>;
interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Principal?: Record<string, string | string[]>;
  Condition?: Record<string, Record<string, string | string[]>>;
}

const BASE = { platformName: 'shop', environmentName: 'prod', accountId: '333333333333', retentionDays: 365 };

/** The resources of one type whose address (construct id) contains `part`. */
function byAddress(resources: Resources, type: string, part: string): Record<string, unknown>[] {
  return Object.entries(resources[type] ?? {})
    .filter(([address]) => address.includes(part))
    .map(([, r]) => r);
}

describe('BackupBucket', () => {
  let synth: string;
  let resources: Resources;
  let bucket: BackupBucket;

  beforeAll(() => {
    synth = Testing.synthScope((scope) => {
      bucket = new BackupBucket(scope, 'Backups', { ...BASE, objectLock: ObjectLock.governance(30) });
    });
    resources = (JSON.parse(synth) as { resource: Resources }).resource;
  });

  test('names the bucket <platform>-<env>-backups-<account> and keeps force_destroy off', () => {
    expect(bucket.bucketName).toBe('shop-prod-backups-333333333333');
    expect(synth).toHaveResourceWithProperties(S3Bucket, { bucket: 'shop-prod-backups-333333333333', force_destroy: false, object_lock_enabled: true });
  });

  test('versions the bucket and its log bucket', () => {
    expect(Object.values(resources.aws_s3_bucket_versioning)).toHaveLength(2);
    expect(synth).toHaveResourceWithProperties(S3BucketVersioningA, { versioning_configuration: { status: 'Enabled' } });
    for (const v of Object.values(resources.aws_s3_bucket_versioning)) {
      expect(v.versioning_configuration).toEqual({ status: 'Enabled' });
    }
  });

  test('encrypts with SSE-KMS, its own rotating customer key and the bucket key', () => {
    const sse = byAddress(resources, 'aws_s3_bucket_server_side_encryption_configuration', 'Backups_Encryption')[0];
    expect(sse.rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\.Backups_Key_[0-9A-F]{8}\.arn\}$/) }, bucket_key_enabled: true },
    ]);
    expect(synth).toHaveResourceWithProperties(KmsKeyResource, { enable_key_rotation: true });
  });

  test('encrypts the access log bucket with SSE-S3, as AWS requires for log destinations', () => {
    expect(synth).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, { rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }] });
  });

  test('blocks public access with all four flags on both buckets', () => {
    const blocks = Object.values(resources.aws_s3_bucket_public_access_block);
    expect(blocks).toHaveLength(2);
    for (const b of blocks) {
      expect(b).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    }
    expect(synth).toHaveResourceWithProperties(S3BucketPublicAccessBlock, { block_public_acls: true });
  });

  test('enforces bucket-owner object ownership on both buckets', () => {
    const controls = Object.values(resources.aws_s3_bucket_ownership_controls);
    expect(controls).toHaveLength(2);
    expect(synth).toHaveResourceWithProperties(S3BucketOwnershipControls, { rule: { object_ownership: 'BucketOwnerEnforced' } });
    for (const c of controls) {
      expect(c.rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
    }
  });

  test('denies every request without TLS, and grants nothing', () => {
    const policy = byAddress(resources, 'aws_s3_bucket_policy', 'Backups_Policy')[0];
    const statements = (JSON.parse(policy.policy as string) as { Statement: Statement[] }).Statement;
    const tls = statements.find((s) => s.Sid === 'DenyWithoutTls');
    expect(tls).toMatchObject({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    expect(statements.every((s) => s.Effect === 'Deny')).toBe(true);
  });

  test('lets only S3 log delivery, for this bucket and account, write into the log bucket', () => {
    const policy = byAddress(resources, 'aws_s3_bucket_policy', 'AccessLogs_Policy')[0];
    const statements = (JSON.parse(policy.policy as string) as { Statement: Statement[] }).Statement;
    const delivery = statements.find((s) => s.Effect === 'Allow');
    expect(delivery).toMatchObject({
      Action: 's3:PutObject',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Condition: { ArnLike: { 'aws:SourceArn': expect.stringMatching(/^\$\{aws_s3_bucket\.Backups_[0-9A-F]{8}\.arn\}$/) }, StringEquals: { 'aws:SourceAccount': '333333333333' } },
    });
    expect(statements.some((s) => s.Sid === 'DenyWithoutTls')).toBe(true);
  });

  test('logs server access into the log bucket', () => {
    expect(synth).toHaveResourceWithProperties(S3BucketLoggingA, { target_prefix: 'shop-prod-backups-333333333333/' });
    expect(synth).toHaveResourceWithProperties(S3Bucket, { bucket: 'shop-prod-backups-333333333333-logs', force_destroy: false });
  });

  test('expires access logs and applies the backup lifecycle', () => {
    const lifecycles = Object.values(resources.aws_s3_bucket_lifecycle_configuration);
    expect(lifecycles).toHaveLength(2);
    expect(synth).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, { rule: expect.arrayContaining([expect.objectContaining({ id: 'expire-access-logs', expiration: [{ days: 365 }] })]) });
    expect(synth).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, {
      rule: expect.arrayContaining([expect.objectContaining({ id: 'backups-tiering-and-expiry', expiration: [{ days: 365 }] })]),
    });
  });

  test('sets the Object Lock default retention', () => {
    expect(synth).toHaveResourceWithProperties(S3BucketObjectLockConfigurationA, { rule: { default_retention: { mode: 'GOVERNANCE', days: 30 } } });
    expect(bucket.objectLock?.mode).toBe(ObjectLockMode.GOVERNANCE);
  });

  test('gives Velero-style read-write statements scoped to this bucket and key', () => {
    const statements = bucket.readWriteStatements();
    expect(statements.flatMap((s) => s.resources).every((r) => r.includes('${'))).toBe(true);
    expect(statements.flatMap((s) => s.actions)).not.toContain('s3:*');
  });

  test('projects the cost of its lifecycle (no archive class by default: every backup stays restorable)', () => {
    expect(bucket.projectCost(200).lines.map((l) => l.storageClass)).toEqual([StorageClass.STANDARD, StorageClass.STANDARD_IA, StorageClass.GLACIER_IR]);
  });
});

describe('BackupBucket options', () => {
  test('puts every resource, the key included, on the given provider', () => {
    const out = Testing.synthScope((scope) => {
      const replica = new AwsProvider(scope, 'Replica', { region: 'eu-west-1', alias: 'replica' });
      new BackupBucket(scope, 'Backups', { ...BASE, bucketName: backupBucketName('shop', 'prod', '333333333333', 'eu-west-1'), provider: replica });
    });
    const parsed = JSON.parse(out) as { resource: Resources };
    const providers = Object.values(parsed.resource).flatMap((byName) => Object.values(byName).map((r) => r.provider));
    expect(providers.length).toBeGreaterThan(10);
    expect(new Set(providers)).toEqual(new Set(['aws.replica']));
  });

  test('fails when the bucket name breaks S3 naming rules', () => {
    expect(() => Testing.synthScope((scope) => new BackupBucket(scope, 'B', { ...BASE, bucketName: 'Shop_Backups' }))).toThrow(/bucketName is "Shop_Backups"; allowed: an S3 bucket name/);
  });

  test('fails when the bucket name leaves no room for its -logs bucket', () => {
    expect(() => Testing.synthScope((scope) => new BackupBucket(scope, 'B', { ...BASE, bucketName: 'a'.repeat(62) }))).toThrow(ValidationError);
  });

  test('fails when lifecycle expiry is earlier than the Object Lock retention', () => {
    expect(() => Testing.synthScope((scope) => new BackupBucket(scope, 'B', { ...BASE, retentionDays: 30, objectLock: ObjectLock.compliance(90) }))).toThrow(
      /expireAfterDays is 30; allowed: 90 days or more, the Object Lock default retention/,
    );
  });

  test('fails when the Object Lock retention is not a positive whole number of days', () => {
    expect(() => Testing.synthScope((scope) => new BackupBucket(scope, 'B', { ...BASE, objectLock: ObjectLock.governance(0) }))).toThrow(/objectLock.defaultRetentionDays is 0/);
  });
});
