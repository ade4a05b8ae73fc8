/**
 * The Terraform rules (lib/policy/terraform-rules.ts): per rule, stacks that pass and stacks that fail, and the
 * committed reference output (cdktf.out/stacks/<stack>/cdk.tf.json) free of findings.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { platform as erpPlatform } from '../../apps/erp';
import { platform as shopPlatform } from '../../apps/platform';
import { synthesize } from '../../lib/app/synthesize';
import { checkPaths, RULE_DESCRIPTIONS } from '../../lib/policy/check';
import { checkTerraformStack, formatTerraformViolations, neutralizeInterpolations, type TerraformViolation } from '../../lib/policy/terraform-rules';

type Body = Record<string, unknown>;
type Resources = Record<string, Record<string, Body>>;

const policy = (statement: unknown) => JSON.stringify({ Version: '2012-10-17', Statement: statement });
/** `rule address` of each finding of `rule`. */
const found = (stack: unknown, rule: string) => checkTerraformStack(stack).filter((v) => v.rule === rule).map((v) => `${v.rule} ${v.address}`);
const rulesOf = (stack: unknown) => checkTerraformStack(stack).map((v) => v.rule);

describe('checkTerraformStack: IAM policy documents', () => {
  it('finds nothing in a clean stack', () => {
    const stack = {
      resource: {
        aws_iam_role_policy: { ok: { policy: policy([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]) } },
        aws_kms_key: { k: { enable_key_rotation: true, policy: policy([{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::1:root' }, Action: 'kms:*', Resource: '*' }]) } },
        aws_eks_cluster: { c: { vpc_config: { endpoint_public_access: false }, encryption_config: { resources: ['secrets'], provider: { key_arn: 'arn:aws:kms:eu-west-1:1:key/k' } }, enabled_cluster_log_types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], upgrade_policy: { support_type: 'STANDARD' } } },
        aws_launch_template: { lt: { metadata_options: { http_tokens: 'required', http_put_response_hop_limit: 1 } } },
        aws_iam_role: { r: { assume_role_policy: policy([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }]) } },
      },
    };
    expect(checkTerraformStack(stack)).toEqual([]);
  });

  it('fails when an inline role policy allows * on *', () => {
    const stack = { resource: { aws_iam_role_policy: { admin: { policy: policy([{ Effect: 'Allow', Action: ['s3:GetObject', '*'], Resource: ['*'] }]) } } } };
    expect(checkTerraformStack(stack)).toEqual([
      { rule: 'iam-admin-statement', severity: 'error', address: 'aws_iam_role_policy.admin', message: 'policy statement 0 allows action "*" on resource "*"' },
    ]);
  });

  it('fails when an aws_iam_policy, a KMS key policy or an inline_policy block allows *:* on *', () => {
    const admin = policy([{ Action: '*:*', Resource: '*' }]);
    const stack = {
      resource: {
        aws_iam_policy: { p: { policy: admin } },
        aws_kms_key: { k: { enable_key_rotation: true, policy: admin } },
        aws_iam_role: { r: { assume_role_policy: '{}', inline_policy: [{ name: 'x', policy: admin }] } },
      },
    };
    expect(checkTerraformStack(stack).map((v) => `${v.address} ${v.message}`)).toEqual([
      'aws_iam_policy.p policy statement 0 allows action "*:*" on resource "*"',
      'aws_iam_role.r inline_policy[0].policy statement 0 allows action "*:*" on resource "*"',
      'aws_kms_key.k policy statement 0 allows action "*:*" on resource "*"',
    ]);
  });

  it('fails when an Allow with NotAction covers resource *', () => {
    const stack = { resource: { aws_iam_policy: { p: { policy: policy([{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }]) } } } };
    expect(checkTerraformStack(stack)[0].message).toBe('policy statement 0 allows every action except ["iam:*"] on resource "*"');
  });

  it('ignores Deny statements', () => {
    const stack = { resource: { aws_iam_policy: { p: { policy: policy([{ Effect: 'Deny', Action: '*', Resource: '*' }]) } } } };
    expect(checkTerraformStack(stack)).toEqual([]);
  });

  it('fails when an aws_iam_policy_document data source allows * on *', () => {
    const stack = {
      data: { aws_iam_policy_document: { d: { statement: [{ actions: ['*'], resources: ['*'] }] } } },
      resource: { aws_iam_policy: { p: { policy: '${data.aws_iam_policy_document.d.json}' } } },
    };
    expect(checkTerraformStack(stack)).toEqual([
      { rule: 'iam-admin-statement', severity: 'error', address: 'data.aws_iam_policy_document.d', message: 'statement 0 allows action "*" on resource "*"' },
    ]);
  });

  it('warns when a policy is an expression it cannot read', () => {
    const stack = { resource: { aws_iam_policy: { p: { policy: '${jsonencode({Statement = []})}' } } } };
    expect(checkTerraformStack(stack)).toEqual([expect.objectContaining({ rule: 'iam-policy-unreadable', severity: 'warning', address: 'aws_iam_policy.p' })]);
  });

  it('reads policies holding interpolations with quotes and braces', () => {
    const text = '{"Statement":[{"Action":"*","Resource":"*","Condition":{"StringEquals":{"${replace(aws_x.y.url, "https://", "")}:sub":"a"}}}]}';
    expect(neutralizeInterpolations(text)).toBe('{"Statement":[{"Action":"*","Resource":"*","Condition":{"StringEquals":{"TF_EXPRESSION:sub":"a"}}}]}');
    const stack = { resource: { aws_iam_role_policy: { p: { policy: text } } } };
    expect(checkTerraformStack(stack).map((v) => v.rule)).toEqual(['iam-admin-statement']);
  });

  it('fails when an Allow of action * names every resource through NotResource or an all-wildcard ARN (iam-admin-statement)', () => {
    const stack = {
      data: { aws_iam_policy_document: {
        notResources: { statement: [{ actions: ['*'], not_resources: ['arn:aws:s3:::secret'] }] },
        arnStar: { statement: [{ not_actions: ['iam:*'], resources: ['arn:*:*:*:*:*'] }] },
        scoped: { statement: [{ actions: ['*'], resources: ['arn:aws:s3:::*'] }] },
      } },
      resource: { aws_iam_policy: {
        notResource: { policy: policy([{ Effect: 'Allow', Action: '*', NotResource: 'arn:aws:s3:::secret' }]) },
        arn: { policy: policy([{ Effect: 'Allow', Action: '*', Resource: ['arn:aws:*:*:*:*'] }]) },
        service: { policy: policy([{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }]) },
        deny: { policy: policy([{ Effect: 'Deny', Action: '*', NotResource: 'arn:aws:s3:::x' }]) },
      } },
    };
    expect(checkTerraformStack(stack).map((v) => `${v.rule} ${v.address}: ${v.message}`)).toEqual([
      'iam-admin-statement aws_iam_policy.arn: policy statement 0 allows action "*" on resource "arn:aws:*:*:*:*"',
      'iam-admin-statement aws_iam_policy.notResource: policy statement 0 allows action "*" on every resource except ["arn:aws:s3:::secret"]',
      'iam-admin-statement data.aws_iam_policy_document.arnStar: statement 0 allows every action except ["iam:*"] on resource "arn:*:*:*:*:*"',
      'iam-admin-statement data.aws_iam_policy_document.notResources: statement 0 allows action "*" on every resource except ["arn:aws:s3:::secret"]',
    ]);
  });

  it('fails when a trust document merges an open statement through source_policy_documents, and reads overrides by sid (iam-public-trust)', () => {
    const open = { statement: [{ sid: 'Open', effect: 'Allow', actions: ['sts:AssumeRole'], principals: [{ type: 'AWS', identifiers: ['*'] }] }] };
    const named = { statement: [{ sid: 'Open', effect: 'Allow', actions: ['sts:AssumeRole'], principals: [{ type: 'AWS', identifiers: ['arn:aws:iam::111122223333:root'] }] }] };
    const role = (doc: string) => ({ assume_role_policy: `\${data.aws_iam_policy_document.${doc}.json}` });
    const stack = {
      data: { aws_iam_policy_document: {
        open,
        named,
        viaSource: { source_policy_documents: ['${data.aws_iam_policy_document.open.json}'] },
        viaNestedSource: { source_policy_documents: ['${data.aws_iam_policy_document.viaSource.json}'] },
        viaLiteral: { source_policy_documents: [policy([{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }])] },
        overridden: { source_policy_documents: ['${data.aws_iam_policy_document.open.json}'], override_policy_documents: ['${data.aws_iam_policy_document.named.json}'] },
        ownReplaces: { source_policy_documents: ['${data.aws_iam_policy_document.open.json}'], statement: named.statement },
        overrideOpens: { source_policy_documents: ['${data.aws_iam_policy_document.named.json}'], override_policy_documents: ['${data.aws_iam_policy_document.open.json}'] },
      } },
      resource: { aws_iam_role: {
        viaSource: role('viaSource'), viaNestedSource: role('viaNestedSource'), viaLiteral: role('viaLiteral'),
        overridden: role('overridden'), ownReplaces: role('ownReplaces'), overrideOpens: role('overrideOpens'),
      } },
    };
    expect(checkTerraformStack(stack).map((v) => `${v.rule} ${v.address}`)).toEqual([
      'iam-public-trust aws_iam_role.overrideOpens',
      'iam-public-trust aws_iam_role.viaLiteral',
      'iam-public-trust aws_iam_role.viaNestedSource',
      'iam-public-trust aws_iam_role.viaSource',
    ]);
  });

  it('warns (iam-policy-unreadable) and judges nothing when a merged document or a referenced data source cannot be read', () => {
    const stack = {
      data: { aws_iam_policy_document: {
        missing: { source_policy_documents: ['${data.aws_iam_policy_document.gone.json}'] },
        expression: { override_policy_documents: ['${jsonencode({Statement = []})}'] },
        list: { source_policy_documents: '${concat(var.docs)}' },
        admin: { source_policy_documents: [policy([{ Effect: 'Allow', Action: '*', Resource: '*' }])] },
      } },
      resource: {
        aws_iam_role: {
          missing: { assume_role_policy: '${data.aws_iam_policy_document.missing.json}' },
          expression: { assume_role_policy: '${data.aws_iam_policy_document.expression.json}' },
          list: { assume_role_policy: '${data.aws_iam_policy_document.list.json}' },
        },
        aws_iam_policy: { absent: { policy: '${data.aws_iam_policy_document.absent.json}' } },
      },
    };
    expect(checkTerraformStack(stack).map((v) => `${v.severity} ${v.rule} ${v.address} ${v.field}`)).toEqual([
      'warning iam-policy-unreadable aws_iam_policy.absent policy',
      'error iam-admin-statement data.aws_iam_policy_document.admin undefined',
      'warning iam-policy-unreadable data.aws_iam_policy_document.expression override_policy_documents[0]',
      'warning iam-policy-unreadable data.aws_iam_policy_document.list source_policy_documents',
      'warning iam-policy-unreadable data.aws_iam_policy_document.missing source_policy_documents[0]',
    ]);
  });

  it('accepts anything that is not a stack', () => {
    expect(checkTerraformStack(null)).toEqual([]);
    expect(checkTerraformStack([1, 2])).toEqual([]);
  });
});

/** A bucket with every companion the S3 rules want, pointing at it by reference (`.id`). */
function hardenedBucket(name: string, change: Partial<Record<string, Body | undefined>> = {}): Resources {
  const ref = `\${aws_s3_bucket.${name}.id}`;
  const arn = `\${aws_s3_bucket.${name}.arn}`;
  const companions: Record<string, Body | undefined> = {
    aws_s3_bucket_versioning: { bucket: ref, versioning_configuration: { status: 'Enabled' } },
    aws_s3_bucket_server_side_encryption_configuration: { bucket: ref, rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: '${aws_kms_key.k.arn}' } }] },
    aws_s3_bucket_public_access_block: { bucket: ref, block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true },
    aws_s3_bucket_policy: {
      bucket: ref,
      policy: policy([{ Sid: 'DenyWithoutTls', Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: [arn, `${arn}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } }]),
    },
    aws_s3_bucket_lifecycle_configuration: { bucket: ref, rule: [{ id: 'abort', status: 'Enabled', filter: [{ prefix: '' }], abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }] }] },
    aws_s3_bucket_ownership_controls: { bucket: ref, rule: { object_ownership: 'BucketOwnerEnforced' } },
    ...change,
  };
  const out: Resources = { aws_s3_bucket: { [name]: { bucket: `${name.toLowerCase()}-bucket` } } };
  for (const [type, body] of Object.entries(companions)) {
    if (body !== undefined) {
      out[type] = { [`${name}_${type.replace('aws_s3_bucket_', '')}`]: body };
    }
  }
  return out;
}

/** The S3 findings of a stack made of one hardened bucket with `change` applied. */
const s3Findings = (change: Partial<Record<string, Body | undefined>>) => checkTerraformStack({ resource: hardenedBucket('Backups', change) }).map((v) => v.rule);

describe('checkTerraformStack: S3', () => {
  it('finds nothing on a bucket with every companion resource', () => {
    expect(checkTerraformStack({ resource: hardenedBucket('Backups') })).toEqual([]);
  });

  it('resolves companions that name the bucket by its .bucket attribute or by its literal name', () => {
    const stack = hardenedBucket('Backups');
    stack.aws_s3_bucket_versioning.Backups_versioning.bucket = '${aws_s3_bucket.Backups.bucket}';
    stack.aws_s3_bucket_ownership_controls.Backups_ownership_controls.bucket = 'backups-bucket';
    expect(checkTerraformStack({ resource: stack })).toEqual([]);
  });

  it('does not judge companions of a bucket the stack does not create', () => {
    const stack = { resource: { aws_s3_bucket_versioning: { other: { bucket: 'someone-elses-bucket', versioning_configuration: { status: 'Suspended' } } } } };
    expect(checkTerraformStack(stack)).toEqual([]);
  });

  it('fails when versioning is missing or suspended (s3-versioning)', () => {
    expect(s3Findings({ aws_s3_bucket_versioning: undefined })).toEqual(['s3-versioning']);
    expect(s3Findings({ aws_s3_bucket_versioning: { bucket: '${aws_s3_bucket.Backups.id}', versioning_configuration: { status: 'Suspended' } } })).toEqual(['s3-versioning']);
    expect(checkTerraformStack({ resource: hardenedBucket('Backups', { aws_s3_bucket_versioning: undefined }) })[0]).toEqual({
      rule: 's3-versioning', severity: 'error', address: 'aws_s3_bucket.Backups', field: 'aws_s3_bucket_versioning.versioning_configuration.status',
      message: 'no aws_s3_bucket_versioning; versioning keeps overwritten and deleted objects recoverable: status "Enabled"',
    });
  });

  it('accepts a bucket with Object Lock, which keeps versioning on for good', () => {
    const stack = hardenedBucket('Backups', { aws_s3_bucket_versioning: undefined });
    stack.aws_s3_bucket.Backups.object_lock_enabled = true;
    expect(checkTerraformStack({ resource: stack })).toEqual([]);
  });

  it('accepts the deprecated inline versioning block', () => {
    const stack = hardenedBucket('Backups', { aws_s3_bucket_versioning: undefined });
    stack.aws_s3_bucket.Backups.versioning = [{ enabled: true }];
    expect(checkTerraformStack({ resource: stack })).toEqual([]);
  });

  it('fails when default encryption is SSE-S3 or missing (s3-sse-kms)', () => {
    expect(s3Findings({ aws_s3_bucket_server_side_encryption_configuration: { bucket: '${aws_s3_bucket.Backups.id}', rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }] } })).toEqual(['s3-sse-kms']);
    expect(s3Findings({ aws_s3_bucket_server_side_encryption_configuration: undefined })).toEqual(['s3-sse-kms']);
  });

  it('fails when aws:kms uses the AWS managed key aws/s3: no kms_master_key_id, or its alias (s3-sse-kms)', () => {
    const sse = (byDefault: Body) => ({ aws_s3_bucket_server_side_encryption_configuration: { bucket: '${aws_s3_bucket.Backups.id}', rule: [{ apply_server_side_encryption_by_default: byDefault }] } });
    const v = checkTerraformStack({ resource: hardenedBucket('Backups', sse({ sse_algorithm: 'aws:kms' })) });
    expect(v).toEqual([expect.objectContaining({
      rule: 's3-sse-kms', field: 'aws_s3_bucket_server_side_encryption_configuration.rule.apply_server_side_encryption_by_default.kms_master_key_id',
      message: 'default encryption is "aws:kms" with no kms_master_key_id (the AWS managed key aws/s3); allowed: "aws:kms" or "aws:kms:dsse" with a customer key in kms_master_key_id (AES256 only on a server access log destination)',
    })]);
    expect(s3Findings(sse({ sse_algorithm: 'aws:kms:dsse', kms_master_key_id: '' }))).toEqual(['s3-sse-kms']);
    expect(s3Findings(sse({ sse_algorithm: 'aws:kms', kms_master_key_id: 'alias/aws/s3' }))).toEqual(['s3-sse-kms']);
    expect(s3Findings(sse({ sse_algorithm: 'aws:kms', kms_master_key_id: 'arn:aws:kms:eu-west-1:1:alias/aws/s3' }))).toEqual(['s3-sse-kms']);
    expect(s3Findings(sse({ sse_algorithm: 'aws:kms', kms_master_key_id: 'alias/backups' }))).toEqual([]);
  });

  it('accepts aws:kms:dsse, and AES256 on a server access log destination (AWS supports only SSE-S3 there)', () => {
    expect(s3Findings({ aws_s3_bucket_server_side_encryption_configuration: { bucket: '${aws_s3_bucket.Backups.id}', rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms:dsse', kms_master_key_id: 'arn:aws:kms:eu-west-1:1:key/k' } }] } })).toEqual([]);
    const logs = hardenedBucket('Logs', { aws_s3_bucket_server_side_encryption_configuration: { bucket: '${aws_s3_bucket.Logs.id}', rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }] } });
    const backups = hardenedBucket('Backups');
    const stack: Resources = { aws_s3_bucket_logging: { l: { bucket: '${aws_s3_bucket.Backups.id}', target_bucket: '${aws_s3_bucket.Logs.id}', target_prefix: 'x/' } } };
    for (const part of [logs, backups]) {
      for (const [type, byName] of Object.entries(part)) {
        stack[type] = { ...(stack[type] ?? {}), ...byName };
      }
    }
    expect(checkTerraformStack({ resource: stack })).toEqual([]);
    delete stack.aws_s3_bucket_logging;
    expect(found({ resource: stack }, 's3-sse-kms')).toEqual(['s3-sse-kms aws_s3_bucket.Logs']);
  });

  it('fails when a public access block flag is off or the block is missing (s3-public-access-block)', () => {
    const off = s3Findings({ aws_s3_bucket_public_access_block: { bucket: '${aws_s3_bucket.Backups.id}', block_public_acls: true, block_public_policy: false, ignore_public_acls: true, restrict_public_buckets: true } });
    expect(off).toEqual(['s3-public-access-block']);
    expect(s3Findings({ aws_s3_bucket_public_access_block: undefined })).toEqual(['s3-public-access-block']);
    const message = checkTerraformStack({ resource: hardenedBucket('Backups', { aws_s3_bucket_public_access_block: { bucket: '${aws_s3_bucket.Backups.id}', block_public_acls: true } }) })[0].message;
    expect(message).toBe('block_public_policy, ignore_public_acls, restrict_public_buckets not true; allowed: all four flags true');
  });

  it('accepts the account-level public access block of the stack instead', () => {
    const stack = hardenedBucket('Backups', { aws_s3_bucket_public_access_block: undefined });
    stack.aws_s3_account_public_access_block = { account: { block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true } };
    expect(checkTerraformStack({ resource: stack })).toEqual([]);
  });

  it('fails when no bucket policy denies plain HTTP (s3-tls-only)', () => {
    expect(s3Findings({ aws_s3_bucket_policy: undefined })).toEqual(['s3-tls-only']);
    const allowOnly = policy([{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::1:root' }, Action: 's3:GetObject', Resource: '*' }]);
    expect(s3Findings({ aws_s3_bucket_policy: { bucket: '${aws_s3_bucket.Backups.id}', policy: allowOnly } })).toEqual(['s3-tls-only']);
    const onlyGet = policy([{ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }]);
    expect(s3Findings({ aws_s3_bucket_policy: { bucket: '${aws_s3_bucket.Backups.id}', policy: onlyGet } })).toEqual(['s3-tls-only']);
  });

  it('accepts a TLS-only statement with Principal "*", a boolean false, or from an aws_iam_policy_document', () => {
    const star = policy([{ Effect: 'Deny', Principal: '*', Action: ['s3:*'], Resource: '*', Condition: { Bool: { 'aws:SecureTransport': false } } }]);
    expect(s3Findings({ aws_s3_bucket_policy: { bucket: '${aws_s3_bucket.Backups.id}', policy: star } })).toEqual([]);
    const stack = { resource: hardenedBucket('Backups', { aws_s3_bucket_policy: { bucket: '${aws_s3_bucket.Backups.id}', policy: '${data.aws_iam_policy_document.tls.json}' } }),
      data: { aws_iam_policy_document: { tls: { statement: [{ effect: 'Deny', actions: ['s3:*'], resources: ['*'], principals: [{ type: '*', identifiers: ['*'] }], condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }] }] } } } };
    expect(checkTerraformStack(stack)).toEqual([]);
  });

  it('accepts a TLS-only statement merged through source_policy_documents, JSON text included', () => {
    const tls = { sid: 'DenyInsecure', effect: 'Deny', actions: ['s3:*'], resources: ['*'], principals: [{ type: '*', identifiers: ['*'] }], condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }] };
    const app = { effect: 'Allow', actions: ['s3:GetObject'], resources: ['*'], principals: [{ type: 'AWS', identifiers: ['arn:aws:iam::111122223333:root'] }] };
    const bucket = (doc: string) => hardenedBucket('Backups', { aws_s3_bucket_policy: { bucket: '${aws_s3_bucket.Backups.id}', policy: `\${data.aws_iam_policy_document.${doc}.json}` } });
    const data = { aws_iam_policy_document: {
      tls: { statement: [tls] },
      app: { statement: [app] },
      combined: { source_policy_documents: ['${data.aws_iam_policy_document.tls.json}', '${data.aws_iam_policy_document.app.json}'] },
      literal: { source_policy_documents: [policy([{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }])], statement: [app] },
      overridden: { source_policy_documents: ['${data.aws_iam_policy_document.combined.json}'], override_policy_documents: [policy([{ Sid: 'DenyInsecure', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 's3:ListBucket', Resource: '*' }])] },
    } };
    expect(checkTerraformStack({ resource: bucket('combined'), data })).toEqual([]);
    expect(checkTerraformStack({ resource: bucket('literal'), data })).toEqual([]);
    // an override by sid replaces the TLS-only statement
    expect(rulesOf({ resource: bucket('overridden'), data })).toEqual(['s3-tls-only']);
  });

  it('does not refuse a bucket policy it cannot read (iam-policy-unreadable warns instead of a false s3-tls-only)', () => {
    const stack = { resource: hardenedBucket('Backups', { aws_s3_bucket_policy: { bucket: '${aws_s3_bucket.Backups.id}', policy: '${data.aws_iam_policy_document.combined.json}' } }),
      data: { aws_iam_policy_document: { combined: { source_policy_documents: ['${data.aws_iam_policy_document.elsewhere.json}'] } } } };
    expect(checkTerraformStack(stack).map((v) => `${v.severity} ${v.rule}`)).toEqual(['warning iam-policy-unreadable']);
  });

  it('fails when no enabled whole-bucket lifecycle rule aborts incomplete uploads (s3-abort-incomplete-uploads)', () => {
    const ref = '${aws_s3_bucket.Backups.id}';
    expect(s3Findings({ aws_s3_bucket_lifecycle_configuration: undefined })).toEqual(['s3-abort-incomplete-uploads']);
    expect(s3Findings({ aws_s3_bucket_lifecycle_configuration: { bucket: ref, rule: [{ id: 'x', status: 'Enabled', filter: [{ prefix: '' }], expiration: [{ days: 30 }] }] } })).toEqual(['s3-abort-incomplete-uploads']);
    expect(s3Findings({ aws_s3_bucket_lifecycle_configuration: { bucket: ref, rule: [{ id: 'x', status: 'Disabled', filter: [{ prefix: '' }], abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }] }] } })).toEqual(['s3-abort-incomplete-uploads']);
    expect(s3Findings({ aws_s3_bucket_lifecycle_configuration: { bucket: ref, rule: [{ id: 'x', status: 'Enabled', filter: [{ prefix: 'tmp/' }], abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }] }] } })).toEqual(['s3-abort-incomplete-uploads']);
  });

  it('accepts a lifecycle rule without a filter, and the deprecated inline lifecycle_rule', () => {
    expect(s3Findings({ aws_s3_bucket_lifecycle_configuration: { bucket: '${aws_s3_bucket.Backups.id}', rule: [{ id: 'x', status: 'Enabled', abort_incomplete_multipart_upload: { days_after_initiation: 3 } }] } })).toEqual([]);
    const stack = hardenedBucket('Backups', { aws_s3_bucket_lifecycle_configuration: undefined });
    stack.aws_s3_bucket.Backups.lifecycle_rule = [{ enabled: true, abort_incomplete_multipart_upload_days: 7 }];
    expect(checkTerraformStack({ resource: stack })).toEqual([]);
  });

  it('fails when ACLs stay enabled (s3-ownership-enforced)', () => {
    expect(s3Findings({ aws_s3_bucket_ownership_controls: undefined })).toEqual(['s3-ownership-enforced']);
    expect(s3Findings({ aws_s3_bucket_ownership_controls: { bucket: '${aws_s3_bucket.Backups.id}', rule: { object_ownership: 'BucketOwnerPreferred' } } })).toEqual(['s3-ownership-enforced']);
  });

  it('reports every missing companion of a bare bucket, each once, in a fixed order', () => {
    expect(rulesOf({ resource: { aws_s3_bucket: { bare: { bucket: 'bare' } } } })).toEqual([
      's3-versioning', 's3-sse-kms', 's3-public-access-block', 's3-tls-only', 's3-abort-incomplete-uploads', 's3-ownership-enforced',
    ]);
  });
});

const LOGS = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];
/** A cluster that passes every EKS rule, with `change` applied. */
const cluster = (change: Body = {}) => ({
  resource: {
    aws_eks_cluster: {
      c: {
        name: 'shop-prod',
        vpc_config: { endpoint_private_access: true, endpoint_public_access: false },
        encryption_config: { resources: ['secrets'], provider: { key_arn: '${aws_kms_key.k.arn}' } },
        enabled_cluster_log_types: LOGS,
        upgrade_policy: { support_type: 'STANDARD' },
        ...change,
      },
    },
  },
});

describe('checkTerraformStack: EKS', () => {
  it('finds nothing on a private cluster with encrypted secrets, every log type and an explicit upgrade policy', () => {
    expect(checkTerraformStack(cluster())).toEqual([]);
    expect(checkTerraformStack(cluster({ upgrade_policy: [{ support_type: 'EXTENDED' }], encryption_config: [{ resources: ['secrets'], provider: [{ key_arn: 'arn:aws:kms:eu-west-1:1:key/k' }] }] }))).toEqual([]);
  });

  it('fails when an EKS public endpoint is open to 0.0.0.0/0, explicitly or by default (eks-public-endpoint-open)', () => {
    const stack = {
      resource: {
        aws_eks_cluster: {
          explicit: { ...cluster().resource.aws_eks_cluster.c, vpc_config: { endpoint_public_access: true, public_access_cidrs: ['203.0.113.0/24', '0.0.0.0/0'] } },
          implicit: { ...cluster().resource.aws_eks_cluster.c, vpc_config: [{ subnet_ids: ['a'] }] },
          listed: { ...cluster().resource.aws_eks_cluster.c, vpc_config: { endpoint_public_access: true, public_access_cidrs: ['203.0.113.0/24'] } },
        },
      },
    };
    expect(checkTerraformStack(stack).map((v) => `${v.rule} ${v.address}: ${v.message}`)).toEqual([
      'eks-public-endpoint-open aws_eks_cluster.explicit: the public API endpoint is on and open to 0.0.0.0/0, 203.0.113.0/24 (the whole IPv4 address space); allowed: endpoint_public_access false, or public_access_cidrs covering at most a /8 per address family',
      'eks-public-endpoint-open aws_eks_cluster.implicit: the public API endpoint is on and open to 0.0.0.0/0 (no public_access_cidrs)',
    ]);
  });

  it('fails when the public CIDRs together cover more than a /8 of their address family (eks-public-endpoint-open)', () => {
    const open = (cidrs: unknown) => found(cluster({ vpc_config: { endpoint_public_access: true, public_access_cidrs: cidrs } }), 'eks-public-endpoint-open').length > 0;
    expect(open(['0.0.0.0/1', '128.0.0.0/1'])).toBe(true);
    expect(open(['10.0.0.0/7'])).toBe(true);
    expect(open(['10.0.0.0/8', '11.0.0.0/8'])).toBe(true);
    expect(open(['::/0'])).toBe(true);
    expect(open(['8000::/1'])).toBe(true);
    expect(open(['10.0.0.0/8', '10.1.0.0/16'])).toBe(false); // overlaps count once
    expect(open(['203.0.113.0/24', '198.51.100.7/32', '2001:db8::/32'])).toBe(false);
    expect(open(['${var.admin_cidrs}'])).toBe(false); // an expression is not judged
    expect(checkTerraformStack(cluster({ vpc_config: { endpoint_public_access: true, public_access_cidrs: ['0.0.0.0/1', '128.0.0.0/1'] } }))[0].message)
      .toBe('the public API endpoint is on and open to 0.0.0.0/1, 128.0.0.0/1 (the whole IPv4 address space); allowed: endpoint_public_access false, or public_access_cidrs covering at most a /8 per address family');
  });

  it('fails when Secrets are not encrypted with a customer key (eks-secrets-encryption)', () => {
    expect(rulesOf(cluster({ encryption_config: undefined }))).toEqual(['eks-secrets-encryption']);
    expect(rulesOf(cluster({ encryption_config: { resources: ['secrets'], provider: {} } }))).toEqual(['eks-secrets-encryption']);
    expect(rulesOf(cluster({ encryption_config: { resources: [], provider: { key_arn: 'arn:aws:kms:eu-west-1:1:key/k' } } }))).toEqual(['eks-secrets-encryption']);
  });

  it('fails when a control-plane log type is off (eks-control-plane-logs)', () => {
    const v = checkTerraformStack(cluster({ enabled_cluster_log_types: ['api', 'audit'] }));
    expect(v).toEqual([{
      rule: 'eks-control-plane-logs', severity: 'error', address: 'aws_eks_cluster.c', field: 'enabled_cluster_log_types',
      message: 'control-plane log types authenticator, controllerManager, scheduler are off; allowed: all of api, audit, authenticator, controllerManager, scheduler',
    }]);
    expect(rulesOf(cluster({ enabled_cluster_log_types: undefined }))).toEqual(['eks-control-plane-logs']);
  });

  it('fails when the upgrade policy is left to AWS\'s default (eks-upgrade-policy)', () => {
    expect(rulesOf(cluster({ upgrade_policy: undefined }))).toEqual(['eks-upgrade-policy']);
    expect(rulesOf(cluster({ upgrade_policy: {} }))).toEqual(['eks-upgrade-policy']);
  });
});

describe('checkTerraformStack: launch templates', () => {
  it('finds nothing on IMDSv2 with hop limit 1, or with the metadata endpoint disabled', () => {
    expect(checkTerraformStack({ resource: { aws_launch_template: { lt: { metadata_options: [{ http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1 }] } } } })).toEqual([]);
    expect(checkTerraformStack({ resource: { aws_launch_template: { lt: { metadata_options: { http_endpoint: 'disabled' } } } } })).toEqual([]);
  });

  it('fails when a launch template does not require IMDSv2 tokens (launch-template-imdsv1)', () => {
    const stack = { resource: { aws_launch_template: { optional: { metadata_options: { http_tokens: 'optional', http_put_response_hop_limit: 1 } }, missing: { metadata_options: { http_put_response_hop_limit: 1 } } } } };
    expect(checkTerraformStack(stack).map((v) => `${v.address}: ${v.message}`)).toEqual([
      'aws_launch_template.missing: metadata_options.http_tokens is null; IMDSv2 needs "required"',
      'aws_launch_template.optional: metadata_options.http_tokens is "optional"; IMDSv2 needs "required"',
    ]);
  });

  it('fails when the hop limit is above 1 or unset (launch-template-hop-limit)', () => {
    const stack = { resource: { aws_launch_template: { two: { metadata_options: { http_tokens: 'required', http_put_response_hop_limit: 2 } }, unset: { metadata_options: { http_tokens: 'required' } } } } };
    expect(checkTerraformStack(stack)).toEqual([
      {
        rule: 'launch-template-hop-limit', severity: 'error', address: 'aws_launch_template.two', field: 'metadata_options.http_put_response_hop_limit',
        message: 'metadata_options.http_put_response_hop_limit is 2; allowed: 1, so that pods cannot reach IMDS and the node\'s role',
      },
      {
        rule: 'launch-template-hop-limit', severity: 'error', address: 'aws_launch_template.unset', field: 'metadata_options.http_put_response_hop_limit',
        message: 'metadata_options.http_put_response_hop_limit is unset (the AMI\'s default applies: 2 on AMIs registered for IMDSv2, such as AL2023); allowed: 1, so that pods cannot reach IMDS and the node\'s role',
      },
    ]);
  });

  it('fails when a managed node group has no launch template of the stack, whose metadata options it then cannot set', () => {
    const stack = { resource: {
      aws_launch_template: { lt: { metadata_options: { http_tokens: 'required', http_put_response_hop_limit: 1 } } },
      aws_eks_node_group: {
        withTemplate: { node_group_name: 'a', launch_template: { id: '${aws_launch_template.lt.id}', version: '${aws_launch_template.lt.latest_version}' } },
        without: { node_group_name: 'b' },
      },
    } };
    expect(checkTerraformStack(stack).map((v) => `${v.rule} ${v.address} ${v.field}`)).toEqual([
      'launch-template-imdsv1 aws_eks_node_group.without launch_template',
      'launch-template-hop-limit aws_eks_node_group.without launch_template',
    ]);
  });

  it('formats one line per violation with the stack name', () => {
    const v = checkTerraformStack({ resource: { aws_launch_template: { lt: { metadata_options: { http_put_response_hop_limit: 1 } } } } });
    expect(formatTerraformViolations('prod', v)).toBe('prod: error launch-template-imdsv1 aws_launch_template.lt: metadata_options.http_tokens is null; IMDSv2 needs "required"');
  });
});

describe('checkTerraformStack: KMS', () => {
  it('finds nothing on a rotating key, or on keys AWS cannot rotate (asymmetric, HMAC, custom key store)', () => {
    expect(checkTerraformStack({ resource: { aws_kms_key: {
      rotating: { enable_key_rotation: true, rotation_period_in_days: 180 },
      signing: { customer_master_key_spec: 'ECC_NIST_P256', key_usage: 'SIGN_VERIFY' },
      hmac: { customer_master_key_spec: 'HMAC_256', key_usage: 'GENERATE_VERIFY_MAC' },
      hsm: { custom_key_store_id: 'cks-1234567890abcdef0' },
    } } })).toEqual([]);
  });

  it('fails when a symmetric key does not rotate (kms-key-rotation)', () => {
    expect(checkTerraformStack({ resource: { aws_kms_key: { off: { enable_key_rotation: false }, unset: { customer_master_key_spec: 'SYMMETRIC_DEFAULT' } } } }).map((v) => `${v.rule} ${v.address}: ${v.message}`)).toEqual([
      'kms-key-rotation aws_kms_key.off: enable_key_rotation is false; allowed: true (yearly, or rotation_period_in_days)',
      'kms-key-rotation aws_kms_key.unset: enable_key_rotation is null; allowed: true (yearly, or rotation_period_in_days)',
    ]);
  });
});

describe('checkTerraformStack: KMS expressions', () => {
  it('warns instead of failing when enable_key_rotation is an expression it cannot read (kms-key-rotation)', () => {
    expect(checkTerraformStack({ resource: { aws_kms_key: { x: { enable_key_rotation: '${var.rotate}' }, off: { enable_key_rotation: 'false' } } } })).toEqual([
      { rule: 'kms-key-rotation', severity: 'error', address: 'aws_kms_key.off', field: 'enable_key_rotation', message: 'enable_key_rotation is "false"; allowed: true (yearly, or rotation_period_in_days)' },
      { rule: 'kms-key-rotation', severity: 'warning', address: 'aws_kms_key.x', field: 'enable_key_rotation', message: 'enable_key_rotation is the expression "${var.rotate}", which the rule cannot read; allowed: true (yearly, or rotation_period_in_days)' },
    ]);
  });
});

describe('checkTerraformStack: IAM attachments and trust', () => {
  it('finds nothing on scoped managed policies', () => {
    expect(checkTerraformStack({ resource: {
      aws_iam_role_policy_attachment: { a: { role: 'r', policy_arn: 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy' } },
      aws_iam_role: { r: { assume_role_policy: policy([{ Effect: 'Allow', Principal: { Service: 'eks.amazonaws.com' }, Action: 'sts:AssumeRole' }]), managed_policy_arns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] } },
    } })).toEqual([]);
  });

  it('fails when AdministratorAccess is attached, in any partition or through a data source (iam-administrator-access)', () => {
    const stack = {
      data: { aws_iam_policy: { admin: { name: 'AdministratorAccess' } } },
      resource: {
        aws_iam_role_policy_attachment: { plain: { role: 'r', policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' } },
        aws_iam_user_policy_attachment: { partition: { user: 'u', policy_arn: 'arn:${data.aws_partition.p.partition}:iam::aws:policy/AdministratorAccess' } },
        aws_iam_group_policy_attachment: { data: { group: 'g', policy_arn: '${data.aws_iam_policy.admin.arn}' } },
        aws_iam_role: { managed: { assume_role_policy: policy([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }]), managed_policy_arns: ['arn:aws-us-gov:iam::aws:policy/AdministratorAccess'] } },
        aws_iam_role_policy_attachments_exclusive: { exclusive: { role_name: 'r', policy_arns: ['arn:aws:iam::aws:policy/AdministratorAccess'] } },
      },
    };
    expect(found(stack, 'iam-administrator-access')).toEqual([
      'iam-administrator-access aws_iam_group_policy_attachment.data',
      'iam-administrator-access aws_iam_role.managed',
      'iam-administrator-access aws_iam_role_policy_attachment.plain',
      'iam-administrator-access aws_iam_role_policy_attachments_exclusive.exclusive',
      'iam-administrator-access aws_iam_user_policy_attachment.partition',
    ]);
  });

  it('fails when a trust policy lets anyone assume the role (iam-public-trust)', () => {
    const trust = (statement: Body) => ({ assume_role_policy: policy([{ Effect: 'Allow', Action: 'sts:AssumeRole', ...statement }]) });
    const stack = { resource: { aws_iam_role: {
      star: trust({ Principal: '*' }),
      aws: trust({ Principal: { AWS: ['arn:aws:iam::1:root', '*'] } }),
      ifExists: trust({ Principal: { AWS: '*' }, Condition: { StringEqualsIfExists: { 'aws:PrincipalOrgID': 'o-abc' } } }),
      wildcard: trust({ Principal: { AWS: '*' }, Condition: { StringLike: { 'aws:PrincipalArn': '*' } } }),
      externalId: trust({ Principal: { AWS: '*' }, Condition: { StringEquals: { 'sts:ExternalId': 'x' } } }),
      // every account's root, and everyone but one role
      anyAccount: trust({ Principal: { AWS: 'arn:aws:iam::*:root' } }),
      notPrincipal: trust({ NotPrincipal: { AWS: 'arn:aws:iam::111122223333:role/x' } }),
      // a named account's root is a named principal
      namedAccount: trust({ Principal: { AWS: 'arn:aws:iam::111122223333:root' } }),
    } } };
    expect(found(stack, 'iam-public-trust')).toEqual(['anyAccount', 'aws', 'externalId', 'ifExists', 'notPrincipal', 'star', 'wildcard'].map((n) => `iam-public-trust aws_iam_role.${n}`));
    expect(checkTerraformStack({ resource: { aws_iam_role: { star: stack.resource.aws_iam_role.star } } })[0]).toMatchObject({ field: 'assume_role_policy.Statement[0]' });
  });

  // web identity trust: the EKS cluster's OIDC provider (its issuer as cdktf renders it: the quotes inside the
  // interpolation are not escaped, Terraform evaluates it before the JSON is read) and GitHub's
  const eks = '${aws_iam_openid_connect_provider.eks.arn}';
  const issuer = '${replace(aws_iam_openid_connect_provider.eks.url, "https://", "")}';
  const gh = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
  const trust = (federated: string, condition?: Body) => ({ assume_role_policy: policy([{ Effect: 'Allow', Principal: { Federated: federated }, Action: 'sts:AssumeRoleWithWebIdentity', ...(condition ? { Condition: condition } : {}) }]).split('\\"https://\\", \\"\\"').join('"https://", ""') });

  it('fails when a web identity trust does not restrict the token subject (iam-public-trust)', () => {
    const stack = {
      data: { aws_iam_policy_document: {
        repoStar: { statement: [{ actions: ['sts:AssumeRoleWithWebIdentity'], principals: [{ type: 'Federated', identifiers: ['${aws_iam_openid_connect_provider.gh.arn}'] }], condition: [{ test: 'StringLike', variable: 'token.actions.githubusercontent.com:sub', values: ['repo:*'] }] }] },
      } },
      resource: { aws_iam_role: {
        irsaOpen: trust(eks),
        irsaAudOnly: trust(eks, { StringEquals: { [`${issuer}:aud`]: 'sts.amazonaws.com' } }),
        irsaAnyAccount: trust(eks, { StringLike: { [`${issuer}:sub`]: 'system:serviceaccount:*:*' } }),
        irsaNotEquals: trust(eks, { StringNotEquals: { [`${issuer}:sub`]: 'system:serviceaccount:kube-system:x' } }),
        ghAudOnly: trust(gh, { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } }),
        ghOrgOnly: trust(gh, { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/*' } }),
        ghOneOpen: trust(gh, { StringLike: { 'token.actions.githubusercontent.com:sub': ['repo:acme/app:*', 'repo:*/app:*'] } }),
        ghDoc: { assume_role_policy: '${data.aws_iam_policy_document.repoStar.json}' },
        cognitoOpen: trust('cognito-identity.amazonaws.com', { 'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' } }),
      } },
    };
    expect(found(stack, 'iam-public-trust')).toEqual(['cognitoOpen', 'ghAudOnly', 'ghDoc', 'ghOneOpen', 'ghOrgOnly', 'irsaAnyAccount', 'irsaAudOnly', 'irsaNotEquals', 'irsaOpen'].map((n) => `iam-public-trust aws_iam_role.${n}`));
    expect(checkTerraformStack({ resource: { aws_iam_role: { gh: stack.resource.aws_iam_role.ghAudOnly } } })[0]).toMatchObject({
      field: 'assume_role_policy.Statement[0].Condition',
      message: expect.stringMatching(/^assume_role_policy statement 0 trusts a web identity provider without naming who may assume the role: no StringEquals\/StringLike condition on token\.actions\.githubusercontent\.com:sub /),
    });
  });

  it('accepts web identity trust naming its subjects: EKS service accounts (JSON, or a data source with an interpolated variable), GitHub repositories, Cognito pools, and SAML', () => {
    const stack = {
      data: { aws_iam_policy_document: {
        irsa: { statement: [{ actions: ['sts:AssumeRoleWithWebIdentity'], principals: [{ type: 'Federated', identifiers: [eks] }], condition: [
          { test: 'StringEquals', variable: `${issuer}:aud`, values: ['sts.amazonaws.com'] },
          { test: 'StringEquals', variable: `${issuer}:sub`, values: ['system:serviceaccount:velero:velero'] },
        ] }] },
      } },
      resource: { aws_iam_role: {
        irsa: trust(eks, { StringEquals: { [`${issuer}:aud`]: 'sts.amazonaws.com', [`${issuer}:sub`]: 'system:serviceaccount:shop:web' } }),
        irsaDoc: { assume_role_policy: '${data.aws_iam_policy_document.irsa.json}' },
        ghRepo: trust(gh, { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' }, StringLike: { 'token.actions.githubusercontent.com:sub': ['repo:acme/app:ref:refs/heads/main', 'repo:acme/app-*:environment:prod'] } }),
        cognito: trust('cognito-identity.amazonaws.com', { StringEquals: { 'cognito-identity.amazonaws.com:aud': 'eu-west-1:0f0e0d0c-0b0a-0908-0706-050403020100' } }),
        saml: { assume_role_policy: policy([{ Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:saml-provider/corp' }, Action: 'sts:AssumeRoleWithSAML', Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } } }]) },
      } },
    };
    expect(checkTerraformStack(stack)).toEqual([]);
  });

  it('accepts "*" narrowed to an organization or account, named principals, and reads aws_iam_policy_document trust', () => {
    const stack = {
      data: { aws_iam_policy_document: {
        open: { statement: [{ actions: ['sts:AssumeRole'], principals: [{ type: 'AWS', identifiers: ['*'] }] }] },
        org: { statement: [{ actions: ['sts:AssumeRole'], principals: [{ type: 'AWS', identifiers: ['*'] }], condition: [{ test: 'StringEquals', variable: 'aws:PrincipalOrgID', values: ['o-abc'] }] }] },
      } },
      resource: { aws_iam_role: {
        org: { assume_role_policy: policy([{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } } }]) },
        account: { assume_role_policy: policy([{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/ci-*' } } }]) },
        named: { assume_role_policy: policy([{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' }]) },
        deny: { assume_role_policy: policy([{ Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' }]) },
        viaDataOrg: { assume_role_policy: '${data.aws_iam_policy_document.org.json}' },
        viaDataOpen: { assume_role_policy: '${data.aws_iam_policy_document.open.json}' },
      } },
    };
    expect(found(stack, 'iam-public-trust')).toEqual(['iam-public-trust aws_iam_role.viaDataOpen']);
  });
});

describe('checkTerraformStack: VPC', () => {
  const vpc = (extra: Resources = {}): Resources => ({
    aws_vpc: { main: { cidr_block: '10.0.0.0/16' } },
    aws_flow_log: { logs: { vpc_id: '${aws_vpc.main.id}', traffic_type: 'ALL', log_destination: '${aws_cloudwatch_log_group.l.arn}' } },
    aws_default_security_group: { closed: { vpc_id: '${aws_vpc.main.id}', ingress: [], egress: [] } },
    aws_subnet: { private: { vpc_id: '${aws_vpc.main.id}', cidr_block: '10.0.0.0/19', map_public_ip_on_launch: false } },
    ...extra,
  });

  it('finds nothing on a VPC with its flow log, its closed default security group and no public IPs', () => {
    expect(checkTerraformStack({ resource: vpc() })).toEqual([]);
    // no ingress/egress at all: Terraform removes every rule of the default group it adopts
    expect(checkTerraformStack({ resource: vpc({ aws_default_security_group: { closed: { vpc_id: '${aws_vpc.main.id}' } } }) })).toEqual([]);
  });

  it('does not judge a VPC the stack does not create (an existing VPC passed in)', () => {
    expect(checkTerraformStack({ resource: { aws_subnet: { s: { vpc_id: 'vpc-0a1b2c3d4e5f60718', cidr_block: '10.0.0.0/24' } } } })).toEqual([]);
  });

  it('fails when a VPC has no flow log (vpc-flow-logs)', () => {
    const stack = vpc();
    delete stack.aws_flow_log;
    expect(rulesOf({ resource: stack })).toEqual(['vpc-flow-logs']);
    // a flow log of another VPC does not count
    expect(rulesOf({ resource: vpc({ aws_flow_log: { other: { vpc_id: 'vpc-0123456789abcdef0' } } }) })).toEqual(['vpc-flow-logs']);
  });

  it('fails when the default security group is unmanaged, has rules, or gets a rule resource (vpc-default-security-group-closed)', () => {
    const unmanaged = vpc();
    delete unmanaged.aws_default_security_group;
    expect(found({ resource: unmanaged }, 'vpc-default-security-group-closed')).toEqual(['vpc-default-security-group-closed aws_vpc.main']);
    const open = vpc({ aws_default_security_group: { open: { vpc_id: '${aws_vpc.main.id}', ingress: [{ protocol: '-1', self: true, from_port: 0, to_port: 0 }] } } });
    expect(checkTerraformStack({ resource: open })).toEqual([{
      rule: 'vpc-default-security-group-closed', severity: 'error', address: 'aws_default_security_group.open', field: 'ingress', message: 'the default security group has 1 rule(s) (ingress); allowed: none',
    }]);
    const ruled = vpc({
      aws_vpc_security_group_ingress_rule: { viaGroup: { security_group_id: '${aws_default_security_group.closed.id}', cidr_ipv4: '10.0.0.0/16', ip_protocol: '-1' } },
      aws_security_group_rule: { viaVpc: { type: 'egress', security_group_id: '${aws_vpc.main.default_security_group_id}', protocol: '-1', from_port: 0, to_port: 0, cidr_blocks: ['0.0.0.0/0'] } },
    });
    expect(found({ resource: ruled }, 'vpc-default-security-group-closed')).toEqual([
      'vpc-default-security-group-closed aws_security_group_rule.viaVpc',
      'vpc-default-security-group-closed aws_vpc_security_group_ingress_rule.viaGroup',
    ]);
  });

  it('fails when a subnet or a launch template hands out public IPs (vpc-public-ip-on-launch)', () => {
    const stack = vpc({
      aws_subnet: { public: { vpc_id: '${aws_vpc.main.id}', cidr_block: '10.0.200.0/24', map_public_ip_on_launch: true } },
      aws_launch_template: { lt: { metadata_options: { http_tokens: 'required', http_put_response_hop_limit: 1 }, network_interfaces: [{ associate_public_ip_address: 'true' }] } },
    });
    expect(checkTerraformStack({ resource: stack }).map((v) => `${v.rule} ${v.address} ${v.field}`)).toEqual([
      'vpc-public-ip-on-launch aws_launch_template.lt network_interfaces[0].associate_public_ip_address',
      'vpc-public-ip-on-launch aws_subnet.public map_public_ip_on_launch',
    ]);
  });
});

describe('checkTerraformStack: ECR', () => {
  const repo = (body: Body) => ({ resource: { aws_ecr_repository: { r: { name: 'shop/cart', ...body } } } });

  it('finds nothing on an immutable repository scanned on push', () => {
    expect(checkTerraformStack(repo({ image_tag_mutability: 'IMMUTABLE', image_scanning_configuration: { scan_on_push: true } }))).toEqual([]);
  });

  it('accepts IMMUTABLE_WITH_EXCLUSION with named exclusions', () => {
    expect(checkTerraformStack(repo({ image_tag_mutability: 'IMMUTABLE_WITH_EXCLUSION', image_tag_mutability_exclusion_filter: [{ filter: 'latest', filter_type: 'WILDCARD' }], image_scanning_configuration: [{ scan_on_push: true }] }))).toEqual([]);
  });

  it('fails when tags are mutable, by default or through a "*" exclusion (ecr-immutable-tags)', () => {
    const scanned = { image_scanning_configuration: { scan_on_push: true } };
    expect(checkTerraformStack(repo(scanned)).map((v) => v.message)).toEqual(['image_tag_mutability is "MUTABLE" (the default); allowed: "IMMUTABLE", or "IMMUTABLE_WITH_EXCLUSION" whose filters match no release tag (not only "*", not "v*")']);
    expect(rulesOf(repo({ ...scanned, image_tag_mutability: 'MUTABLE_WITH_EXCLUSION' }))).toEqual(['ecr-immutable-tags']);
    expect(rulesOf(repo({ ...scanned, image_tag_mutability: 'IMMUTABLE_WITH_EXCLUSION', image_tag_mutability_exclusion_filter: [{ filter: '*', filter_type: 'WILDCARD' }] }))).toEqual(['ecr-immutable-tags']);
  });

  it('fails when an exclusion filter is only wildcards ("**") or matches release tags ("v*", "1.*", "*.*") (ecr-immutable-tags)', () => {
    const excluding = (...filters: string[]) => repo({ image_tag_mutability: 'IMMUTABLE_WITH_EXCLUSION', image_tag_mutability_exclusion_filter: filters.map((filter) => ({ filter, filter_type: 'WILDCARD' })), image_scanning_configuration: { scan_on_push: true } });
    expect(checkTerraformStack(excluding('latest', '**'))).toEqual([expect.objectContaining({
      rule: 'ecr-immutable-tags', field: 'image_tag_mutability_exclusion_filter',
      message: 'image_tag_mutability is "IMMUTABLE_WITH_EXCLUSION" with the exclusion filter "**" (every tag mutable); allowed: "IMMUTABLE", or "IMMUTABLE_WITH_EXCLUSION" whose filters match no release tag (not only "*", not "v*")',
    })]);
    expect(checkTerraformStack(excluding('v*'))[0].message).toBe('image_tag_mutability is "IMMUTABLE_WITH_EXCLUSION" with the exclusion filter "v*", which matches release tags (such as v1.2.3, v1.2.3-rc.1); allowed: "IMMUTABLE", or "IMMUTABLE_WITH_EXCLUSION" whose filters match no release tag (not only "*", not "v*")');
    expect(rulesOf(excluding('1.*'))).toEqual(['ecr-immutable-tags']);
    expect(rulesOf(excluding('*.*'))).toEqual(['ecr-immutable-tags']);
    expect(rulesOf(excluding('*-rc.*'))).toEqual(['ecr-immutable-tags']);
    expect(checkTerraformStack(excluding('latest*', 'dev-*', 'sha-*'))).toEqual([]);
  });

  it('fails when images are not scanned on push (ecr-scan-on-push)', () => {
    expect(rulesOf(repo({ image_tag_mutability: 'IMMUTABLE' }))).toEqual(['ecr-scan-on-push']);
    expect(rulesOf(repo({ image_tag_mutability: 'IMMUTABLE', image_scanning_configuration: { scan_on_push: false } }))).toEqual(['ecr-scan-on-push']);
  });

  it('accepts a registry scanning rule whose filter matches the repository, and only that', () => {
    const registry = (filter: string, frequency = 'SCAN_ON_PUSH') => ({ r: { scan_type: 'ENHANCED', rule: [{ scan_frequency: frequency, repository_filter: [{ filter, filter_type: 'WILDCARD' }] }] } });
    const stack = (filter: string, frequency?: string) => ({ resource: { ...repo({ image_tag_mutability: 'IMMUTABLE' }).resource, aws_ecr_registry_scanning_configuration: registry(filter, frequency) } });
    expect(checkTerraformStack(stack('shop/*'))).toEqual([]);
    expect(checkTerraformStack(stack('*', 'CONTINUOUS_SCAN'))).toEqual([]);
    expect(rulesOf(stack('erp/*'))).toEqual(['ecr-scan-on-push']);
    expect(rulesOf(stack('shop/*', 'MANUAL'))).toEqual(['ecr-scan-on-push']);
  });
});

describe('checkTerraformStack: resources no rule targets', () => {
  it('judges RDS, ElastiCache and Secrets Manager resources only through their policy documents', () => {
    const stack = { resource: {
      aws_db_instance: { db: { engine: 'postgres', storage_encrypted: true, kms_key_id: '${aws_kms_key.k.arn}' } },
      aws_elasticache_replication_group: { cache: { engine: 'redis', at_rest_encryption_enabled: true, transit_encryption_enabled: true } },
      aws_secretsmanager_secret: { s: { name: 'erp/prod/db', kms_key_id: '${aws_kms_key.k.arn}' } },
      aws_secretsmanager_secret_policy: { p: { secret_arn: '${aws_secretsmanager_secret.s.arn}', policy: policy([{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::1:role/app' }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }]) } },
      aws_db_subnet_group: { g: { subnet_ids: ['subnet-1', 'subnet-2'] } },
      aws_security_group: { db: { vpc_id: 'vpc-0a1b2c3d4e5f60718', ingress: [{ from_port: 5432, to_port: 5432, protocol: 'tcp', cidr_blocks: ['10.0.0.0/16'] }] } },
    } };
    expect(checkTerraformStack(stack)).toEqual([]);
  });
});

describe('eks-platform check on the Terraform rules', () => {
  it('reports a finding with the field the rule names, and its expectation', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terraform-rules-check-'));
    fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify({ resource: hardenedBucket('Backups', { aws_s3_bucket_ownership_controls: { bucket: '${aws_s3_bucket.Backups.id}', rule: { object_ownership: 'ObjectWriter' } } }) }));
    const report = checkPaths(['.'], { cwd: dir });
    expect(report.findings).toEqual([expect.objectContaining({
      rule: 's3-ownership-enforced', severity: 'error', file: 'cdk.tf.json', kind: 'aws_s3_bucket', name: 'Backups',
      field: 'aws_s3_bucket_ownership_controls.rule.object_ownership', expected: 'object_ownership "BucketOwnerEnforced"',
    })]);
    expect(report.exitCode).toBe(1);
  });

  it('describes every rule the module reports', () => {
    const source = fs.readFileSync(path.join(__dirname, '..', '..', 'lib', 'policy', 'terraform-rules.ts'), 'utf8');
    // the pattern test/policy/check.test.ts reads the module with
    const ids = [...new Set([...source.matchAll(/rule: '([a-z0-9-]+)'/g)].map((m) => m[1]))].sort();
    expect(ids).toEqual([
      'ecr-immutable-tags', 'ecr-scan-on-push',
      'eks-control-plane-logs', 'eks-public-endpoint-open', 'eks-secrets-encryption', 'eks-upgrade-policy',
      'iam-admin-statement', 'iam-administrator-access', 'iam-policy-unreadable', 'iam-public-trust',
      'kms-key-rotation', 'launch-template-hop-limit', 'launch-template-imdsv1',
      's3-abort-incomplete-uploads', 's3-ownership-enforced', 's3-public-access-block', 's3-sse-kms', 's3-tls-only', 's3-versioning',
      'vpc-default-security-group-closed', 'vpc-flow-logs', 'vpc-public-ip-on-launch',
    ]);
    expect(ids.filter((id) => RULE_DESCRIPTIONS[id] === undefined)).toEqual([]);
  });
});

describe('the reference platforms\' Terraform (shop and ERP, every stack, as synthesized now)', () => {
  // cdktf.out is not committed: synthesize both reference platforms' Terraform (the gate runs too)
  const json = new Map<string, Record<string, unknown>>();
  for (const [label, platform] of [['shop', shopPlatform], ['erp', erpPlatform]] as const) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), `terraform-rules-${label}-`));
    synthesize(platform, { outdir: out, only: 'terraform' });
    const dir = path.join(out, 'cdktf.out', 'stacks');
    for (const name of fs.readdirSync(dir).sort()) {
      json.set(`${label}/${name}`, JSON.parse(fs.readFileSync(path.join(dir, name, 'cdk.tf.json'), 'utf8')) as Record<string, unknown>);
    }
  }
  const stacks = [...json.keys()];

  it('holds every environment of both platforms and their registries', () => {
    expect(stacks).toEqual(['shop/dev', 'shop/prod', 'shop/registry', 'shop/staging', 'erp/dev', 'erp/prod', 'erp/registry']);
  });

  it.each(stacks)('stack %s passes every Terraform rule, warnings included', (name) => {
    const violations: TerraformViolation[] = checkTerraformStack(json.get(name) as Record<string, unknown>);
    expect(formatTerraformViolations(name, violations)).toBe('');
  });

  it('exercises every resource family the rules target', () => {
    const types = new Set(stacks.flatMap((name) => Object.keys((json.get(name) as { resource?: Body }).resource ?? {})));
    for (const type of ['aws_s3_bucket', 'aws_eks_cluster', 'aws_launch_template', 'aws_kms_key', 'aws_iam_role', 'aws_vpc', 'aws_default_security_group', 'aws_flow_log', 'aws_subnet', 'aws_ecr_repository']) {
      expect(types).toContain(type);
    }
  });
});
