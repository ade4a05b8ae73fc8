import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import { Testing } from 'cdktf';
import type {} from 'cdktf/lib/testing/adapters/jest';
import { platform } from '../../apps/platform';
import { buildTerraformApp } from '../../lib/app/terraform-app';
import { BackupBucket } from '../../lib/aws/backup-bucket';
import { BucketReplication } from '../../lib/aws/bucket-replication';
import { isSupportedTransition, StorageClass } from '../../lib/aws/lifecycle';
import type { PlatformStack } from '../../lib/aws/platform-stack';
import { checkTerraformStack } from '../../lib/policy/terraform-rules';

type Body = Record<string, unknown>;
interface StackJson {
  resource: Record<string, Record<string, Body>>;
  provider: { aws: Body[] };
}
interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Principal?: Record<string, string | string[]>;
  Condition?: Record<string, Record<string, string | string[]>>;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : [v].flat());

/** `${aws_s3_bucket.X.arn}` -> `X`: the address a reference points at. */
function referencedName(token: unknown, type: string): string {
  const m = new RegExp(`^\\$\\{${type}\\.([^.]+)\\.(arn|id|bucket)\\}$`).exec(String(token));
  if (!m) {
    throw new Error(`not a reference to ${type}: ${String(token)}`);
  }
  return m[1];
}

/** The region of the provider a resource uses (`aws` or `aws.<alias>`). */
function providerRegion(stack: StackJson, resource: Body): string {
  const ref = (resource.provider as string | undefined) ?? 'aws';
  const alias = ref === 'aws' ? undefined : ref.slice('aws.'.length);
  const provider = stack.provider.aws.find((p) => p.alias === alias);
  if (!provider) {
    throw new Error(`no provider ${ref}`);
  }
  return provider.region as string;
}

describe('the prod stack of the reference platform (lib/app/terraform-app.ts)', () => {
  let prod: StackJson;
  let dev: StackJson;
  let prodJson: string;

  beforeAll(() => {
    const app = buildTerraformApp(platform, 'unused-outdir', { environments: ['dev', 'prod'] });
    prodJson = Testing.synth(app.node.findChild('prod') as PlatformStack);
    prod = JSON.parse(prodJson) as StackJson;
    dev = JSON.parse(Testing.synth(app.node.findChild('dev') as PlatformStack)) as StackJson;
  });

  const bucketNamed = (stack: StackJson, name: string): [string, Body] => {
    const found = Object.entries(stack.resource.aws_s3_bucket).find(([, b]) => b.bucket === name);
    if (!found) throw new Error(`no bucket ${name}`);
    return found;
  };
  const forBucket = (stack: StackJson, type: string, address: string): Body[] =>
    Object.values(stack.resource[type] ?? {}).filter((r) => String(r.bucket).startsWith(`\${aws_s3_bucket.${address}.`));

  test('holds a versioned backup bucket encrypted with SSE-KMS and a customer key', () => {
    const [address] = bucketNamed(prod, 'shop-prod-backups-333333333333');
    expect(forBucket(prod, 'aws_s3_bucket_versioning', address)[0].versioning_configuration).toEqual({ status: 'Enabled' });
    const sse = forBucket(prod, 'aws_s3_bucket_server_side_encryption_configuration', address)[0].rule as Body[];
    const byDefault = sse[0].apply_server_side_encryption_by_default as Body;
    expect(byDefault.sse_algorithm).toBe('aws:kms');
    const keyAddress = referencedName(byDefault.kms_master_key_id, 'aws_kms_key');
    expect(prod.resource.aws_kms_key[keyAddress].enable_key_rotation).toBe(true);
    expect(sse[0].bucket_key_enabled).toBe(true);
  });

  test('blocks public access, enforces ownership and denies requests without TLS', () => {
    const [address] = bucketNamed(prod, 'shop-prod-backups-333333333333');
    expect(forBucket(prod, 'aws_s3_bucket_public_access_block', address)[0]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(forBucket(prod, 'aws_s3_bucket_ownership_controls', address)[0].rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
    const policy = JSON.parse(forBucket(prod, 'aws_s3_bucket_policy', address)[0].policy as string) as { Statement: Statement[] };
    expect(policy.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  test('logs server access into a separate bucket', () => {
    const [address] = bucketNamed(prod, 'shop-prod-backups-333333333333');
    const logging = forBucket(prod, 'aws_s3_bucket_logging', address)[0];
    const target = referencedName(logging.target_bucket, 'aws_s3_bucket');
    expect(prod.resource.aws_s3_bucket[target].bucket).toBe('shop-prod-backups-333333333333-logs');
  });

  test('has a lifecycle that aborts incomplete uploads, expires noncurrent versions and moves only downhill', () => {
    const [address] = bucketNamed(prod, 'shop-prod-backups-333333333333');
    const rules = forBucket(prod, 'aws_s3_bucket_lifecycle_configuration', address)[0].rule as Body[];
    const main = rules.find((r) => r.id === 'backups-tiering-and-expiry') as Body;
    expect(main.abort_incomplete_multipart_upload).toEqual([{ days_after_initiation: 7 }]);
    expect(main.noncurrent_version_expiration).toEqual([{ noncurrent_days: 30 }]);
    expect(main.expiration).toEqual([{ days: 365 }]);
    const transitions = main.transition as Array<{ days: number; storage_class: StorageClass }>;
    expect(transitions.map((t) => t.storage_class)).toEqual(['STANDARD_IA', 'GLACIER_IR', 'DEEP_ARCHIVE']);
    // an archive class only beyond Velero's restorable window (its TTL, 30 days in prod)
    expect(transitions.find((t) => t.storage_class === 'DEEP_ARCHIVE')!.days).toBeGreaterThanOrEqual(30);
    let from = StorageClass.STANDARD;
    let day = -1;
    for (const t of transitions) {
      expect(isSupportedTransition(from, t.storage_class)).toBe(true);
      expect(t.days).toBeGreaterThan(day);
      from = t.storage_class;
      day = t.days;
    }
    expect(rules.every((r) => Array.isArray(r.filter))).toBe(true);
  });

  test('locks objects in governance mode for no longer than the expiry', () => {
    const [address] = bucketNamed(prod, 'shop-prod-backups-333333333333');
    expect(forBucket(prod, 'aws_s3_bucket_object_lock_configuration', address)[0].rule).toEqual({ default_retention: { mode: 'GOVERNANCE', days: 30 } });
  });

  test('replicates to a bucket whose provider is in another region, with Replication Time Control', () => {
    expect(prodJson).toHaveResourceWithProperties(S3BucketReplicationConfigurationA, {
      rule: [expect.objectContaining({ destination: expect.objectContaining({ replication_time: { status: 'Enabled', time: { minutes: 15 } } }) })],
    });
    const replication = Object.values(prod.resource.aws_s3_bucket_replication_configuration)[0];
    const rule = (replication.rule as Body[])[0];
    const destination = rule.destination as Body;
    expect(destination.metrics).toEqual({ status: 'Enabled', event_threshold: { minutes: 15 } });
    expect(rule.delete_marker_replication).toEqual({ status: 'Enabled' });
    expect(rule.source_selection_criteria).toEqual({ sse_kms_encrypted_objects: { status: 'Enabled' } });
    expect(rule.filter).toEqual({ prefix: '' });

    const source = prod.resource.aws_s3_bucket[referencedName(replication.bucket, 'aws_s3_bucket')];
    const replica = prod.resource.aws_s3_bucket[referencedName(destination.bucket, 'aws_s3_bucket')];
    expect(source.bucket).toBe('shop-prod-backups-333333333333');
    expect(replica.bucket).toBe('shop-prod-backups-333333333333-eu-west-1');
    expect(providerRegion(prod, source)).toBe('eu-central-1');
    expect(providerRegion(prod, replica)).toBe('eu-west-1');
    expect(providerRegion(prod, replication)).toBe('eu-central-1');

    const replicaKey = prod.resource.aws_kms_key[referencedName((destination.encryption_configuration as Body).replica_kms_key_id, 'aws_kms_key')];
    expect(providerRegion(prod, replicaKey)).toBe('eu-west-1');
    expect(replicaKey.enable_key_rotation).toBe(true);
  });

  test('versions both buckets and replicates only after both are versioned', () => {
    const replication = Object.values(prod.resource.aws_s3_bucket_replication_configuration)[0];
    const dependsOn = replication.depends_on as string[];
    expect(dependsOn).toHaveLength(2);
    for (const dep of dependsOn) {
      expect(dep).toMatch(/^aws_s3_bucket_versioning\./);
    }
  });

  test('hardens the replica like the source: Object Lock, public access block, ownership, TLS-only, logs in its region', () => {
    const [address, replica] = bucketNamed(prod, 'shop-prod-backups-333333333333-eu-west-1');
    expect(replica.object_lock_enabled).toBe(true);
    expect(forBucket(prod, 'aws_s3_bucket_object_lock_configuration', address)[0].rule).toEqual({ default_retention: { mode: 'GOVERNANCE', days: 30 } });
    expect(forBucket(prod, 'aws_s3_bucket_public_access_block', address)).toHaveLength(1);
    expect(forBucket(prod, 'aws_s3_bucket_ownership_controls', address)).toHaveLength(1);
    expect(forBucket(prod, 'aws_s3_bucket_policy', address)).toHaveLength(1);
    const [, replicaLogs] = bucketNamed(prod, 'shop-prod-backups-333333333333-eu-west-1-logs');
    expect(providerRegion(prod, replicaLogs)).toBe('eu-west-1');
  });

  test('gives the replication role only the actions replication needs, on the two buckets and keys', () => {
    const policy = Object.values(prod.resource.aws_iam_role_policy).find((p) => p.name === 'replication') as Body;
    const statements = (JSON.parse(policy.policy as string) as { Statement: Statement[] }).Statement;
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(list(bySid.ReadSourceConfiguration.Action)).toEqual(['s3:GetReplicationConfiguration', 's3:ListBucket']);
    expect(list(bySid.ReadSourceVersions.Action)).toEqual([
      's3:GetObjectLegalHold',
      's3:GetObjectRetention',
      's3:GetObjectVersionAcl',
      's3:GetObjectVersionForReplication',
      's3:GetObjectVersionTagging',
    ]);
    expect(list(bySid.WriteReplica.Action)).toEqual(['s3:ReplicateDelete', 's3:ReplicateObject', 's3:ReplicateTags']);
    expect(list(bySid.DecryptSource.Action)).toEqual(['kms:Decrypt']);
    expect(bySid.DecryptSource.Condition?.StringEquals).toEqual({ 'kms:ViaService': 's3.eu-central-1.amazonaws.com' });
    expect(list(bySid.EncryptReplica.Action)).toEqual(['kms:Encrypt', 'kms:GenerateDataKey']);
    expect(bySid.EncryptReplica.Condition?.StringEquals).toEqual({ 'kms:ViaService': 's3.eu-west-1.amazonaws.com' });
    for (const s of statements) {
      expect(s.Effect).toBe('Allow');
      expect(list(s.Resource)).not.toContain('*');
      expect(list(s.Action).some((a) => a.endsWith(':*'))).toBe(false);
    }
    const role = Object.values(prod.resource.aws_iam_role).find((r) => r.name === 'shop-prod-backup-replication') as Body;
    const trust = (JSON.parse(role.assume_role_policy as string) as { Statement: Statement[] }).Statement[0];
    expect(trust.Principal).toEqual({ Service: 's3.amazonaws.com' });
    expect(trust.Condition?.StringEquals).toEqual({ 'aws:SourceAccount': '333333333333' });
  });

  test('passes the Terraform policy rules of lib/policy', () => {
    expect(checkTerraformStack(prod)).toEqual([]);
    expect(checkTerraformStack(dev)).toEqual([]);
  });

  test('does not replicate dev', () => {
    expect(dev.resource.aws_s3_bucket_replication_configuration).toBeUndefined();
    expect(dev.provider.aws).toHaveLength(1);
    expect(Object.values(dev.resource.aws_s3_bucket).map((b) => b.bucket)).toContain('shop-dev-backups-111111111111');
  });
});

describe('BucketReplication', () => {
  test('leaves Replication Time Control off for buckets not marked critical', () => {
    const out = Testing.synthScope((scope) => {
      const replicaProvider = new AwsProvider(scope, 'replica', { region: 'eu-west-1', alias: 'replica' });
      const source = new BackupBucket(scope, 'Source', { platformName: 'shop', environmentName: 'staging', accountId: '222222222222', retentionDays: 90 });
      new BucketReplication(scope, 'Replication', { source, sourceRegion: 'eu-central-1', replicaRegion: 'eu-west-1', replicaProvider });
    });
    const replication = Object.values((JSON.parse(out) as StackJson).resource.aws_s3_bucket_replication_configuration)[0];
    const destination = (replication.rule as Body[])[0].destination as Body;
    expect(destination.replication_time).toBeUndefined();
    expect(destination.metrics).toBeUndefined();
  });

  test('fails when the replica region is the source region', () => {
    expect(() =>
      Testing.synthScope((scope) => {
        const replicaProvider = new AwsProvider(scope, 'replica', { region: 'eu-central-1', alias: 'replica' });
        const source = new BackupBucket(scope, 'Source', { platformName: 'shop', environmentName: 'staging', accountId: '222222222222', retentionDays: 90 });
        new BucketReplication(scope, 'Replication', { source, sourceRegion: 'eu-central-1', replicaRegion: 'eu-central-1', replicaProvider });
      }),
    ).toThrow(/replicaRegion is "eu-central-1"; allowed: a region other than the source's/);
  });

  test('fails when the replica provider is not aliased', () => {
    expect(() =>
      Testing.synthScope((scope) => {
        const replicaProvider = new AwsProvider(scope, 'replica', { region: 'eu-west-1' });
        const source = new BackupBucket(scope, 'Source', { platformName: 'shop', environmentName: 'staging', accountId: '222222222222', retentionDays: 90 });
        new BucketReplication(scope, 'Replication', { source, sourceRegion: 'eu-central-1', replicaRegion: 'eu-west-1', replicaProvider });
      }),
    ).toThrow(/replicaProvider.alias/);
  });
});
