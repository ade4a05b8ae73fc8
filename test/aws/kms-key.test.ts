import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey as KmsKeyResource } from '@cdktf/provider-aws/lib/kms-key';
import { Testing } from 'cdktf';
import type {} from 'cdktf/lib/testing/adapters/jest';
import { KmsKey } from '../../lib/aws/kms-key';

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource?: string | string[];
  Principal?: Record<string, string | string[]>;
  Condition?: Record<string, Record<string, string | string[]>>;
}

describe('KmsKey', () => {
  let synth: string;
  let policy: { Statement: Statement[] };
  beforeAll(() => {
    synth = Testing.synthScope((scope) => {
      const key = new KmsKey(scope, 'Key', {
        alias: 'shop-prod-logs',
        description: 'logs',
        accountId: '333333333333',
        partition: 'aws',
        allowServicePrincipals: ['logs.eu-central-1.amazonaws.com', 'delivery.logs.amazonaws.com'],
      });
      key.allowRole('arn:aws:iam::333333333333:role/nodes');
      key.allowServiceLinkedRole('arn:aws:iam::333333333333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling');
    });
    const parsed = JSON.parse(synth) as { resource: { aws_kms_key: Record<string, { policy: string }> } };
    policy = JSON.parse(Object.values(parsed.resource.aws_kms_key)[0].policy) as { Statement: Statement[] };
  });

  it('rotates, has a 30-day deletion window and an alias', () => {
    expect(synth).toHaveResourceWithProperties(KmsKeyResource, { enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(synth).toHaveResourceWithProperties(KmsAlias, { name: 'alias/shop-prod-logs' });
  });

  it('gives kms:* only to the account root', () => {
    const adminStatements = policy.Statement.filter((s) => [s.Action].flat().includes('kms:*'));
    expect(adminStatements).toHaveLength(1);
    expect(adminStatements[0].Principal).toEqual({ AWS: 'arn:aws:iam::333333333333:root' });
    for (const s of policy.Statement) {
      expect([s.Action].flat()).not.toContain('*');
    }
  });

  it('scopes CloudWatch Logs by encryption context and lets other services and roles use the key', () => {
    const logs = policy.Statement.find((s) => s.Sid === 'CloudWatchLogsUseKey');
    expect(logs?.Principal).toEqual({ Service: 'logs.eu-central-1.amazonaws.com' });
    expect(logs?.Condition?.ArnLike['kms:EncryptionContext:aws:logs:arn']).toBe('arn:aws:logs:*:333333333333:*');
    expect(policy.Statement.find((s) => s.Sid === 'ServicesUseKey')?.Principal).toEqual({ Service: 'delivery.logs.amazonaws.com' });
    expect(policy.Statement.find((s) => s.Sid === 'RolesGrantToAwsResources')?.Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
  });

  it('reads the account from the credentials when none is given', () => {
    const out = Testing.synthScope((scope) => {
      new KmsKey(scope, 'Key', { alias: 'a', description: 'd' });
    });
    expect(out).toContain('data.aws_caller_identity');
  });

  it('matches a role that may not exist yet by condition, naming no principal KMS would check', () => {
    const slr = 'arn:aws:iam::333333333333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling';
    const use = policy.Statement.find((s) => s.Sid === 'ServiceLinkedRolesUseKey');
    const grant = policy.Statement.find((s) => s.Sid === 'ServiceLinkedRolesGrantToAwsResources');
    expect(use?.Principal).toEqual({ AWS: '*' });
    expect(use?.Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': slr }, StringEquals: { 'aws:PrincipalAccount': '333333333333' } });
    expect([use?.Action].flat()).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*']);
    expect(grant?.Principal).toEqual({ AWS: '*' });
    expect(grant?.Action).toBe('kms:CreateGrant');
    expect(grant?.Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': slr }, StringEquals: { 'aws:PrincipalAccount': '333333333333' }, Bool: { 'kms:GrantIsForAWSResource': 'true' } });
    // no statement names the role itself as a principal
    expect(policy.Statement.flatMap((s) => Object.values(s.Principal ?? {}).flat())).not.toContain(slr);
  });

  it('writes the ARNs of the key policy in the partition given', () => {
    const out = JSON.parse(Testing.synthScope((scope) => {
      new KmsKey(scope, 'Key', { alias: 'a', description: 'd', accountId: '333333333333', partition: 'aws-us-gov', allowServicePrincipals: ['logs.us-gov-west-1.amazonaws.com'] });
    })) as { resource: { aws_kms_key: Record<string, { policy: string }> } };
    const doc = JSON.parse(Object.values(out.resource.aws_kms_key)[0].policy) as { Statement: Statement[] };
    expect(doc.Statement[0].Principal).toEqual({ AWS: 'arn:aws-us-gov:iam::333333333333:root' });
    expect(doc.Statement[1].Condition?.ArnLike['kms:EncryptionContext:aws:logs:arn']).toBe('arn:aws-us-gov:logs:*:333333333333:*');
  });

  it('reads the partition from the provider when none is given', () => {
    const out = Testing.synthScope((scope) => {
      new KmsKey(scope, 'Key', { alias: 'a', description: 'd', accountId: '333333333333' });
    });
    expect(out).toContain('arn:${data.aws_partition.Key_Partition');
  });

  it('fails when the alias has the alias/ prefix', () => {
    expect(() => Testing.synthScope((scope) => {
      new KmsKey(scope, 'Key', { alias: 'aws/x', description: 'd', accountId: '333333333333' });
    })).toThrow(/^stack\/Key: alias is "aws\/x"; allowed:/);
  });

  it('fails when a policy statement grants * on *', () => {
    expect(() => Testing.synthScope((scope) => {
      const key = new KmsKey(scope, 'Key', { alias: 'k', description: 'd', accountId: '333333333333' });
      key.addToPolicy({ actions: ['*'], resources: ['*'], principals: [{ type: 'AWS', identifiers: ['arn:aws:iam::333333333333:role/x'] }] });
    })).toThrow(/^stack\/Key: addToPolicy\[0\] is .*"\*".*; allowed: named actions/);
  });
});
