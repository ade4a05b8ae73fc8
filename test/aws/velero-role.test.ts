import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { Testing } from 'cdktf';
import type {} from 'cdktf/lib/testing/adapters/jest';
import { BackupBucket } from '../../lib/aws/backup-bucket';
import { VeleroRole } from '../../lib/aws/velero-role';
import { ValidationError } from '../../lib/model/validation';

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
type Resources = Record<string, Record<string, Record<string, unknown>>>;

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : [v].flat());

const PROPS = {
  platformName: 'shop',
  environmentName: 'prod',
  accountId: '333333333333',
  region: 'eu-central-1',
  oidcProviderArn: 'arn:aws:iam::333333333333:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/ABC',
  oidcIssuer: 'oidc.eks.eu-central-1.amazonaws.com/id/ABC',
};

describe('VeleroRole', () => {
  let synth: string;
  let statements: Statement[];
  let bucketArn: string;
  let objectsArn: string;
  let keyArn: string;

  beforeAll(() => {
    synth = Testing.synthScope((scope) => {
      const bucket = new BackupBucket(scope, 'Backups', { platformName: 'shop', environmentName: 'prod', accountId: '333333333333', retentionDays: 365 });
      new VeleroRole(scope, 'Velero', { ...PROPS, bucket });
    });
    const resources = (JSON.parse(synth) as { resource: Resources }).resource;
    const bucketAddress = Object.keys(resources.aws_s3_bucket).find((a) => resources.aws_s3_bucket[a].bucket === 'shop-prod-backups-333333333333');
    bucketArn = `\${aws_s3_bucket.${bucketAddress}.arn}`;
    objectsArn = `${bucketArn}/*`;
    const keyAddress = Object.keys(resources.aws_kms_key).find((a) => a.startsWith('Backups_Key'));
    keyArn = `\${aws_kms_key.${keyAddress}.arn}`;
    const policy = Object.values(resources.aws_iam_role_policy)[0];
    statements = (JSON.parse(policy.policy as string) as { Statement: Statement[] }).Statement;
  });

  const actionsOn = (resource: string): string[] => statements.filter((s) => list(s.Resource).includes(resource)).flatMap((s) => list(s.Action)).sort();

  test('is bound to the velero service account in the velero namespace', () => {
    expect(synth).toHaveResourceWithProperties(IamRole, { name: 'shop-prod-velero-velero' });
    expect(synth).toContain('system:serviceaccount:velero:velero');
  });

  test('may read and write objects of its bucket, nothing more', () => {
    expect(actionsOn(objectsArn)).toEqual(['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject']);
    expect(actionsOn(bucketArn)).toEqual(['s3:ListBucket']);
  });

  test('may use the bucket key, nothing more', () => {
    expect(actionsOn(keyArn)).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*']);
  });

  test('scopes the EBS snapshot calls as far as EC2 allows', () => {
    const volumes = 'arn:aws:ec2:eu-central-1:333333333333:volume/*';
    const snapshots = 'arn:aws:ec2:eu-central-1::snapshot/*';
    expect(actionsOn('*')).toEqual(['ec2:DescribeSnapshots', 'ec2:DescribeVolumes']);
    expect(actionsOn(volumes)).toEqual(['ec2:CreateSnapshot', 'ec2:CreateTags', 'ec2:CreateVolume']);
    expect(actionsOn(snapshots)).toEqual(['ec2:CreateSnapshot', 'ec2:CreateTags', 'ec2:CreateVolume', 'ec2:DeleteSnapshot']);
    const del = statements.find((s) => list(s.Action).includes('ec2:DeleteSnapshot'));
    expect(del?.Condition).toEqual({ Null: { 'aws:ResourceTag/velero.io/backup': 'false' } });
    const tags = statements.find((s) => list(s.Action).includes('ec2:CreateTags'));
    expect(tags?.Condition).toEqual({ StringEquals: { 'ec2:CreateAction': ['CreateSnapshot', 'CreateVolume'] } });
  });

  test('grants no wildcard action and no action on * other than EC2 Describe', () => {
    for (const s of statements) {
      expect(s.Effect).toBe('Allow');
      expect(list(s.Action).some((a) => a === '*' || a.endsWith(':*'))).toBe(false);
      if (list(s.Resource).includes('*')) {
        expect(list(s.Action).every((a) => a.startsWith('ec2:Describe'))).toBe(true);
      }
    }
  });

  test('writes the EC2 ARNs and its own expected ARN in the partition of the region', () => {
    let role!: VeleroRole;
    const out = Testing.synthScope((scope) => {
      const bucket = new BackupBucket(scope, 'Backups', { platformName: 'shop', environmentName: 'prod', accountId: '333333333333', retentionDays: 365 });
      role = new VeleroRole(scope, 'Velero', { ...PROPS, region: 'us-gov-west-1', bucket });
    });
    const policy = Object.values((JSON.parse(out) as { resource: Resources }).resource.aws_iam_role_policy)[0].policy as string;
    expect(policy).toContain('arn:aws-us-gov:ec2:us-gov-west-1:333333333333:volume/*');
    expect(policy).not.toContain('arn:aws:');
    expect(role.serviceAccountRole.expectedRoleArn).toBe('arn:aws-us-gov:iam::333333333333:role/shop-prod-velero-velero');
  });

  test('fails when the region is not an AWS region name', () => {
    expect(() =>
      Testing.synthScope((scope) => {
        const bucket = new BackupBucket(scope, 'Backups', { platformName: 'shop', environmentName: 'prod', accountId: '333333333333', retentionDays: 365 });
        new VeleroRole(scope, 'Velero', { ...PROPS, region: 'Frankfurt', bucket });
      }),
    ).toThrow(ValidationError);
  });
});
